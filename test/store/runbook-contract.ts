/**
 * Store.runbooks, run against every store: runs and their steps, claims that exactly one of
 * concurrent callers gets, leases taken over once they end, conditional step outcomes, findings
 * kept bounded, and the run of a remediation request. `runbookSqlContract` also looks at the rows.
 * The caller opens the store (its own one) and these close it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/diagnostics/finding.js';
import type { StepState } from '../../src/core/runbook/model.js';
import type { RunbookRun, RunbookStepRecord, Store } from '../../src/ports.js';
import { newIncident, newTeam, type OpenedStore } from './fixtures.js';

const T0 = new Date('2030-07-01T09:00:00.000Z').getTime();
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const LEASE = 120;

type NewRun = Parameters<Store['runbooks']['create']>[0];
const newRun = (overrides: Partial<NewRun> = {}): NewRun => ({
  teamId: newTeam(),
  runbookId: 'pg-long-queries',
  incidentId: null,
  channelId: 'C_INCIDENT',
  params: { db: 'orders-db', minutes: '5', note: 'ünïcødé "quoted" \\ {{braces}}' },
  startedBy: 'U_STARTER',
  startedAt: at(0),
  ...overrides,
});

/** A step's record as a claim by `actorId` at `second` leaves it, from nothing. */
const claimed = (stepId: string, actorId: string, second: number, over: Partial<RunbookStepRecord> = {}): RunbookStepRecord => ({
  stepId, state: 'running', status: null, summary: null, findings: [], requestId: null, actorId, updatedAt: at(second), claimedUntil: at(second + LEASE), ...over,
});

const finding = (n: number, status: Finding['status'], over: Partial<Finding> = {}): Finding => ({
  check: `check ${n}`, component: 'orders-db', status, value: `${n} sessions`, ...over,
});

export function runbookContract(open: () => Promise<Store>): void {
  describe('runbook runs (Store.runbooks)', () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const runbooks = () => store.runbooks;
    /** A claim at `second` for LEASE seconds. */
    const claim = (run: RunbookRun, stepId: string, second: number, from: StepState[] = ['pending'], actorId = 'U1') =>
      runbooks().claimStep({ runId: run.id, stepId, actorId, at: at(second), leaseUntil: at(second + LEASE), from });

    it('stores every field of a new run, running with no steps; get returns it; setMessage and setStatus change it', async () => {
      const input = newRun();
      const run = await runbooks().create(input);
      const expected: RunbookRun = { ...input, id: expect.stringMatching(/^[0-9a-f-]{36}$/), message: null, status: 'running', steps: {} };
      expect(run).toStrictEqual(expected);
      expect(run.startedAt).toBeInstanceOf(Date);
      expect(await runbooks().get(run.id)).toStrictEqual(run);

      await runbooks().setMessage(run.id, { channel: 'C_INCIDENT', ts: '1751360400.000200' });
      await runbooks().setStatus(run.id, 'finished');
      expect(await runbooks().get(run.id)).toStrictEqual({ ...run, message: { channel: 'C_INCIDENT', ts: '1751360400.000200' }, status: 'finished' });
      await runbooks().setStatus(run.id, 'abandoned');
      expect((await runbooks().get(run.id))?.status).toBe('abandoned');

      expect(await runbooks().get(randomUUID())).toBeNull();
      expect(await runbooks().get('not-a-uuid')).toBeNull();
      await expect(runbooks().setMessage(randomUUID(), { channel: 'C', ts: '1.2' })).rejects.toThrow(/unknown runbook run/);
      await expect(runbooks().setStatus('RUN-1', 'finished')).rejects.toThrow(/unknown runbook run RUN-1/);
      await expect(runbooks().setStatus(run.id, 'paused' as 'finished')).rejects.toThrow(/runbooks\.setStatus: invalid input/);
      await expect(runbooks().setMessage(run.id, { channel: '', ts: '1.2' })).rejects.toThrow(/runbooks\.setMessage: invalid input\.channel/);
    });

    it('lists the runs of an incident, oldest first', async () => {
      const { incident } = await store.openIncident(newIncident(newTeam()));
      const later = await runbooks().create(newRun({ incidentId: incident.id, startedAt: at(600), runbookId: 'second' }));
      const earlier = await runbooks().create(newRun({ incidentId: incident.id, startedAt: at(60), runbookId: 'first' }));
      await runbooks().create(newRun());
      await claim(later, 'activity', 700);
      const listed = await runbooks().listForIncident(incident.id);
      expect(listed.map((r) => r.runbookId)).toEqual(['first', 'second']);
      expect(listed).toStrictEqual([earlier, { ...later, steps: { activity: claimed('activity', 'U1', 700) } }]);
      expect(await runbooks().listForIncident(randomUUID())).toEqual([]);
      expect(await runbooks().listForIncident('INC-1')).toEqual([]);
    });

    it('refuses a run of an unknown incident, and input that could not be read back', async () => {
      await expect(runbooks().create(newRun({ incidentId: randomUUID() }))).rejects.toThrow(/runbooks\.create: unknown incident/);
      await expect(runbooks().create(newRun({ incidentId: 'INC-1' }))).rejects.toThrow(/runbooks\.create: invalid input\.incidentId/);
      await expect(runbooks().create(newRun({ params: { minutes: 5 as unknown as string } }))).rejects.toThrow(/runbooks\.create: invalid input\.params/);
      await expect(runbooks().create(newRun({ startedAt: new Date(NaN) }))).rejects.toThrow(/runbooks\.create: invalid input\.startedAt/);
      await expect(runbooks().create(newRun({ channelId: '' }))).rejects.toThrow(/runbooks\.create: invalid input\.channelId/);
    });

    it('claims a pending step for its lease; another claim, by anyone, is refused while the lease holds', async () => {
      const run = await runbooks().create(newRun());
      const first = await claim(run, 'activity', 10);
      const holding = { ...run, steps: { activity: claimed('activity', 'U1', 10) } };
      expect(first).toStrictEqual({ run: holding, applied: true });
      expect(await runbooks().get(run.id)).toStrictEqual(holding);
      for (const actor of ['U2', 'U1']) expect(await claim(run, 'activity', 20, ['pending'], actor), actor).toStrictEqual({ run: holding, applied: false });
      const refused = await runbooks().claimStep({ runId: run.id, stepId: 'activity', actorId: 'U2', at: at(10 + LEASE - 0.001), leaseUntil: at(999), from: ['pending'] });
      expect(refused).toStrictEqual({ run: holding, applied: false });
    });

    it('lets another actor take over a step whose lease has ended (at its end exactly), keeping what the step had', async () => {
      const run = await runbooks().create(newRun());
      await claim(run, 'activity', 10);
      await runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'running', at: at(30), actorId: 'U1', summary: 'half way' });
      expect((await claim(run, 'activity', 10 + LEASE - 1, ['pending'], 'U2')).applied).toBe(false);
      const takeover = await runbooks().claimStep({ runId: run.id, stepId: 'activity', actorId: 'U2', at: at(10 + LEASE), leaseUntil: at(500), from: ['pending'] });
      expect(takeover).toStrictEqual({
        run: { ...run, steps: { activity: claimed('activity', 'U2', 10 + LEASE, { summary: 'half way', claimedUntil: at(500) }) } },
        applied: true,
      });
      // Now the new lease holds, for the first actor too.
      const late = await claim(run, 'activity', 200, ['pending'], 'U1');
      expect(late).toStrictEqual({ run: takeover.run, applied: false });
    });

    it('claims from the states given only: a step with no record is pending; done steps stay done', async () => {
      const run = await runbooks().create(newRun());
      expect(await claim(run, 'retry', 0, ['failed'])).toStrictEqual({ run, applied: false });
      expect(await runbooks().get(run.id)).toStrictEqual(run);

      const findings = [finding(1, 'critical')];
      await runbooks().setStep({ runId: run.id, stepId: 'retry', state: 'failed', at: at(5), actorId: 'U1', status: 'unknown', summary: 'timed out', findings });
      const again = await claim(run, 'retry', 10, ['failed']);
      expect(again.applied).toBe(true);
      expect(again.run.steps.retry).toStrictEqual(claimed('retry', 'U1', 10, { status: 'unknown', summary: 'timed out', findings }));

      await runbooks().setStep({ runId: run.id, stepId: 'retry', state: 'done', at: at(20), actorId: 'U1', status: 'ok' });
      expect((await claim(run, 'retry', 1000, ['pending', 'failed'])).applied).toBe(false);
      expect((await claim(run, 'retry', 1000, ['done'])).applied).toBe(true);
    });

    it('gives a step to exactly one of 10 concurrent claims, from nothing and from a recorded state', async () => {
      const run = await runbooks().create(newRun());
      /** 10 claims at once, by U0…U9; the actors whose claim applied. */
      const ten = async (stepId: string, from: StepState[]): Promise<string[]> => {
        const actors = Array.from({ length: 10 }, (_, i) => `U${i}`);
        const results = await Promise.all(actors.map((actor) => claim(run, stepId, 50, from, actor)));
        for (const r of results) expect(r.run.steps[stepId]?.state).toBe('running');
        return actors.filter((_, i) => results[i]?.applied);
      };

      const fresh = await ten('activity', ['pending']);
      expect(fresh).toHaveLength(1);
      expect((await runbooks().get(run.id))?.steps.activity).toStrictEqual(claimed('activity', fresh[0] ?? '', 50));

      await runbooks().setStep({ runId: run.id, stepId: 'terminate', state: 'failed', at: at(40), actorId: null });
      const recorded = await ten('terminate', ['failed']);
      expect(recorded).toHaveLength(1);
      expect((await runbooks().get(run.id))?.steps.terminate).toStrictEqual(claimed('terminate', recorded[0] ?? '', 50));
    });

    it('records a step outcome: unconditionally, or only from the states given; omitted fields are kept', async () => {
      const run = await runbooks().create(newRun());
      const requestId = randomUUID();
      const findings = [finding(1, 'warning', { threshold: 'warning at 80 %', recommendation: 'Look at the blocked sessions.', evidence: ['pid 4242: ALTER TABLE…'], remediation: { action: 'pg.terminate-long', args: ['5'], label: 'Terminate' } })];
      await claim(run, 'activity', 0);
      const done = await runbooks().setStep({
        runId: run.id, stepId: 'activity', state: 'done', at: at(30), actorId: 'U1', status: 'warning', summary: '1 finding, worst warning', findings, requestId,
      });
      const record: RunbookStepRecord = {
        stepId: 'activity', state: 'done', status: 'warning', summary: '1 finding, worst warning', findings, requestId, actorId: 'U1', updatedAt: at(30), claimedUntil: null,
      };
      expect(done).toStrictEqual({ run: { ...run, steps: { activity: record } }, applied: true });

      // Only the state, actor and time given: the rest stays.
      const skipped = await runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'skipped', at: at(40), actorId: null });
      expect(skipped.run.steps.activity).toStrictEqual({ ...record, state: 'skipped', actorId: null, updatedAt: at(40) });
      const cleared = await runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'done', at: at(50), actorId: 'U3', status: null, summary: null, findings: [], requestId: null });
      expect(cleared.run.steps.activity).toStrictEqual({ ...record, status: null, summary: null, findings: [], requestId: null, actorId: 'U3', updatedAt: at(50) });

      // Conditional: refused when the step is in none of `from`, nothing changed.
      const refused = await runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'failed', at: at(60), actorId: 'U4', summary: 'x', from: ['running', 'requested'] });
      expect(refused).toStrictEqual({ run: cleared.run, applied: false });
      // A step with no record is pending: recorded only when "pending" is one of `from`.
      const manual = await runbooks().setStep({ runId: run.id, stepId: 'tick', state: 'done', at: at(70), actorId: 'U5', from: ['running'] });
      expect(manual).toStrictEqual({ run: cleared.run, applied: false });
      const ticked = await runbooks().setStep({ runId: run.id, stepId: 'tick', state: 'done', at: at(70), actorId: 'U5', summary: 'done by <@U5>', from: ['pending'] });
      expect(ticked.applied).toBe(true);
      expect(ticked.run.steps.tick).toStrictEqual({
        stepId: 'tick', state: 'done', status: null, summary: 'done by <@U5>', findings: [], requestId: null, actorId: 'U5', updatedAt: at(70), claimedUntil: null,
      });
    });

    it('keeps the lease of a step set "running", and clears it in any other state', async () => {
      const run = await runbooks().create(newRun());
      await claim(run, 'activity', 0);
      const progress = await runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'running', at: at(10), actorId: 'U1', summary: 'querying' });
      expect(progress.run.steps.activity).toStrictEqual(claimed('activity', 'U1', 10, { summary: 'querying', claimedUntil: at(LEASE) }));
      expect((await claim(run, 'activity', 20, [])).applied).toBe(false);
      const asked = await runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'requested', at: at(30), actorId: 'U1', requestId: randomUUID() });
      expect(asked.run.steps.activity?.claimedUntil).toBeNull();
      // Running with no lease (set so without a claim): no one holds it, a claim from no state takes it.
      await runbooks().setStep({ runId: run.id, stepId: 'free', state: 'running', at: at(40), actorId: 'U1' });
      expect((await claim(run, 'free', 41, [])).applied).toBe(true);
    });

    it('keeps at most 20 findings, the worst, in their order; cuts evidence to 20 lines of 500 characters and other texts to 1,000', async () => {
      const run = await runbooks().create(newRun());
      const statuses: Finding['status'][] = ['ok', 'warning', 'ok', 'critical', 'unknown'];
      const many = Array.from({ length: 30 }, (_, n) => finding(n, statuses[n % 5] ?? 'ok'));
      const long = 'é'.repeat(1500);
      const bulky = finding(99, 'critical', {
        check: long, component: long, value: long, threshold: long, recommendation: long,
        evidence: Array.from({ length: 30 }, (_, n) => `${n}: ${'x'.repeat(600)}`),
        remediation: { action: 'pg.terminate-long', args: Array.from({ length: 25 }, () => 'y'.repeat(600)), label: long },
      });
      const extra = { ...finding(100, 'warning'), secret: 'not a field of a finding' } as Finding;
      const { run: after } = await runbooks().setStep({
        runId: run.id, stepId: 'activity', state: 'done', at: at(1), actorId: 'U1', findings: [bulky, ...many, extra], summary: 's'.repeat(1200),
      });
      const kept = after.steps.activity?.findings ?? expect.fail('no findings');
      // 30 + 2: the 6 critical, 6 unknown, 6 + 1 warning… and only 1 of the 12 ok.
      const byStatus = (s: string) => kept.filter((f) => f.status === s).length;
      expect(kept).toHaveLength(20);
      expect([byStatus('critical'), byStatus('unknown'), byStatus('warning'), byStatus('ok')]).toEqual([7, 6, 7, 0]);
      // In their order; the key that is not a field of a finding is dropped.
      expect(kept.slice(1)).toStrictEqual([...many.filter((f) => f.status !== 'ok'), finding(100, 'warning')]);

      const first = kept[0] ?? expect.fail('no first finding');
      const cut1000 = `${'é'.repeat(999)}…`;
      expect([first.check, first.component, first.value, first.threshold, first.recommendation, first.remediation?.label]).toEqual(Array(6).fill(cut1000));
      expect(first.evidence).toHaveLength(20);
      expect(first.evidence?.[0]).toBe(`0: ${'x'.repeat(496)}…`);
      expect(first.evidence?.every((line) => line.length === 500)).toBe(true);
      expect(first.remediation?.args).toHaveLength(20);
      expect(first.remediation?.args.every((a) => a === `${'y'.repeat(499)}…`)).toBe(true);
      expect(after.steps.activity?.summary).toBe(`${'s'.repeat(999)}…`);
      expect(await runbooks().get(run.id)).toStrictEqual(after);

      await expect(
        runbooks().setStep({ runId: run.id, stepId: 'activity', state: 'done', at: at(2), actorId: 'U1', findings: [{ ...finding(1, 'ok'), status: 'fine' as 'ok' }] }),
      ).rejects.toThrow(/runbooks\.setStep: invalid input\.findings\.0\.status/);
      expect(await runbooks().get(run.id)).toStrictEqual(after);
    });

    it('finds the run and step of a remediation request', async () => {
      const run = await runbooks().create(newRun());
      const requestId = randomUUID();
      await runbooks().setStep({ runId: run.id, stepId: 'terminate', state: 'requested', at: at(5), actorId: 'U1', requestId, summary: 'waiting for approval' });
      const found = await runbooks().findByRequest(requestId);
      expect(found).toStrictEqual({ run: (await runbooks().get(run.id)) ?? expect.fail('no run'), stepId: 'terminate' });
      expect(await runbooks().findByRequest(randomUUID())).toBeNull();
      expect(await runbooks().findByRequest('REQ-1')).toBeNull();
    });

    it('throws for an unknown run, and refuses invalid claims and outcomes', async () => {
      const run = await runbooks().create(newRun());
      const claimOf = (over: object) => runbooks().claimStep({ runId: run.id, stepId: 's', actorId: 'U1', at: at(0), leaseUntil: at(60), from: ['pending'], ...over });
      const setOf = (over: object) => runbooks().setStep({ runId: run.id, stepId: 's', state: 'done', at: at(0), actorId: 'U1', ...over });
      for (const runId of [randomUUID(), 'RUN-1']) {
        await expect(claimOf({ runId })).rejects.toThrow(`unknown runbook run ${runId}`);
        await expect(claimOf({ runId, from: ['failed'] })).rejects.toThrow(`unknown runbook run ${runId}`);
        await expect(setOf({ runId })).rejects.toThrow(`unknown runbook run ${runId}`);
        await expect(setOf({ runId, from: ['running'] })).rejects.toThrow(`unknown runbook run ${runId}`);
      }
      await expect(claimOf({ leaseUntil: at(0) })).rejects.toThrow(/runbooks\.claimStep: invalid input\.leaseUntil/);
      await expect(claimOf({ stepId: '' })).rejects.toThrow(/runbooks\.claimStep: invalid input\.stepId/);
      await expect(claimOf({ from: ['stuck'] })).rejects.toThrow(/runbooks\.claimStep: invalid input\.from\.0/);
      await expect(setOf({ state: 'stuck' })).rejects.toThrow(/runbooks\.setStep: invalid input\.state/);
      await expect(setOf({ requestId: 'REQ-1' })).rejects.toThrow(/runbooks\.setStep: invalid input\.requestId/);
      await expect(setOf({ at: new Date(NaN) })).rejects.toThrow(/runbooks\.setStep: invalid input\.at/);
      expect(await runbooks().get(run.id)).toStrictEqual(run);
    });

    it('keeps step ids like "__proto__" as keys like any other; what it returns can be changed without changing the run', async () => {
      const run = await runbooks().create(newRun());
      // Not "constructor": vitest's toStrictEqual reads an object's constructor through that key.
      for (const stepId of ['__proto__', 'hasOwnProperty', 'toString']) expect((await claim(run, stepId, 0)).applied).toBe(true);
      const got = (await runbooks().get(run.id)) ?? expect.fail('no run');
      expect(Object.keys(got.steps).sort()).toEqual(['__proto__', 'hasOwnProperty', 'toString']);
      expect(Object.getPrototypeOf(got.steps)).toBe(Object.prototype);
      expect(Object.hasOwn(got.steps, '__proto__')).toBe(true);

      const kept = structuredClone(got);
      got.params.db = 'changed';
      const key: string = 'toString';
      got.steps[key]?.findings.push(finding(1, 'critical'));
      got.startedAt.setTime(0);
      expect(await runbooks().get(run.id)).toStrictEqual(kept);
    });
  });
}

/** What the database holds for runs: JSON checked as it is read, text PostgreSQL refuses replaced. */
export function runbookSqlContract(open: () => Promise<OpenedStore>): void {
  describe('runbook runs in the database', () => {
    let store: OpenedStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('refuses to read findings that are not findings, saying which column', async () => {
      const run = await store.runbooks.create(newRun());
      await store.runbooks.setStep({ runId: run.id, stepId: 'activity', state: 'done', at: at(1), actorId: 'U1', findings: [finding(1, 'ok')] });
      await store.db.query(`UPDATE runbook_steps SET findings = '[{"check": "x"}]' WHERE run_id = $1`, [run.id]);
      await expect(store.runbooks.get(run.id)).rejects.toThrow(/runbook_steps: column findings\.0\./);
    });

    it('stores params and findings holding NUL with U+FFFD instead', async () => {
      const run = await store.runbooks.create(newRun({ params: { db: 'a\u0000b' } }));
      expect(run.params).toStrictEqual({ db: 'a\uFFFDb' });
      const { run: after } = await store.runbooks.setStep({
        runId: run.id, stepId: 'activity', state: 'done', at: at(1), actorId: 'U1', summary: 'x\u0000', findings: [finding(1, 'ok', { evidence: ['nul \u0000 here'] })],
      });
      expect(after.steps.activity?.summary).toBe('x\uFFFD');
      expect(after.steps.activity?.findings[0]?.evidence).toEqual(['nul \uFFFD here']);
    });
  });
}
