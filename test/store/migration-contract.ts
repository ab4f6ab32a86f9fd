/**
 * Upgrading a database that already holds data, run against PostgreSQL and PGlite alike
 * (see postgres-store.test.ts and pglite-store.test.ts).
 */
import { expect, it } from 'vitest';
import type { Db } from '../../src/adapters/postgres/db.js';
import { migrate, MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { createStore } from '../../src/adapters/postgres/store.js';
import { newIncident, newRequest, newTeam } from './fixtures.js';

/** `freshDb` gives an empty database (a new schema, a new in-memory PGlite); the test closes it. */
export function migrationContract(freshDb: () => Promise<Db>): void {
  it('migration 2 upgrades a database with incidents from migration 1', async () => {
    const db = await freshDb();
    try {
      expect(await migrate(db, MIGRATIONS.slice(0, 1))).toEqual({ applied: [1] });
      const team = newTeam();
      const declaredAt = new Date('2025-02-03T04:05:06.789Z');
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO incidents (team_id, number, title, severity, status, reporter_id, declared_at, announcement_channel, announcement_ts)
         VALUES ($1, 1, 'Old incident', 'P2', 'identified', 'U_OLD', $2, 'C_INCIDENTS', '1.000100') RETURNING id`,
        [team, declaredAt],
      );
      const id = row?.id ?? '';
      await db.query(`INSERT INTO incident_events (incident_id, kind, actor_id, at, data) VALUES ($1, 'opened', 'U_OLD', $2, '{}')`, [
        id,
        declaredAt,
      ]);

      expect(await migrate(db)).toEqual({ applied: MIGRATIONS.slice(1).map((m) => m.version) });
      const store = createStore(db);
      expect(await store.getIncident(id)).toStrictEqual({
        id, teamId: team, number: 1, title: 'Old incident', severity: 'P2', status: 'identified',
        impact: null, symptoms: null, actions: null, eta: null, reporterId: 'U_OLD', commanderId: null, commsLeadId: null,
        declaredAt, detectedAt: null, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, lastUpdateAt: declaredAt,
        announcement: { channel: 'C_INCIDENTS', ts: '1.000100' }, channelId: null, card: null, resolution: null, checklist: [],
        reminderSnoozedUntil: null,
      });
      expect(await store.listTimeline(id)).toStrictEqual([{ incidentId: id, kind: 'opened', actorId: 'U_OLD', at: declaredAt, data: {} }]);
      expect(await store.listOpenIncidents(team)).toHaveLength(1);
      // The old incident's events accept keys; the new NOT NULL column is enforced.
      const note = { incidentId: id, kind: 'note', actorId: null, at: declaredAt, data: {}, dedupeKey: 'k' } as const;
      expect([await store.addTimelineEvent(note), await store.addTimelineEvent(note)]).toEqual([true, false]);
      await expect(db.query('UPDATE incidents SET last_update_at = NULL WHERE id = $1', [id])).rejects.toThrow(/null/i);
      await expect(db.query("UPDATE incidents SET checklist = '{}' WHERE id = $1", [id])).rejects.toThrow(/check/i);
      await expect(db.query("UPDATE incidents SET card_channel = 'C' WHERE id = $1", [id])).rejects.toThrow(/check/i);
      // New incidents of the workspace continue its numbering as usual.
      await db.query('INSERT INTO workspace_counters (team_id, last_number) VALUES ($1, 1)', [team]);
      const { incident } = await store.openIncident(newIncident(team));
      expect(incident).toMatchObject({ number: 2, lastUpdateAt: incident.declaredAt, checklist: [] });
    } finally {
      await db.close();
    }
  });

  it('migration 3 adds the snooze (null for existing incidents) and scheduled items that go with their incident', async () => {
    const db = await freshDb();
    try {
      expect(await migrate(db, MIGRATIONS.slice(0, 2))).toEqual({ applied: [1, 2] });
      const declaredAt = new Date('2025-02-03T04:05:06.789Z');
      const [row] = await db.query<{ id: string }>(
        `INSERT INTO incidents (team_id, number, title, severity, reporter_id, declared_at, last_update_at)
         VALUES ($1, 1, 'Version 2 incident', 'P1', 'U_OLD', $2, $2) RETURNING id`,
        [newTeam(), declaredAt],
      );
      expect(await migrate(db)).toEqual({ applied: MIGRATIONS.slice(2).map((m) => m.version) });
      const store = createStore(db);
      const incident = await store.getIncident(row?.id ?? '') ?? expect.fail('incident lost');
      expect(incident).toMatchObject({ title: 'Version 2 incident', lastUpdateAt: declaredAt, reminderSnoozedUntil: null });
      const due = new Date('2025-02-03T05:05:06.789Z');
      await store.schedule.plan(incident.id, [{ kind: 'update_reminder', dueAt: due, oneShot: false }]);
      expect((await store.schedule.list(incident.id)).map((i) => [i.kind, i.dueAt])).toEqual([['update_reminder', due]]);
      await expect(db.query("UPDATE scheduled_items SET payload = '[]'")).rejects.toThrow(/check/i);
      await expect(
        db.query("INSERT INTO scheduled_items (incident_id, kind) VALUES ($1, 'update_reminder')", [incident.id]),
      ).rejects.toThrow(/unique|duplicate/i);
      await db.query('DELETE FROM incidents WHERE id = $1', [incident.id]);
      expect(await db.query('SELECT id FROM scheduled_items')).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('migration 4 adds remediation requests (kept when their incident goes) and an append-only audit trail', async () => {
    const db = await freshDb();
    try {
      expect(await migrate(db, MIGRATIONS.slice(0, 3))).toEqual({ applied: [1, 2, 3] });
      const store = createStore(db);
      // Written as the schema of version 3 holds it (today's store writes columns added later).
      const [incident] = await db.query<{ id: string; teamId: string }>(
        `INSERT INTO incidents (team_id, number, title, severity, reporter_id, declared_at, last_update_at)
         VALUES ($1, 1, 'Before remediation', 'P2', 'U_OLD', now(), now()) RETURNING id, team_id AS "teamId"`,
        [newTeam()],
      );
      if (!incident) throw new Error('no incident row');
      expect(await migrate(db, MIGRATIONS.slice(0, 4))).toEqual({ applied: [4] });
      const request = await store.remediation.create(newRequest(incident.teamId, { incidentId: incident.id }));
      expect(await store.remediation.get(request.id)).toStrictEqual(request);
      for (const change of [
        "args = '{}'", "risk = 'low'", "status = 'done'", "approvals = '{}'", "guard = '[]'", "before = 'null'", "message_channel = 'C'",
      ]) {
        await expect(db.query(`UPDATE remediation_requests SET ${change} WHERE id = $1`, [request.id]), change).rejects.toThrow(/check/i);
      }
      await db.query('DELETE FROM incidents WHERE id = $1', [incident.id]);
      expect(await store.remediation.get(request.id)).toStrictEqual({ ...request, incidentId: null });

      const audit = `INSERT INTO remediation_audit (at, actor_id, event, action_id, target_name, args) VALUES (now(), 'U', $1, 'a', 't', '[]')`;
      await db.query(audit, ['requested']);
      await expect(db.query(audit, ['deleted'])).rejects.toThrow(/check/i);
      for (const sql of ["UPDATE remediation_audit SET actor_id = 'X'", 'DELETE FROM remediation_audit', 'TRUNCATE remediation_audit']) {
        await expect(db.query(sql), sql).rejects.toThrow(/append-only/);
      }
      expect(await db.query('SELECT actor_id FROM remediation_audit')).toEqual([{ actor_id: 'U' }]);
    } finally {
      await db.close();
    }
  });

  it('migrations 9 and 10: incidents get a revision and no drawing lease; a request already running gets an execution lease; interrupted is a status and an audit event', async () => {
    const db = await freshDb();
    try {
      expect(await migrate(db, MIGRATIONS.slice(0, 8))).toEqual({ applied: [1, 2, 3, 4, 5, 6, 7, 8] });
      const store = createStore(db);
      const { incident } = await store.openIncident(newIncident(newTeam()));
      const running = await store.remediation.create(newRequest(incident.teamId));
      const waiting = await store.remediation.create(newRequest(incident.teamId));
      await db.query("UPDATE remediation_requests SET status = 'running' WHERE id = $1", [running.id]);
      expect(await migrate(db)).toEqual({ applied: MIGRATIONS.slice(8).map((m) => m.version) });

      const [row] = await db.query<Record<string, unknown>>('SELECT revision, drawn_revision, drawing_by, drawing_until, checklist_ts FROM incidents WHERE id = $1', [incident.id]);
      expect({ ...row, revision: Number(row?.revision), drawn_revision: Number(row?.drawn_revision) }).toEqual({ revision: 1, drawn_revision: 0, drawing_by: null, drawing_until: null, checklist_ts: null });
      expect(await store.listAbandonedDrawings(new Date('2999-01-01T00:00:00Z'))).toEqual([]);
      expect(await store.claimDrawing({ id: incident.id, owner: 'replica', at: new Date(), leaseMs: 1000 })).toMatchObject({ incident, revision: 1, lastDrawnBy: null });
      await expect(db.query("UPDATE incidents SET drawing_by = NULL WHERE id = $1", [incident.id]), 'a lease without its owner').rejects.toThrow(/check/i);

      // What was running got a lease (a quarter of an hour from the migration), then is swept like any other.
      expect(await store.remediation.listLeaseEnded(new Date(Date.now() + 60_000))).toEqual([]);
      expect((await store.remediation.listLeaseEnded(new Date(Date.now() + 16 * 60_000))).map((r) => r.id)).toEqual([running.id]);
      await db.query("UPDATE remediation_requests SET status = 'interrupted' WHERE id = $1", [running.id]);
      await expect(db.query("UPDATE remediation_requests SET status = 'done' WHERE id = $1", [waiting.id])).rejects.toThrow(/check/i);
      const audit = `INSERT INTO remediation_audit (at, actor_id, event, action_id, target_name, args) VALUES (now(), 'firebreak', $1, 'a', 't', '[]')`;
      await db.query(audit, ['interrupted']);
      await expect(db.query(audit, ['deleted'])).rejects.toThrow(/check/i);
    } finally {
      await db.close();
    }
  });
}
