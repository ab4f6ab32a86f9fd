/** Shared helpers of the PostgreSQL remediation tests: contexts, plain sessions, throwaway databases, polling. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ActionContext } from '../../../src/core/remediation/action.js';
import { TEST_DATABASE_URL } from '../../services.js';

export { TEST_DATABASE_URL };

export function actionContext(ms = 10_000): ActionContext {
  return { deadline: Date.now() + ms, signal: AbortSignal.timeout(ms), now: () => new Date() };
}

export type TestSession = pg.Client & { pid: number };

/** A plain session (not named like Firebreak's, so the actions may act on it). */
export async function session(url = TEST_DATABASE_URL, app = 'fb-remediation-test'): Promise<TestSession> {
  const client = new pg.Client({ connectionString: url, application_name: app });
  client.on('error', () => {});
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return Object.assign(client, { pid });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** A lower-case name nobody else uses. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(4).toString('hex')}`;

/** The row of `pid` in pg_stat_activity, if any. */
export async function activity(admin: pg.Client, pid: number): Promise<{ state: string | null; wait_event_type: string | null } | undefined> {
  return (await admin.query('SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0];
}

/** A database of its own (so that database-wide actions see nobody else's sessions), dropped by `drop`. */
export async function throwawayDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = uniqueName('fb_rem');
  const admin = await session(TEST_DATABASE_URL, 'fb-remediation-admin');
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  const drop = async () => {
    const a = await session(TEST_DATABASE_URL, 'fb-remediation-admin');
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  };
  return { url: u.toString(), name, drop };
}

/** Ends a session that may already have been terminated. */
export async function endQuietly(...clients: (pg.Client | undefined)[]): Promise<void> {
  await Promise.all(clients.map((c) => c?.end().catch(() => {})));
}
