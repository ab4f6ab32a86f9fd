/**
 * pg.failover <replica-target>: promote a streaming replica when the primary (the action's target)
 * is down. Refused while the primary answers Firebreak, or while the replica still hears from it:
 * two primaries would split the cluster. The guard is the replica's name and system identifier.
 */
import pg from 'pg';
import { z } from 'zod';
import type { ActionContext, ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { PostgresTarget } from '../target.js';
import { endpoint } from '../connect.js';
import { fmtBytes, fmtMs } from '../format.js';
import { ActionError, describe, failed, pollUntil, positional, readGuard, timeLeft, withSession } from './session.js';

export interface FailoverParams {
  replica: string;
}

interface ReplicaRow {
  in_recovery: boolean;
  system_id: string;
  lag_bytes: number | null;
  lag_seconds: number | null;
  paused: boolean | null;
  receiver: string | null;
  receipt_age: number | null;
}

/** How long the primary gets to answer before it counts as unreachable. */
export const PRIMARY_PROBE_MS = 2000;

const REPLICA_SQL = `SELECT pg_is_in_recovery() AS in_recovery, (SELECT system_identifier::text FROM pg_control_system()) AS system_id,
  CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 END AS lag_bytes,
  CASE WHEN pg_is_in_recovery() THEN CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END END AS lag_seconds,
  CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused,
  (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver,
  (SELECT extract(epoch FROM now() - last_msg_receipt_time)::float8 FROM pg_stat_wal_receiver LIMIT 1) AS receipt_age`;

export const failoverParams = positional<FailoverParams>('<replica-target>', 1, 1, ([name]) =>
  /^[A-Za-z0-9_.:-]{1,100}$/.test(name ?? '') ? { replica: name! } : `"${name}" is not a target name`,
);

const guardSchema = z.object({ replica: z.string(), systemId: z.string() });

/** Undefined when the primary cannot be reached; otherwise how it answered (an error reply is an answer). */
async function primaryAnswer(primary: PostgresTarget, ctx: ActionContext): Promise<string | undefined> {
  const probe: ActionContext = { ...ctx, deadline: Math.min(ctx.deadline, Date.now() + PRIMARY_PROBE_MS) };
  try {
    await withSession(primary.url, probe, (s) => s.query('SELECT 1'), PRIMARY_PROBE_MS);
    return 'it accepted a connection and answered SELECT 1';
  } catch (err) {
    // An error reply (authentication failed, too many clients, starting up…) means a server is there.
    if (err instanceof Error && err.cause instanceof pg.DatabaseError) return `it replied: ${describe(err, primary.url)}`;
    return undefined;
  }
}

/** Why this replica may not be promoted now, if it may not. */
function replicaRefusal(name: string, r: ReplicaRow): string | undefined {
  if (!r.in_recovery) return `${name} is not a replica (pg_is_in_recovery() is false): it is already a primary`;
  if (r.receiver === 'streaming' && r.receipt_age !== null && r.receipt_age < 10)
    return `${name} still receives WAL from the primary (last message ${fmtMs(r.receipt_age * 1000)} ago): the primary is alive, only Firebreak cannot reach it`;
  return undefined;
}

const describeReplica = (name: string, url: string, r: ReplicaRow): string =>
  `replica ${name} (${endpoint(url)}): in recovery ${r.in_recovery}, replay lag ${r.lag_seconds === null ? 'unknown' : fmtMs(r.lag_seconds * 1000)} (${fmtBytes(r.lag_bytes)} received but not replayed)${r.paused ? ', replay PAUSED' : ''}, WAL receiver ${r.receiver ?? 'not running'}`;

export function pgFailoverAction(resolveTarget: (name: string) => PostgresTarget | undefined): ActionDefinition<PostgresTarget, FailoverParams> {
  const replicaOf = (primary: PostgresTarget, name: string): PostgresTarget => {
    const replica = resolveTarget(name);
    if (!replica) throw new ActionError(`there is no postgres target named "${name}"`);
    if (replica.name === primary.name || replica.url === primary.url) throw new ActionError(`${name} is the primary itself, not a replica`);
    return replica;
  };
  /** Both checks; the replica's state, or an ActionError saying why not. */
  const check = async (primary: PostgresTarget, name: string, ctx: ActionContext): Promise<{ replica: PostgresTarget; row: ReplicaRow }> => {
    const replica = replicaOf(primary, name);
    const answer = await primaryAnswer(primary, ctx);
    if (answer) throw new ActionError(`the primary still answers; failing over now would split the cluster (${primary.name}, ${endpoint(primary.url)}: ${answer})`);
    const row = await withSession(replica.url, ctx, async (s) => (await s.query<ReplicaRow>(REPLICA_SQL))[0]!).catch((err: unknown) => {
      throw new ActionError(`cannot reach the replica ${name} (${endpoint(replica.url)}): ${describe(err, replica.url)}`);
    });
    const refusal = replicaRefusal(name, row);
    if (refusal) throw new ActionError(refusal);
    return { replica, row };
  };

  return {
    id: 'pg.failover',
    title: 'Promote a replica when the primary is down',
    risk: 'critical',
    targetKind: 'postgres',
    usage: '<replica-target>',
    params: failoverParams,

    async preview(primary, { replica: name }, ctx): Promise<Preview> {
      const change = [`promote ${name} to primary (pg_promote): it stops following ${primary.name} and accepts writes; there is no way back but rebuilding the old primary`];
      try {
        const { replica, row } = await check(primary, name, ctx);
        const current = [`primary ${primary.name} (${endpoint(primary.url)}): unreachable (no connection within ${PRIMARY_PROBE_MS / 1000} s)`, describeReplica(name, replica.url, row)];
        if (row.lag_bytes) current.push(`transactions received but not replayed are replayed before the promotion ends; transactions the primary never sent are lost`);
        return { current, change, guard: { replica: name, systemId: row.system_id } };
      } catch (err) {
        return { current: [], change, guard: {}, refusal: describe(err, primary.url) };
      }
    },

    async execute(primary, { replica: name }, guard, ctx): Promise<ActionResult> {
      try {
        const g = readGuard(guardSchema, guard);
        if (g.replica !== name) throw new ActionError(`the approved preview was for ${g.replica}, not ${name}`);
        const { replica, row } = await check(primary, name, ctx);
        if (row.system_id !== g.systemId) throw new ActionError(`${name} is now another cluster (system identifier ${row.system_id}, previewed ${g.systemId})`);
        const waitSeconds = Math.max(1, Math.min(60, Math.floor(timeLeft(ctx) / 1000) - 2));
        const promoted = await withSession(replica.url, ctx, async (s) => (await s.query<{ ok: boolean }>('SELECT pg_promote(true, $1::int) AS ok', [waitSeconds]))[0]?.ok === true);
        const before = { replica: name, systemId: row.system_id, lagBytes: row.lag_bytes, lagSeconds: row.lag_seconds };
        return promoted
          ? { ok: true, summary: `${name} promoted: it is the new primary`, before, after: { promoted } }
          : { ok: false, summary: `promotion of ${name} requested but not finished within ${waitSeconds} s (verify checks again)`, before, after: { promoted } };
      } catch (err) {
        return { ok: false, summary: `${describe(err, primary.url)}; nothing done` };
      }
    },

    async verify(primary, { replica: name }, ctx): Promise<ActionResult> {
      try {
        const replica = replicaOf(primary, name);
        return await withSession(replica.url, ctx, async (s) => {
          const ok = await pollUntil(ctx, 250, async () => (await s.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r === false);
          if (!ok) return { ok: false, summary: `${name} is still in recovery (not promoted)`, after: { inRecovery: true } };
          await s.query('BEGIN');
          await s.query('CREATE TEMP TABLE firebreak_failover_check(x int)');
          await s.query('ROLLBACK');
          const where = endpoint(replica.url);
          const repoint = [
            `point the applications' connection strings (and their poolers) at ${where}`,
            `point Firebreak's target "${primary.name}" at ${where}, or use "${name}" as the primary`,
            `keep the old primary ${endpoint(primary.url)} down: it must not come back as a primary; rebuild it as a standby of ${where} (pg_rewind or pg_basebackup)`,
            `make the other replicas follow ${where} (primary_conninfo)`,
          ];
          return { ok: true, summary: `${name} (${where}) is out of recovery and accepts writes. Now: ${repoint.join('; ')}`, after: { newPrimary: where, inRecovery: false, repoint } };
        });
      } catch (err) {
        return failed(err, primary.url);
      }
    },
  };
}
