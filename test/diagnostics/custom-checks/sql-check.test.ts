/**
 * Runbook SQL checks against the real PostgreSQL: thresholds, args bound as parameters, the
 * read-only transaction, the statement timeout, column selection and the answers that cannot be
 * graded. Everything lives in a schema of its own, dropped at the end.
 */
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlCheckProbe, SQL_EVIDENCE_ROW_CHARS } from '../../../src/adapters/targets/postgres/probe/sql-check.js';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { probeContext, TEST_DATABASE_URL, uniqueName } from '../postgres/helpers.js';
import { sqlCheck } from './checks.js';

const schema = uniqueName('fb_custom_sql');
const target = { name: 'main', url: TEST_DATABASE_URL };
let admin: pg.Client;

async function run(spec: Record<string, unknown>, timeoutMs = 5000, diagnosticsTimeoutMs = 10_000): Promise<Finding[]> {
  return sqlCheckProbe(target, sqlCheck(spec), { timeoutMs: diagnosticsTimeoutMs }).run(probeContext(timeoutMs));
}

async function only(spec: Record<string, unknown>): Promise<Finding> {
  const findings = await run(spec);
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

const siteCount = async (): Promise<number> => Number((await admin.query(`SELECT count(*) AS n FROM ${schema}.sites`)).rows[0].n);

beforeAll(async () => {
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.sites (name text PRIMARY KEY, agents int NOT NULL, status text NOT NULL)`);
  await admin.query(
    `INSERT INTO ${schema}.sites VALUES ('lyon', 12, 'late'), ('paris', 40, 'late'), ('nantes', 3, 'ok'), ('lille', 7, 'late'),
     ('brest', 1, 'ok'), ('nice', 9, 'late'), ('metz', 2, 'ok')`,
  );
});

afterAll(async () => {
  await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin?.end();
});

describe('SQL check: grading', () => {
  it('grades count(*) (a bigint pg sends as text) against warn and critical: ok, warning, critical', async () => {
    const sql = `SELECT count(*) AS late FROM ${schema}.sites WHERE status = $1`;
    const ok = await only({ sql, args: ['late'], warn: 5, critical: 10, meaning: 'Sites late' });
    expect(ok).toMatchObject({ check: 'Sites late', component: 'main', status: 'ok', value: '4', threshold: 'warning at 5, critical at 10' });
    expect(ok.recommendation).toBeUndefined();

    const warning = await only({ sql, args: ['late'], warn: 4, critical: 10, meaning: 'Sites late', recommendation: 'Call the sites.' });
    expect(warning).toMatchObject({ status: 'warning', value: '4', recommendation: 'Call the sites.' });

    const critical = await only({ sql, args: ['late'], warn: 2, critical: 4, meaning: 'Sites late' });
    expect(critical.status).toBe('critical');
    expect(critical.recommendation).toBeTruthy();
  });

  it('lowerIsWorse: a low number is the problem, and the threshold says ≤', async () => {
    const sql = `SELECT sum(agents) AS agents FROM ${schema}.sites WHERE status = 'ok'`; // 6
    expect(await only({ sql, warn: 10, critical: 4, lowerIsWorse: true })).toMatchObject({ status: 'warning', value: '6', threshold: 'warning at ≤ 10, critical at ≤ 4' });
    expect((await only({ sql, warn: 8, critical: 6, lowerIsWorse: true })).status).toBe('critical');
    expect((await only({ sql, warn: 5, critical: 2, lowerIsWorse: true })).status).toBe('ok');
  });

  it('numeric, float and boolean values are graded; the number is shown to 6 significant digits', async () => {
    expect(await only({ sql: `SELECT 2.718281828::numeric AS e`, warn: 2, critical: 3 })).toMatchObject({ status: 'warning', value: '2.71828' });
    expect(await only({ sql: `SELECT 0.25::float8`, warn: 0.5, critical: 0.9 })).toMatchObject({ status: 'ok', value: '0.25' });
    expect(await only({ sql: `SELECT true AS down`, warn: 1, critical: 1 })).toMatchObject({ status: 'critical', value: '1' });
  });

  it('grades the column named by "value", the first column otherwise', async () => {
    const sql = `SELECT name, agents FROM ${schema}.sites ORDER BY agents DESC`;
    expect(await only({ sql, value: 'agents', warn: 30, critical: 50 })).toMatchObject({ status: 'warning', value: '40' });
    // An unquoted alias is folded to lower case by PostgreSQL; the step may write it as in the SQL.
    expect(await only({ sql: `SELECT 'x' AS label, 12 AS Late`, value: 'Late', warn: 10, critical: 20 })).toMatchObject({ status: 'warning', value: '12' });
    const first = await only({ sql, warn: 30, critical: 50 });
    expect(first).toMatchObject({ status: 'unknown', value: 'not a number: paris' });
    const missing = await only({ sql, value: 'sites', warn: 30, critical: 50 });
    expect(missing.status).toBe('unknown');
    expect(missing.value).toBe('no column "sites" in the answer (columns: name, agents)');
    expect(missing.recommendation).toMatch(/value/);
  });

  it('no rows is unknown ("no rows"), never a silent 0', async () => {
    const f = await only({ sql: `SELECT agents FROM ${schema}.sites WHERE name = 'nowhere'`, warn: 1, critical: 2 });
    expect(f).toMatchObject({ status: 'unknown', value: 'no rows' });
    expect(f.recommendation).toMatch(/count\(\*\)/);
  });

  it('NULL and text are unknown, with the value shown', async () => {
    expect(await only({ sql: `SELECT max(agents) FROM ${schema}.sites WHERE false`, warn: 1, critical: 2 })).toMatchObject({ status: 'unknown', value: 'NULL' });
    const text = await only({ sql: `SELECT 'degraded'::text AS state`, warn: 1, critical: 2 });
    expect(text).toMatchObject({ status: 'unknown', value: 'not a number: degraded' });
    expect(text.recommendation).toMatch(/number/);
  });

  it('evidence: the first 5 rows, each cut to 200 characters, and how many more', async () => {
    const sql = `SELECT agents, name, repeat('x', 400) AS filler FROM ${schema}.sites ORDER BY agents DESC`;
    const f = await only({ sql, warn: 100, critical: 200 });
    expect(f.status).toBe('ok');
    expect(f.evidence).toHaveLength(6);
    expect(f.evidence![0]).toMatch(/^agents=40, name=paris, filler=x+…$/);
    for (const line of f.evidence!.slice(0, 5)) expect(line.length).toBeLessThanOrEqual(SQL_EVIDENCE_ROW_CHARS);
    expect(f.evidence![5]).toBe('… 2 more rows');
  });
});

describe('SQL check: it only reads', () => {
  it('args are bound as parameters: a value with SQL in it stays a value', async () => {
    const evil = `1; DROP TABLE ${schema}.sites`;
    const f = await only({ sql: `SELECT count(*) FROM ${schema}.sites WHERE name = $1`, args: [evil], warn: 1, critical: 2 });
    expect(f).toMatchObject({ status: 'ok', value: '0' });
    const echoed = await only({ sql: `SELECT $1::text AS given`, args: [`x'); DROP TABLE ${schema}.sites; --`], warn: 1, critical: 2 });
    expect(echoed.value).toBe(`not a number: x'); DROP TABLE ${schema}.sites; --`);
    expect(await siteCount()).toBe(7);
  });

  it('an INSERT fails with PostgreSQL’s read-only error and changes nothing', async () => {
    const f = await only({ sql: `INSERT INTO ${schema}.sites VALUES ('evil', 1, 'late') RETURNING 1`, warn: 1, critical: 2 });
    expect(f.status).toBe('unknown');
    expect(f.value).toMatch(/^the check is not read-only: cannot execute INSERT in a read-only transaction/);
    expect(f.recommendation).toMatch(/action step/);
    expect(await siteCount()).toBe(7);
  });

  it('UPDATE, DDL and nextval fail the same way', async () => {
    for (const sql of [`UPDATE ${schema}.sites SET agents = 0`, `CREATE TABLE ${schema}.evil (x int)`, `SELECT nextval('${schema}.nope_seq')`]) {
      const f = await only({ sql, warn: 1, critical: 2 });
      expect(f.status, sql).toBe('unknown');
      if (!sql.includes('nextval')) expect(f.value, sql).toMatch(/not read-only/);
    }
    expect(Number((await admin.query(`SELECT sum(agents) AS s FROM ${schema}.sites`)).rows[0].s)).toBe(74);
    expect((await admin.query(`SELECT to_regclass($1) AS t`, [`${schema}.evil`])).rows[0].t).toBeNull();
  });

  it('one statement only: the text cannot commit the read-only transaction and write after it', async () => {
    for (const sql of [`SELECT 1; INSERT INTO ${schema}.sites VALUES ('evil', 1, 'late')`, `COMMIT; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; INSERT INTO ${schema}.sites VALUES ('evil', 1, 'late')`]) {
      const f = await only({ sql, warn: 1, critical: 2 });
      expect(f.status, sql).toBe('unknown');
      expect(f.value, sql).toMatch(/cannot insert multiple commands into a prepared statement/);
    }
    expect(await siteCount()).toBe(7);
  });

  it('an SQL error says to fix the step', async () => {
    const f = await only({ sql: `SELECT count(*) FROM ${schema}.no_such_table`, warn: 1, critical: 2 });
    expect(f.status).toBe('unknown');
    expect(f.value).toMatch(/^the query failed: relation ".*no_such_table" does not exist/);
    expect(f.recommendation).toMatch(/Fix the SQL/);
    const args = await only({ sql: `SELECT $1::int + $2::int`, args: ['1'], warn: 1, critical: 2 });
    expect(args.status).toBe('unknown');
    expect(args.recommendation).toMatch(/args/);
  });
});

describe('SQL check: time and reachability', () => {
  it('a query longer than the deadline ends with a finding before the deadline, not a hang', async () => {
    const started = Date.now();
    const findings = await run({ sql: `SELECT pg_sleep(10)`, warn: 1, critical: 2 }, 1500);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1500 + 500);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'unknown' });
    expect(findings[0]!.value).toMatch(/statement timeout/);
  });

  it('the statement timeout also follows the diagnostics timeout when it is the shorter', async () => {
    const started = Date.now();
    const findings = await run({ sql: `SELECT pg_sleep(10)`, warn: 1, critical: 2 }, 8000, 700);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings[0]!.value).toMatch(/^the query did not finish within \d+ ms \(statement timeout\)$/);
  });

  it('a closed port: one "unreachable" finding at once', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const started = Date.now();
    const findings = await sqlCheckProbe({ name: 'gone', url: `postgres://postgres:secret-pw@127.0.0.1:${port}/test` }, sqlCheck({ sql: 'SELECT 1', warn: 1, critical: 2 }), { timeoutMs: 5000 }).run(probeContext(5000));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', component: 'gone', status: 'critical', value: `unreachable: connection refused by 127.0.0.1:${port}` })]);
    expect(JSON.stringify(findings)).not.toContain('secret-pw');
  });
});
