import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushParams, redisFlushdbAction } from '../../../src/adapters/targets/redis/actions/index.js';
import { actionContext, fill, startRedis, type OwnRedis } from './server.js';

let redis: OwnRedis;

beforeAll(async () => {
  redis = await startRedis(['--databases', '8']);
});
afterAll(async () => {
  await redis?.stop();
});

describe('redis.flushdb params', () => {
  it.each([['-1'], ['16'], ['x'], ['1.5'], ['003']])('refuses %s', (arg) => {
    expect(flushParams.safeParse([arg]).error?.issues[0]?.message).toBe(`"${arg}" is not a database number: expected 0 to 15`);
  });
  it('accepts 0 to 15', () => {
    expect(flushParams.parse(['0'])).toEqual({ db: 0 });
    expect(flushParams.parse(['15'])).toEqual({ db: 15 });
    expect(flushParams.safeParse([]).error?.issues[0]?.message).toBe('usage: <db>');
  });
});

describe('redis.flushdb', () => {
  it('empties db 3 only: preview → execute(guard) → verify, db 5 unchanged', async () => {
    // The URL names db 5: the action must still act on the db it is given, and only on it.
    const target = { name: 'cache', url: `${redis.url}/5` };
    const db3 = redis.client(3);
    const db5 = redis.client(5);
    await fill(db3, 'session', 120);
    await fill(db5, 'keep', 40);

    const preview = await redisFlushdbAction.preview(target, { db: 3 }, actionContext());
    expect(preview.refusal).toBeUndefined();
    expect(preview.current[0]).toMatch(/^db 3: 120 keys; memory in use [\d.]+ (KiB|MiB) \(all dbs\)$/);
    expect(preview.current[1]).toBe('other dbs with keys: db5 40');
    expect(preview.change).toEqual(['FLUSHDB on db 3: every key of db 3 is deleted, for good (other dbs are not touched)']);
    expect(preview.guard).toMatchObject({ db: 3, keys: 120, runId: expect.stringMatching(/^[0-9a-f]{40}$/) });

    await fill(db3, 'late', 5); // the cache keeps changing between the preview and the approval
    const result = await redisFlushdbAction.execute(target, { db: 3 }, preview.guard, actionContext());
    expect(result).toMatchObject({ ok: true, summary: 'db 3 flushed (125 keys deleted; 120 at the preview)' });

    const verified = await redisFlushdbAction.verify(target, { db: 3 }, actionContext());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(/^db 3 is empty; other dbs unchanged \(db5 40\); memory in use /);
    expect(await db3.dbsize()).toBe(0);
    expect(await db5.dbsize()).toBe(40);
  });

  it('refuses an empty db: nothing to flush', async () => {
    const target = { name: 'cache', url: redis.url };
    const preview = await redisFlushdbAction.preview(target, { db: 7 }, actionContext());
    expect(preview.refusal).toBe('nothing to flush: db 7 is empty');
    const r = await redisFlushdbAction.execute(target, { db: 7 }, preview.guard, actionContext());
    expect(r).toMatchObject({ ok: false, summary: 'nothing to flush: db 7 is empty now (it had 0 keys at the preview)' });
  });

  it('refuses a db beyond the server\u2019s `databases`', async () => {
    const preview = await redisFlushdbAction.preview({ name: 'cache', url: redis.url }, { db: 9 }, actionContext());
    expect(preview.refusal).toBe('cannot read db 9 of cache: db 9 does not exist: this server has 8 databases (0 to 7)');
  });

  it('refuses when the server is not the one previewed (run_id changed)', async () => {
    const target = { name: 'cache', url: redis.url };
    await fill(redis.client(2), 'k', 3);
    const preview = await redisFlushdbAction.preview(target, { db: 2 }, actionContext());
    const r = await redisFlushdbAction.execute(target, { db: 2 }, { ...preview.guard, runId: 'f'.repeat(40) }, actionContext());
    expect(r).toMatchObject({ ok: false, summary: 'the Redis server restarted or is another one since the preview (run_id changed); nothing done' });
    expect(await redis.client(2).dbsize()).toBe(3);
    const wrongDb = await redisFlushdbAction.execute(target, { db: 4 }, preview.guard, actionContext());
    expect(wrongDb).toMatchObject({ ok: false, summary: 'the approved preview was for db 2, not db 4; nothing done' });
  });

  it('says plainly when Redis cannot be reached', async () => {
    const preview = await redisFlushdbAction.preview({ name: 'gone', url: 'redis://127.0.0.1:1' }, { db: 0 }, actionContext(1000));
    expect(preview.refusal).toMatch(/^cannot read db 0 of gone: connection refused/);
  });
});
