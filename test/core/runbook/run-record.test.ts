/**
 * What the runbook-run stores accept (run-record.ts's schemas, shared by the PostgreSQL store and
 * the fakes): ids that are whole uuids, and a claim whose lease ends after it is taken, each
 * refused with a message that says what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { claimInput, newRunInput, setStepInput } from '../../../src/core/runbook/run-record.js';

const ID = '0b6e7f9a-3c1d-4e2f-8a9b-1c2d3e4f5a6b';
const T0 = new Date('2026-12-03T10:00:00Z');
const run = { teamId: 'T0TEAM', runbookId: 'pg-down', incidentId: ID, channelId: 'C0OPS', params: {}, startedBy: 'U0ALICE', startedAt: T0 };
const step = { runId: 'r1', stepId: 'check', state: 'done', at: T0, actorId: null, requestId: ID } as const;

/** The first problem zod reports, as path and message. */
function problem(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) {
  expect(result.success).toBe(false);
  const issue = result.error!.issues[0]!;
  return { path: issue.path.join('.'), message: issue.message };
}

describe('the ids a run and a step name', () => {
  it('are whole uuids, any case', () => {
    expect(newRunInput.safeParse(run).success).toBe(true);
    expect(newRunInput.safeParse({ ...run, incidentId: ID.toUpperCase() }).success).toBe(true);
    expect(setStepInput.safeParse(step).success).toBe(true);
  });

  it('are refused with something before or after the uuid, as "not a uuid"', () => {
    for (const id of [`x${ID}`, `${ID}x`, ` ${ID}`, `${ID}\n`]) {
      expect(problem(newRunInput.safeParse({ ...run, incidentId: id }))).toEqual({ path: 'incidentId', message: 'not a uuid' });
      expect(problem(setStepInput.safeParse({ ...step, requestId: id }))).toEqual({ path: 'requestId', message: 'not a uuid' });
    }
  });
});

describe('a claim of a step', () => {
  const claim = { runId: 'r1', stepId: 'check', actorId: 'U0ALICE', at: T0, from: ['pending'] };

  it('holds a lease that ends after it is taken', () => {
    expect(claimInput.safeParse({ ...claim, leaseUntil: new Date(T0.getTime() + 1) }).success).toBe(true);
    for (const leaseUntil of [T0, new Date(T0.getTime() - 1)]) {
      expect(problem(claimInput.safeParse({ ...claim, leaseUntil }))).toEqual({ path: 'leaseUntil', message: 'the lease must end after `at`' });
    }
  });
});
