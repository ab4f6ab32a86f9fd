import { describe, expect, it } from 'vitest';
import { postgresProbe, type PostgresThresholds } from '../../../src/adapters/targets/postgres/probe/index.js';
import { one, probeContext, session, sleep, TEST_DATABASE_URL, uniqueName } from './helpers.js';

const run = (thresholds?: Partial<PostgresThresholds>) =>
  postgresProbe({ name: 'main', url: TEST_DATABASE_URL, ...(thresholds ? { thresholds } : {}) }).run(probeContext(5000));

describe('postgres probe: server-wide checks', () => {
  it('warns about an inactive replication slot and the WAL it retains', async () => {
    const admin = await session();
    const slot = uniqueName('fb_probe_slot');
    try {
      await admin.query('SELECT pg_create_physical_replication_slot($1, true)', [slot]);
      const f = one(await run(), 'replication slots', `slot ${slot}`);
      expect(f.status).toBe('warning');
      expect(f.value).toMatch(/^inactive, retains \d+(\.\d)? (bytes|kB|MB|GB)/);
      expect(f.evidence?.[0]).toMatch(new RegExp(`^${slot} \\(physical\\): inactive, retains .* of WAL`));
      expect(f.recommendation).toContain(`pg_drop_replication_slot('${slot}')`);
    } finally {
      await admin.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => {});
      await admin.end();
    }
  });

  it('grades connections and active sessions against their thresholds', async () => {
    const busy = await session();
    const sleeping = busy.query('SELECT pg_sleep(3)').catch((e: unknown) => e);
    const admin = await session();
    try {
      await sleep(100);
      const findings = await run({ connectionsWarnPct: 0.1, connectionsCritPct: 100, activeConnections: 0 });
      const conn = one(findings, 'connections');
      expect(conn.status).toBe('warning');
      expect(conn.threshold).toBe('warning at 0.1 %, critical at 100 % of max_connections − reserved');
      expect(conn.recommendation).toContain('PgBouncer');
      const active = one(findings, 'active sessions');
      expect(active.status).toBe('warning');
      expect(active.value).toMatch(/^\d+ active sessions?$/);
      expect(active.evidence?.[0]).toMatch(/^waiting on: .*Timeout \d+/); // pg_sleep waits on Timeout/PgSleep
      expect(one(findings, 'replication').value).toBe('primary, no standby connected');
    } finally {
      await admin.query('SELECT pg_cancel_backend($1)', [busy.pid]);
      await sleeping;
      await Promise.all([busy.end(), admin.end()]);
    }
  });
});

describe('postgres probe: few connection slots', () => {
  it('runs every check on its one session when it cannot open more (a role limited to 1 connection)', async () => {
    const admin = await session();
    const role = uniqueName('fb_probe_one');
    await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`);
    try {
      const url = new URL(TEST_DATABASE_URL);
      url.username = role;
      const findings = await postgresProbe({ name: 'main', url: url.toString() }).run(probeContext(5000));
      expect(one(findings, 'reachable').status).toBe('ok');
      const failed = findings.filter((f) => f.status === 'unknown' && / failed: /.test(f.value));
      expect(failed).toEqual([]);
      expect(one(findings, 'role connections', `role ${role}`).value).toBe('1 of 1 (100 %)'); // the probe's own session
      expect(one(findings, 'monitoring privileges').recommendation).toContain(`GRANT pg_monitor TO ${role};`);
    } finally {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });
});
