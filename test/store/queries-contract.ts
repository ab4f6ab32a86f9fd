/**
 * Lookups, lists and idempotent timeline events every Store must support, run against every store
 * from storePortContract.
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/incident/incident.js';
import type { SeverityLevel } from '../../src/core/incident/severity.js';
import type { Store, TimelineEvent } from '../../src/ports.js';
import { newIncident, newTeam } from './fixtures.js';

const T0 = new Date('2025-05-01T08:00:00.000Z');
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

export function queriesContract(getStore: () => Store): void {
  const open = async (team: string, severity: SeverityLevel, declaredAt: Date): Promise<Incident> =>
    (await getStore().openIncident(newIncident(team, { severity, declaredAt, title: `${severity} at ${declaredAt.toISOString()}` }))).incident;

  describe('timeline dedupeKey', () => {
    it('adds an event once per key and incident; other incidents may reuse the key', async () => {
      const store = getStore();
      const team = newTeam();
      const [a, b] = [await open(team, 'P1', T0), await open(team, 'P1', T0)];
      const reaction = (incidentId: string, actorId: string): TimelineEvent => ({
        incidentId, kind: 'pinned_message', actorId, at: minutes(1), data: { ts: '1.2' }, dedupeKey: 'reaction:1.2:pushpin',
      });
      expect(await store.addTimelineEvent(reaction(a.id, 'U1'))).toBe(true);
      expect(await store.addTimelineEvent(reaction(a.id, 'U2'))).toBe(false);
      expect(await store.addTimelineEvent(reaction(b.id, 'U3'))).toBe(true);
      const plain: TimelineEvent = { incidentId: a.id, kind: 'note', actorId: null, at: minutes(2), data: {} };
      expect(await store.addTimelineEvent(plain)).toBe(true);
      expect(await store.addTimelineEvent(plain)).toBe(true);

      const timeline = await store.listTimeline(a.id);
      expect(timeline.slice(1)).toStrictEqual([reaction(a.id, 'U1'), plain, plain]);
      expect(timeline[0]).not.toHaveProperty('dedupeKey');
      expect((await store.listTimeline(b.id)).slice(1)).toStrictEqual([reaction(b.id, 'U3')]);
    });

    it('records one event for 10 concurrent deliveries of the same key', async () => {
      const store = getStore();
      const incident = await open(newTeam(), 'P2', T0);
      const event: TimelineEvent = { incidentId: incident.id, kind: 'note', actorId: 'U1', at: minutes(3), data: {}, dedupeKey: 'k' };
      const added = await Promise.all(Array.from({ length: 10 }, () => store.addTimelineEvent(event)));
      expect(added.filter(Boolean)).toHaveLength(1);
      expect((await store.listTimeline(incident.id)).slice(1)).toStrictEqual([event]);
    });
  });

  describe('lookups', () => {
    it('finds an incident by its channel, within its workspace only', async () => {
      const store = getStore();
      const [team, other] = [newTeam(), newTeam()];
      const incident = await open(team, 'P1', T0);
      const second = await open(team, 'P1', T0);
      expect(await store.findIncidentByChannel(team, 'C_WAR_ROOM')).toBeNull();
      const { incident: withChannel } = await store.updateIncident({ id: incident.id, set: { channelId: 'C_WAR_ROOM' } });
      expect(await store.findIncidentByChannel(team, 'C_WAR_ROOM')).toStrictEqual(withChannel);
      expect(await store.findIncidentByChannel(other, 'C_WAR_ROOM')).toBeNull();
      // One channel belongs to one incident of a workspace.
      await expect(store.updateIncident({ id: second.id, set: { channelId: 'C_WAR_ROOM' } })).rejects.toThrow();
      const elsewhere = await open(other, 'P1', T0);
      expect((await store.updateIncident({ id: elsewhere.id, set: { channelId: 'C_WAR_ROOM' } })).applied).toBe(true);
      expect((await store.findIncidentByChannel(other, 'C_WAR_ROOM'))?.id).toBe(elsewhere.id);
    });

    it('lists open incidents most severe first, then oldest first, then by number', async () => {
      const store = getStore();
      const team = newTeam();
      const p2old = await open(team, 'P2', minutes(0));
      const p0new = await open(team, 'P0', minutes(30));
      const p1 = await open(team, 'P1', minutes(10));
      const p0old = await open(team, 'P0', minutes(5));
      const p3 = await open(team, 'P3', minutes(1));
      const p0sameTime = await open(team, 'P0', minutes(5));
      const resolved = await open(team, 'P0', minutes(2));
      await store.updateIncident({ id: resolved.id, set: { status: 'resolved', resolvedAt: minutes(40) } });
      const { incident: monitoring } = await store.updateIncident({ id: p1.id, set: { status: 'monitoring' } });
      await open(newTeam(), 'P0', minutes(0));

      const listed = await store.listOpenIncidents(team);
      expect(listed.map((i) => i.number)).toEqual([p0old, p0sameTime, p0new, p1, p2old, p3].map((i) => i.number));
      expect(listed[3]).toStrictEqual(monitoring);
      expect(await store.listOpenIncidents(newTeam())).toEqual([]);
    });

    it('lists incidents declared at or after a time, oldest first', async () => {
      const store = getStore();
      const team = newTeam();
      const late = await open(team, 'P3', minutes(60));
      const before = await open(team, 'P1', new Date(T0.getTime() - 1));
      const exact = await open(team, 'P2', T0);
      const { incident: resolved } = await store.updateIncident({ id: (await open(team, 'P0', minutes(30))).id, set: { status: 'resolved' } });
      await open(newTeam(), 'P0', minutes(10));

      expect(await store.listIncidentsDeclaredSince(team, T0)).toStrictEqual([exact, resolved, late]);
      expect((await store.listIncidentsDeclaredSince(team, new Date(T0.getTime() - 1))).map((i) => i.id)).toEqual(
        [before, exact, resolved, late].map((i) => i.id),
      );
      expect((await store.listIncidentsDeclaredSince(team, new Date(T0.getTime() + 1))).map((i) => i.id)).toEqual([resolved.id, late.id]);
      expect(await store.listIncidentsDeclaredSince(team, minutes(61))).toEqual([]);
    });

    it('lists the ids of open incidents of every workspace', async () => {
      const store = getStore();
      const [a, b, c] = [await open(newTeam(), 'P1', T0), await open(newTeam(), 'P3', T0), await open(newTeam(), 'P0', T0)];
      await store.updateIncident({ id: b.id, set: { status: 'resolved', resolvedAt: minutes(5) } });
      await store.updateIncident({ id: c.id, set: { status: 'monitoring' } });
      const ids = await store.listOpenIncidentIds();
      expect(ids).toEqual(expect.arrayContaining([a.id, c.id]));
      expect(ids).not.toContain(b.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('snoozes and un-snoozes reminders through updateIncident', async () => {
      const store = getStore();
      const incident = await open(newTeam(), 'P1', T0);
      expect(incident.reminderSnoozedUntil).toBeNull();
      const snoozed = await store.updateIncident({ id: incident.id, set: { reminderSnoozedUntil: minutes(90.5) } });
      expect(snoozed).toStrictEqual({ incident: { ...incident, reminderSnoozedUntil: minutes(90.5) }, applied: true });
      expect(await store.getIncident(incident.id)).toStrictEqual(snoozed.incident);
      expect((await store.listOpenIncidents(incident.teamId))[0]?.reminderSnoozedUntil).toEqual(minutes(90.5));
      const update = await store.updateIncident({ id: incident.id, set: { lastUpdateAt: minutes(10), reminderSnoozedUntil: null } });
      expect(update.incident).toStrictEqual({ ...incident, lastUpdateAt: minutes(10) });
      await expect(store.updateIncident({ id: incident.id, set: { reminderSnoozedUntil: new Date(NaN) } })).rejects.toThrow(/invalid set\.reminderSnoozedUntil/);
    });
  });
}
