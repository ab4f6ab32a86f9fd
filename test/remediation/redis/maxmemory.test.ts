import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRedis } from '../../../src/adapters/targets/redis/actions/client.js';
import { maxmemoryParams, redisMaxmemoryAction } from '../../../src/adapters/targets/redis/actions/index.js';
import { actionContext, fill, startRedis, type OwnRedis } from './server.js';

let redis: OwnRedis;
const target = () => ({ name: 'cache', url: redis.url });
const configGet = async (name: string) => (await redis.client().config('GET', name)) as string[];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('redis.maxmemory params', () => {
  it('reads sizes with Redis units', () => {
    expect(maxmemoryParams.parse(['512mb'])).toEqual({ bytes: 512 * 1024 ** 2, size: '512mb' });
    expect(maxmemoryParams.parse(['2GB', 'allkeys-lru'])).toEqual({ bytes: 2 * 1024 ** 3, size: '2gb', policy: 'allkeys-lru' });
    expect(maxmemoryParams.parse(['1073741824'])).toEqual({ bytes: 1073741824, size: '1073741824' });
    expect(maxmemoryParams.parse(['1tb']).bytes).toBe(1024 ** 4);
  });
  it.each([['x'], ['12parsecs'], ['-5mb'], ['1.5gb']])('refuses the size %s', (arg) => {
    expect(maxmemoryParams.safeParse([arg]).error?.issues[0]?.message).toBe(`"${arg}" is not a size: expected e.g. 512mb, 2gb or 1073741824 (bytes)`);
  });
  it.each([['512kb'], ['1000000'], ['2tb']])('refuses %s as out of bounds', (arg) => {
    expect(maxmemoryParams.safeParse([arg]).error?.issues[0]?.message).toBe(`"${arg}" is out of bounds: maxmemory must be between 1mb and 1tb`);
  });
  it('refuses an unknown policy', () => {
    expect(maxmemoryParams.safeParse(['64mb', 'lru']).error?.issues[0]?.message).toMatch(/^"lru" is not an eviction policy: expected one of noeviction, allkeys-lru/);
  });
});

describe('redis.maxmemory', () => {
  it('connects as firebreak-remediation', async () => {
    expect(await withRedis(redis.url, actionContext(), (c) => c.client('GETNAME'))).toBe('firebreak-remediation');
  });

  it('sets 64mb allkeys-lru: preview → execute(guard) → verify, CONFIG GET shows it', async () => {
    const params = maxmemoryParams.parse(['64mb', 'allkeys-lru']);
    const preview = await redisMaxmemoryAction.preview(target(), params, actionContext());
    expect(preview.refusal).toBeUndefined();
    expect(preview.current[0]).toBe('maxmemory no limit (0), policy noeviction');
    expect(preview.current[1]).toMatch(/^memory in use [\d.]+ (KiB|MiB); after the change [\d.]+ % of 64 MiB$/);
    expect(preview.change[0]).toBe('CONFIG SET maxmemory 67108864 (64 MiB) and maxmemory-policy allkeys-lru');
    expect(preview.guard).toMatchObject({ maxmemory: '0', policy: 'noeviction' });

    const result = await redisMaxmemoryAction.execute(target(), params, preview.guard, actionContext());
    expect(result).toMatchObject({ ok: true, summary: 'maxmemory set to 64 MiB, policy allkeys-lru (was no limit (0), noeviction)' });
    const verified = await redisMaxmemoryAction.verify(target(), params, actionContext());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(/^CONFIG GET: maxmemory 64 MiB, policy allkeys-lru; memory in use /);
    expect(await configGet('maxmemory')).toEqual(['maxmemory', '67108864']);
    expect(await configGet('maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);

    const again = await redisMaxmemoryAction.preview(target(), params, actionContext());
    expect(again.refusal).toBe('maxmemory is already 64 MiB with allkeys-lru: nothing to change');
  });

  it('refuses a limit below the memory in use, and says what Redis would do', async () => {
    await fill(redis.client(1), 'blob', 40, 100_000); // ~4 MB
    const preview = await redisMaxmemoryAction.preview(target(), maxmemoryParams.parse(['2mb', 'noeviction']), actionContext());
    expect(preview.refusal).toMatch(/^2 MiB is below the memory in use \([\d.]+ MiB\): Redis would at once refuse every write with OOM errors\. Free memory first, or choose a larger size$/);
    const lru = await redisMaxmemoryAction.preview(target(), maxmemoryParams.parse(['2mb']), actionContext());
    expect(lru.refusal).toMatch(/would at once evict keys \(allkeys-lru\) until it fits/);
    expect(await configGet('maxmemory')).toEqual(['maxmemory', '67108864']);
  });

  it('refuses when the settings changed since the preview', async () => {
    const params = maxmemoryParams.parse(['128mb']);
    const preview = await redisMaxmemoryAction.preview(target(), params, actionContext());
    await redis.client().config('SET', 'maxmemory', '100mb');
    const result = await redisMaxmemoryAction.execute(target(), params, preview.guard, actionContext());
    expect(result).toMatchObject({ ok: false, summary: 'the settings changed since the preview (now maxmemory 100 MiB, allkeys-lru; previewed 64 MiB, allkeys-lru); nothing done' });
    const verified = await redisMaxmemoryAction.verify(target(), params, actionContext());
    expect(verified).toMatchObject({ ok: false });
    expect(verified.summary).toMatch(/\(expected 128 MiB\)$/);
  });
});
