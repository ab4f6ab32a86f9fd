/**
 * Store.alerts, run against every store: a group's generation, the incident linked to it, the
 * move to a new generation once that incident is resolved (the same for every concurrent caller),
 * notification counts, and group keys of any text Alertmanager may send. `alertSqlContract` also
 * looks at the rows (what the port records but does not return). The caller opens the store (its
 * own one) and these close it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/incident/incident.js';
import type { Store } from '../../src/ports.js';
import { newIncident, newTeam, type OpenedStore } from './fixtures.js';

const T0 = new Date('2030-06-01T08:00:00.000Z').getTime();
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

/** A group key as Alertmanager writes one: the route's matchers, then the grouped labels. */
const alertmanagerKey = (): string => `{}/{severity=~"critical|page"}:{alertname="PostgresDown", instance="db-${randomUUID()}:9187"}`;

/** Keys that differ only in what PostgreSQL cannot store as is, or by being long, odd or empty. */
export const HOSTILE_KEYS: readonly string[] = [
  '',
  'a\u0000b',
  'a\uFFFDb',
  '\uD800',
  '\uFFFD',
  `{}:{alertname="Quote\\"d", job='single', path="C:\\\\temp"}`,
  '{}:{alertname="日本語 ünïcødé 🔥", team="ops"}',
  "x'); DROP TABLE alert_groups; --",
  '{{}}}{{',
  // Random, so it does not compress: 10,668 characters, far more than a btree entry holds.
  randomBytes(8000).toString('base64'),
];

export function alertContract(open: () => Promise<Store>): void {
  describe('alert groups (Store.alerts)', () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const alerts = () => store.alerts;
    const incidentOf = async (teamId: string): Promise<Incident> => (await store.openIncident(newIncident(teamId))).incident;
    const resolve = async (incident: Incident, set: { status?: 'resolved'; resolvedAt?: Date } = { status: 'resolved', resolvedAt: at(3600) }) => {
      expect((await store.updateIncident({ id: incident.id, set })).applied).toBe(true);
    };

    it('starts a new group at generation 1 with no incident, and keeps it there', async () => {
      const [team, key] = [newTeam(), alertmanagerKey()];
      expect(await alerts().current(team, key, at(0))).toStrictEqual({ generation: 1, incidentId: null });
      expect(await alerts().current(team, key, at(60))).toStrictEqual({ generation: 1, incidentId: null });
    });

    it('links a generation to its incident once: a second link, or one for another generation, changes nothing', async () => {
      const [team, key] = [newTeam(), alertmanagerKey()];
      const [first, second] = [await incidentOf(team), await incidentOf(team)];
      await alerts().current(team, key, at(0));
      await alerts().link(team, key, 1, first.id);
      expect(await alerts().current(team, key, at(1))).toStrictEqual({ generation: 1, incidentId: first.id });
      await alerts().link(team, key, 1, second.id);
      await alerts().link(team, key, 2, second.id);
      expect(await alerts().current(team, key, at(2))).toStrictEqual({ generation: 1, incidentId: first.id });
    });

    it('moves to the next generation, unlinked, once the incident is resolved; links the new incident to it', async () => {
      const [team, key] = [newTeam(), alertmanagerKey()];
      const [first, second] = [await incidentOf(team), await incidentOf(team)];
      await alerts().current(team, key, at(0));
      await alerts().link(team, key, 1, first.id);
      // Still open (acknowledged, mitigated): the same generation and incident.
      await store.updateIncident({ id: first.id, set: { status: 'monitoring', acknowledgedAt: at(10), acknowledgedBy: 'U1' } });
      expect(await alerts().current(team, key, at(20))).toStrictEqual({ generation: 1, incidentId: first.id });

      await resolve(first);
      expect(await alerts().current(team, key, at(3700))).toStrictEqual({ generation: 2, incidentId: null });
      expect(await alerts().current(team, key, at(3701))).toStrictEqual({ generation: 2, incidentId: null });
      // A late link for the old generation is not taken.
      await alerts().link(team, key, 1, first.id);
      expect(await alerts().current(team, key, at(3702))).toStrictEqual({ generation: 2, incidentId: null });
      await alerts().link(team, key, 2, second.id);
      expect(await alerts().current(team, key, at(3703))).toStrictEqual({ generation: 2, incidentId: second.id });
      await resolve(second);
      expect(await alerts().current(team, key, at(7200))).toStrictEqual({ generation: 3, incidentId: null });
    });

    it('counts an incident as resolved by its status or by its resolution time, either alone', async () => {
      const team = newTeam();
      for (const set of [{ status: 'resolved' as const }, { resolvedAt: at(100) }]) {
        const key = alertmanagerKey();
        const incident = await incidentOf(team);
        await alerts().current(team, key, at(0));
        await alerts().link(team, key, 1, incident.id);
        await resolve(incident, set);
        expect(await alerts().current(team, key, at(200))).toStrictEqual({ generation: 2, incidentId: null });
      }
    });

    it('gives 20 concurrent callers the same generation: of a new group, and of one whose incident was just resolved', async () => {
      const [team, key] = [newTeam(), alertmanagerKey()];
      const twenty = () => Promise.all(Array.from({ length: 20 }, (_, i) => alerts().current(team, key, at(i))));
      const created = await twenty();
      expect(created).toStrictEqual(Array.from({ length: 20 }, () => ({ generation: 1, incidentId: null })));

      const incident = await incidentOf(team);
      await alerts().link(team, key, 1, incident.id);
      await resolve(incident);
      const bumped = await twenty();
      expect(bumped).toStrictEqual(Array.from({ length: 20 }, () => ({ generation: 2, incidentId: null })));
      expect(await alerts().current(team, key, at(5000))).toStrictEqual({ generation: 2, incidentId: null });
    });

    it('keeps groups apart by workspace and by key', async () => {
      const [a, b] = [newTeam(), newTeam()];
      const key = alertmanagerKey();
      const incident = await incidentOf(a);
      await alerts().current(a, key, at(0));
      await alerts().link(a, key, 1, incident.id);
      expect(await alerts().current(b, key, at(1))).toStrictEqual({ generation: 1, incidentId: null });
      expect(await alerts().current(a, `${key} `, at(1))).toStrictEqual({ generation: 1, incidentId: null });
      expect(await alerts().current(a, key, at(1))).toStrictEqual({ generation: 1, incidentId: incident.id });
    });

    it('counts the notifications of each group, starting a group (generation 1) that was not there', async () => {
      const [team, key, other] = [newTeam(), alertmanagerKey(), alertmanagerKey()];
      expect(await alerts().record(team, key, { at: at(0), firing: 3, resolved: 0, status: 'firing' })).toStrictEqual({ notifications: 1 });
      expect(await alerts().record(team, key, { at: at(300), firing: 2, resolved: 1, status: 'firing' })).toStrictEqual({ notifications: 2 });
      expect(await alerts().record(team, other, { at: at(300), firing: 1, resolved: 0, status: 'firing' })).toStrictEqual({ notifications: 1 });
      expect(await alerts().record(team, key, { at: at(600), firing: 0, resolved: 3, status: 'resolved' })).toStrictEqual({ notifications: 3 });
      expect(await alerts().current(team, key, at(601))).toStrictEqual({ generation: 1, incidentId: null });
      // Recording does not touch the generation or the link.
      const incident = await incidentOf(team);
      await alerts().link(team, key, 1, incident.id);
      await alerts().record(team, key, { at: at(900), firing: 1, resolved: 0, status: 'firing' });
      expect(await alerts().current(team, key, at(901))).toStrictEqual({ generation: 1, incidentId: incident.id });
    });

    it('counts 20 concurrent notifications of one group as 1..20, each once', async () => {
      const [team, key] = [newTeam(), alertmanagerKey()];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => alerts().record(team, key, { at: at(i), firing: i, resolved: 0, status: 'firing' })),
      );
      expect(results.map((r) => r.notifications).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('keeps every group key apart, whatever its text: NUL, lone surrogates, quotes, unicode, empty, 10,000+ characters', async () => {
      const team = newTeam();
      const incident = await incidentOf(team);
      for (const key of HOSTILE_KEYS) {
        expect(await alerts().record(team, key, { at: at(0), firing: 1, resolved: 0, status: 'firing' }), JSON.stringify(key.slice(0, 40))).toStrictEqual({ notifications: 1 });
      }
      for (const key of HOSTILE_KEYS) {
        expect(await alerts().record(team, key, { at: at(1), firing: 1, resolved: 0, status: 'firing' })).toStrictEqual({ notifications: 2 });
      }
      const linked = HOSTILE_KEYS[1] ?? expect.fail('no key');
      await alerts().link(team, linked, 1, incident.id);
      const current = await Promise.all(HOSTILE_KEYS.map((key) => alerts().current(team, key, at(2))));
      expect(current).toStrictEqual(HOSTILE_KEYS.map((key) => ({ generation: 1, incidentId: key === linked ? incident.id : null })));
    });

    it('refuses links to incidents that do not exist and to groups never seen, and invalid input', async () => {
      const [team, key] = [newTeam(), alertmanagerKey()];
      await alerts().current(team, key, at(0));
      await expect(alerts().link(team, key, 1, randomUUID())).rejects.toThrow(/alerts\.link: unknown incident/);
      await expect(alerts().link(team, key, 1, 'INC-1')).rejects.toThrow(/alerts\.link: unknown incident INC-1/);
      const incident = await incidentOf(team);
      await expect(alerts().link(team, alertmanagerKey(), 1, incident.id)).rejects.toThrow(/alerts\.link: unknown alert group/);
      await expect(alerts().link(team, key, 0, incident.id)).rejects.toThrow(/alerts\.link: invalid input\.generation/);
      await expect(alerts().current('', key, at(0))).rejects.toThrow(/alerts\.current: invalid input\.teamId/);
      await expect(alerts().current(team, key, new Date(NaN))).rejects.toThrow(/alerts\.current: invalid input\.at/);
      const bad = (over: object) => alerts().record(team, key, { at: at(0), firing: 1, resolved: 0, status: 'firing', ...over });
      await expect(bad({ firing: -1 })).rejects.toThrow(/alerts\.record: invalid input\.firing/);
      await expect(bad({ resolved: 1.5 })).rejects.toThrow(/alerts\.record: invalid input\.resolved/);
      await expect(bad({ status: 'pending' })).rejects.toThrow(/alerts\.record: invalid input\.status/);
      // Nothing above changed the group.
      expect(await alerts().current(team, key, at(1))).toStrictEqual({ generation: 1, incidentId: null });
      expect(await alerts().record(team, key, { at: at(1), firing: 1, resolved: 0, status: 'firing' })).toStrictEqual({ notifications: 1 });
    });
  });
}

/** What is stored for a group, read from the database: what the port records but does not return. */
export function alertSqlContract(open: () => Promise<OpenedStore>): void {
  describe('alert groups in the database', () => {
    let store: OpenedStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });
    const rows = (team: string) =>
      store.db.query<Record<string, unknown>>(
        `SELECT group_key, generation, first_at, last_at, notifications, firing, resolved, last_status
         FROM alert_groups WHERE team_id = $1 ORDER BY first_at, group_key`,
        [team],
      );

    it('keeps the times, the counts of the last notification and its status', async () => {
      const team = newTeam();
      await store.alerts.current(team, 'g', at(0));
      expect(await rows(team)).toStrictEqual([
        { group_key: 'g', generation: 1, first_at: at(0), last_at: at(0), notifications: 0, firing: 0, resolved: 0, last_status: null },
      ]);
      await store.alerts.record(team, 'g', { at: at(300), firing: 4, resolved: 1, status: 'firing' });
      await store.alerts.record(team, 'g', { at: at(600), firing: 0, resolved: 5, status: 'resolved' });
      expect(await rows(team)).toStrictEqual([
        { group_key: 'g', generation: 1, first_at: at(0), last_at: at(600), notifications: 2, firing: 0, resolved: 5, last_status: 'resolved' },
      ]);
    });

    it('stores a key with NUL as text with U+FFFD, in a row of its own', async () => {
      const team = newTeam();
      await store.alerts.record(team, 'a\u0000b', { at: at(0), firing: 1, resolved: 0, status: 'firing' });
      await store.alerts.record(team, 'a\uFFFDb', { at: at(1), firing: 1, resolved: 0, status: 'firing' });
      expect((await rows(team)).map((r) => [r.group_key, r.notifications])).toStrictEqual([['a\uFFFDb', 1], ['a\uFFFDb', 1]]);
    });
  });
}
