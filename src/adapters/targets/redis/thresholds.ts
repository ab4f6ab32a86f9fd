/**
 * The Redis probe's thresholds (defaults from the runbooks: memory 85/90 %, hit ratio 80 %).
 * Durations may be written "50ms" or "1h"; a plain number is in the unit the key names.
 */
import { z } from 'zod';
import { asMs, asNumber, asSeconds, atLeast, checkOrder, durationThreshold, percentage, type ShowThreshold, everyProblem } from '../shared/schema.js';

export interface RedisThresholds {
  /** used_memory as a % of maxmemory. */
  memoryWarnPct: number;
  memoryCritPct: number;
  /** mem_fragmentation_ratio (RSS / used memory); only graded once the excess is large enough to matter. */
  fragmentationWarn: number;
  /** connected_clients as a % of maxclients. */
  clientsWarnPct: number;
  clientsCritPct: number;
  /** keyspace_hits / (hits + misses) below this is a warning. */
  hitRatioWarnPct: number;
  /** PING round trip (median of three). */
  latencyWarnMs: number;
  latencyCritMs: number;
  /** Seconds since the replica last heard from its master, or since a replica last acknowledged (graded above). */
  replicationLagWarnSeconds: number;
  replicationLagCritSeconds: number;
  /** Age of the last successful RDB save when snapshots are configured and changes are waiting. */
  lastSaveWarnSeconds: number;
}

export const DEFAULT_REDIS_THRESHOLDS: Readonly<RedisThresholds> = Object.freeze({
  memoryWarnPct: 85,
  memoryCritPct: 90,
  fragmentationWarn: 1.5,
  clientsWarnPct: 80,
  clientsCritPct: 95,
  hitRatioWarnPct: 80,
  latencyWarnMs: 50,
  latencyCritMs: 500,
  replicationLagWarnSeconds: 10,
  replicationLagCritSeconds: 60,
  lastSaveWarnSeconds: 3600,
});

const pct = percentage().optional();
const ms = durationThreshold('ms').optional();
const seconds = durationThreshold('s').optional();

/** Pairs that must be ordered once merged with the defaults: [warning, critical, how they read]. */
const PAIRS: ReadonlyArray<readonly [keyof RedisThresholds, keyof RedisThresholds, ShowThreshold]> = [
  ['memoryWarnPct', 'memoryCritPct', asNumber],
  ['clientsWarnPct', 'clientsCritPct', asNumber],
  ['latencyWarnMs', 'latencyCritMs', asMs],
  ['replicationLagWarnSeconds', 'replicationLagCritSeconds', asSeconds],
];

/** Thresholds as written in configuration: every key optional, unknown keys refused, warn ≤ crit. */
export const redisThresholdsSchema = z
  .strictObject({
    memoryWarnPct: pct,
    memoryCritPct: pct,
    fragmentationWarn: atLeast(1).optional(),
    clientsWarnPct: pct,
    clientsCritPct: pct,
    hitRatioWarnPct: pct,
    latencyWarnMs: ms,
    latencyCritMs: ms,
    replicationLagWarnSeconds: seconds,
    replicationLagCritSeconds: seconds,
    lastSaveWarnSeconds: seconds,
  })
  .superRefine((t, ctx) => {
    const resolved = resolveRedisThresholds(t);
    for (const pair of PAIRS) checkOrder(ctx, t, resolved, pair);
  }, everyProblem);

/** The defaults with the target's own values over them (keys left undefined keep the default). */
export function resolveRedisThresholds(overrides: Partial<RedisThresholds> = {}): RedisThresholds {
  const set = Object.entries(overrides).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  return { ...DEFAULT_REDIS_THRESHOLDS, ...(Object.fromEntries(set) as Partial<RedisThresholds>) };
}
