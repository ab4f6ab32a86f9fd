/** Shared helpers of the PostgreSQL probe tests: contexts, plain test sessions, polling. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import type { ProbeContext } from '../../../src/core/diagnostics/probe.js';
import { TEST_DATABASE_URL } from '../../services.js';

export { TEST_DATABASE_URL };

export function probeContext(timeoutMs: number): ProbeContext {
  return { deadline: Date.now() + timeoutMs, signal: AbortSignal.timeout(timeoutMs), now: () => new Date() };
}

/** A plain session (not named "firebreak", so the probe sees it). */
export async function session(url = TEST_DATABASE_URL, app = 'fb-probe-test'): Promise<pg.Client & { pid: number }> {
  const client = new pg.Client({ connectionString: url, application_name: app });
  client.on('error', () => {});
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return Object.assign(client, { pid });
}

export async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A lower-case name nobody else uses. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(4).toString('hex')}`;

export const named = (findings: Finding[], check: string): Finding[] => findings.filter((f) => f.check === check);

export function one(findings: Finding[], check: string, component?: string): Finding {
  const found = findings.filter((f) => f.check === check && (component === undefined || f.component === component));
  if (found.length !== 1) throw new Error(`expected one "${check}" finding${component ? ` for ${component}` : ''}, got ${found.length}: ${JSON.stringify(findings, null, 1)}`);
  return found[0]!;
}

/** Waits until `pid` is waiting on a heavyweight lock. */
export function waitingOnLock(admin: pg.Client, pid: number): Promise<void> {
  return waitUntil(`pid ${pid} waits on a lock`, async () => {
    const r = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid]);
    return r.rowCount === 1;
  });
}
