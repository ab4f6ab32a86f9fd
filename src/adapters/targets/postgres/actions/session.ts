/**
 * The remediation actions' PostgreSQL sessions: one pg.Client per step, named
 * "firebreak-remediation", allowed to write, whose statements and lock waits end before the
 * deadline (statement_timeout, lock_timeout) and whose socket is destroyed at the deadline
 * whatever the server does. Also the small helpers the actions share.
 */
import net from 'node:net';
import pg from 'pg';
import type { ActionContext, ActionResult } from '../../../../core/remediation/action.js';
import { connectFailure, errorText, redact, serverTimeouts } from '../connect.js';

export const REMEDIATION_APPLICATION_NAME = 'firebreak-remediation';
/** Sessions never offered to cancel/terminate: Firebreak's own (probe and remediation). */
export const OWN_APPLICATIONS = ['firebreak', REMEDIATION_APPLICATION_NAME];

/** URL parameters that would override the session's settings (pg lets the URL win). */
const OVERRIDDEN = ['application_name', 'fallback_application_name', 'options', 'statement_timeout', 'lock_timeout', 'query_timeout', 'default_transaction_read_only'];

export { ActionError, positional, readGuard, recall, remember } from '../../shared/action-support.js';
import { ActionError } from '../../shared/action-support.js';

export interface Session {
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  /** NOTICE/WARNING messages the server sent (VACUUM skipping a table…). */
  notices: string[];
}

export const timeLeft = (ctx: ActionContext): number => ctx.deadline - Date.now();
import { sleep } from '../../shared/sleep.js';

export { sleep };

/** Timestamps as ISO text with microseconds: exact for comparisons, readable for people. */
export const iso = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Runs `fn` on a fresh session to `url` and closes it. Rejects with an ActionError when the server
 * cannot be reached, and at the deadline (or `connectMs` for the connection) at the latest.
 */
export async function withSession<R>(url: string, ctx: ActionContext, fn: (s: Session) => Promise<R>, connectMs?: number): Promise<R> {
  const budget = timeLeft(ctx);
  if (budget <= 0 || ctx.signal.aborted) throw new ActionError('the deadline has passed');
  const { statementMs, lockMs } = serverTimeouts(budget);
  const connectBudget = Math.max(1, Math.floor(Math.min(budget, connectMs ?? budget)));
  let socket: net.Socket | undefined;
  const client = new pg.Client({
    connectionString: cleanUrl(url),
    application_name: REMEDIATION_APPLICATION_NAME,
    options: `-c statement_timeout=${statementMs} -c lock_timeout=${lockMs} -c default_transaction_read_only=off`,
    connectionTimeoutMillis: connectBudget,
    stream: () => (socket = new net.Socket()),
  });
  client.on('error', () => {});
  const notices: string[] = [];
  client.on('notice', (n) => notices.push(`${n.severity ?? 'NOTICE'}: ${n.message}`));
  let connected = false;
  const work = (async () => {
    try {
      await client.connect();
      connected = true;
    } catch (err) {
      throw new ActionError(connectFailure(err, url, connectBudget).why, { cause: err });
    }
    return fn({ query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[], notices });
  })();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    const fail = () => reject(new ActionError(connected ? 'PostgreSQL did not answer before the deadline' : `no connection within ${connectBudget} ms`));
    timer = setTimeout(fail, Math.max(0, budget));
    onAbort = fail;
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => {});
  try {
    return await Promise.race([work, stop]);
  } catch (err) {
    if (err instanceof ActionError) throw err;
    throw new ActionError(redact(errorText(err).message, url), { cause: err });
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    const ended = client.end().catch(() => {});
    await Promise.race([ended, sleep(250)]);
    socket?.destroy();
  }
}

/** Calls `check` until it returns true, every `everyMs`, while time is left (keeping a margin for the last call). */
export async function pollUntil(ctx: ActionContext, everyMs: number, check: () => Promise<boolean>): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (timeLeft(ctx) < everyMs + 300 || ctx.signal.aborted) return false;
    await sleep(everyMs);
  }
}

/** A failed result, or a refusal, with the error's words (never the URL's password). */
export const failed = (err: unknown, url: string): ActionResult => ({ ok: false, summary: describe(err, url) });
export const describe = (err: unknown, url: string): string =>
  err instanceof ActionError ? err.message : redact(errorText(err).message, url);


function cleanUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const key of OVERRIDDEN) u.searchParams.delete(key);
    return u.toString();
  } catch {
    return url;
  }
}
