/**
 * Store.schedule, run against every store from storePortContract. Every time is passed in (a fake
 * clock); claims and nextWake see every item of the store, so each test starts with no scheduled
 * items (`clearScheduledItems`; the tests of one file run one after another).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/incident/incident.js';
import type { ClaimedItem, ScheduledItem, ScheduleLane, Store } from '../../src/ports.js';
import { asItem, newIncident, newTeam } from './fixtures.js';

const T0 = new Date('2025-06-01T12:00:00.000Z');
const s = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 60_000;

/** The claimed due time, which every claimed item has. */
export const claimedDue = (item: ScheduledItem): Date => item.dueAt ?? expect.fail(`claimed item ${item.kind} has no due time`);

export function scheduleContract(getStore: () => Store, clearScheduledItems: () => Promise<void>): void {
  const schedule = () => getStore().schedule;
  const open = async (): Promise<Incident> => (await getStore().openIncident(newIncident(newTeam()))).incident;
  const claim = (now: Date, owner = 'w1', options: { lane?: ScheduleLane; limit?: number; leaseMs?: number } = {}) =>
    schedule().claimDue({ now, owner, leaseMs: options.leaseMs ?? LEASE_MS, limit: options.limit ?? 10, lane: options.lane ?? 'chat' });
  const kinds = (items: ScheduledItem[]) => items.map((i) => i.kind);
  const item = async (incidentId: string, kind: string): Promise<ScheduledItem> =>
    (await schedule().list(incidentId)).find((i) => i.kind === kind) ?? expect.fail(`no item ${kind}`);
  const fresh = { attempts: 0, firedCount: 0, lastFiredAt: null, lastError: null };

  beforeEach(async () => {
    await clearScheduledItems();
  });

  describe('schedule.plan and enqueue', () => {
    it('inserts, moves and clears each kind; list is ordered by kind', async () => {
      const incident = await open();
      const other = await open();
      await schedule().plan(incident.id, [
        { kind: 'update_reminder', dueAt: s(600), oneShot: false, payload: { every: 30 } },
        { kind: 'response_deadline', dueAt: s(300), oneShot: true },
      ]);
      await schedule().plan(other.id, [{ kind: 'update_reminder', dueAt: s(60), oneShot: false }]);
      const first = await schedule().list(incident.id);
      const base = { id: expect.stringMatching(/^[0-9]+$/), incidentId: incident.id, ...fresh };
      expect(first).toStrictEqual([
        { ...base, kind: 'response_deadline', dueAt: s(300), oneShot: true, payload: {} },
        { ...base, kind: 'update_reminder', dueAt: s(600), oneShot: false, payload: { every: 30 } },
      ]);

      await schedule().plan(incident.id, [
        { kind: 'update_reminder', dueAt: s(900), oneShot: false },
        { kind: 'response_deadline', dueAt: null, oneShot: true },
        { kind: 'escalation:1', dueAt: null, oneShot: true, payload: { level: 1 } },
      ]);
      const second = await schedule().list(incident.id);
      expect(second.map((i) => [i.kind, i.dueAt, i.payload])).toStrictEqual([
        ['escalation:1', null, { level: 1 }],
        ['response_deadline', null, {}],
        // A plan without a payload keeps the one stored.
        ['update_reminder', s(900), { every: 30 }],
      ]);
      expect(second.slice(1).map((i) => i.id)).toEqual(first.map((i) => i.id));
      await schedule().plan(incident.id, []);
      expect(await schedule().list(incident.id)).toStrictEqual(second);
      expect((await schedule().list(other.id)).map((i) => i.dueAt)).toEqual([s(60)]);
      expect(await schedule().list('not-a-uuid')).toEqual([]);
    });

    it('refuses an unknown incident and invalid items', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      await expect(schedule().plan(unknown, [{ kind: 'k', dueAt: s(1), oneShot: false }])).rejects.toThrow(/unknown incident/);
      await expect(schedule().enqueue('INC-1', 'pager:trigger:1', s(1), {})).rejects.toThrow(/unknown incident/);
      const incident = await open();
      await expect(schedule().plan(incident.id, [{ kind: 'k', dueAt: new Date(NaN), oneShot: false }])).rejects.toThrow(/invalid input/);
      await expect(schedule().plan(incident.id, [{ kind: '', dueAt: s(1), oneShot: false }])).rejects.toThrow(/invalid input/);
      await expect(claim(s(1), 'w1', { limit: 0 })).rejects.toThrow(/invalid input/);
      expect(await schedule().list(incident.id)).toEqual([]);
    });

    it('never re-arms a fired one-shot item by a plan; enqueue re-arms it', async () => {
      const incident = await open();
      await schedule().plan(incident.id, [{ kind: 'response_deadline', dueAt: s(60), oneShot: true, payload: { n: 1 } }]);
      const [claimed] = await claim(s(60));
      if (!claimed) return expect.fail('nothing claimed');
      expect(await schedule().complete({ id: claimed.id, owner: 'w1', claimedDueAt: claimedDue(claimed), next: null, fired: true, at: s(61) })).toBe(true);
      const fired = await item(incident.id, 'response_deadline');
      expect(fired).toStrictEqual({ ...asItem(claimed), dueAt: null, firedCount: 1, lastFiredAt: s(61) });

      await schedule().plan(incident.id, [{ kind: 'response_deadline', dueAt: s(120), oneShot: true, payload: { n: 2 } }]);
      expect(await item(incident.id, 'response_deadline')).toStrictEqual(fired);
      await schedule().plan(incident.id, [{ kind: 'response_deadline', dueAt: s(120), oneShot: false }]);
      expect(await item(incident.id, 'response_deadline')).toStrictEqual(fired);

      await schedule().enqueue(incident.id, 'response_deadline', s(200), { n: 3 });
      expect(await item(incident.id, 'response_deadline')).toStrictEqual({ ...fired, dueAt: s(200), payload: { n: 3 } });
    });

    it('enqueue inserts a one-shot job and re-arms it: attempts and error reset, payload replaced', async () => {
      const incident = await open();
      await schedule().enqueue(incident.id, 'pager:trigger:1', s(10), { level: 1 });
      const [job] = await claim(s(10), 'p1', { lane: 'pager' });
      expect(job).toStrictEqual({
        id: expect.any(String), incidentId: incident.id, kind: 'pager:trigger:1', dueAt: s(10), oneShot: true, ...fresh, payload: { level: 1 }, takenOver: false,
      });
      await schedule().fail({ id: job?.id ?? '', owner: 'p1', retryAt: s(40), error: 'HTTP 500' });
      expect(await item(incident.id, 'pager:trigger:1')).toMatchObject({ dueAt: s(40), attempts: 1, lastError: 'HTTP 500' });
      await schedule().enqueue(incident.id, 'pager:trigger:1', s(50), { level: 2 });
      expect(await item(incident.id, 'pager:trigger:1')).toStrictEqual({ ...asItem(job ?? expect.fail('nothing claimed')), dueAt: s(50), payload: { level: 2 } });
    });

    it('a plan during a claim moves the due time (or cancels), and the claimer\'s completion keeps it', async () => {
      const incident = await open();
      await schedule().plan(incident.id, [
        { kind: 'update_reminder', dueAt: s(60), oneShot: false },
        { kind: 'response_deadline', dueAt: s(60), oneShot: true },
      ]);
      const claimed = await claim(s(60));
      expect(kinds(claimed)).toEqual(['response_deadline', 'update_reminder']);
      // An update was posted meanwhile (the reminder clock restarts); the deadline was met.
      await schedule().plan(incident.id, [
        { kind: 'update_reminder', dueAt: s(900), oneShot: false },
        { kind: 'response_deadline', dueAt: null, oneShot: true },
      ]);
      for (const c of claimed) {
        const done = { id: c.id, owner: 'w1', claimedDueAt: claimedDue(c), next: s(660), fired: true, at: s(61) };
        expect(await schedule().complete(done)).toBe(true);
      }
      expect((await schedule().list(incident.id)).map((i) => [i.kind, i.dueAt, i.firedCount, i.lastFiredAt])).toStrictEqual([
        ['response_deadline', null, 1, s(61)],
        ['update_reminder', s(900), 1, s(61)],
      ]);
      expect(await claim(s(899))).toEqual([]);
      expect(kinds(await claim(s(900)))).toEqual(['update_reminder']);
    });
  });

  describe('schedule.claimDue', () => {
    it('claims what is due, oldest first, up to the limit, in its lane only', async () => {
      const [a, b] = [await open(), await open()];
      await schedule().plan(a.id, [
        { kind: 'k1', dueAt: s(30), oneShot: false },
        { kind: 'k2', dueAt: s(10), oneShot: false },
        { kind: 'k4', dueAt: s(100), oneShot: false },
        { kind: 'cancelled', dueAt: null, oneShot: false },
      ]);
      await schedule().plan(b.id, [{ kind: 'k3', dueAt: s(20), oneShot: false }]);
      await schedule().enqueue(a.id, 'pager:trigger:1', s(5), {});
      const long = { leaseMs: 3600_000 };

      expect(await claim(s(4), 'w1', { ...long, lane: 'pager' })).toEqual([]);
      expect(await claim(s(9), 'w1', long)).toEqual([]);
      const firstTwo = await claim(s(30), 'w1', { ...long, limit: 2 });
      expect(firstTwo.map((i) => [i.kind, i.incidentId, i.dueAt])).toEqual([['k2', a.id, s(10)], ['k3', b.id, s(20)]]);
      expect(kinds(await claim(s(30), 'w2', long))).toEqual(['k1']);
      expect(await claim(s(30), 'w3', long)).toEqual([]);
      expect(kinds(await claim(s(30), 'p1', { ...long, lane: 'pager' }))).toEqual(['pager:trigger:1']);
      expect(kinds(await claim(s(100), 'w3', long))).toEqual(['k4']);
      expect(await claim(s(3599), 'w4', { lane: 'chat' })).toEqual([]);
    });

    it('holds a claim until its lease has passed; then another owner takes it and the first one can change nothing', async () => {
      const incident = await open();
      await schedule().plan(incident.id, [{ kind: 'update_reminder', dueAt: s(0), oneShot: false }]);
      const [mine] = await claim(s(0), 'w1');
      if (!mine) return expect.fail('nothing claimed');
      expect(await claim(s(59.999), 'w2')).toEqual([]);
      // At the lease's end exactly it is free: nextWake reports that moment, so it must be claimable then.
      expect(mine.takenOver).toBe(false);
      const [theirs] = await claim(s(60), 'w2');
      // w1's claim was still there: w2 takes the item over, and is told so (w1 may have posted it).
      expect(theirs).toStrictEqual({ ...mine, takenOver: true });

      const before = await schedule().list(incident.id);
      expect(await schedule().complete({ id: mine.id, owner: 'w1', claimedDueAt: s(0), next: s(600), fired: true, at: s(61) })).toBe(false);
      await schedule().fail({ id: mine.id, owner: 'w1', retryAt: s(90), error: 'late' });
      expect(await schedule().list(incident.id)).toStrictEqual(before);
      expect(await claim(s(100), 'w3')).toEqual([]);
      expect(await schedule().complete({ id: mine.id, owner: 'w2', claimedDueAt: s(0), next: s(600), fired: true, at: s(62) })).toBe(true);
      expect(await schedule().complete({ id: mine.id, owner: 'w2', claimedDueAt: s(600), next: null, fired: true, at: s(63) })).toBe(false);
      expect(await schedule().complete({ id: 'nope', owner: 'w2', claimedDueAt: s(600), next: null, fired: true, at: s(63) })).toBe(false);
      expect(await item(incident.id, 'update_reminder')).toMatchObject({ dueAt: s(600), firedCount: 1, lastFiredAt: s(62) });

      // A lease that ran out without anyone taking the item over is still its owner's to complete.
      const [late] = await claim(s(600), 'w3');
      // w2 completed its claim: nobody held it, so nobody took it over.
      expect(late?.takenOver).toBe(false);
      expect(await schedule().complete({ id: late?.id ?? '', owner: 'w3', claimedDueAt: s(600), next: null, fired: false, at: s(9000) })).toBe(true);
      expect(await item(incident.id, 'update_reminder')).toMatchObject({ dueAt: null, firedCount: 1, lastFiredAt: s(62) });
    });

    it('gives one due item to exactly one of 20 concurrent claims', async () => {
      const incident = await open();
      await schedule().plan(incident.id, [{ kind: 'update_reminder', dueAt: s(0), oneShot: false }]);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(s(1), `w${i}`)));
      expect(results.filter((r) => r.length === 1)).toHaveLength(1);
      expect(results.flat()).toHaveLength(1);
    });
  });

  describe('a failure during a cancel', () => {
    it('fail keeps an item that a plan cancelled meanwhile cancelled', async () => {
      const incident = await open();
      await schedule().plan(incident.id, [{ kind: 'update_reminder', dueAt: s(0), oneShot: false }]);
      const [mine] = await claim(s(0), 'w1');
      if (!mine) return expect.fail('nothing claimed');
      await schedule().plan(incident.id, [{ kind: 'update_reminder', dueAt: null, oneShot: false }]);
      await schedule().fail({ id: mine.id, owner: 'w1', retryAt: s(30), error: 'HTTP 500' });
      expect(await item(incident.id, 'update_reminder')).toMatchObject({ dueAt: null, attempts: 1, lastError: 'HTTP 500' });
    });
  });

  describe('schedule.complete, fail and nextWake', () => {
    it('complete with a next time makes it due again, with null ends it; fail retries with attempts and error kept', async () => {
      const incident = await open();
      await schedule().plan(incident.id, [{ kind: 'update_reminder', dueAt: s(0), oneShot: false, payload: { p: 1 } }]);
      const take = async (now: Date, owner: string): Promise<ClaimedItem> => (await claim(now, owner))[0] ?? expect.fail('nothing claimed');
      const get = () => item(incident.id, 'update_reminder');

      let c = await take(s(0), 'w1');
      expect(await schedule().complete({ id: c.id, owner: 'w1', claimedDueAt: s(0), next: s(1800), fired: true, at: s(1) })).toBe(true);
      expect(await get()).toStrictEqual({ ...asItem(c), dueAt: s(1800), firedCount: 1, lastFiredAt: s(1) });
      expect(await claim(s(1799), 'w1')).toEqual([]);

      c = await take(s(1800), 'w1');
      await schedule().fail({ id: c.id, owner: 'w1', retryAt: s(1830), error: 'ratelimited' });
      expect(await get()).toMatchObject({ dueAt: s(1830), attempts: 1, lastError: 'ratelimited', firedCount: 1 });
      expect(await claim(s(1829), 'w2')).toEqual([]);
      c = await take(s(1830), 'w2');
      await schedule().fail({ id: c.id, owner: 'w2', retryAt: s(1890), error: 'channel_not_found' });
      expect(await get()).toMatchObject({ dueAt: s(1890), attempts: 2, lastError: 'channel_not_found' });

      // Not fired (nothing to send): only the due time changes.
      c = await take(s(1890), 'w1');
      expect(await schedule().complete({ id: c.id, owner: 'w1', claimedDueAt: s(1890), next: s(1950), fired: false, at: s(1891) })).toBe(true);
      expect(await get()).toMatchObject({ dueAt: s(1950), attempts: 2, lastError: 'channel_not_found', firedCount: 1, lastFiredAt: s(1) });

      c = await take(s(1950), 'w1');
      expect(await schedule().complete({ id: c.id, owner: 'w1', claimedDueAt: s(1950), next: null, fired: true, at: s(1951) })).toBe(true);
      expect(await get()).toStrictEqual({ ...asItem(c), dueAt: null, ...fresh, firedCount: 2, lastFiredAt: s(1951) });
      expect(await claim(s(999_999), 'w1')).toEqual([]);
    });

    it('nextWake is the earliest due time or lease end of the lane', async () => {
      const incident = await open();
      expect([await schedule().nextWake('chat'), await schedule().nextWake('pager')]).toEqual([null, null]);
      await schedule().plan(incident.id, [
        { kind: 'k1', dueAt: s(100), oneShot: false },
        { kind: 'k2', dueAt: s(50), oneShot: false },
        { kind: 'cancelled', dueAt: null, oneShot: false },
      ]);
      await schedule().enqueue(incident.id, 'pager:trigger:1', s(70), {});
      expect([await schedule().nextWake('chat'), await schedule().nextWake('pager')]).toEqual([s(50), s(70)]);

      const [k2] = await claim(s(55), 'w1');
      expect(k2?.kind).toBe('k2');
      // k2 is leased until s(115): k1 at s(100) comes first.
      expect(await schedule().nextWake('chat')).toEqual(s(100));
      await schedule().plan(incident.id, [{ kind: 'k1', dueAt: null, oneShot: false }]);
      expect(await schedule().nextWake('chat')).toEqual(s(115));
      // A claimed item due later than its lease wakes at its due time.
      await schedule().plan(incident.id, [{ kind: 'k2', dueAt: s(200), oneShot: false }]);
      expect(await schedule().nextWake('chat')).toEqual(s(200));
      await schedule().complete({ id: k2?.id ?? '', owner: 'w1', claimedDueAt: s(50), next: s(300), fired: true, at: s(56) });
      expect(await schedule().nextWake('chat')).toEqual(s(200));
      await schedule().plan(incident.id, [{ kind: 'k2', dueAt: null, oneShot: false }]);
      expect([await schedule().nextWake('chat'), await schedule().nextWake('pager')]).toEqual([null, s(70)]);
    });
  });
}
