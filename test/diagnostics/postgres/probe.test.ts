/**
 * The probe against the real server. These tests share one file so they run one after another:
 * some hold locks or sessions that would show up in the others' findings.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUSES } from '../../../src/core/diagnostics/finding.js';
import { postgresProbe, type PostgresThresholds } from '../../../src/adapters/targets/postgres/probe/index.js';
import { named, one, probeContext, session, sleep, TEST_DATABASE_URL, uniqueName, waitingOnLock, waitUntil } from './helpers.js';

const run = (timeoutMs = 5000, thresholds?: Partial<PostgresThresholds>) =>
  postgresProbe({ name: 'main', url: TEST_DATABASE_URL, ...(thresholds ? { thresholds } : {}) }).run(probeContext(timeoutMs));

let admin: pg.Client;
beforeAll(async () => {
  admin = await session(TEST_DATABASE_URL, 'fb-probe-test-admin');
});
afterAll(async () => {
  await admin?.end();
});

describe('postgres probe: healthy server', () => {
  it('reports every check with a status, reachable ok, and no undefined anywhere', async () => {
    const started = Date.now();
    const findings = await run();
    const elapsed = Date.now() - started;
    for (const f of findings) {
      expect(STATUSES).toContain(f.status);
      expect(f.check.length * f.component.length * f.value.length).toBeGreaterThan(0);
    }
    const text = JSON.stringify(findings);
    expect(text).not.toMatch(/undefined|NaN|\[object Object\]/);
    expect(one(findings, 'reachable').status).toBe('ok');
    expect(one(findings, 'latency').value).toMatch(/^SELECT 1 round trip [\d.]+ ms$/);
    const checks = new Set(findings.map((f) => f.check));
    for (const c of ['version', 'uptime', 'connections', 'active sessions', 'idle in transaction', 'long queries', 'blocked sessions', 'slow statements', 'cache hit ratio', 'deadlocks', 'temp files', 'database size', 'transaction id wraparound', 'replication slots']) {
      expect(checks, c).toContain(c);
    }
    expect(one(findings, 'version').value).toMatch(/^PostgreSQL \d+/);
    expect(one(findings, 'connections').value).toMatch(/^\d+ of \d+ \(\d+ %\)$/);
    expect(one(findings, 'connections').evidence?.[0]).toMatch(/^by state: /);
    // No check failed: an "unknown" is only for a missing extension or no reads yet.
    const unknowns = findings.filter((f) => f.status === 'unknown').map((f) => f.check);
    expect(unknowns.filter((c) => c !== 'slow statements' && c !== 'cache hit ratio')).toEqual([]);
    console.log(`healthy probe: ${findings.length} findings in ${elapsed} ms`);
  });
  // The slow-statements check, in every state of pg_stat_statements: slow-statements.test.ts, on a server of its own.
});

describe('postgres probe: sessions in trouble', () => {
  it('finds the root blocker of a lock, with its query and a terminate remediation', async () => {
    const schema = uniqueName('fb_probe_lock');
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int); INSERT INTO ${schema}.t VALUES (1)`);
    const a = await session();
    const b = await session();
    try {
      await a.query('BEGIN');
      await a.query(`LOCK TABLE ${schema}.t IN ACCESS EXCLUSIVE MODE`);
      const blocked = b.query(`SELECT * FROM ${schema}.t`).catch((e: unknown) => e);
      await waitingOnLock(admin, b.pid);

      const started = Date.now();
      const findings = await run();
      expect(Date.now() - started).toBeLessThan(2000); // no check touches the locked table
      const f = one(findings, 'blocked sessions', `pid ${a.pid}`);
      expect(f.status).toBe('warning');
      expect(f.value).toMatch(new RegExp(`^1 session blocked by pid ${a.pid} \\(longest wait .+\\)$`));
      expect(f.evidence).toContain(`blocker query: LOCK TABLE ${schema}.t IN ACCESS EXCLUSIVE MODE`);
      expect(f.evidence).toContain('blocked sessions: 1');
      expect(f.evidence?.some((e) => e.startsWith(`pid ${b.pid} waits`) && e.includes(`AccessShareLock on ${schema}.t`))).toBe(true);
      expect(f.remediation).toEqual({ action: 'pg.terminate', args: [String(a.pid)], label: `Terminate blocker ${a.pid}` });
      expect(f.recommendation).toContain('while idle in transaction');

      // With a lower critical wait the same block is critical.
      await sleep(300);
      expect(one(await run(5000, { lockWaitCritMs: 200 }), 'blocked sessions', `pid ${a.pid}`).status).toBe('critical');
      await a.query('ROLLBACK');
      expect(await blocked).toMatchObject({ rows: [{ id: 1 }] });
    } finally {
      await a.query('ROLLBACK').catch(() => {});
      await Promise.all([a.end(), b.end()]);
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('shows a row lock as a row lock: the UPDATE waits for the transaction of the SELECT … FOR UPDATE, the next one for the row', async () => {
    const schema = uniqueName('fb_probe_row');
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.accounts (id int PRIMARY KEY, balance int); INSERT INTO ${schema}.accounts VALUES (1, 100), (2, 50)`);
    const [holder, updater, second] = await Promise.all([session(), session(), session()]);
    try {
      await holder.query('BEGIN');
      const xid = (await holder.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid;
      await holder.query(`SELECT * FROM ${schema}.accounts WHERE id = 1 FOR UPDATE`);
      const updating = updater.query(`UPDATE ${schema}.accounts SET balance = balance - 10 WHERE id = 1`).catch((e: unknown) => e);
      await waitingOnLock(admin, updater.pid);
      const queued = second.query(`UPDATE ${schema}.accounts SET balance = balance + 10 WHERE id = 1`).catch((e: unknown) => e);
      await waitingOnLock(admin, second.pid);

      const f = one(await run(), 'blocked sessions', `pid ${holder.pid}`);
      expect(f.value).toMatch(new RegExp(`^2 sessions blocked by pid ${holder.pid}`));
      const waits = (pid: number) => f.evidence?.find((e) => e.startsWith(`pid ${pid} waits`)) ?? '';
      // The first UPDATE waits on the holder's transaction id, with the row its tuple lock names.
      expect(waits(updater.pid)).toMatch(new RegExp(`for a row lock on ${schema}\\.accounts \\(row at ctid \\(0,1\\)\\) held by pid ${holder.pid} \\(transaction ${xid}\\): UPDATE`));
      // The second queues on the row's tuple lock, which the first UPDATE holds.
      expect(waits(second.pid)).toContain(`for a row lock on ${schema}.accounts (row at ctid (0,1)) held by pid ${updater.pid}: UPDATE`);
      expect(f.evidence?.join('\n')).not.toContain('ExclusiveLock');
      expect(f.evidence).toContain(`blocker query: SELECT * FROM ${schema}.accounts WHERE id = 1 FOR UPDATE`);
      await holder.query('ROLLBACK');
      expect(await updating).toMatchObject({ rowCount: 1 });
      expect(await queued).toMatchObject({ rowCount: 1 });
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await Promise.all([holder.end(), updater.end(), second.end()]);
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('walks a chain to its root: a migration queued behind an idle transaction, reads queued behind the migration', async () => {
    const schema = uniqueName('fb_probe_chain');
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int)`);
    const [idle, migration, reader] = await Promise.all([session(), session(), session()]);
    try {
      await idle.query('BEGIN');
      await idle.query(`SELECT count(*) FROM ${schema}.t`);
      await migration.query('BEGIN');
      const migrating = migration.query(`ALTER TABLE ${schema}.t ADD COLUMN note text`).catch((e: unknown) => e);
      await waitingOnLock(admin, migration.pid);
      const reading = reader.query(`SELECT * FROM ${schema}.t`).catch((e: unknown) => e);
      await waitingOnLock(admin, reader.pid);

      const findings = await run();
      const f = one(findings, 'blocked sessions', `pid ${idle.pid}`);
      expect(f.value).toMatch(new RegExp(`^2 sessions blocked by pid ${idle.pid}`));
      expect(f.evidence).toContain(`blocker query: SELECT count(*) FROM ${schema}.t`);
      expect(f.remediation?.args).toEqual([String(idle.pid)]);
      expect(named(findings, 'blocked sessions').map((x) => x.component)).not.toContain(`pid ${migration.pid}`);
      await idle.query('ROLLBACK');
      await migrating;
      await migration.query('ROLLBACK');
      await reading;
    } finally {
      for (const c of [idle, migration]) await c.query('ROLLBACK').catch(() => {});
      await Promise.all([idle.end(), migration.end(), reader.end()]);
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('reports a query running longer than the threshold, with a cancel remediation', async () => {
    const c = await session();
    const sleeping = c.query('SELECT pg_sleep(5) /* fb-probe-long */').catch((e: unknown) => e);
    try {
      await sleep(1500);
      const f = one(await run(5000, { longQueryWarnMs: 1000 }), 'long queries', `pid ${c.pid}`);
      expect(f.status).toBe('warning'); // critical at 2 × 1 s
      expect(f.value).toMatch(/^running for 1\.\d s$/);
      expect(f.evidence).toContain('query: SELECT pg_sleep(5) /* fb-probe-long */');
      expect(f.remediation).toEqual({ action: 'pg.cancel', args: [String(c.pid)], label: `Cancel ${c.pid}` });
      expect(f.threshold).toBe('warning at 1 s, critical at 2 s');
    } finally {
      await admin.query('SELECT pg_cancel_backend($1)', [c.pid]);
      await sleeping;
      await c.end();
    }
  });

  it('reports a session idle in transaction, warning then critical, with a terminate remediation', async () => {
    const c = await session();
    try {
      await c.query('BEGIN');
      await c.query('SELECT 42 AS answer');
      await sleep(400);
      const warn = one(await run(5000, { idleInTransactionWarnMs: 200, idleInTransactionCritMs: 600_000 }), 'idle in transaction', `pid ${c.pid}`);
      expect(warn.status).toBe('warning');
      expect(warn.evidence).toContain('last query: SELECT 42 AS answer');
      expect(warn.evidence?.[0]).toMatch(new RegExp(`^pid ${c.pid} \\(postgres@test, app fb-probe-test\\)$`));
      expect(warn.remediation).toEqual({ action: 'pg.terminate', args: [String(c.pid)], label: `Terminate ${c.pid}` });
      const crit = one(await run(5000, { idleInTransactionWarnMs: 100, idleInTransactionCritMs: 300 }), 'idle in transaction', `pid ${c.pid}`);
      expect(crit.status).toBe('critical');
      // At the default (1 min) it is not reported.
      expect(named(await run(), 'idle in transaction').map((f) => f.component)).not.toContain(`pid ${c.pid}`);
    } finally {
      await c.query('ROLLBACK').catch(() => {});
      await c.end();
    }
  });

  it('reports a role at its CONNECTION LIMIT as critical: 3 of 3', async () => {
    const role = uniqueName('fb_probe_role');
    await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 3`);
    const url = new URL(TEST_DATABASE_URL);
    url.username = role;
    const clients: pg.Client[] = [];
    try {
      for (let i = 0; i < 3; i += 1) clients.push(await session(url.toString()));
      // The limit is real: a fourth session is refused.
      await expect(session(url.toString())).rejects.toMatchObject({ code: '53300' });
      const f = one(await run(), 'role connections', `role ${role}`);
      expect(f.status).toBe('critical');
      expect(f.value).toBe('3 of 3 (100 %)');
      expect(f.threshold).toBe('warning at 80 %, critical at 95 % of its CONNECTION LIMIT');
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      await admin.query(`DROP ROLE ${role}`);
    }
  });

  it('keeps to its deadline when a check waits on a lock, and the others still report', async () => {
    const holder = await session();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE pg_catalog.pg_settings IN ACCESS EXCLUSIVE MODE'); // the connections and wraparound checks read it
      const started = Date.now();
      const findings = await run(2000);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(2000 + 300);
      console.log(`probe with a check waiting on a lock: ${elapsed} ms for a 2000 ms deadline`);
      for (const check of ['connections', 'transaction id wraparound']) {
        const f = one(findings, check);
        expect(f.status).toBe('unknown');
        expect(f.value).toMatch(/^\S.* failed: canceling statement due to lock timeout$|before the deadline/);
        if (f.value.includes('lock timeout')) expect(f.recommendation).toContain('blocked sessions');
      }
      expect(one(findings, 'reachable').status).toBe('ok');
      expect(one(findings, 'cache hit ratio').status).not.toBe('unknown');
      expect(one(findings, 'blocked sessions').value).toBe('no blocked sessions'); // the probe's own sessions are left out
      // Nothing of the probe keeps waiting on the server.
      await waitUntil('no session waits on pg_settings', async () => {
        const r = await admin.query(`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'pg_catalog.pg_settings'::regclass`);
        return r.rowCount === 0;
      }, 1000);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
    }
  });
});
