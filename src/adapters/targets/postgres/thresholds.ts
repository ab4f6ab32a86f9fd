/**
 * The thresholds of the PostgreSQL probe. Defaults follow the runbooks: more than 80 active
 * sessions is a warning, a query running for more than 5 minutes is a problem, a statement whose
 * mean time is above 1 s is slow. Durations may be written "5m" or "30s"; a plain number is in the
 * unit the key names (milliseconds, or seconds for replication lag, as PostgreSQL reports it).
 */
import { z } from 'zod';
import { asMs, asNumber, asSeconds, checkOrder, durationThreshold, percentage, wholeNumber, type ShowThreshold, everyProblem } from '../shared/schema.js';

export interface PostgresThresholds {
  /** Client connections as a share of the slots open to ordinary roles (also used for per-role and per-database limits). */
  connectionsWarnPct: number;
  connectionsCritPct: number;
  /** Warning above this many active sessions. */
  activeConnections: number;
  idleInTransactionWarnMs: number;
  idleInTransactionCritMs: number;
  longQueryWarnMs: number;
  /** Critical from here; twice `longQueryWarnMs` when not given. */
  longQueryCritMs?: number;
  /** A session waiting on a lock is a warning; critical once one has waited this long. */
  lockWaitCritMs: number;
  /** pg_stat_statements: a statement whose mean execution time is above this is slow. */
  slowStatementMeanMs: number;
  /** Buffer cache hit ratio below this is a warning. */
  cacheHitWarnPct: number;
  /** Age of the oldest unfrozen transaction id as a share of autovacuum_freeze_max_age. */
  wraparoundWarnPct: number;
  wraparoundCritPct: number;
  replicationLagWarnSeconds: number;
  replicationLagCritSeconds: number;
  /** Round trip of SELECT 1. */
  latencyWarnMs: number;
  latencyCritMs: number;
}

export const DEFAULT_PG_THRESHOLDS: Readonly<PostgresThresholds> = Object.freeze({
  connectionsWarnPct: 80,
  connectionsCritPct: 95,
  activeConnections: 80,
  idleInTransactionWarnMs: 60_000,
  idleInTransactionCritMs: 300_000,
  longQueryWarnMs: 300_000,
  lockWaitCritMs: 60_000,
  slowStatementMeanMs: 1000,
  cacheHitWarnPct: 98,
  wraparoundWarnPct: 50,
  wraparoundCritPct: 80,
  replicationLagWarnSeconds: 30,
  replicationLagCritSeconds: 300,
  latencyWarnMs: 100,
  latencyCritMs: 1000,
});

const pct = percentage();
const ms = durationThreshold('ms', { whole: true });
const seconds = durationThreshold('s', { zero: true });

/** Pairs that must be ordered once merged with the defaults: [warning, critical, how they read]. */
const PAIRS: ReadonlyArray<readonly [keyof PostgresThresholds, keyof PostgresThresholds, ShowThreshold]> = [
  ['connectionsWarnPct', 'connectionsCritPct', asNumber],
  ['idleInTransactionWarnMs', 'idleInTransactionCritMs', asMs],
  ['wraparoundWarnPct', 'wraparoundCritPct', asNumber],
  ['replicationLagWarnSeconds', 'replicationLagCritSeconds', asSeconds],
  ['latencyWarnMs', 'latencyCritMs', asMs],
];

/** Every key optional; what is left out keeps its default. Unknown keys are refused. */
export const pgThresholdsSchema = z
  .object({
    connectionsWarnPct: pct.optional(),
    connectionsCritPct: pct.optional(),
    activeConnections: wholeNumber(0).optional(),
    idleInTransactionWarnMs: ms.optional(),
    idleInTransactionCritMs: ms.optional(),
    longQueryWarnMs: ms.optional(),
    longQueryCritMs: ms.optional(),
    lockWaitCritMs: ms.optional(),
    slowStatementMeanMs: durationThreshold('ms').optional(),
    cacheHitWarnPct: pct.optional(),
    wraparoundWarnPct: pct.optional(),
    wraparoundCritPct: pct.optional(),
    replicationLagWarnSeconds: seconds.optional(),
    replicationLagCritSeconds: seconds.optional(),
    latencyWarnMs: durationThreshold('ms').optional(),
    latencyCritMs: durationThreshold('ms').optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const t = resolvePgThresholds(value);
    const resolved = { ...t, longQueryCritMs: longQueryCrit(t) } as Record<keyof PostgresThresholds, number>;
    for (const pair of PAIRS) checkOrder(ctx, value, resolved, pair);
    if (value.longQueryCritMs !== undefined) checkOrder(ctx, value, resolved, ['longQueryWarnMs', 'longQueryCritMs', asMs]);
  }, everyProblem);

// Compile-time check: the schema and the interface have the same keys.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const sameKeys: SameKeys<z.infer<typeof pgThresholdsSchema>, PostgresThresholds> = true;
void sameKeys;

/** The defaults with whatever is given (undefined keys keep their default). */
export function resolvePgThresholds(given?: Partial<PostgresThresholds>): PostgresThresholds {
  const t: PostgresThresholds = { ...DEFAULT_PG_THRESHOLDS };
  for (const [k, v] of Object.entries(given ?? {})) {
    if (v !== undefined) (t as unknown as Record<string, number>)[k] = v as number;
  }
  return t;
}

export const longQueryCrit = (t: PostgresThresholds): number => t.longQueryCritMs ?? 2 * t.longQueryWarnMs;
