/** The Store contract on the real PostgreSQL server, in a schema of its own; plus what only a server can show. */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { pgDb, type Db } from '../../src/adapters/postgres/db.js';
import { migrate, MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { TEST_DATABASE_URL } from '../services.js';
import { migrationContract } from './migration-contract.js';
import { storeContract } from './store-contract.js';
import { replayContract } from './replay-contract.js';
import { alertContract, alertSqlContract } from './alert-contract.js';
import { runbookContract, runbookSqlContract } from './runbook-contract.js';

const schemas: string[] = [];
const newSchema = (): string => {
  const name = `fb_test_${randomBytes(6).toString('hex')}`;
  schemas.push(name);
  return name;
};

afterAll(async () => {
  const admin = pgDb({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    for (const s of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await admin.close();
  }
});

describe('PostgreSQL store', () => {
  const schema = newSchema();
  storeContract(() => openStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: 'unused', max: 5 }));

  it('keeps its tables in its own schema', async () => {
    const admin = pgDb({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const rows = await admin.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual([
        'alert_groups', 'incident_events', 'incidents', 'remediation_audit', 'remediation_requests', 'runbook_runs', 'runbook_steps',
        'scheduled_items', 'schema_migrations', 'seen_requests', 'workspace_counters',
      ]);
    } finally {
      await admin.close();
    }
  });
});

describe('PostgreSQL store: replays', () => replayContract(() => openStore({ databaseUrl: TEST_DATABASE_URL, schema: newSchema(), dataDir: 'unused', max: 5 })));

describe('PostgreSQL store: alert groups', () => {
  alertContract(() => openStore({ databaseUrl: TEST_DATABASE_URL, schema: newSchema(), dataDir: 'unused', max: 10 }));
  alertSqlContract(() => openStore({ databaseUrl: TEST_DATABASE_URL, schema: newSchema(), dataDir: 'unused', max: 2 }));
});

describe('PostgreSQL store: runbook runs', () => {
  runbookContract(() => openStore({ databaseUrl: TEST_DATABASE_URL, schema: newSchema(), dataDir: 'unused', max: 10 }));
  runbookSqlContract(() => openStore({ databaseUrl: TEST_DATABASE_URL, schema: newSchema(), dataDir: 'unused', max: 2 }));
});

describe('migrate on PostgreSQL', () => {
  migrationContract(async () => pgDb({ connectionString: TEST_DATABASE_URL, schema: newSchema(), max: 2 }));

  it('lets two replicas started at the same moment migrate a new schema once', async () => {
    const schema = newSchema();
    const a = pgDb({ connectionString: TEST_DATABASE_URL, schema, max: 2 });
    const b = pgDb({ connectionString: TEST_DATABASE_URL, schema, max: 2 });
    try {
      const results = await Promise.all([migrate(a), migrate(b)]);
      expect(results.flatMap((r) => r.applied).sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.version));
      const rows = await a.query<{ version: number; n: string }>(
        'SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      expect(rows.map((r) => [r.version, Number(r.n)])).toEqual(MIGRATIONS.map((m) => [m.version, 1]));
      expect(await migrate(b)).toEqual({ applied: [] });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('pg connections', () => {
  it('survives the server dropping idle and checked-out connections', async () => {
    const idleErrors: Error[] = [];
    const db: Db = pgDb({ connectionString: TEST_DATABASE_URL, max: 1, onIdleError: (e) => idleErrors.push(e) });
    const admin = pgDb({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const [first] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [first?.pid]);
      await expect.poll(() => idleErrors.length).toBeGreaterThan(0);
      // Killed while checked out, between two queries of a session.
      await expect(
        db.withSession(async (session) => {
          const [row] = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await admin.query('SELECT pg_terminate_backend($1)', [row?.pid]);
          await new Promise((r) => setTimeout(r, 100));
          await session.query('SELECT 1');
        }),
      ).rejects.toThrow();
      const [again] = await db.query<{ one: number }>('SELECT 1 AS one');
      expect(again?.one).toBe(1);
    } finally {
      await Promise.all([db.close(), admin.close()]);
    }
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => pgDb({ connectionString: TEST_DATABASE_URL, schema: 'x; DROP TABLE y' })).toThrow(/schema name/);
  });
});
