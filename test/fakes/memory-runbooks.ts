/**
 * Runbook runs in memory, with the PostgreSQL store's semantics: a step with no record is pending;
 * `claimStep` and `setStep` are conditional on the step's state (and a claim's lease), each run to
 * its end without yielding, so of concurrent claims exactly one applies. Inputs are checked, and
 * findings and summaries bounded, by the rules the database store uses too
 * (src/core/runbook/run-record.ts): the contract compares two implementations of the port that
 * share their input rules.
 */
import { randomUUID } from 'node:crypto';
import type { StepState } from '../../src/core/runbook/model.js';
import {
  boundFindings,
  boundSummary,
  claimInput,
  messageInput,
  newRunInput,
  runStatusSchema,
  setStepInput,
} from '../../src/core/runbook/run-record.js';
import type { RunbookRun, RunbookRunStore, RunbookStepRecord } from '../../src/ports.js';
import { asJson, byteOrder, byTime, copy, parseOrThrow, UUID } from './memory-rows.js';

type StoredRun = Omit<RunbookRun, 'steps'> & { steps: Map<string, RunbookStepRecord> };

const unknownRun = (id: string): Error => new Error(`unknown runbook run ${id}`);

/** `hasIncident` stands for the foreign key to incidents. */
export function memoryRunbooks(hasIncident: (id: string) => boolean): RunbookRunStore {
  const runs = new Map<string, StoredRun>();

  const out = ({ steps, ...run }: StoredRun): RunbookRun => {
    const sorted = [...steps.values()].sort((a, b) => byteOrder(a.stepId, b.stepId));
    // fromEntries defines own properties, so a step id like "__proto__" is a key like any other.
    return { ...copy(run), steps: Object.fromEntries(sorted.map((s) => [s.stepId, copy(s)])) };
  };
  const find = (id: string): StoredRun | undefined => (UUID.test(id) ? runs.get(id) : undefined);
  const mustFind = (id: string): StoredRun => {
    const run = find(id);
    if (!run) throw unknownRun(id);
    return run;
  };
  /** The step's record, or the pending one a step without a record stands for. */
  const stepOf = (run: StoredRun, stepId: string): RunbookStepRecord =>
    run.steps.get(stepId) ?? {
      stepId, state: 'pending', status: null, summary: null, findings: [], requestId: null, actorId: null, updatedAt: null, claimedUntil: null,
    };
  const isIn = (state: StepState, from: readonly StepState[]): boolean => from.includes(state);

  return {
    async create(input) {
      const r = parseOrThrow(newRunInput, 'runbooks.create: invalid input', input);
      if (r.incidentId !== null && !hasIncident(r.incidentId)) throw new Error(`runbooks.create: unknown incident ${r.incidentId}`);
      const run: StoredRun = {
        id: randomUUID(), teamId: r.teamId, runbookId: r.runbookId, incidentId: r.incidentId, channelId: r.channelId, message: null,
        params: asJson(r.params), startedBy: r.startedBy, startedAt: new Date(r.startedAt), status: 'running', steps: new Map(),
      };
      runs.set(run.id, run);
      return out(run);
    },

    get: async (id) => {
      const run = find(id);
      return run ? out(run) : null;
    },

    listForIncident: async (incidentId) =>
      [...runs.values()]
        .filter((r) => r.incidentId === incidentId)
        .sort((a, b) => byTime(a.startedAt, b.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(out),

    async setMessage(id, ref) {
      const { channel, ts } = parseOrThrow(messageInput, 'runbooks.setMessage: invalid input', ref);
      mustFind(id).message = { channel, ts };
    },

    async claimStep(input) {
      const c = parseOrThrow(claimInput, 'runbooks.claimStep: invalid input', input);
      const run = mustFind(c.runId);
      const record = stepOf(run, c.stepId);
      const leaseOver = record.state === 'running' && (record.claimedUntil === null || record.claimedUntil.getTime() <= c.at.getTime());
      if (!isIn(record.state, c.from) && !leaseOver) return { run: out(run), applied: false };
      run.steps.set(c.stepId, { ...record, state: 'running', actorId: c.actorId, updatedAt: new Date(c.at), claimedUntil: new Date(c.leaseUntil) });
      return { run: out(run), applied: true };
    },

    async setStep(input) {
      const s = parseOrThrow(setStepInput, 'runbooks.setStep: invalid input', input);
      const run = mustFind(s.runId);
      const record = stepOf(run, s.stepId);
      if (s.from !== undefined && !isIn(record.state, s.from)) return { run: out(run), applied: false };
      const next: RunbookStepRecord = {
        ...record,
        state: s.state,
        actorId: s.actorId,
        updatedAt: new Date(s.at),
        claimedUntil: s.state === 'running' ? record.claimedUntil : null,
      };
      if (s.status !== undefined) next.status = s.status;
      if (s.summary !== undefined) next.summary = s.summary === null ? null : boundSummary(s.summary);
      if (s.findings !== undefined) next.findings = boundFindings(s.findings);
      if (s.requestId !== undefined) next.requestId = s.requestId;
      run.steps.set(s.stepId, next);
      return { run: out(run), applied: true };
    },

    async findByRequest(requestId) {
      const found = [...runs.values()]
        .flatMap((run) => [...run.steps.values()].filter((s) => s.requestId !== null && s.requestId === requestId).map((s) => ({ run, s })))
        .sort((a, b) =>
          byTime(a.s.updatedAt ?? new Date(0), b.s.updatedAt ?? new Date(0)) || (a.run.id < b.run.id ? -1 : a.run.id > b.run.id ? 1 : 0) || byteOrder(a.s.stepId, b.s.stepId))[0];
      return found ? { run: out(found.run), stepId: found.s.stepId } : null;
    },

    async setStatus(id, next) {
      const valid = parseOrThrow(runStatusSchema, 'runbooks.setStatus: invalid input', next);
      mustFind(id).status = valid;
    },
  };
}
