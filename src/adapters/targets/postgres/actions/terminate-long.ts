/**
 * pg.terminate-long <minutes>: terminate the client sessions of the target's database whose current
 * query has been running longer than that. The guard lists each session (pid, backend_start,
 * query_start): execution terminates only those still running that same query, never a newer one.
 */
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { PostgresTarget } from '../target.js';
import { fmtMs, oneLine, plural } from '../format.js';
import { OWN_APPLICATIONS, describe, failed, iso, pollUntil, positional, readGuard, recall, remember, withSession } from './session.js';

export interface LongParams {
  minutes: number;
}

interface LongRow {
  pid: number;
  usename: string | null;
  application_name: string | null;
  query: string | null;
  backend_start: string;
  query_start: string;
  seconds: number;
}

interface Guarded {
  pid: number;
  backendStart: string;
  queryStart: string;
}

const MAX_LINES = 50;

const LONG_SQL = `SELECT pid, usename, application_name, left(query, 300) AS query,
  ${iso('backend_start')} AS backend_start, ${iso('query_start')} AS query_start,
  extract(epoch FROM now() - query_start)::float8 AS seconds
  FROM pg_stat_activity
  WHERE state = 'active' AND backend_type = 'client backend' AND datname = current_database()
    AND pid <> pg_backend_pid() AND NOT (coalesce(application_name, '') = ANY($2::text[]))
    AND backend_start IS NOT NULL AND query_start < now() - make_interval(secs => $1::float8)
  ORDER BY query_start`;

const STILL_THERE_SQL = `SELECT a.pid FROM pg_stat_activity a
  JOIN unnest($1::int[], $2::timestamptz[]) AS g(pid, bs) ON a.pid = g.pid AND a.backend_start = g.bs`;

/**
 * "<minutes>": whole minutes for people (1..1440); decimals down to 0.01 (0.6 s) are accepted too.
 */
export const longParams = positional<LongParams>('<minutes>', 1, 1, ([arg]) => {
  const minutes = /^\d+(\.\d+)?$/.test(arg ?? '') ? Number(arg) : NaN;
  if (!(minutes >= 0.01 && minutes <= 1440)) return `"${arg}" is not a number of minutes: expected 1 to 1440 (e.g. 5)`;
  return { minutes };
});

const guardSchema = z.object({
  minutes: z.number(),
  sessions: z.array(z.object({ pid: z.number().int(), backendStart: z.string(), queryStart: z.string() })),
});

const label = (minutes: number) => (Number.isInteger(minutes) ? plural(minutes, 'min', 'min') : fmtMs(minutes * 60_000));

export const pgTerminateLongAction: ActionDefinition<PostgresTarget, LongParams> = {
  id: 'pg.terminate-long',
  title: 'Terminate the sessions whose query runs longer than N minutes',
  risk: 'critical',
  targetKind: 'postgres',
  usage: '<minutes>',
  params: longParams,

  async preview(target, { minutes }, ctx): Promise<Preview> {
    try {
      const rows = await withSession(target.url, ctx, (s) => s.query<LongRow>(LONG_SQL, [minutes * 60, OWN_APPLICATIONS]));
      const current = rows.slice(0, MAX_LINES).map((r) => `pid ${r.pid} ${r.usename ?? '?'}${r.application_name ? ` (${r.application_name})` : ''} for ${fmtMs(r.seconds * 1000)}: ${oneLine(r.query, 120)}`);
      if (rows.length > MAX_LINES) current.push(`+${rows.length - MAX_LINES} more`);
      const sessions: Guarded[] = rows.map((r) => ({ pid: r.pid, backendStart: r.backend_start, queryStart: r.query_start }));
      const change = [`terminate these ${plural(rows.length, 'session')} (pg_terminate_backend): their transactions are rolled back; sessions started later are left alone`];
      if (rows.length === 0) return { current: [`no query of this database has been running longer than ${label(minutes)}`], change: [], guard: { minutes, sessions }, refusal: `no session has been running a query longer than ${label(minutes)}` };
      return { current, change, guard: { minutes, sessions } };
    } catch (err) {
      return { current: [], change: [], guard: {}, refusal: `cannot list the sessions of ${target.name}: ${describe(err, target.url)}` };
    }
  },

  async execute(target, { minutes }, guard, ctx): Promise<ActionResult> {
    try {
      const g = readGuard(guardSchema, guard);
      if (g.minutes !== minutes) return { ok: false, summary: `the approved preview was for ${label(g.minutes)}, not ${label(minutes)}; nothing done` };
      const pids = g.sessions.map((x) => x.pid);
      return await withSession(target.url, ctx, async (s) => {
        // Matched and terminated in one statement: only the previewed sessions, still on the previewed query.
        const rows = await s.query<{ pid: number; done: boolean | null }>(
          `SELECT g.pid, CASE WHEN a.pid IS NOT NULL THEN pg_terminate_backend(a.pid) END AS done
             FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS g(pid, bs, qs)
             LEFT JOIN pg_stat_activity a ON a.pid = g.pid AND a.backend_start = g.bs AND a.query_start = g.qs AND a.state = 'active'`,
          [pids, g.sessions.map((x) => x.backendStart), g.sessions.map((x) => x.queryStart)],
        );
        const terminated = rows.filter((r) => r.done === true).map((r) => r.pid);
        const skipped = rows.filter((r) => r.done === null).map((r) => r.pid);
        const refused = rows.filter((r) => r.done === false).map((r) => r.pid);
        remember(`${target.url}|pg.terminate-long|${minutes}`, g.sessions.filter((x) => terminated.includes(x.pid)));
        const parts = [`terminated ${terminated.length} of ${plural(g.sessions.length, 'session')}`];
        if (skipped.length) parts.push(`${skipped.length} had finished their query or ended since the preview (left alone)`);
        if (refused.length) parts.push(`${refused.length} could not be signalled (pids ${refused.join(', ')})`);
        return { ok: refused.length === 0, summary: parts.join('; '), before: { sessions: pids }, after: { terminated, skipped, refused } };
      });
    } catch (err) {
      return failed(err, target.url);
    }
  },

  async verify(target, { minutes }, ctx): Promise<ActionResult> {
    const terminated = recall<Guarded[]>(`${target.url}|pg.terminate-long|${minutes}`);
    try {
      return await withSession(target.url, ctx, async (s) => {
        if (terminated) {
          let left: number[] = [];
          const ok = await pollUntil(ctx, 100, async () => {
            const rows = await s.query<{ pid: number }>(STILL_THERE_SQL, [terminated.map((x) => x.pid), terminated.map((x) => x.backendStart)]);
            left = rows.map((r) => r.pid);
            return left.length === 0;
          });
          return ok
            ? { ok, summary: `none of the ${plural(terminated.length, 'terminated session')} remains`, after: { remaining: [] } }
            : { ok, summary: `${plural(left.length, 'session')} still there: pids ${left.join(', ')}`, after: { remaining: left } };
        }
        // Run elsewhere than execute: no list, so check that no query runs longer than the limit.
        let rows: LongRow[] = [];
        const ok = await pollUntil(ctx, 100, async () => (rows = await s.query<LongRow>(LONG_SQL, [minutes * 60, OWN_APPLICATIONS])).length === 0);
        return ok
          ? { ok, summary: `no query of this database runs longer than ${label(minutes)}`, after: { remaining: [] } }
          : { ok, summary: `${plural(rows.length, 'query', 'queries')} still running longer than ${label(minutes)}: pids ${rows.map((r) => r.pid).join(', ')}`, after: { remaining: rows.map((r) => r.pid) } };
      });
    } catch (err) {
      return failed(err, target.url);
    }
  },
};
