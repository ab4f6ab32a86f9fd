/**
 * What a runbook is once read: front matter (what it answers, its params, RTO/RPO) and an ordered
 * list of steps taken from its `firebreak …` code blocks. Checks only read; actions are requests
 * for the approval flow; manual steps are ticked by a person; notify steps post a communication
 * template. The zod schemas here check the shape of what a file says; the rules that need the
 * rest of Firebreak (diagnostics, actions, templates, targets) are in validate.ts.
 */
import { z } from 'zod';
import { SEVERITY_LEVELS, type SeverityLevel } from '../incident/severity.js';
import type { Status } from '../diagnostics/finding.js';

export const STEP_KINDS = ['check', 'action', 'manual', 'notify'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The diagnostics a check step may run (the `/diag` words, less "all"). */
export const CHECK_DIAGS = ['db', 'redis', 'k8s', 'http', 'prom', 'logs', 'host', 'docker', 'queue'] as const;
export type CheckDiag = (typeof CHECK_DIAGS)[number];

/** Ids of runbooks, steps and params: lower-case words joined by dashes or underscores. */
export const ID_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
const id = (what: string) => z.string({ error: `expected the ${what}'s id, like "long-queries"` }).regex(ID_PATTERN, { message: `a ${what} id is lower-case letters, digits, "-" and "_", starting with a letter (at most 63 characters)` });

/** A parameter of the runbook, given as `param=value` to `/runbook run`. */
export const paramSchema = z
  .object({
    type: z.enum(['string', 'integer', 'target'], { error: 'expected type "string", "integer" or "target"' }).default('string'),
    /** For `type: target`: the kind of target it names (postgres, redis, kubernetes, http, prometheus, hosts, docker, rabbitmq). */
    kind: z.enum(['postgres', 'redis', 'kubernetes', 'http', 'prometheus', 'hosts', 'docker', 'rabbitmq']).optional(),
    description: z.string({ error: 'expected a one-line description of the parameter' }).min(1).max(200),
    default: z.union([z.string(), z.number().int()]).optional(),
    /**
     * A target param is optional by default (the first configured target of its kind); `required:
     * true` makes the person name it (a failover's replica must never default to the primary).
     */
    required: z.boolean({ error: 'expected true or false' }).optional(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    /** For strings: the value must match this regular expression (anchored). */
    pattern: z.string().optional(),
  })
  .strict();
export type RunbookParam = z.output<typeof paramSchema>;

/** A duration as written in a runbook ("15m", "1h"), kept as written: it is shown, not computed. */
const durationText = z.string().regex(/^\d+\s*(s|m|min|h|d)$/, { message: 'expected a duration like "15m" or "1h"' });

export const frontMatterSchema = z
  .object({
    id: id('runbook'),
    title: z.string({ error: 'expected a title' }).min(1).max(150, 'keep the title to 150 characters (it is a Slack header)'),
    severity: z.enum(SEVERITY_LEVELS, { error: 'expected a severity P0, P1, P2 or P3' }),
    services: z.array(z.string().min(1).max(60)).max(20).default([]),
    symptoms: z.array(z.string().min(1).max(80)).max(40).default([]),
    /** Alertmanager `alertname`s this runbook answers. */
    alerts: z.array(z.string().regex(/^[A-Za-z_:][A-Za-z0-9_:]*$/, { message: 'expected an Alertmanager alertname like "PostgresDown"' })).max(40).default([]),
    rto: durationText.optional(),
    rpo: durationText.optional(),
    /** Who to call when the runbook does not bring the service back (shown under the run). */
    escalation: z.string().min(1).max(1000).optional(),
    /** Where it was written from (a seed document and its section). */
    source: z.string().min(1).max(200).optional(),
    params: z.record(z.string().regex(ID_PATTERN, { message: 'a param name is lower-case letters, digits, "-" and "_"' }), paramSchema).default({}),
  })
  .strict();
export type RunbookFrontMatter = z.output<typeof frontMatterSchema>;

const statusSchema = z.enum(['critical', 'warning', 'unknown', 'ok'], { error: 'expected a status: critical, warning, unknown or ok' });

/** `when: { step: connections, status: critical }` (or a list of statuses): run only on that outcome. */
export const whenSchema = z
  .object({
    step: id('step'),
    status: z.union([statusSchema, z.array(statusSchema).min(1)]).transform((s): Status[] => (Array.isArray(s) ? s : [s])),
  })
  .strict();
export type StepCondition = z.output<typeof whenSchema>;

/** A string that may hold `{{param}}` placeholders. */
const templated = z.string().max(500);
const argValue = z.union([z.string().max(500), z.number()]).transform(String);

const common = {
  id: id('step'),
  when: whenSchema.optional(),
};

/** Thresholds of a custom check on one number: higher is worse unless `lowerIsWorse`. */
const thresholds = {
  warn: z.number({ error: 'expected a number (the warning threshold)' }),
  critical: z.number({ error: 'expected a number (the critical threshold)' }),
  lowerIsWorse: z.boolean().default(false),
  /** One line saying what the value means, shown with the finding. */
  meaning: z.string({ error: 'expected a one-line meaning: what the value says about the system' }).min(1).max(200),
  /** What to do when it is not ok. */
  recommendation: z.string().max(500).optional(),
};

export const diagCheckSchema = z
  .object({
    ...common,
    diag: z.enum(CHECK_DIAGS, { error: `expected a diagnostic of /diag: ${CHECK_DIAGS.join(', ')}` }),
    target: templated.optional(),
    namespace: templated.optional(),
    deployment: templated.optional(),
    /** For docker: one container, or the compose project, to look at (default: what the target watches). */
    container: templated.optional(),
    /** For logs: how far back ("5m"). */
    since: templated.optional(),
  })
  .strict();

export const sqlCheckSchema = z
  .object({
    ...common,
    /** Read-only SQL, run in a READ ONLY transaction with a statement timeout; `$1…` are `args`. */
    sql: z.string().min(1).max(4000),
    args: z.array(argValue).max(20).default([]),
    target: templated.optional(),
    /** The column whose value (first row) is graded; the first column when absent. */
    value: z.string().max(63).optional(),
    ...thresholds,
  })
  .strict();

export const promqlCheckSchema = z
  .object({
    ...common,
    promql: templated.min(1),
    target: templated.optional(),
    ...thresholds,
  })
  .strict();

export const httpCheckSchema = z
  .object({
    ...common,
    /** The HTTP target whose base URL the path is relative to. */
    target: templated.optional(),
    http: z
      .object({
        method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
        path: templated.regex(/^\//, { message: 'expected a path starting with "/", relative to the target\'s URL' }),
        headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'expected a header name' }), templated).default({}),
        body: z.string().max(10_000).optional(),
        expect: z
          .object({
            status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]).transform((s) => (Array.isArray(s) ? s : [s])).default([200]),
            /** Fields of the JSON body (dotted paths) and the value each must have. */
            json: z.record(z.string().min(1).max(200), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
          })
          .strict()
          .default({ status: [200], json: {} }),
      })
      .strict(),
    /** Latency thresholds in milliseconds (optional). */
    warnMs: z.number().positive().optional(),
    criticalMs: z.number().positive().optional(),
    meaning: z.string().min(1).max(200),
    recommendation: z.string().max(500).optional(),
  })
  .strict();

export const actionStepSchema = z
  .object({
    ...common,
    /** A remediation id of the catalogue ("pg.terminate-long"); it goes through the approval flow. */
    action: z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+$/, { message: 'expected a remediation id like "pg.terminate-long"' }),
    args: z.array(argValue).max(10).default([]),
    target: templated.optional(),
  })
  .strict();

export const manualStepSchema = z
  .object({
    ...common,
    /** What the person does. */
    instruction: z.string({ error: 'expected the instruction for the person doing this step' }).min(1).max(1500),
    /** A command to show as code (never run by Firebreak). */
    command: z.string().max(1500).optional(),
  })
  .strict();

export const notifyStepSchema = z
  .object({
    ...common,
    /** The communication template: "update" opens the update form, prefilled with `fields`. */
    template: z.enum(['update'], { error: 'expected template "update" (the stakeholder update)' }),
    fields: z.partialRecord(z.enum(['status', 'progress', 'blockers', 'next_steps', 'eta']), templated).default({}),
  })
  .strict();

export type DiagCheck = z.output<typeof diagCheckSchema>;
export type SqlCheck = z.output<typeof sqlCheckSchema>;
export type PromqlCheck = z.output<typeof promqlCheckSchema>;
export type HttpCheck = z.output<typeof httpCheckSchema>;

/** A custom read-only check, after its placeholders are filled in (what the Diagnostics port runs). */
export type CustomCheck =
  | ({ kind: 'sql' } & Omit<SqlCheck, 'id' | 'when'>)
  | ({ kind: 'promql' } & Omit<PromqlCheck, 'id' | 'when'>)
  | ({ kind: 'http' } & Omit<HttpCheck, 'id' | 'when'>);

interface StepBase {
  id: string;
  /** The heading above the block. */
  title: string;
  /** The prose between the heading (or the previous step) and the block, as Markdown. */
  explanation: string;
  when?: StepCondition;
  /** 1-based line of the opening fence in the file. */
  line: number;
}

export type Step =
  | (StepBase & { kind: 'check'; check: { type: 'diag'; spec: Omit<DiagCheck, 'id' | 'when'> } | { type: 'sql'; spec: Omit<SqlCheck, 'id' | 'when'> } | { type: 'promql'; spec: Omit<PromqlCheck, 'id' | 'when'> } | { type: 'http'; spec: Omit<HttpCheck, 'id' | 'when'> } })
  | (StepBase & { kind: 'action'; action: string; args: string[]; target?: string | undefined })
  | (StepBase & { kind: 'manual'; instruction: string; command?: string | undefined })
  | (StepBase & { kind: 'notify'; template: 'update'; fields: Record<string, string> });

export interface Runbook extends Omit<RunbookFrontMatter, 'severity'> {
  severity: SeverityLevel;
  /** The file it was read from, relative to the runbooks directory ("redis-down.md"). */
  file: string;
  /** The prose before the first step (the runbook's introduction), as Markdown. */
  summary: string;
  steps: Step[];
}

/** What a runbook run knows of each step. */
export const STEP_STATES = ['pending', 'running', 'done', 'failed', 'requested', 'skipped'] as const;
export type StepState = (typeof STEP_STATES)[number];
