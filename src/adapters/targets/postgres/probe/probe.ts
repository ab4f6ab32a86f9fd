/**
 * The PostgreSQL probe: connects with a small read-only pool, times a round trip, then runs every
 * check in parallel. A check that fails or is cut off by the deadline gives an "unknown" finding
 * while the others still report; a server that cannot be reached gives one "unreachable" finding.
 * Whatever the server does, the run returns by the deadline (plus the few ms to destroy sockets).
 */
import type pg from 'pg';
import { grade, unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { finding, type Check, type CheckEnv } from './check.js';
import { activeSessionsCheck, blockedSessionsCheck, idleInTransactionCheck, longQueriesCheck } from './checks-activity.js';
import { replicationCheck, replicationSlotsCheck, slowStatementsCheck } from './checks-replication.js';
import { connectionLimitsCheck, connectionsCheck, databaseSizeCheck, databaseStatsCheck, versionCheck, wraparoundCheck } from './checks-server.js';
import { connectFailure, endpoint, errorText, openProbePool, redact } from '../connect.js';
import { fmtMs } from '../format.js';
import { SQL } from './sql.js';
import type { PostgresTarget } from '../target.js';
import { resolvePgThresholds, type PostgresThresholds } from '../thresholds.js';

/** Every check but the round trip, in the order their findings are listed. */
export const POSTGRES_CHECKS: readonly Check[] = [
  versionCheck,
  connectionsCheck,
  connectionLimitsCheck,
  activeSessionsCheck,
  idleInTransactionCheck,
  longQueriesCheck,
  blockedSessionsCheck,
  slowStatementsCheck,
  databaseStatsCheck,
  databaseSizeCheck,
  wraparoundCheck,
  replicationCheck,
  replicationSlotsCheck,
];

/** Errors of a session that could not be opened (as opposed to a statement that failed). */
const CANNOT_CONNECT = /too many (clients|connections)|trying to connect|connection timeout|ECONNREFUSED|ECONNRESET/i;

/**
 * Runs statements on the pool; when it cannot open another session (the server or the role is
 * out of connection slots), on the session already open, one statement at a time.
 */
function queryWithLane(pool: pg.Pool, lane: pg.PoolClient): CheckEnv['query'] {
  let queue: Promise<unknown> = Promise.resolve();
  let poolFull = false; // once refused, do not knock again (each refusal is a line in the server's log)
  const onLane = async <T>(sql: string): Promise<T[]> => {
    const turn = queue.then(() => lane.query(sql));
    queue = turn.catch(() => {});
    return (await turn).rows as T[];
  };
  return async <T>(sql: string): Promise<T[]> => {
    if (poolFull) return onLane<T>(sql);
    try {
      return (await pool.query(sql)).rows as T[];
    } catch (err) {
      const { code, message } = errorText(err);
      if (code !== '53300' && !CANNOT_CONNECT.test(`${code} ${message}`)) throw err;
      poolFull = true;
      return onLane<T>(sql);
    }
  };
}

export const DEADLINE = Symbol('deadline');
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | typeof DEADLINE;

/** `p`'s outcome, or DEADLINE if the deadline comes first; `p` never rejects unhandled. */
export function settle<T>(p: Promise<T>, deadline: Promise<typeof DEADLINE>): Promise<Outcome<T>> {
  const outcome = p.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  );
  return Promise.race([outcome, deadline]);
}

export function deadlineOf(ctx: ProbeContext): { promise: Promise<typeof DEADLINE>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => {};
  const promise = new Promise<typeof DEADLINE>((resolve) => {
    onAbort = () => resolve(DEADLINE);
    timer = setTimeout(onAbort, Math.max(0, ctx.deadline - Date.now()));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal.aborted) onAbort();
  });
  return {
    promise,
    clear: () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    },
  };
}

export function postgresProbe(target: PostgresTarget): Probe {
  const t = resolvePgThresholds(target.thresholds);
  const unknown = (check: string, why: string): Finding =>
    finding(check, target.name, 'unknown', redact(why, target.url), {
      recommendation: /lock timeout/i.test(why)
        ? 'The check waited on a lock held by another session: see "blocked sessions" and run the diagnostics again.'
        : /statement timeout|deadline/i.test(why)
          ? 'The check did not finish in time: the server may be overloaded (see active sessions and long queries); run the diagnostics again with a longer timeout.'
          : 'Run the diagnostics again; if it persists, check the role’s privileges (pg_monitor) and the server log.',
    });

  return {
    kind: 'postgres',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      const started = Date.now();
      const budget = ctx.deadline - started;
      if (budget <= 0 || ctx.signal.aborted) return [unreachable(target.name, 'no time left before the deadline')];
      const deadline = deadlineOf(ctx);
      const session = openProbePool(target.url, budget);
      let cutOff = false;
      let lane: pg.PoolClient | null = null;
      try {
        const conn = await settle(session.pool.connect(), deadline.promise);
        if (conn === DEADLINE) {
          cutOff = true;
          return [unreachable(target.name, `no answer from ${endpoint(target.url)} within ${budget} ms`)];
        }
        if (!conn.ok) {
          const { why, recommendation } = connectFailure(conn.error, target.url, budget);
          return [unreachable(target.name, why, ...(recommendation ? [recommendation] : []))];
        }
        const connectedMs = Date.now() - started;
        const client = conn.value;
        let t0 = performance.now();
        let ping = await settle(client.query(SQL.latency), deadline.promise);
        let pingMs = performance.now() - t0;
        if (ping !== DEADLINE && ping.ok && pingMs >= t.latencyWarnMs) {
          // One slow sample is not a slow server: measure again before saying so.
          t0 = performance.now();
          ping = await settle(client.query(SQL.latency), deadline.promise);
          pingMs = Math.min(pingMs, performance.now() - t0);
        }
        if (ping === DEADLINE || !ping.ok) client.release(true);
        if (ping === DEADLINE) {
          cutOff = true;
          return [unreachable(target.name, `connected, but SELECT 1 got no answer within ${budget} ms`)];
        }
        if (!ping.ok) return [unreachable(target.name, redact(`connected, but SELECT 1 failed: ${errorText(ping.error).message}`, target.url))];

        lane = client;
        const env: CheckEnv = { target: target.name, t, query: queryWithLane(session.pool, client) };
        const results = await Promise.all(
          POSTGRES_CHECKS.map(async (check): Promise<Finding[]> => {
            const out = await settle(check.run(env), deadline.promise);
            if (out === DEADLINE) {
              cutOff = true;
              return [unknown(check.name, `${check.name}: no result before the deadline (${budget} ms in all)`)];
            }
            if (!out.ok) return [unknown(check.name, `${check.name} failed: ${errorText(out.error).message}`)];
            return out.value;
          }),
        );
        return [
          finding('reachable', target.name, 'ok', `connected in ${fmtMs(connectedMs)}`),
          finding('latency', target.name, grade(pingMs, t.latencyWarnMs, t.latencyCritMs), `SELECT 1 round trip ${fmtMs(pingMs)}`, {
            threshold: `warning at ${fmtMs(t.latencyWarnMs)}, critical at ${fmtMs(t.latencyCritMs)}`,
            recommendation: 'The server answers slowly: check its CPU and I/O load (active sessions, long queries) and the network between Firebreak and the server.',
          }),
          ...results.flat(),
        ];
      } finally {
        deadline.clear();
        lane?.release(cutOff);
        // Cut off: destroy at once (a hung server would never say goodbye); otherwise end cleanly.
        await session.close(cutOff ? 0 : 250);
      }
    },
  };
}
