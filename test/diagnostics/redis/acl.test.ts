import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisProbe } from '../../../src/adapters/targets/redis/probe/index.js';
import { context, startRedis, type TestRedis } from './redis-server.js';

/** A probe user limited by ACL: what it may not run is said, never thrown. */
describe('redis probe: a user restricted by ACL', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis([
      '--user', 'noinfo', 'on', '>pw', '+ping', '+config|get',
      '--user', 'noconfig', 'on', '>pw', '+ping', '+info',
      '--user', 'noping', 'on', '>pw', '+info',
    ]);
  });
  afterAll(async () => redis?.stop());
  const url = (user: string) => `redis://${user}:pw@127.0.0.1:${redis.port}`;

  it('without INFO: reachable and latency, then one unknown saying why', async () => {
    const findings = await redisProbe({ name: 'acl', url: url('noinfo') }).run(context(3000));
    expect(findings.map((f) => `${f.check}: ${f.status}`)).toEqual(['reachable: ok', 'ping latency: ok', 'info: unknown']);
    expect(findings[0]!.value).toBe('PONG from Redis');
    expect(findings[2]!.value).toMatch(/^INFO failed: NOPERM/);
  });

  it('without CONFIG GET: the checks that need it are unknown, naming the ACL', async () => {
    const findings = await redisProbe({ name: 'acl', url: url('noconfig') }).run(context(3000));
    const rdb = findings.find((f) => f.check === 'rdb snapshots');
    expect(rdb).toMatchObject({ status: 'unknown', value: expect.stringMatching(/^cannot tell whether snapshots are configured: CONFIG GET refused by ACL: NOPERM/) });
    expect(findings.find((f) => f.check === 'memory')?.status).toBe('ok');
    expect(findings.filter((f) => f.status !== 'ok' && f.check !== 'hit ratio').map((f) => f.check)).toEqual(['rdb snapshots']);
  });

  it('without PING: unreachable, pointing at the credentials', async () => {
    const findings = await redisProbe({ name: 'acl', url: url('noping') }).run(context(3000));
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: expect.stringMatching(/^unreachable: permission denied for the probe's user: NOPERM/) })]);
    expect(findings[0]!.recommendation).toMatch(/ACL/);
  });
});
