/**
 * Store.remediation's requests, run against every store from storePortContract; what is checked in
 * the database itself, from storeSqlContract. listExpired sees every request of the store, so each
 * test starts with no requests.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { FirebreakError } from '../../src/core/errors.js';
import type { AuditEntry, RemediationRequest, RequestStatus } from '../../src/core/remediation/request.js';
import type { Store } from '../../src/ports.js';
import { newIncident, newRequest, newTeam, type NewRequest, type OpenedStore } from './fixtures.js';

const T0 = new Date('2025-07-01T10:00:00.123Z');
const s = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const UUID_MATCH = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** An audit entry of `requestId`, an hour after the latest entry of the trail (the trail is never emptied) and not before 2099. */
async function laterEntry(rem: Store['remediation'], requestId: string, event: AuditEntry['event']): Promise<AuditEntry> {
  const [latest] = await rem.listAudit(1);
  const at = new Date(Math.max(Date.parse('2099-01-01T00:00:00.000Z'), (latest?.at.getTime() ?? 0) + 3_600_000));
  return {
    at, actorId: 'U_APPROVER', event, actionId: 'pg.vacuum-analyze', targetName: 'main', args: ['orders'], requestId,
    detail: null, approvers: ['U_APPROVER'], before: { rows: 1 }, after: null, permalink: 'https://example.slack.com/archives/C1/p1',
  };
}

/** Creates a request of a workspace of its own, made at T0. */
const creator = (getStore: () => Store) => (overrides: Partial<NewRequest> = {}) =>
  getStore().remediation.create(newRequest(newTeam(), { createdAt: T0, ...overrides }));

export function remediationContract(getStore: () => Store, clearRequests: () => Promise<void>): void {
  const rem = () => getStore().remediation;
  const create = creator(getStore);
  /** An audit entry of `requestId` timed after every entry so far, so that it is the latest. */
  const futureEntry = (requestId: string, event: AuditEntry['event']) => laterEntry(rem(), requestId, event);
  /** A request moved to `status` (through the statuses a real one would pass). */
  const createIn = async (status: RequestStatus, overrides: Partial<NewRequest> = {}): Promise<RemediationRequest> => {
    const request = await create(overrides);
    if (status === 'requested') return request;
    const result = await rem().transition({ id: request.id, from: ['requested'], to: status });
    expect(result.applied).toBe(true);
    return result.request;
  };

  describe('remediation requests', () => {
    beforeEach(async () => {
      await clearRequests();
    });

    it('stores every field of a new request in status "requested"; get returns it; setMessage remembers the message', async () => {
      const { incident } = await getStore().openIncident(newIncident(newTeam()));
      const full = newRequest(incident.teamId, { incidentId: incident.id, risk: 'critical' });
      const bare = newRequest(newTeam(), { args: [], guard: {}, preview: { current: [], change: [] }, expiresAt: new Date('2030-01-01T00:00:00.001Z') });
      for (const input of [full, bare]) {
        const request = await rem().create(input);
        const expected: RemediationRequest = {
          ...input, id: UUID_MATCH, status: 'requested', approvals: [], decidedBy: null, before: null, after: null, outcome: null, message: null,
        };
        expect(request).toStrictEqual(expected);
        expect(request.createdAt).toBeInstanceOf(Date);
        expect(await rem().get(request.id)).toStrictEqual(request);

        await rem().setMessage(request.id, { channel: 'C_APPROVALS', ts: '1751364000.000100' });
        expect(await rem().get(request.id)).toStrictEqual({ ...request, message: { channel: 'C_APPROVALS', ts: '1751364000.000100' } });
      }
      expect(await rem().get(randomUUID())).toBeNull();
      expect(await rem().get('not-a-uuid')).toBeNull();
      await expect(rem().setMessage(randomUUID(), { channel: 'C', ts: '1.2' })).rejects.toThrow(/unknown remediation request/);
    });
  });

  describe('remediation.transition', () => {
    beforeEach(async () => {
      await clearRequests();
    });

    it('applies requested → approved once; the same call again returns applied: false and the request unchanged', async () => {
      const request = await create();
      const approve = { id: request.id, from: ['requested'], to: 'approved', notExpiredAt: s(60), approval: { userId: 'U_APPROVER', at: s(60) } } as const;
      const first = await rem().transition({ ...approve, from: [...approve.from] });
      const approved: RemediationRequest = { ...request, status: 'approved', approvals: [{ userId: 'U_APPROVER', at: s(60) }] };
      expect(first).toStrictEqual({ request: approved, applied: true });
      expect(first.request.approvals[0]?.at).toBeInstanceOf(Date);
      expect(await rem().transition({ ...approve, from: [...approve.from] })).toStrictEqual({ request: approved, applied: false });
      expect(await rem().get(request.id)).toStrictEqual(approved);
    });

    it('applies from any of several statuses, and not from others', async () => {
      const request = await createIn('approved');
      const toRunning = await rem().transition({ id: request.id, from: ['requested', 'approved'], to: 'running' });
      expect(toRunning).toStrictEqual({ request: { ...request, status: 'running' }, applied: true });
      const refused = await rem().transition({ id: request.id, from: ['requested', 'approved', 'expired'], to: 'rejected' });
      expect(refused).toStrictEqual({ request: toRunning.request, applied: false });
      const done = await rem().transition({ id: request.id, from: ['running', 'failed'], to: 'succeeded' });
      expect(done.request.status).toBe('succeeded');
      expect(done.applied).toBe(true);
    });

    it('with notExpiredAt, refuses a request whose expiry has come; without, applies (the sweep)', async () => {
      const request = await create();
      expect(request.expiresAt).toStrictEqual(s(900));
      for (const at of [s(900), s(901), s(99_999)]) {
        const late = await rem().transition({ id: request.id, from: ['requested'], to: 'approved', notExpiredAt: at, approval: { userId: 'U1', at } });
        expect(late).toStrictEqual({ request, applied: false });
      }
      const justInTime = await rem().transition({ id: request.id, from: ['requested'], to: 'approved', notExpiredAt: new Date(s(900).getTime() - 1) });
      expect(justInTime.applied).toBe(true);

      const other = await create();
      const swept = await rem().transition({ id: other.id, from: ['requested'], to: 'expired' });
      expect(swept).toStrictEqual({ request: { ...other, status: 'expired' }, applied: true });
    });

    it('appends the approval of each applied transition, including one that keeps the status (the store holds no approval rule: the flow decides)', async () => {
      const request = await create({ risk: 'critical' });
      const first = await rem().transition({
        id: request.id, from: ['requested'], to: 'requested', notExpiredAt: s(30), approval: { userId: 'U_FIRST', at: s(30) },
      });
      expect(first).toStrictEqual({ request: { ...request, approvals: [{ userId: 'U_FIRST', at: s(30) }] }, applied: true });
      const second = await rem().transition({
        id: request.id, from: ['requested'], to: 'approved', notExpiredAt: s(90.5), approval: { userId: 'U_SECOND', at: s(90.5) },
      });
      const approved = { ...request, status: 'approved', approvals: [{ userId: 'U_FIRST', at: s(30) }, { userId: 'U_SECOND', at: s(90.5) }] };
      expect(second).toStrictEqual({ request: approved, applied: true });
      expect(await rem().get(request.id)).toStrictEqual(approved);
      // Not applied: the approval is not added.
      const late = await rem().transition({ id: request.id, from: ['requested'], to: 'approved', approval: { userId: 'U_THIRD', at: s(95) } });
      expect(late).toStrictEqual({ request: approved, applied: false });
    });

    it('sets decidedBy, before, after and outcome with the change, and clears them', async () => {
      const rejected = await create();
      const reject = await rem().transition({ id: rejected.id, from: ['requested'], to: 'rejected', set: { decidedBy: 'U_REJECTER' } });
      expect(reject).toStrictEqual({ request: { ...rejected, status: 'rejected', decidedBy: 'U_REJECTER' }, applied: true });

      const running = await createIn('running');
      const set = {
        before: { replicas: 3, pods: ['a-1', 'a-2'], paused: false },
        after: { replicas: 3, ready: 3, note: null },
        outcome: '3/3 pods ready after the restart',
      };
      const succeeded = await rem().transition({ id: running.id, from: ['running'], to: 'succeeded', set });
      expect(succeeded).toStrictEqual({ request: { ...running, status: 'succeeded', ...set }, applied: true });
      expect(await rem().get(running.id)).toStrictEqual(succeeded.request);
      const cleared = await rem().transition({ id: running.id, from: ['succeeded'], to: 'failed', set: { before: null, after: null, outcome: null } });
      expect(cleared.request).toStrictEqual({ ...running, status: 'failed' });
      // Not applied: nothing of `set` is written.
      const refused = await rem().transition({ id: running.id, from: ['running'], to: 'succeeded', set: { outcome: 'x', decidedBy: 'U' } });
      expect(refused).toStrictEqual({ request: cleared.request, applied: false });
    });

    it('throws a plain Error for an unknown request, and refuses invalid input', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const err = await rem().transition({ id, from: ['requested'], to: 'approved' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(FirebreakError);
        expect(err).toMatchObject({ message: expect.stringMatching(/unknown remediation request/) });
      }
      const request = await create();
      await expect(rem().transition({ id: request.id, from: [], to: 'approved' })).rejects.toThrow(/invalid input\.from/);
      await expect(rem().transition({ id: request.id, from: ['requested'], to: 'done' as 'approved' })).rejects.toThrow(/invalid input\.to/);
      await expect(
        rem().transition({ id: request.id, from: ['requested'], to: 'approved', set: { status: 'running' } as unknown as { outcome: string } }),
      ).rejects.toThrow(/invalid input\.set/);
      await expect(
        rem().transition({ id: request.id, from: ['requested'], to: 'approved', approval: { userId: 'U', at: new Date(NaN) } }),
      ).rejects.toThrow(/invalid input\.approval\.at/);
      expect(await rem().get(request.id)).toStrictEqual(request);
    });

    it('appends the audit entry given with a change in the same step, only when the change applies', async () => {
      const request = await create();
      const entry = await futureEntry(request.id, 'approved');
      const applied = await rem().transition({ id: request.id, from: ['requested'], to: 'approved', audit: entry });
      expect(applied.applied).toBe(true);
      expect(await rem().listAudit(1)).toStrictEqual([entry]);

      // Not applied (the status moved on): no entry, whatever the entry says.
      const missed = { ...entry, at: new Date(entry.at.getTime() + 1000), event: 'rejected' as const };
      expect(await rem().transition({ id: request.id, from: ['requested'], to: 'rejected', audit: missed })).toStrictEqual({ request: applied.request, applied: false });
      expect(await rem().listAudit(1)).toStrictEqual([entry]);

      // An invalid entry: refused before anything is written, the request unchanged.
      const invalid = { ...entry, at: new Date(entry.at.getTime() + 2000), event: 'launched' as 'started' };
      await expect(rem().transition({ id: request.id, from: ['approved'], to: 'running', audit: invalid })).rejects.toThrow(/invalid input\.audit\.event/);
      expect(await rem().get(request.id)).toStrictEqual(applied.request);
      expect(await rem().listAudit(1)).toStrictEqual([entry]);
    });

    it("adds the event given with a change to its incident's timeline in the same step, only when the change applies", async () => {
      const { incident } = await getStore().openIncident(newIncident(newTeam()));
      const before = await getStore().listTimeline(incident.id);
      const request = await create({ teamId: incident.teamId, incidentId: incident.id });
      const event = { kind: 'action_approved', actorId: 'U_APPROVER', at: s(60), data: { action: 'pg.vacuum-analyze orders' } } as const;
      const applied = await rem().transition({ id: request.id, from: ['requested'], to: 'approved', event });
      expect(applied.applied).toBe(true);
      expect(await getStore().listTimeline(incident.id)).toStrictEqual([...before, { ...event, incidentId: incident.id }]);

      // Not applied: no event.
      const missed = { kind: 'action_executed', actorId: 'U_APPROVER', at: s(61), data: { action: 'pg.vacuum-analyze orders', outcome: 'x' } } as const;
      expect((await rem().transition({ id: request.id, from: ['requested'], to: 'rejected', event: missed })).applied).toBe(false);
      // An event of a kind no timeline knows: refused before anything is written.
      await expect(rem().transition({ id: request.id, from: ['approved'], to: 'running', event: { ...missed, kind: 'launched' as 'action_executed' } })).rejects.toThrow(/invalid input\.event\.kind/);
      expect(await rem().get(request.id)).toStrictEqual(applied.request);
      expect(await getStore().listTimeline(incident.id)).toStrictEqual([...before, { ...event, incidentId: incident.id }]);

      // A request of no incident: the change applies, the event has nowhere to go.
      const alone = await create();
      expect((await rem().transition({ id: alone.id, from: ['requested'], to: 'approved', event })).applied).toBe(true);
    });

    it('lets exactly one of 20 concurrent approved → running apply, and audits that one only', async () => {
      const request = await createIn('approved');
      const entry = await futureEntry(request.id, 'started');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => rem().transition({ id: request.id, from: ['approved'], to: 'running', audit: { ...entry, detail: `worker ${i}` } })),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      const winner = results.findIndex((r) => r.applied);
      expect(await rem().listAudit(2)).toStrictEqual([{ ...entry, detail: `worker ${winner}` }, expect.not.objectContaining({ requestId: request.id })]);
    });

    it('lets exactly one of 20 concurrent approved → running apply', async () => {
      const request = await createIn('approved');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => rem().transition({ id: request.id, from: ['approved'], to: 'running', set: { outcome: `worker ${i}` } })),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(1);
      const winner = results.findIndex((r) => r.applied);
      expect(await rem().get(request.id)).toStrictEqual({ ...request, status: 'running', outcome: `worker ${winner}` });
    });
  });

  describe('the execution lease', () => {
    beforeEach(async () => {
      await clearRequests();
    });

    /** A request claimed "approved → running" at T0 with a lease until `until`. */
    const runningUntil = async (until: Date): Promise<RemediationRequest> => {
      const approved = await createIn('approved');
      const running = await rem().transition({ id: approved.id, from: ['approved'], to: 'running', runningUntil: until });
      expect(running).toStrictEqual({ request: { ...approved, status: 'running' }, applied: true });
      return running.request;
    };
    const interrupt = (id: string, at: Date) => rem().transition({ id, from: ['running'], to: 'interrupted', leaseEndedBy: at });

    it('lists a running request once its lease has ended, and lets exactly one of 10 concurrent sweeps interrupt it', async () => {
      const request = await runningUntil(s(30));
      expect(await rem().listLeaseEnded(s(29.999))).toEqual([]);
      expect(await interrupt(request.id, s(29.999))).toStrictEqual({ request, applied: false });
      expect(await rem().listLeaseEnded(s(30))).toStrictEqual([request]);

      const sweeps = await Promise.all(Array.from({ length: 10 }, () => interrupt(request.id, s(31))));
      expect(sweeps.filter((r) => r.applied)).toHaveLength(1);
      const interrupted = { ...request, status: 'interrupted' };
      expect(sweeps.map((r) => r.request)).toStrictEqual(sweeps.map(() => interrupted));
      expect(await rem().get(request.id)).toStrictEqual(interrupted);
      // Final: no longer listed, and the runner can neither renew it nor finish it.
      expect(await rem().listLeaseEnded(s(99_999))).toEqual([]);
      expect(await rem().renewLease(request.id, s(60))).toBe(false);
      expect((await rem().transition({ id: request.id, from: ['running'], to: 'succeeded' })).applied).toBe(false);
    });

    it('is moved on by renewLease while it runs: a renewed lease has not ended', async () => {
      const request = await runningUntil(s(30));
      expect(await rem().renewLease(request.id, s(90))).toBe(true);
      expect(await rem().listLeaseEnded(s(60))).toEqual([]);
      expect(await interrupt(request.id, s(60))).toStrictEqual({ request, applied: false });
      expect(await rem().listLeaseEnded(s(90))).toStrictEqual([request]);
      // Its runner finished: nothing left to interrupt.
      const done = await rem().transition({ id: request.id, from: ['running'], to: 'succeeded', set: { outcome: 'done' } });
      expect(done.applied).toBe(true);
      expect(await rem().listLeaseEnded(s(99_999))).toEqual([]);
      expect(await interrupt(request.id, s(99_999))).toStrictEqual({ request: done.request, applied: false });
      expect(await rem().renewLease(request.id, s(120))).toBe(false);
      for (const id of [randomUUID(), 'not-a-uuid']) expect(await rem().renewLease(id, s(120))).toBe(false);
      await expect(rem().renewLease(request.id, new Date(NaN))).rejects.toThrow(/invalid input/);
    });

    it('never takes a request running without a lease, or not running, for abandoned; lists the ended ones soonest first', async () => {
      const unleased = await createIn('approved');
      await rem().transition({ id: unleased.id, from: ['approved'], to: 'running' });
      const later = await runningUntil(s(20));
      const sooner = await runningUntil(s(10));
      const requested = await create();
      expect(await rem().listLeaseEnded(s(99_999))).toStrictEqual([sooner, later]);
      for (const id of [unleased.id, requested.id]) {
        const result = await rem().transition({ id, from: ['running', 'requested'], to: 'interrupted', leaseEndedBy: s(99_999) });
        expect(result.applied).toBe(false);
      }
    });

    it('keeps the outcome, before and after added to an interrupted request, which stays interrupted', async () => {
      const request = await runningUntil(s(10));
      await interrupt(request.id, s(11));
      const set = { outcome: 'it finished after it was marked interrupted: cancelled', before: { pid: 1 }, after: null };
      const late = await rem().transition({ id: request.id, from: ['interrupted'], to: 'interrupted', set });
      expect(late).toStrictEqual({ request: { ...request, status: 'interrupted', ...set }, applied: true });
    });

    it('audits an interruption as its own event', async () => {
      const [latest] = await rem().listAudit(1);
      const at = new Date(Math.max(Date.parse('2099-01-01T00:00:00.000Z'), (latest?.at.getTime() ?? 0) + 3_600_000));
      const entry = {
        at, actorId: 'firebreak', event: 'interrupted', actionId: 'pg.vacuum-analyze', targetName: 'main', args: ['orders'], requestId: randomUUID(),
        detail: 'the replica running it stopped before it finished', approvers: ['U_APPROVER'], before: null, after: null, permalink: null,
      } as const;
      await rem().audit({ ...entry, args: [...entry.args], approvers: [...entry.approvers] });
      expect(await rem().listAudit(1)).toStrictEqual([{ ...entry, args: [...entry.args], approvers: [...entry.approvers] }]);
    });
  });

  describe('remediation.listExpired', () => {
    beforeEach(async () => {
      await clearRequests();
    });

    it('returns the requests still "requested" whose expiry has passed, soonest expired first', async () => {
      const at = (seconds: number) => ({ expiresAt: s(seconds) });
      const later = await create(at(600));
      const sooner = await create(at(300));
      const exactlyNow = await create(at(900));
      await create(at(901));
      await createIn('approved', at(60));
      await createIn('rejected', at(60));
      await createIn('expired', at(60));
      expect(await rem().listExpired(s(0))).toEqual([]);
      expect(await rem().listExpired(s(300))).toStrictEqual([sooner]);
      expect(await rem().listExpired(s(900))).toStrictEqual([sooner, later, exactlyNow]);
      await rem().transition({ id: sooner.id, from: ['requested'], to: 'expired' });
      expect(await rem().listExpired(s(900))).toStrictEqual([later, exactlyNow]);
    });
  });
}

/** Requests checked in the database itself. */
export function remediationSqlContract(getStore: () => OpenedStore): void {
  const create = creator(getStore);

  describe('remediation requests', () => {
    beforeEach(async () => {
      await getStore().db.exec('DELETE FROM remediation_requests');
    });

    it('leaves a change undone when the database refuses its audit entry (one statement)', async () => {
      const db = getStore().db;
      const request = await create();
      const entry = { ...(await laterEntry(getStore().remediation, request.id, 'approved')), detail: 'refused by the test trigger' };
      await db.exec(`
        CREATE FUNCTION refuse_test_entry() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test: audit entry refused'; END $$;
        CREATE TRIGGER refuse_test_entry BEFORE INSERT ON remediation_audit
          FOR EACH ROW WHEN (NEW.detail = 'refused by the test trigger') EXECUTE FUNCTION refuse_test_entry();`);
      try {
        await expect(getStore().remediation.transition({ id: request.id, from: ['requested'], to: 'approved', audit: entry })).rejects.toThrow(/audit entry refused/);
      } finally {
        await db.exec('DROP TRIGGER refuse_test_entry ON remediation_audit; DROP FUNCTION refuse_test_entry();');
      }
      expect(await getStore().remediation.get(request.id)).toStrictEqual(request);
      expect(await db.query('SELECT count(*)::int AS n FROM remediation_audit WHERE request_id = $1', [request.id])).toStrictEqual([{ n: 0 }]);
    });

    it('leaves a change and its audit entry undone when the database refuses its timeline event (one statement)', async () => {
      const db = getStore().db;
      const { incident } = await getStore().openIncident(newIncident(newTeam()));
      const request = await create({ teamId: incident.teamId, incidentId: incident.id });
      const entry = await laterEntry(getStore().remediation, request.id, 'approved');
      const event = { kind: 'action_approved', actorId: 'U_APPROVER', at: s(60), data: { action: 'refused by the test trigger' } } as const;
      await db.exec(`
        CREATE FUNCTION refuse_test_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test: timeline event refused'; END $$;
        CREATE TRIGGER refuse_test_event BEFORE INSERT ON incident_events
          FOR EACH ROW WHEN (NEW.data->>'action' = 'refused by the test trigger') EXECUTE FUNCTION refuse_test_event();`);
      try {
        await expect(getStore().remediation.transition({ id: request.id, from: ['requested'], to: 'approved', audit: entry, event })).rejects.toThrow(/timeline event refused/);
      } finally {
        await db.exec('DROP TRIGGER refuse_test_event ON incident_events; DROP FUNCTION refuse_test_event();');
      }
      expect(await getStore().remediation.get(request.id)).toStrictEqual(request);
      expect(await db.query('SELECT count(*)::int AS n FROM remediation_audit WHERE request_id = $1', [request.id])).toStrictEqual([{ n: 0 }]);
      expect(await db.query("SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = 'action_approved'", [incident.id])).toStrictEqual([{ n: 0 }]);
    });

    it('keeps only the preview lines, and refuses an unknown incident and invalid input', async () => {
      const preview = { current: ['a'], change: ['b'], guard: { pid: 1 }, refusal: 'no' };
      expect((await create({ preview })).preview).toStrictEqual({ current: ['a'], change: ['b'] });
      await expect(create({ incidentId: randomUUID() })).rejects.toThrow(/unknown incident/);
      await expect(create({ incidentId: 'INC-1' })).rejects.toThrow(/invalid input\.incidentId/);
      await expect(create({ expiresAt: new Date(NaN) })).rejects.toThrow(/invalid input\.expiresAt/);
      await expect(create({ risk: 'low' as 'high' })).rejects.toThrow(/invalid input\.risk/);
      expect(await getStore().db.query('SELECT id FROM remediation_requests')).toHaveLength(1);
    });
  });
}
