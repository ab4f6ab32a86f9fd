/**
 * A runbook run and its step records as stored (the RunbookRunStore port of ports.ts reads and
 * writes them), and what a RunbookRunStore accepts, as every store checks it: the inputs of its methods
 * (new run, message, claim, step outcome, run status), and the bounds on what a step keeps of its
 * findings and summary. The PostgreSQL store and the in-memory fake both use these, so the store
 * contract compares two implementations that share their input rules.
 */
import { z } from 'zod';
import { rank, STATUSES, type Finding, type Status } from '../diagnostics/finding.js';
import { truncatePlain } from '../render/text.js';
import type { MessageRef } from '../incident/incident.js';
import { STEP_STATES, type StepState } from './model.js';

/** What a run knows of one step: its state, its outcome, who did it and when. */
export interface RunbookStepRecord {
  stepId: string;
  state: StepState;
  /** A check's worst status, once it ran. */
  status: Status | null;
  /** One line for people: "2 findings, worst critical", "approved and executed", "done by <@U1>" (kept to 1,000 characters). */
  summary: string | null;
  /**
   * A check's findings, shown under the step, kept bounded: at most 20 (the worst, in their order),
   * at most 20 evidence lines of 500 characters each, every other text cut to 1,000 characters.
   */
  findings: Finding[];
  /** The remediation request an action step asked for. */
  requestId: string | null;
  actorId: string | null;
  updatedAt: Date | null;
  /** While running: the claim ends then (a process that died mid-step lets someone else run it); null: no one holds it. */
  claimedUntil: Date | null;
}

export interface RunbookRun {
  id: string;
  teamId: string;
  runbookId: string;
  /** The incident the run is attached to, if any. */
  incidentId: string | null;
  /** Where the run's message is. */
  channelId: string;
  message: MessageRef | null;
  params: Record<string, string>;
  startedBy: string;
  startedAt: Date;
  status: 'running' | 'finished' | 'abandoned';
  /** Steps that have a record (the others are pending), by step id. */
  steps: Record<string, RunbookStepRecord>;
}

/** The most findings a step keeps: the worst ones, in the order given. */
export const MAX_STEP_FINDINGS = 20;
/** The most evidence lines a finding keeps (the first ones), each cut to MAX_EVIDENCE_LINE characters. */
export const MAX_EVIDENCE_LINES = 20;
export const MAX_EVIDENCE_LINE = 500;
/** Every other text of a finding (check, component, value, threshold, recommendation, remediation), and a step's summary, is cut to this. */
export const MAX_STEP_TEXT = 1000;
/** The most arguments a finding's remediation keeps, each cut to MAX_EVIDENCE_LINE characters. */
export const MAX_REMEDIATION_ARGS = 20;

/** A run's status (RunbookRun['status'] in ports.ts). */
export const RUN_STATUSES = ['running', 'finished', 'abandoned'] as const;

/** Incident and request ids are uuids (as the database's uuid type reads them). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// z.date() refuses an Invalid Date too.
const date = z.date();
const uuid = z.string().regex(UUID, 'not a uuid');
const text = z.string().min(1);
export const stepStateSchema = z.enum(STEP_STATES);
export const findingStatusSchema = z.enum(STATUSES);
export const runStatusSchema = z.enum(RUN_STATUSES);
/** Step ids of runbooks are short words (model.ts); a store only bounds them. */
const stepId = z.string().min(1).max(200);

/** A finding as a step is given it (keys that are not fields of a finding are dropped). */
export const findingSchema = z.object({
  check: z.string(),
  component: z.string(),
  status: findingStatusSchema,
  value: z.string(),
  threshold: z.string().optional(),
  recommendation: z.string().optional(),
  evidence: z.array(z.string()).optional(),
  remediation: z.object({ action: z.string(), args: z.array(z.string()), label: z.string() }).optional(),
});

export const newRunInput = z.object({
  teamId: text,
  runbookId: text,
  incidentId: uuid.nullable(),
  channelId: text,
  params: z.record(z.string(), z.string()),
  startedBy: text,
  startedAt: date,
});

export const messageInput = z.object({ channel: text, ts: text });

export const claimInput = z
  .object({ runId: z.string(), stepId, actorId: text, at: date, leaseUntil: date, from: z.array(stepStateSchema) })
  .refine((c) => c.leaseUntil.getTime() > c.at.getTime(), { message: 'the lease must end after `at`', path: ['leaseUntil'] });

export const setStepInput = z.object({
  runId: z.string(),
  stepId,
  state: stepStateSchema,
  at: date,
  actorId: z.string().nullable(),
  status: findingStatusSchema.nullable().optional(),
  summary: z.string().nullable().optional(),
  findings: z.array(findingSchema).optional(),
  requestId: uuid.nullable().optional(),
  from: z.array(stepStateSchema).optional(),
});

const cut = (value: string, max = MAX_STEP_TEXT): string => truncatePlain(value, max);

/** A step's summary as a step keeps it: cut to MAX_STEP_TEXT characters (ending with "…" when cut). */
export const boundSummary = (summary: string): string => cut(summary);

/**
 * Findings as a step keeps them: at most MAX_STEP_FINDINGS (the worst, in the order given), at
 * most MAX_EVIDENCE_LINES evidence lines of MAX_EVIDENCE_LINE characters, at most
 * MAX_REMEDIATION_ARGS remediation arguments of MAX_EVIDENCE_LINE characters, other texts cut to
 * MAX_STEP_TEXT characters (each cut text ends with "…").
 */
export function boundFindings(findings: readonly z.infer<typeof findingSchema>[]): Finding[] {
  const kept = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f.status) - rank(b.f.status) || a.i - b.i)
    .slice(0, MAX_STEP_FINDINGS)
    .sort((a, b) => a.i - b.i)
    .map(({ f }) => f);
  return kept.map((f) => {
    const bounded: Finding = { check: cut(f.check), component: cut(f.component), status: f.status, value: cut(f.value) };
    if (f.threshold !== undefined) bounded.threshold = cut(f.threshold);
    if (f.recommendation !== undefined) bounded.recommendation = cut(f.recommendation);
    if (f.evidence !== undefined) bounded.evidence = f.evidence.slice(0, MAX_EVIDENCE_LINES).map((line) => cut(line, MAX_EVIDENCE_LINE));
    if (f.remediation !== undefined) {
      bounded.remediation = {
        action: cut(f.remediation.action),
        args: f.remediation.args.slice(0, MAX_REMEDIATION_ARGS).map((arg) => cut(arg, MAX_EVIDENCE_LINE)),
        label: cut(f.remediation.label),
      };
    }
    return bounded;
  });
}
