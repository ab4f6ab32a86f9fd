/**
 * The behaviour every Store must have. `storePortContract` goes through the Store port only, so it
 * runs against every implementation (PostgreSQL, PGlite, the in-memory fake of test/fakes);
 * `storeSqlContract` also looks at the database itself (row counts, transactions, migrations, the
 * audit trail's trigger). `storeContract` runs both on one store (postgres-store.test.ts,
 * pglite-store.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import type { Store, TimelineEvent } from '../../src/ports.js';
import { count, newIncident, newTeam, type OpenedStore } from './fixtures.js';
import { auditContract, auditSqlContract } from './audit-contract.js';
import { lifecycleContract, lifecycleSqlContract } from './lifecycle-contract.js';
import { remediationContract, remediationSqlContract } from './remediation-contract.js';
import { drawingContract } from './drawing-contract.js';
import { scheduleContract } from './schedule-contract.js';

export { newIncident, newTeam, type OpenedStore };

/**
 * Empties what some methods see whole (claimDue and nextWake every scheduled item, listExpired
 * every request), so the tests of one store can each start from nothing. Nothing in the port can
 * delete, so each implementation says how.
 */
export interface Clearing {
  scheduledItems(): Promise<void>;
  remediationRequests(): Promise<void>;
}

/** The whole contract on a database-backed store: the port's behaviour and the database's. */
export function storeContract(open: () => Promise<OpenedStore>): void {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  storePortContract(() => store, {
    scheduledItems: () => store.db.exec('DELETE FROM scheduled_items'),
    remediationRequests: () => store.db.exec('DELETE FROM remediation_requests'),
  });
  storeSqlContract(() => store);
}

/** What every Store must do, seen through the port only. `getStore` is the store opened by the caller. */
export function storePortContract(getStore: () => Store, clearing: Clearing): void {
  describe('openIncident', () => {
    let store: Store;
    beforeAll(() => {
      store = getStore();
    });

    it('numbers incidents 1, 2, 3 per workspace, independently across workspaces', async () => {
      const [a, b] = [newTeam(), newTeam()];
      const numbers: string[] = [];
      for (const team of [a, a, b, a, b]) {
        const { incident, created } = await store.openIncident(newIncident(team));
        expect(created).toBe(true);
        numbers.push(`${team === a ? 'a' : 'b'}${incident.number}`);
      }
      expect(numbers).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
    });

    it('stores every field exactly, nulls included, and puts the "opened" event on the timeline', async () => {
      const team = newTeam();
      const full = newIncident(team, { detectedAt: new Date('2025-03-04T14:03:36.789Z') });
      const bare = newIncident(team, {
        severity: 'P3', impact: null, symptoms: null, actions: null, eta: null, commanderId: null,
        declaredAt: new Date('2024-12-31T23:59:59.001Z'),
      });
      for (const [input, number] of [[full, 1], [bare, 2]] as const) {
        const { incident } = await store.openIncident(input);
        const { sourceKey: _, ...fields } = input;
        expect(incident).toStrictEqual({
          ...fields, detectedAt: input.detectedAt ?? null, id: expect.stringMatching(/^[0-9a-f-]{36}$/), number, status: 'investigating', announcement: null,
          commsLeadId: null, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, lastUpdateAt: input.declaredAt,
          channelId: null, card: null, resolution: null, checklist: [], reminderSnoozedUntil: null,
        });
        expect(incident.declaredAt).toBeInstanceOf(Date);
        expect(await store.getIncidentByNumber(team, number)).toStrictEqual(incident);
        expect(await store.getIncident(incident.id)).toStrictEqual(incident);
        expect(await store.listTimeline(incident.id)).toStrictEqual([
          { incidentId: incident.id, kind: 'opened', actorId: input.reporterId, at: input.declaredAt, data: { title: input.title, severity: input.severity } },
        ]);
      }
    });

    it('refuses a detection time after the declaration (callers clamp it: detectionTime)', async () => {
      const input = newIncident(newTeam(), { detectedAt: new Date('2025-03-04T14:05:07Z') });
      await expect(store.openIncident(input)).rejects.toThrow();
    });

    it('is idempotent on sourceKey: created, then the same incident with created=false', async () => {
      const team = newTeam();
      const input = newIncident(team);
      const first = await store.openIncident(input);
      const second = await store.openIncident({ ...input, title: 'a retried delivery' });
      expect([first.created, second.created]).toEqual([true, false]);
      expect(second.incident).toStrictEqual(first.incident);
      const next = await store.openIncident(newIncident(team));
      expect(next.incident.number).toBe(2);
    });

    it('gives 25 concurrent calls with different keys the numbers 1..25 exactly', async () => {
      const team = newTeam();
      const results = await Promise.all(Array.from({ length: 25 }, () => store.openIncident(newIncident(team))));
      expect(results.every((r) => r.created)).toBe(true);
      expect(results.map((r) => r.incident.number).sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    });
  });

  describe('reading and updating', () => {
    let store: Store;
    beforeAll(() => {
      store = getStore();
    });

    it('finds incidents by number and returns null for an unknown one', async () => {
      const team = newTeam();
      const { incident } = await store.openIncident(newIncident(team));
      expect(await store.getIncidentByNumber(team, 1)).toStrictEqual(incident);
      expect(await store.getIncidentByNumber(team, 2)).toBeNull();
      expect(await store.getIncidentByNumber(newTeam(), 1)).toBeNull();
    });

    it('remembers the announcement', async () => {
      const team = newTeam();
      const { incident } = await store.openIncident(newIncident(team));
      await store.setAnnouncement(incident.id, { channel: 'C_INCIDENTS', ts: '1741097106.000200' });
      expect(await store.getIncidentByNumber(team, incident.number)).toStrictEqual({
        ...incident,
        announcement: { channel: 'C_INCIDENTS', ts: '1741097106.000200' },
      });
      await expect(store.setAnnouncement(randomUUID(), { channel: 'C', ts: '1.2' })).rejects.toThrow(/no incident/);
    });

    it('appends timeline events and lists them oldest first', async () => {
      const { incident } = await store.openIncident(newIncident(newTeam()));
      const at = (s: number) => new Date(incident.declaredAt.getTime() + s * 1000);
      const later: TimelineEvent = { incidentId: incident.id, kind: 'status_changed', actorId: 'U1', at: at(60), data: { from: 'investigating', to: 'identified' } };
      const sameTime1: TimelineEvent = { incidentId: incident.id, kind: 'note', actorId: null, at: at(30), data: { text: 'first', tags: ['a', 'b'], n: 1.5, nested: { ok: true, none: null } } };
      const sameTime2: TimelineEvent = { incidentId: incident.id, kind: 'note', actorId: 'U2', at: at(30), data: {} };
      for (const e of [later, sameTime1, sameTime2]) expect(await store.addTimelineEvent(e)).toBe(true);
      const timeline = await store.listTimeline(incident.id);
      expect(timeline.map((e) => e.kind)).toEqual(['opened', 'note', 'note', 'status_changed']);
      expect(timeline.slice(1)).toStrictEqual([sameTime1, sameTime2, later]);
      expect(await store.listTimeline(randomUUID())).toEqual([]);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });

  lifecycleContract(getStore);
  drawingContract(getStore);
  scheduleContract(getStore, clearing.scheduledItems);
  remediationContract(getStore, clearing.remediationRequests);
  auditContract(getStore);
}

/** What a database-backed store must also do, checked in the database itself. */
export function storeSqlContract(getStore: () => OpenedStore): void {
  describe('openIncident', () => {
    let store: OpenedStore;
    beforeAll(() => {
      store = getStore();
    });

    it('stores one incident for 10 concurrent calls with the same sourceKey', async () => {
      const team = newTeam();
      const input = newIncident(team);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.openIncident(input)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
      expect(await count(store.db, 'SELECT count(*) AS n FROM incidents WHERE team_id = $1', [team])).toBe(1);
      const id = results[0]?.incident.id;
      expect(await count(store.db, 'SELECT count(*) AS n FROM incident_events WHERE incident_id = $1', [id])).toBe(1);
      expect((await store.openIncident(newIncident(team))).incident.number).toBe(2);
    });
  });

  describe('db', () => {
    let store: OpenedStore;
    beforeAll(() => {
      store = getStore();
    });

    it('migrate is idempotent', async () => {
      expect(await migrate(store.db)).toEqual({ applied: [] });
      expect(await count(store.db, 'SELECT count(*) AS n FROM schema_migrations', [])).toBe(MIGRATIONS.length);
    });

    it('keeps a transaction to itself and rolls it back when it throws', async () => {
      const team = newTeam();
      const failing = store.db.transaction(async (tx) => {
        await tx.query('INSERT INTO workspace_counters (team_id, last_number) VALUES ($1, 7)', [team]);
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('boom');
      });
      const outside = count(store.db, 'SELECT count(*) AS n FROM workspace_counters WHERE team_id = $1', [team]);
      await expect(failing).rejects.toThrow('boom');
      expect(await outside).toBe(0);
      expect(await count(store.db, 'SELECT count(*) AS n FROM workspace_counters WHERE team_id = $1', [team])).toBe(0);
    });
  });

  lifecycleSqlContract(getStore);
  remediationSqlContract(getStore);
  auditSqlContract(getStore);
}
