import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUSES, type Finding } from '../../../src/core/diagnostics/finding.js';
import { redisProbe } from '../../../src/adapters/targets/redis/probe/index.js';
import { context, infoField, startRedis, type TestRedis } from './redis-server.js';

const byCheck = (findings: Finding[], check: string): Finding => {
  const f = findings.find((x) => x.check === check);
  if (!f) throw new Error(`no "${check}" finding in ${findings.map((x) => x.check).join(', ')}`);
  return f;
};

/** Every command's call count, from INFO commandstats ("cmdstat_config|get:calls=2,…" → { 'config|get': 2 }). */
async function commandCounts(redis: TestRedis): Promise<Record<string, number>> {
  const text = await redis.client.info('commandstats');
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

describe('redis probe on a healthy instance', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
    await redis.client.set('greeting', 'hello');
    await redis.client.del('nothing');
  });
  afterAll(async () => redis?.stop());

  it('is reachable, gives every check a status and leaves nothing undefined in its texts', async () => {
    const findings = await redisProbe({ name: 'cache', url: redis.url }).run(context(3000));
    expect(byCheck(findings, 'reachable')).toMatchObject({ status: 'ok', component: 'cache' });
    expect(byCheck(findings, 'reachable').value).toMatch(/^PONG from Redis 7\.\d+\.\d+ \(standalone, master\), up \d+ s$/);
    for (const check of ['ping latency', 'memory', 'eviction policy', 'fragmentation', 'evicted keys', 'clients', 'blocked clients', 'rejected connections', 'hit ratio', 'rdb snapshots', 'aof', 'replication']) {
      expect(findings.map((f) => f.check)).toContain(check);
    }
    for (const f of findings) {
      expect(STATUSES).toContain(f.status);
      const texts = [f.check, f.component, f.value, f.threshold ?? '', f.recommendation ?? '', ...(f.evidence ?? [])].join(' | ');
      expect(texts).not.toMatch(/undefined|NaN|null|\[object/);
      expect(f.value.length).toBeGreaterThan(0);
      if (f.check !== 'blocked clients' && f.check !== 'replication' && f.check !== 'reachable') expect(f.threshold, f.check).toBeTruthy();
    }
    // Nothing wrong with a fresh instance: no problem, and the only unknown is the hit ratio (no lookups yet).
    expect(findings.filter((f) => f.status !== 'ok').map((f) => `${f.check}: ${f.status}`)).toEqual(['hit ratio: unknown']);
    expect(byCheck(findings, 'memory').value).toMatch(/ used, no limit \(maxmemory 0\)$/);
    expect(byCheck(findings, 'memory').recommendation).toMatch(/Set maxmemory/);
    expect(byCheck(findings, 'clients').value).toMatch(/^\d+ of 10000 \(\d+\.\d %\)$/);
    expect(byCheck(findings, 'replication').value).toBe('master, no replicas connected');
    expect(byCheck(findings, 'rdb snapshots').value).toBe('disabled (save "")');
    expect(byCheck(findings, 'ping latency').value).toMatch(/^\d+\.\d ms \(median of 3 PINGs, max \d+\.\d ms\)$/);
  });

  it('grades PING latency against the target\'s thresholds', async () => {
    const findings = await redisProbe({ name: 'cache', url: redis.url, thresholds: { latencyWarnMs: 0.000001, latencyCritMs: 10_000 } }).run(context(3000));
    const latency = byCheck(findings, 'ping latency');
    expect(latency).toMatchObject({ status: 'warning', threshold: 'warning at 0.000001 ms, critical at 10000 ms' });
    expect(latency.recommendation).toMatch(/SLOWLOG/);
  });

  it('never writes: only PING, INFO and CONFIG GET reach the server', async () => {
    const keys = await redis.client.dbsize();
    const before = await commandCounts(redis);
    await redisProbe({ name: 'cache', url: redis.url }).run(context(3000));
    const after = await commandCounts(redis);
    // The test's own INFO commandstats counts too; DBSIZE came before the first count.
    const changed = Object.keys(after).filter((c) => after[c] !== before[c]);
    expect(changed.sort()).toEqual(['config|get', 'info', 'ping']);
    expect(after.ping! - (before.ping ?? 0)).toBe(3);
    for (const write of ['set', 'del', 'flushdb', 'flushall', 'config|set', 'config|resetstat', 'client|setinfo', 'client|setname']) {
      expect(after[write] ?? 0, write).toBe(before[write] ?? 0);
    }
    expect(await redis.client.dbsize()).toBe(keys);
    expect(await infoField(redis.client, 'persistence', 'rdb_changes_since_last_save')).toBe('1');
  });

  it('reports the hit ratio: a warning when most reads miss, ok when they hit', async () => {
    await redis.client.config('RESETSTAT');
    for (let i = 0; i < 3; i += 1) await redis.client.get('greeting');
    for (let i = 0; i < 12; i += 1) await redis.client.get(`absent:${i}`);
    const missing = byCheck(await redisProbe({ name: 'cache', url: redis.url }).run(context(3000)), 'hit ratio');
    expect(missing).toMatchObject({ status: 'warning', value: '20.0 % (3 hits, 12 misses since start)', threshold: 'warning below 80 %' });
    expect(missing.recommendation).toMatch(/TTL/);

    await redis.client.config('RESETSTAT');
    for (let i = 0; i < 9; i += 1) await redis.client.get('greeting');
    await redis.client.get('absent');
    const hitting = byCheck(await redisProbe({ name: 'cache', url: redis.url, thresholds: { hitRatioWarnPct: 95 } }).run(context(3000)), 'hit ratio');
    expect(hitting).toMatchObject({ status: 'warning', value: '90.0 % (9 hits, 1 miss since start)', threshold: 'warning below 95 %' });
    const defaults = byCheck(await redisProbe({ name: 'cache', url: redis.url }).run(context(3000)), 'hit ratio');
    expect(defaults.status).toBe('ok');
  });
});
