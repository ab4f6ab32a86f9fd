/**
 * pg.cancel <pid> and pg.terminate <pid>: cancel a backend's current query, or end its session.
 * The guard is the pid with its backend_start, so a pid reused by another session is never hit.
 */
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { PostgresTarget } from '../target.js';
import { fmtMs, oneLine } from '../format.js';
import { ActionError, OWN_APPLICATIONS, describe, failed, iso, pollUntil, positional, readGuard, recall, remember, withSession, type Session } from './session.js';

export interface PidParams {
  pid: number;
}

export interface BackendRow {
  pid: number;
  usename: string | null;
  application_name: string | null;
  datname: string | null;
  state: string | null;
  backend_type: string | null;
  query: string | null;
  backend_start: string | null;
  query_start: string | null;
  seconds: number | null;
  own: boolean;
}

const BACKEND_SQL = `SELECT pid, usename, application_name, datname, state, backend_type, left(query, 300) AS query,
  ${iso('backend_start')} AS backend_start, ${iso('query_start')} AS query_start,
  extract(epoch FROM now() - coalesce(query_start, backend_start))::float8 AS seconds,
  pid = pg_backend_pid() OR application_name = ANY($2::text[]) AS own
  FROM pg_stat_activity WHERE pid = $1`;

export async function readBackend(s: Session, pid: number): Promise<BackendRow | undefined> {
  return (await s.query<BackendRow>(BACKEND_SQL, [pid, OWN_APPLICATIONS]))[0];
}

/** "pid 4242 (user alice, app "api", db shop) active for 3.2 min: UPDATE …" */
export function describeBackend(b: BackendRow): string {
  const who = [`user ${b.usename ?? '?'}`, b.application_name ? `app "${b.application_name}"` : null, b.datname ? `db ${b.datname}` : null].filter(Boolean).join(', ');
  const since = b.seconds === null ? '' : ` for ${fmtMs(b.seconds * 1000)}`;
  return `pid ${b.pid} (${who}) ${b.state ?? 'unknown state'}${since}: ${oneLine(b.query, 200)}`;
}

export const pidParams = positional<PidParams>('<pid>', 1, 1, ([arg]) => {
  if (!/^\d+$/.test(arg ?? '') || Number(arg) < 1 || Number(arg) > 2_147_483_647) return `"${arg}" is not a pid: expected a positive whole number such as 4242`;
  return { pid: Number(arg) };
});

const guardSchema = z.object({ pid: z.number().int().positive(), backendStart: z.string() });

/** Why this backend may not be signalled, if it may not. */
function refusalFor(b: BackendRow | undefined, pid: number): string | undefined {
  if (!b) return `pid ${pid} is not a PostgreSQL session on this server (pg_stat_activity has no such pid)`;
  if (b.own) return `pid ${pid} is Firebreak's own session`;
  if (b.backend_type !== 'client backend') return `pid ${pid} is a ${b.backend_type ?? 'reserved'} process, not a client session: it is not Firebreak's to stop`;
  if (!b.backend_start) return `Firebreak's role cannot see pid ${pid}'s details (it needs pg_read_all_stats or to be that session's role)`;
  return undefined;
}

function backendAction(kind: 'cancel' | 'terminate'): ActionDefinition<PostgresTarget, PidParams> {
  const fn = kind === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  const memoKey = (t: PostgresTarget, pid: number) => `${t.url}|pg.${kind}|${pid}`;
  return {
    id: `pg.${kind}`,
    title: kind === 'cancel' ? "Cancel a PostgreSQL backend's current query" : 'Terminate a PostgreSQL session',
    risk: 'high',
    targetKind: 'postgres',
    usage: '<pid>',
    params: pidParams,

    async preview(target, { pid }, ctx): Promise<Preview> {
      const change = [
        kind === 'cancel'
          ? `cancel the query running in backend ${pid} (${fn}): its transaction is rolled back, the session stays connected`
          : `terminate backend ${pid} (${fn}): its session is closed and its open transaction rolled back`,
      ];
      try {
        const b = await withSession(target.url, ctx, (s) => readBackend(s, pid));
        const refusal = refusalFor(b, pid);
        const current = b ? [describeBackend(b), `session started at ${b.backend_start ?? 'an unknown time'}`] : [];
        return { current, change, guard: { pid, backendStart: b?.backend_start ?? null }, ...(refusal ? { refusal } : {}) };
      } catch (err) {
        return { current: [], change, guard: {}, refusal: `cannot read pid ${pid} on ${target.name}: ${describe(err, target.url)}` };
      }
    },

    async execute(target, { pid }, guard, ctx): Promise<ActionResult> {
      try {
        const g = readGuard(guardSchema, guard);
        if (g.pid !== pid) throw new ActionError(`the approved preview was for pid ${g.pid}, not ${pid}`);
        return await withSession(target.url, ctx, async (s) => {
          const b = await readBackend(s, pid);
          if (!b) return { ok: false, summary: `pid ${pid} is gone: the session ended since the preview; nothing done` };
          if (b.backend_start !== g.backendStart) return { ok: false, summary: `pid ${pid} is now a different session (started at ${b.backend_start ?? 'an unknown time'}, not ${g.backendStart}); nothing done` };
          const refusal = refusalFor(b, pid);
          if (refusal) return { ok: false, summary: `${refusal}; nothing done` };
          const before = { pid, backendStart: b.backend_start, state: b.state, queryStart: b.query_start, query: oneLine(b.query, 200) };
          // Checked and signalled in one statement: a session started in between is never signalled.
          const rows = await s.query<{ done: boolean }>(`SELECT ${fn}(pid) AS done FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2::timestamptz`, [pid, g.backendStart]);
          const done = rows[0]?.done;
          if (done === undefined) return { ok: false, summary: `pid ${pid} changed or ended just before the signal; nothing done`, before };
          remember(memoKey(target, pid), before);
          const verb = kind === 'cancel' ? 'cancel request sent to' : 'termination signal sent to';
          return { ok: done, summary: done ? `${verb} backend ${pid} (${fn} returned true)` : `${fn}(${pid}) returned false: the signal was not sent`, before, after: { signalled: done } };
        });
      } catch (err) {
        return failed(err, target.url);
      }
    },

    async verify(target, { pid }, ctx): Promise<ActionResult> {
      const before = recall<{ backendStart: string; queryStart: string | null }>(memoKey(target, pid));
      try {
        return await withSession(target.url, ctx, async (s) => {
          let last: BackendRow | undefined;
          const gone = (b: BackendRow | undefined) => !b || (before !== undefined && b.backend_start !== before.backendStart);
          const settled = (b: BackendRow | undefined) =>
            kind === 'terminate' ? gone(b) : gone(b) || b?.state !== 'active' || (before !== undefined && b.query_start !== before.queryStart);
          const ok = await pollUntil(ctx, 100, async () => settled((last = await readBackend(s, pid))));
          if (kind === 'terminate') {
            return ok ? { ok, summary: `backend ${pid} is gone`, after: { present: false } } : { ok, summary: `backend ${pid} is still there: ${last ? describeBackend(last) : ''}`, after: { present: true, state: last?.state } };
          }
          if (!ok) return { ok, summary: `backend ${pid} is still running the same query: ${last ? describeBackend(last) : ''}`, after: { state: last?.state } };
          if (gone(last)) return { ok, summary: `backend ${pid} is gone (its session ended)`, after: { present: false } };
          return { ok, summary: `backend ${pid}'s query was cancelled: it is now ${last?.state === 'active' ? `running another query (${oneLine(last?.query, 80)})` : (last?.state ?? 'not active')}`, after: { state: last?.state, query: oneLine(last?.query, 200) } };
        });
      } catch (err) {
        return failed(err, target.url);
      }
    },
  };
}

export const pgCancelAction = backendAction('cancel');
export const pgTerminateAction = backendAction('terminate');
