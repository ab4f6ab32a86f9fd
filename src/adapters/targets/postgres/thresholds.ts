/**
 * The thresholds of the PostgreSQL probe. Defaults follow the runbooks: more than 80 active
 * sessions is a warning, a query running for more than 5 minutes is a problem, a statement whose
 * mean time is above 1 s is slow. Durations are milliseconds (seconds for replication lag, as
 * PostgreSQL reports it).
 */
import { z } from 'zod';

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

const pct = z.number().min(0).max(100);
const ms = z.number().int().positive();
const count = z.number().int().nonnegative();

/** Pairs that must be ordered once merged with the defaults: [warning, critical]. */
const PAIRS = [
  ['connectionsWarnPct', 'connectionsCritPct'],
  ['idleInTransactionWarnMs', 'idleInTransactionCritMs'],
  ['wraparoundWarnPct', 'wraparoundCritPct'],
  ['replicationLagWarnSeconds', 'replicationLagCritSeconds'],
  ['latencyWarnMs', 'latencyCritMs'],
] as const;

/** Every key optional; what is left out keeps its default. Unknown keys are refused. */
export const pgThresholdsSchema = z
  .object({
    connectionsWarnPct: pct.optional(),
    connectionsCritPct: pct.optional(),
    activeConnections: count.optional(),
    idleInTransactionWarnMs: ms.optional(),
    idleInTransactionCritMs: ms.optional(),
    longQueryWarnMs: ms.optional(),
    longQueryCritMs: ms.optional(),
    lockWaitCritMs: ms.optional(),
    slowStatementMeanMs: z.number().positive().optional(),
    cacheHitWarnPct: pct.optional(),
    wraparoundWarnPct: pct.optional(),
    wraparoundCritPct: pct.optional(),
    replicationLagWarnSeconds: z.number().nonnegative().optional(),
    replicationLagCritSeconds: z.number().nonnegative().optional(),
    latencyWarnMs: z.number().positive().optional(),
    latencyCritMs: z.number().positive().optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const t = resolvePgThresholds(value);
    for (const [warn, crit] of PAIRS) {
      if (t[warn] > t[crit]) ctx.addIssue({ code: 'custom', path: [warn], message: `${warn} (${t[warn]}) must not be above ${crit} (${t[crit]})` });
    }
    if (t.longQueryCritMs !== undefined && t.longQueryCritMs < t.longQueryWarnMs) {
      ctx.addIssue({ code: 'custom', path: ['longQueryCritMs'], message: `longQueryCritMs must not be below longQueryWarnMs (${t.longQueryWarnMs})` });
    }
  });

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
