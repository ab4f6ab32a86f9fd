/**
 * Store.remediation's audit trail, run against every store from storePortContract; what is checked
 * in the database itself, from storeSqlContract. The trail cannot be emptied between tests (that
 * is the point): the tests that list write entries newer than any already there (from 2099 on),
 * the others write older ones and find theirs by actor.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/remediation/request.js';
import type { Store } from '../../src/ports.js';
import { count, newTeam, type OpenedStore } from './fixtures.js';

const FUTURE = new Date('2099-01-01T00:00:00.000Z').getTime();

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date('2030-01-01T00:00:00.000Z'),
  actorId: 'U_ACTOR',
  event: 'requested',
  actionId: 'kubernetes.restart_deployment',
  targetName: 'prod-cluster',
  args: ['payments', 'api', 'ünïcødé'],
  requestId: null,
  detail: null,
  approvers: [],
  before: null,
  after: null,
  permalink: null,
  ...overrides,
});

/** `s(n)`: n seconds after a time later than every entry so far. */
const newestOf = (getStore: () => Store) => async (): Promise<(seconds: number) => Date> => {
  const [latest] = await getStore().remediation.listAudit(1);
  const base = Math.max(FUTURE, (latest?.at.getTime() ?? 0) + 3600_000);
  return (seconds) => new Date(base + seconds * 1000);
};

export function auditContract(getStore: () => Store): void {
  const rem = () => getStore().remediation;
  const newest = newestOf(getStore);

  describe('remediation audit trail', () => {
    it('lists entries newest first (then the last written first), with every field', async () => {
      const s = await newest();
      const full = entry({
        at: s(2), actorId: 'U_APPROVER', event: 'succeeded', requestId: randomUUID(), detail: '3/3 pods ready after the restart',
        approvers: ['U_ONE', 'U_TWO'], before: { replicas: 3, generation: 7, labels: { app: 'api' } }, after: { replicas: 3, ready: 3, note: null },
        permalink: 'https://example.slack.com/archives/C1/p1751364000000100',
      });
      const refused = entry({ at: s(1), event: 'refused', detail: 'prod-cluster/payments is not in the allow-list' });
      const sameTimeLater = entry({ ...full, event: 'started', detail: null });
      const oldest = entry({ at: s(0), event: 'expired', actorId: 'U_SWEEPER' });
      for (const e of [full, refused, sameTimeLater, oldest]) await rem().audit(e);

      expect(await rem().listAudit(4)).toStrictEqual([sameTimeLater, full, refused, oldest]);
      expect(await rem().listAudit(2)).toStrictEqual([sameTimeLater, full]);
      const [latest] = await rem().listAudit(1);
      expect(latest?.at).toBeInstanceOf(Date);
    });
  });
}

/** The audit trail checked in the database itself (bulk rows, direct SQL against the trigger). */
export function auditSqlContract(getStore: () => OpenedStore): void {
  const rem = () => getStore().remediation;
  const newest = newestOf(getStore);

  describe('remediation audit trail', () => {
    it('bounds the limit to 1..500', async () => {
      const s = await newest();
      await rem().audit(entry({ at: s(10), actorId: 'U_BOUNDS' }));
      for (const limit of [0, -3, 0.5]) expect((await rem().listAudit(limit)).map((e) => e.actorId)).toEqual(['U_BOUNDS']);
      expect(await rem().listAudit(2.9)).toHaveLength(2);
      // More than 500 entries, so the upper bound shows.
      const team = newTeam();
      await getStore().db.query(
        `INSERT INTO remediation_audit (at, actor_id, event, action_id, target_name, args)
         SELECT '2031-01-01'::timestamptz + n * interval '1 second', $1, 'refused', 'a', 't', '[]' FROM generate_series(1, 501) AS n`,
        [team],
      );
      const all = await rem().listAudit(100_000);
      expect(all).toHaveLength(500);
      expect(all[0]?.actorId).toBe('U_BOUNDS');
      await expect(rem().listAudit(Number.NaN)).rejects.toThrow(/invalid limit/);
    });

    it('refuses an entry that could not be read back', async () => {
      const actorId = `U_${randomUUID()}`;
      await expect(rem().audit(entry({ actorId, event: 'deleted' as 'failed' }))).rejects.toThrow(/invalid input\.event/);
      await expect(rem().audit(entry({ actorId, requestId: 'REQ-1' }))).rejects.toThrow(/invalid input\.requestId/);
      await expect(rem().audit(entry({ actorId, at: new Date(NaN) }))).rejects.toThrow(/invalid input\.at/);
      expect(await count(getStore().db, 'SELECT count(*) AS n FROM remediation_audit WHERE actor_id = $1', [actorId])).toBe(0);
    });

    it('cannot be updated, deleted or truncated, even with SQL straight to the database', async () => {
      const db = getStore().db;
      const actorId = `U_${randomUUID()}`;
      const written = [entry({ actorId, detail: 'first' }), entry({ actorId, event: 'approved', approvers: [actorId] })];
      for (const e of written) await rem().audit(e);
      const attempts: Array<[string, unknown[]]> = [
        ["UPDATE remediation_audit SET detail = 'rewritten' WHERE actor_id = $1", [actorId]],
        ['UPDATE remediation_audit SET at = at', []],
        ['DELETE FROM remediation_audit WHERE actor_id = $1', [actorId]],
        ['DELETE FROM remediation_audit', []],
        ['DELETE FROM remediation_audit WHERE false', []],
        ['TRUNCATE remediation_audit', []],
      ];
      for (const [sql, params] of attempts) {
        await expect(db.query(sql, params), sql).rejects.toThrow(/audit trail is append-only/);
      }
      // Not inside a transaction either.
      await expect(
        db.transaction(async (tx) => {
          await tx.query('DELETE FROM remediation_audit WHERE actor_id = $1', [actorId]);
        }),
      ).rejects.toThrow(/append-only/);
      const rows = await db.query<{ detail: string | null }>('SELECT detail FROM remediation_audit WHERE actor_id = $1 ORDER BY id', [actorId]);
      expect(rows.map((r) => r.detail)).toEqual(['first', null]);
    });
  });
}
