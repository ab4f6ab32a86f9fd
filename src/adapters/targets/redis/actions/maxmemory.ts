/**
 * redis.maxmemory <size> [policy]: change Redis's memory limit (and eviction policy) at runtime
 * with CONFIG SET. Refused below the memory in use. The guard is the current values and the
 * server's run_id: a limit changed by someone else meanwhile, or a restarted server, stops it.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { RedisTarget } from '../target.js';
import { bytes } from '../format.js';
import { ActionError, configGet, describe, info, positional, readGuard, withRedis } from './client.js';

export const EVICTION_POLICIES = ['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export interface MaxmemoryParams {
  bytes: number;
  /** As typed, for messages ("512mb"). */
  size: string;
  policy?: EvictionPolicy;
}

/** Redis's units: k/m/g are powers of 1000, kb/mb/gb (and tb) powers of 1024. */
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3, t: 1e12, tb: 1024 ** 4 };
const MIN = 1024 ** 2;
const MAX = 1024 ** 4;

export const maxmemoryParams = positional<MaxmemoryParams>('<size> [policy]', 1, 2, ([size, policy]) => {
  const m = /^(\d{1,16})([a-z]*)$/i.exec(size ?? '');
  const unit = UNITS[m?.[2]?.toLowerCase() ?? 'x'];
  if (!m || unit === undefined) return `"${size}" is not a size: expected e.g. 512mb, 2gb or 1073741824 (bytes)`;
  const n = Number(m[1]) * unit;
  if (n < MIN || n > MAX) return `"${size}" is out of bounds: maxmemory must be between 1mb and 1tb`;
  if (policy !== undefined && !(EVICTION_POLICIES as readonly string[]).includes(policy.toLowerCase())) return `"${policy}" is not an eviction policy: expected one of ${EVICTION_POLICIES.join(', ')}`;
  return { bytes: n, size: size!.toLowerCase(), ...(policy ? { policy: policy.toLowerCase() as EvictionPolicy } : {}) };
});

const guardSchema = z.object({ maxmemory: z.string(), policy: z.string(), runId: z.string() });

interface State {
  maxmemory: string;
  policy: string;
  used: number;
  runId: string;
}

async function readState(c: Redis): Promise<State> {
  const maxmemory = await configGet(c, 'maxmemory');
  const policy = await configGet(c, 'maxmemory-policy');
  if (maxmemory === undefined || policy === undefined) throw new ActionError('CONFIG GET maxmemory gave no value (is CONFIG renamed or denied on this server?)');
  const memory = await info(c, 'memory');
  const server = await info(c, 'server');
  return { maxmemory, policy, used: Number(memory.used_memory ?? NaN), runId: server.run_id ?? '' };
}

const limit = (v: string | number): string => (Number(v) === 0 ? 'no limit (0)' : bytes(Number(v)));

/** Why the new limit may not be set now, if it may not. */
function refusalFor(s: State, p: MaxmemoryParams): string | undefined {
  const policy = p.policy ?? s.policy;
  if (Number.isFinite(s.used) && p.bytes <= s.used) {
    const effect = policy === 'noeviction' ? 'refuse every write with OOM errors' : `evict keys (${policy}) until it fits`;
    return `${bytes(p.bytes)} is below the memory in use (${bytes(s.used)}): Redis would at once ${effect}. Free memory first, or choose a larger size`;
  }
  if (Number(s.maxmemory) === p.bytes && policy === s.policy) return `maxmemory is already ${limit(p.bytes)} with ${policy}: nothing to change`;
  return undefined;
}

export const redisMaxmemoryAction: ActionDefinition<RedisTarget, MaxmemoryParams> = {
  id: 'redis.maxmemory',
  title: "Change Redis's memory limit (and eviction policy)",
  risk: 'high',
  targetKind: 'redis',
  usage: '<size> [policy]',
  params: maxmemoryParams,

  async preview(target, params, ctx): Promise<Preview> {
    const change = [
      `CONFIG SET maxmemory ${params.bytes} (${bytes(params.bytes)})${params.policy ? ` and maxmemory-policy ${params.policy}` : ''}`,
      'at runtime only: not written to redis.conf (no CONFIG REWRITE), so a restart restores the configured value; replicas keep their own',
    ];
    try {
      const s = await withRedis(target.url, ctx, readState);
      const pct = Number(s.maxmemory) > 0 ? ` (${((s.used / Number(s.maxmemory)) * 100).toFixed(1)} % of the limit)` : '';
      const current = [`maxmemory ${limit(s.maxmemory)}, policy ${s.policy}`, `memory in use ${bytes(s.used)}${pct}; after the change ${((s.used / params.bytes) * 100).toFixed(1)} % of ${bytes(params.bytes)}`];
      const refusal = refusalFor(s, params);
      return { current, change, guard: { maxmemory: s.maxmemory, policy: s.policy, runId: s.runId }, ...(refusal ? { refusal } : {}) };
    } catch (err) {
      return { current: [], change, guard: {}, refusal: `cannot read the memory settings of ${target.name}: ${describe(err)}` };
    }
  },

  async execute(target, params, guard, ctx): Promise<ActionResult> {
    try {
      const g = readGuard(guardSchema, guard);
      return await withRedis(target.url, ctx, async (c) => {
        const s = await readState(c);
        if (s.runId !== g.runId) return { ok: false, summary: 'the Redis server restarted or is another one since the preview (run_id changed); nothing done' };
        if (s.maxmemory !== g.maxmemory || s.policy !== g.policy)
          return { ok: false, summary: `the settings changed since the preview (now maxmemory ${limit(s.maxmemory)}, ${s.policy}; previewed ${limit(g.maxmemory)}, ${g.policy}); nothing done` };
        const refusal = refusalFor(s, params);
        if (refusal) return { ok: false, summary: `${refusal}; nothing done` };
        const pairs = ['maxmemory', String(params.bytes), ...(params.policy ? ['maxmemory-policy', params.policy] : [])];
        try {
          await c.call('CONFIG', 'SET', ...pairs); // several parameters at once (Redis 7): all or nothing
        } catch (err) {
          if (!/wrong number of arguments/i.test(describe(err))) throw err;
          for (let i = 0; i < pairs.length; i += 2) await c.call('CONFIG', 'SET', pairs[i]!, pairs[i + 1]!);
        }
        const before = { maxmemory: Number(s.maxmemory), policy: s.policy, usedMemory: s.used };
        return { ok: true, summary: `maxmemory set to ${bytes(params.bytes)}${params.policy ? `, policy ${params.policy}` : ''} (was ${limit(s.maxmemory)}, ${s.policy})`, before };
      });
    } catch (err) {
      return { ok: false, summary: `${describe(err)}; nothing done` };
    }
  },

  async verify(target, params, ctx): Promise<ActionResult> {
    try {
      return await withRedis(target.url, ctx, async (c) => {
        const s = await readState(c);
        const ok = Number(s.maxmemory) === params.bytes && (params.policy === undefined || s.policy === params.policy);
        const after = { maxmemory: Number(s.maxmemory), policy: s.policy, usedMemory: s.used };
        const line = `CONFIG GET: maxmemory ${limit(s.maxmemory)}, policy ${s.policy}; memory in use ${bytes(s.used)}`;
        return { ok, summary: ok ? line : `${line} (expected ${bytes(params.bytes)}${params.policy ? `, ${params.policy}` : ''})`, after };
      });
    } catch (err) {
      return { ok: false, summary: describe(err) };
    }
  },
};
