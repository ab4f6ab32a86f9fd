/** Memory: used vs maxmemory, the eviction policy, fragmentation, evicted keys. */
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import { bytes, percent } from '../format.js';
import { configNumber, notReported, type CheckInput } from './input.js';

const MiB = 1024 * 1024;
/** Fragmentation below this much memory (RSS vs used, either way) is not worth a warning: a near-empty Redis shows ratios of 10+. */
export const FRAGMENTATION_MIN_BYTES = 100 * MiB;
const LAST_RESORT = 'FLUSHDB empties the cache and is a last resort only: every first request will then miss and be slow while it refills.';

function limits(input: CheckInput): { used?: number; max?: number; policy?: string } {
  const { info, config } = input;
  return {
    used: info.used_memory,
    max: info.maxmemory ?? configNumber(config, 'maxmemory'),
    policy: info.maxmemory_policy ?? config.values['maxmemory-policy'],
  };
}

/** used_memory as a % of maxmemory; undefined when there is no limit or it is not known. */
function usedPct(input: CheckInput): number | undefined {
  const { used, max } = limits(input);
  return used !== undefined && max !== undefined && max > 0 ? (used / max) * 100 : undefined;
}

function memory(input: CheckInput): Finding {
  const { used, max, policy } = limits(input);
  const t = input.thresholds;
  const threshold = `warning at ${t.memoryWarnPct} %, critical at ${t.memoryCritPct} % of maxmemory`;
  if (used === undefined || max === undefined) return notReported(input, 'memory', ['used_memory', 'maxmemory']);
  const evidence = [
    input.info.used_memory_rss !== undefined ? `RSS ${bytes(input.info.used_memory_rss)}` : undefined,
    input.info.used_memory_peak !== undefined ? `peak ${bytes(input.info.used_memory_peak)}` : undefined,
    `maxmemory-policy ${policy ?? 'unknown'}`,
  ].filter((l): l is string => l !== undefined);
  if (max === 0) {
    return {
      check: 'memory', component: input.target, status: 'ok', value: `${bytes(used)} used, no limit (maxmemory 0)`, threshold, evidence,
      recommendation: 'Set maxmemory below the RAM the host can give Redis (room for forks and buffers) with an eviction policy such as allkeys-lru for a cache, so Redis evicts keys instead of being killed by the OOM killer.',
    };
  }
  const pct = (used / max) * 100;
  const status = grade(pct, t.memoryWarnPct, t.memoryCritPct);
  const finding: Finding = { check: 'memory', component: input.target, status, value: `${bytes(used)} of ${bytes(max)} (${percent(pct)})`, threshold, evidence };
  if (status === 'ok') return finding;
  const byPolicy = policy === 'noeviction'
    ? 'With noeviction, writes fail once it is full. '
    : policy?.startsWith('allkeys-') ? `With ${policy} a full cache is by design (Redis evicts): watch evicted keys and the hit ratio. ` : '';
  finding.recommendation = `Find what grows (redis-cli --bigkeys, MEMORY USAGE on suspects), shorten TTLs, or raise maxmemory if the host has room. ${byPolicy}${LAST_RESORT}`;
  if (status === 'critical') {
    const suggested = `${Math.ceil(used / 0.7 / MiB)}mb`;
    finding.remediation = { action: 'redis.maxmemory', args: [suggested], label: `Raise maxmemory to ${suggested}` };
  }
  return finding;
}

function evictionPolicy(input: CheckInput): Finding {
  const { max, policy } = limits(input);
  const t = input.thresholds;
  const threshold = `warning when memory is at ${t.memoryWarnPct} % or more and nothing can be evicted (noeviction, or volatile-* with no key having a TTL)`;
  if (policy === undefined) return notReported(input, 'eviction policy', ['maxmemory_policy']);
  const base = { check: 'eviction policy', component: input.target, threshold };
  if (max === 0) return { ...base, status: 'ok', value: `${policy} (not applied: no maxmemory)` };
  const pct = usedPct(input);
  const withTtl = Object.values(input.info.keyspace).reduce((n, db) => n + db.expires, 0);
  const stuck = policy === 'noeviction' || (policy.startsWith('volatile-') && withTtl === 0);
  if (pct === undefined || pct < t.memoryWarnPct || !stuck) return { ...base, status: 'ok', value: policy };
  const oom = input.info.errorstats.OOM ?? 0;
  const why = policy === 'noeviction' ? 'noeviction: nothing is evicted' : `${policy} but no key has a TTL, so nothing can be evicted`;
  return {
    ...base,
    status: oom > 0 ? 'critical' : 'warning',
    value: `${why} at ${percent(pct)} of maxmemory: writes ${oom > 0 ? `are failing (${oom} OOM errors since start)` : 'will fail with OOM once it is full'}`,
    recommendation: 'For a cache, switch to allkeys-lru (or allkeys-lfu) so Redis evicts old keys instead of refusing writes; if the data must be kept, raise maxmemory or move data out.',
    evidence: [`maxmemory-policy ${policy}`, `keys with a TTL: ${withTtl}`, `OOM errors since start: ${oom}`],
  };
}

function fragmentation(input: CheckInput): Finding {
  const { info, thresholds: t } = input;
  const ratio = info.mem_fragmentation_ratio;
  const threshold = `warning at ${t.fragmentationWarn} (or below 1: swapping) once ${bytes(FRAGMENTATION_MIN_BYTES)} or more is at stake`;
  if (ratio === undefined || info.used_memory === undefined) return notReported(input, 'fragmentation', ['mem_fragmentation_ratio']);
  const rss = info.used_memory_rss;
  const excess = info.mem_fragmentation_bytes ?? (rss !== undefined ? rss - info.used_memory : 0);
  const base = { check: 'fragmentation', component: input.target, threshold };
  const detail = rss !== undefined ? ` (RSS ${bytes(rss)} for ${bytes(info.used_memory)} used)` : '';
  if (ratio >= t.fragmentationWarn && excess >= FRAGMENTATION_MIN_BYTES) {
    return {
      ...base, status: 'warning', value: `ratio ${ratio.toFixed(2)}${detail}: ${bytes(excess)} lost to fragmentation`,
      recommendation: 'Enable active defragmentation (CONFIG SET activedefrag yes, jemalloc builds), or restart the instance off-peak after failing over to a replica.',
    };
  }
  if (ratio < 1 && -excess >= FRAGMENTATION_MIN_BYTES) {
    return {
      ...base, status: 'warning', value: `ratio ${ratio.toFixed(2)}${detail}: part of Redis is probably swapped out`,
      recommendation: 'The host is short of RAM and swapping Redis, which makes every command slow: free memory on the host, lower maxmemory, or move Redis.',
    };
  }
  const small = ratio >= t.fragmentationWarn || ratio < 1 ? ': too little memory at stake to matter' : '';
  return { ...base, status: 'ok', value: `ratio ${ratio.toFixed(2)}${detail}${small}` };
}

function evictedKeys(input: CheckInput): Finding {
  const evicted = input.info.evicted_keys;
  const { policy } = limits(input);
  if (evicted === undefined) return notReported(input, 'evicted keys', ['evicted_keys']);
  const base = { check: 'evicted keys', component: input.target, threshold: 'warning above 0 since start' };
  const value = `${evicted} since start (maxmemory-policy ${policy ?? 'unknown'})`;
  if (evicted === 0) return { ...base, status: 'ok', value };
  return {
    ...base, status: 'warning', value,
    recommendation: 'Redis evicts keys to stay under maxmemory: the cache is smaller than its working set, so expect misses. Raise maxmemory, shorten TTLs or cache less.',
  };
}

export function memoryFindings(input: CheckInput): Finding[] {
  return [memory(input), evictionPolicy(input), fragmentation(input), evictedKeys(input)];
}
