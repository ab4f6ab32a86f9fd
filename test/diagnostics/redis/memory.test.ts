import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { redisProbe } from '../../../src/adapters/targets/redis/probe/index.js';
import { context, infoField, startRedis, type TestRedis } from './redis-server.js';

const byCheck = (findings: Finding[], check: string): Finding => {
  const f = findings.find((x) => x.check === check);
  if (!f) throw new Error(`no "${check}" finding`);
  return f;
};

async function usedPct(redis: TestRedis): Promise<number> {
  const used = Number(await infoField(redis.client, 'memory', 'used_memory'));
  const max = Number(await infoField(redis.client, 'memory', 'maxmemory'));
  return (used / max) * 100;
}

describe('redis probe: memory under a small maxmemory', () => {
  let lru: TestRedis;
  let full: TestRedis;
  beforeAll(async () => {
    [lru, full] = await Promise.all([
      startRedis(['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru']),
      startRedis(['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']),
    ]);
  });
  afterAll(async () => Promise.all([lru?.stop(), full?.stop()]));

  it('allkeys-lru filled until it evicts: memory graded with its %, evicted keys a warning', async () => {
    const value = 'x'.repeat(1024);
    for (let batch = 0; Number(await infoField(lru.client, 'stats', 'evicted_keys')) === 0; batch += 1) {
      expect(batch).toBeLessThan(200);
      const pipeline = lru.client.pipeline();
      for (let i = 0; i < 50; i += 1) pipeline.set(`k:${batch}:${i}`, value);
      await pipeline.exec();
    }
    const findings = await redisProbe({ name: 'lru', url: lru.url }).run(context(3000));
    const memory = byCheck(findings, 'memory');
    expect(['critical', 'warning']).toContain(memory.status);
    expect(memory.value).toMatch(/^[\d.]+ (KiB|MiB) of 2 MiB \((8[5-9]|9\d|1\d\d)\.\d %\)$/);
    expect(memory.threshold).toBe('warning at 85 %, critical at 90 % of maxmemory');
    expect(memory.recommendation).toMatch(/FLUSHDB .*last resort/);
    expect(memory.recommendation).toMatch(/With allkeys-lru a full cache is by design/);
    // Which of the two it is depends on how full the evictions leave it: the remediation is pinned
    // below with thresholds that fix the status.
    const evicted = byCheck(findings, 'evicted keys');
    expect(evicted.status).toBe('warning');
    expect(evicted.value).toMatch(/^[1-9]\d* since start \(maxmemory-policy allkeys-lru\)$/);
    expect(byCheck(findings, 'eviction policy')).toMatchObject({ status: 'ok', value: 'allkeys-lru' });
  });

  it('offers to raise maxmemory when memory is critical, and only then', async () => {
    const critical = byCheck(await redisProbe({ name: 'lru', url: lru.url, thresholds: { memoryWarnPct: 10, memoryCritPct: 20 } }).run(context(3000)), 'memory');
    expect(critical.status).toBe('critical');
    const used = Number(await infoField(lru.client, 'memory', 'used_memory'));
    const suggested = Number(critical.remediation?.args[0]?.replace(/mb$/, ''));
    // Room for 30 % more than what is used now (used / 0.7), in whole MiB; memory moves a little between the two reads.
    expect(suggested).toBeGreaterThanOrEqual(Math.floor(used / 0.7 / 2 ** 20));
    expect(suggested).toBeLessThanOrEqual(Math.ceil(used / 0.7 / 2 ** 20) + 1);
    expect(critical.remediation).toEqual({ action: 'redis.maxmemory', args: [`${suggested}mb`], label: `Raise maxmemory to ${suggested}mb` });

    // A critical level no fill can reach (allkeys-lru may sit just above 100 %): only a warning is possible.
    const warning = byCheck(await redisProbe({ name: 'lru', url: lru.url, thresholds: { memoryWarnPct: 10, memoryCritPct: 10_000 } }).run(context(3000)), 'memory');
    expect(warning.status).toBe('warning');
    expect(warning.remediation).toBeUndefined();
  });

  it('noeviction near the limit: a warning naming noeviction; once writes fail, critical', async () => {
    const value = 'y'.repeat(200);
    for (let batch = 0; (await usedPct(full)) < 86; batch += 1) {
      expect(batch).toBeLessThan(2000);
      const pipeline = full.client.pipeline();
      for (let i = 0; i < 10; i += 1) pipeline.set(`k:${batch}:${i}`, value);
      await pipeline.exec();
    }
    const near = await redisProbe({ name: 'full', url: full.url }).run(context(3000));
    expect(['warning', 'critical']).toContain(byCheck(near, 'memory').status);
    const policy = byCheck(near, 'eviction policy');
    expect(policy.status).toBe('warning');
    expect(policy.value).toMatch(/^noeviction: nothing is evicted at \d+\.\d % of maxmemory: writes will fail with OOM once it is full$/);
    expect(policy.recommendation).toMatch(/allkeys-lru/);
    expect(byCheck(near, 'evicted keys').status).toBe('ok');

    let refused = 0;
    for (let batch = 0; refused === 0; batch += 1) {
      expect(batch).toBeLessThan(2000);
      const pipeline = full.client.pipeline();
      for (let i = 0; i < 10; i += 1) pipeline.set(`more:${batch}:${i}`, value);
      const results = (await pipeline.exec()) ?? [];
      refused += results.filter(([err]) => err !== null && /^OOM/.test(err.message)).length;
    }
    const failing = byCheck(await redisProbe({ name: 'full', url: full.url }).run(context(3000)), 'eviction policy');
    expect(failing.status).toBe('critical');
    expect(failing.value).toMatch(new RegExp(`writes are failing \\(${refused} OOM errors since start\\)$`));
  });

  it('thresholds from the target apply', async () => {
    const findings = await redisProbe({ name: 'lru', url: lru.url, thresholds: { memoryWarnPct: 10, memoryCritPct: 20 } }).run(context(3000));
    const memory = byCheck(findings, 'memory');
    expect(memory.threshold).toBe('warning at 10 %, critical at 20 % of maxmemory');
    expect(memory.status).toBe('critical');
    expect(byCheck(findings, 'eviction policy').threshold).toMatch(/^warning when memory is at 10 % or more/);
  });
});
