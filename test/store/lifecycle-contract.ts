/**
 * Incident changes every Store must support (guarded updates, their events, concurrency), run
 * against every store from storePortContract; what is checked in the database itself, from
 * storeSqlContract.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/incident/incident.js';
import type { IncidentChange, Store, TimelineKind } from '../../src/ports.js';
import { count, newIncident, newTeam, type OpenedStore } from './fixtures.js';
import { queriesContract } from './queries-contract.js';

const at = (incident: Incident, seconds: number) => new Date(incident.declaredAt.getTime() + seconds * 1000);

/** Opens an incident in a workspace of its own. */
const opener = (getStore: () => Store) => async (overrides: Parameters<typeof newIncident>[1] = {}): Promise<Incident> =>
  (await getStore().openIncident(newIncident(newTeam(), overrides))).incident;

export function lifecycleContract(getStore: () => Store): void {
  const open = opener(getStore);
  const kinds = async (incident: Incident): Promise<TimelineKind[]> =>
    (await getStore().listTimeline(incident.id)).map((e) => e.kind);
  const acknowledge = (incident: Incident, by: string, seconds = 60): IncidentChange => ({
    id: incident.id,
    set: { acknowledgedAt: at(incident, seconds), acknowledgedBy: by },
    when: { acknowledgedAt: null },
    event: { kind: 'acknowledged', actorId: by, at: at(incident, seconds), data: {} },
  });

  describe('updateIncident', () => {
    it('round-trips every field it can set, then clears the nullable ones', async () => {
      const store = getStore();
      const incident = await open();
      const resolution = { rootCause: 'Bad config in release 412', fixApplied: null, finalImpact: '12 min of 502s', postmortemDate: 'Thursday 14:00' };
      const set = {
        title: 'Checkout down', severity: 'P0', status: 'resolved', commanderId: 'U_IC', commsLeadId: 'U_COMMS',
        acknowledgedAt: at(incident, 30), acknowledgedBy: 'U_IC', resolvedAt: at(incident, 3600.5), lastUpdateAt: at(incident, 1800.001),
        channelId: 'C_INC_1', card: { channel: 'C_INC_1', ts: '1741097106.000300' }, resolution, checklist: ['timeline', 'postmortem'],
        reminderSnoozedUntil: at(incident, 5400.25),
      } as const;
      const expected: Incident = { ...incident, ...set, checklist: [...set.checklist] };
      const result = await store.updateIncident({ id: incident.id, set: { ...set, checklist: [...set.checklist] } });
      expect(result).toStrictEqual({ incident: expected, applied: true });
      expect(await store.getIncident(incident.id)).toStrictEqual(expected);
      expect(await store.getIncidentByNumber(incident.teamId, incident.number)).toStrictEqual(expected);

      const cleared = { commanderId: null, commsLeadId: null, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, channelId: null, card: null, resolution: null, checklist: [], reminderSnoozedUntil: null };
      const after = await store.updateIncident({ id: incident.id, set: cleared });
      expect(after.incident).toStrictEqual({ ...expected, ...cleared });
      expect(await store.getIncident(incident.id)).toStrictEqual({ ...expected, ...cleared });
      expect(await kinds(incident)).toEqual(['opened']);
    });

    it('changes only the fields in set', async () => {
      const store = getStore();
      const incident = await open();
      const { incident: updated } = await store.updateIncident({ id: incident.id, set: { status: 'identified' } });
      expect(updated).toStrictEqual({ ...incident, status: 'identified' });
    });

    it('applies a guarded acknowledgement once; the second call changes and records nothing', async () => {
      const store = getStore();
      const incident = await open();
      const first = await store.updateIncident(acknowledge(incident, 'U1', 60));
      expect(first.applied).toBe(true);
      expect(first.incident).toMatchObject({ acknowledgedAt: at(incident, 60), acknowledgedBy: 'U1' });
      const second = await store.updateIncident(acknowledge(incident, 'U2', 90));
      expect(second).toStrictEqual({ incident: first.incident, applied: false });
      expect(await kinds(incident)).toEqual(['opened', 'acknowledged']);
    });

    it('guards on status (one value or one of several), severity, commander and resolvedAt', async () => {
      const store = getStore();
      const incident = await open({ commanderId: null, severity: 'P2' });
      const update = (change: Omit<IncidentChange, 'id'>) => store.updateIncident({ id: incident.id, ...change });
      const applied = async (change: Omit<IncidentChange, 'id'>) => (await update(change)).applied;

      expect(await applied({ set: { status: 'monitoring' }, when: { status: ['identified', 'monitoring'] } })).toBe(false);
      expect(await applied({ set: { status: 'identified' }, when: { status: ['investigating', 'identified'] } })).toBe(true);
      expect(await applied({ set: { status: 'monitoring' }, when: { status: 'investigating' } })).toBe(false);
      expect(await applied({ set: { status: 'monitoring' }, when: { status: [] } })).toBe(false);

      expect(await applied({ set: { severity: 'P1' }, when: { severity: 'P3' } })).toBe(false);
      expect(await applied({ set: { severity: 'P1' }, when: { severity: 'P2' } })).toBe(true);

      expect(await applied({ set: { commanderId: 'U_A' }, when: { commanderId: 'U_B' } })).toBe(false);
      expect(await applied({ set: { commanderId: 'U_A' }, when: { commanderId: null } })).toBe(true);
      expect(await applied({ set: { commanderId: 'U_B' }, when: { commanderId: null } })).toBe(false);
      expect(await applied({ set: { commanderId: 'U_B' }, when: { commanderId: 'U_A' } })).toBe(true);

      const resolve = { set: { status: 'resolved', resolvedAt: at(incident, 600) }, when: { resolvedAt: null } } as const;
      expect(await applied(resolve)).toBe(true);
      expect(await applied({ ...resolve, set: { ...resolve.set, resolvedAt: at(incident, 900) } })).toBe(false);
      expect(await store.getIncident(incident.id)).toStrictEqual({
        ...incident, status: 'resolved', severity: 'P1', commanderId: 'U_B', resolvedAt: at(incident, 600),
      });
    });

    it('with an empty set only tests the guard and records the event', async () => {
      const store = getStore();
      const incident = await open();
      const note = (text: string): IncidentChange => ({
        id: incident.id, set: {}, when: { status: ['investigating', 'identified', 'monitoring'] },
        event: { kind: 'note', actorId: 'U1', at: at(incident, 10), data: { text } },
      });
      expect(await store.updateIncident(note('while open'))).toStrictEqual({ incident, applied: true });
      await store.updateIncident({ id: incident.id, set: { status: 'resolved' } });
      expect((await store.updateIncident(note('after resolution'))).applied).toBe(false);
      const notes = (await store.listTimeline(incident.id)).filter((e) => e.kind === 'note');
      expect(notes.map((e) => e.data)).toEqual([{ text: 'while open' }]);
      expect((await store.updateIncident({ id: incident.id, set: {} })).applied).toBe(true);
    });

    it('writes no event when the guard fails, and no change when the event cannot be written', async () => {
      const store = getStore();
      const incident = await open();
      await store.updateIncident({ id: incident.id, set: { status: 'monitoring' } });
      const guarded = await store.updateIncident({
        id: incident.id, set: { status: 'identified' }, when: { status: 'investigating' },
        event: { kind: 'status_changed', actorId: 'U1', at: at(incident, 5), data: { to: 'identified' } },
      });
      expect(guarded.applied).toBe(false);
      expect(await kinds(incident)).toEqual(['opened']);

      const badEvent = { kind: 'no_such_kind', actorId: 'U1', at: at(incident, 5), data: {} } as unknown as IncidentChange['event'];
      await expect(store.updateIncident({ id: incident.id, set: { title: 'changed' }, event: badEvent })).rejects.toThrow(/kind/);
      expect((await store.getIncident(incident.id))?.title).toBe(incident.title);
      expect(await kinds(incident)).toEqual(['opened']);
    });

    it('treats an event whose dedupeKey is already recorded as a redelivery: nothing changes', async () => {
      const store = getStore();
      const incident = await open();
      const tick = (item: string, checklist: string[]): IncidentChange => ({
        id: incident.id, set: { checklist, lastUpdateAt: at(incident, checklist.length) },
        event: { kind: 'checklist_ticked', actorId: 'U1', at: at(incident, 20), data: { item }, dedupeKey: `tick:${item}` },
      });
      const first = await store.updateIncident(tick('timeline', ['timeline']));
      expect(first.applied).toBe(true);
      const again = await store.updateIncident(tick('timeline', ['timeline', 'timeline']));
      expect(again).toStrictEqual({ incident: first.incident, applied: false });
      const timeline = await store.listTimeline(incident.id);
      expect(timeline.filter((e) => e.kind === 'checklist_ticked')).toStrictEqual([
        { incidentId: incident.id, kind: 'checklist_ticked', actorId: 'U1', at: at(incident, 20), data: { item: 'timeline' }, dedupeKey: 'tick:timeline' },
      ]);
    });

    it('throws for an unknown incident and for fields it does not know', async () => {
      const store = getStore();
      const id = randomUUID();
      await expect(store.updateIncident({ id, set: { title: 'x' } })).rejects.toThrow(`unknown incident ${id}`);
      await expect(store.updateIncident({ id, set: {}, when: { status: 'resolved' } })).rejects.toThrow(`unknown incident ${id}`);
      await expect(store.updateIncident({ id: 'INC-1', set: { title: 'x' } })).rejects.toThrow('unknown incident INC-1');
      const incident = await open();
      const sneaky = { "title = 'pwned', severity": 'P0' } as unknown as IncidentChange['set'];
      await expect(store.updateIncident({ id: incident.id, set: sneaky })).rejects.toThrow(/invalid set/);
      const badGuard = { acknowledgedAt: new Date() } as unknown as IncidentChange['when'];
      await expect(store.updateIncident({ id: incident.id, set: {}, when: badGuard })).rejects.toThrow(/invalid when\.acknowledgedAt/);
      await expect(store.updateIncident({ id: incident.id, set: { severity: 'P9' as 'P0' } })).rejects.toThrow(/invalid set\.severity/);
      expect(await store.getIncident(incident.id)).toStrictEqual(incident);
      expect(await store.getIncident(randomUUID())).toBeNull();
      expect(await store.getIncident('not-a-uuid')).toBeNull();
    });
  });

  describe('concurrent updates', () => {
    it('of 20 concurrent guarded acknowledgements, exactly one applies and is recorded', async () => {
      const store = getStore();
      const incident = await open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.updateIncident(acknowledge(incident, `U${i}`, 60 + i))),
      );
      const winners = results.filter((r) => r.applied);
      expect(winners).toHaveLength(1);
      const final = await store.getIncident(incident.id);
      expect(final).toStrictEqual(winners[0]?.incident);
      for (const r of results) expect(r.incident).toStrictEqual(final);
      expect(await kinds(incident)).toEqual(['opened', 'acknowledged']);
      const [event] = (await store.listTimeline(incident.id)).slice(1);
      expect(event?.actorId).toBe(final?.acknowledgedBy);
    });
  });

  queriesContract(getStore);
}

/** Incident changes checked in the database itself. */
export function lifecycleSqlContract(getStore: () => OpenedStore): void {
  const open = opener(getStore);

  describe('concurrent updates', () => {
    it('applies 20 concurrent unguarded updates and records all 20 events', async () => {
      const store = getStore();
      const incident = await open();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.updateIncident({
            id: incident.id, set: { lastUpdateAt: at(incident, 100 + i) },
            event: { kind: 'update_posted', actorId: 'U_COMMS', at: at(incident, 100 + i), data: { n: i } },
          }),
        ),
      );
      expect(results.every((r) => r.applied)).toBe(true);
      const posted = (await store.listTimeline(incident.id)).filter((e) => e.kind === 'update_posted');
      expect(posted.map((e) => e.data.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const final = await store.getIncident(incident.id);
      expect(results.map((r) => r.incident.lastUpdateAt.getTime())).toContain(final?.lastUpdateAt.getTime());
      expect(await count(store.db, 'SELECT count(*) AS n FROM incident_events WHERE incident_id = $1', [incident.id])).toBe(21);
    });
  });
}
