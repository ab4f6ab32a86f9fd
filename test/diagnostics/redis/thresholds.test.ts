import { describe, expect, it } from 'vitest';
import { DEFAULT_REDIS_THRESHOLDS, parseInfo, redisThresholdsSchema, resolveRedisThresholds } from '../../../src/adapters/targets/redis/probe/index.js';

describe('redis thresholds', () => {
  it('has the runbook defaults', () => {
    expect(DEFAULT_REDIS_THRESHOLDS).toEqual({
      memoryWarnPct: 85, memoryCritPct: 90, fragmentationWarn: 1.5, clientsWarnPct: 80, clientsCritPct: 95, hitRatioWarnPct: 80,
      latencyWarnMs: 50, latencyCritMs: 500, replicationLagWarnSeconds: 10, replicationLagCritSeconds: 60, lastSaveWarnSeconds: 3600,
    });
    expect(redisThresholdsSchema.parse(DEFAULT_REDIS_THRESHOLDS)).toEqual(DEFAULT_REDIS_THRESHOLDS);
  });

  it('accepts any subset, refuses unknown keys, out-of-range values and warn above crit', () => {
    expect(redisThresholdsSchema.parse({})).toEqual({});
    expect(redisThresholdsSchema.parse({ memoryWarnPct: 70 })).toEqual({ memoryWarnPct: 70 });
    expect(redisThresholdsSchema.safeParse({ memoryWarn: 70 }).success).toBe(false);
    expect(redisThresholdsSchema.safeParse({ memoryWarnPct: 120 }).success).toBe(false);
    expect(redisThresholdsSchema.safeParse({ latencyWarnMs: -1 }).success).toBe(false);
    const inverted = redisThresholdsSchema.safeParse({ memoryWarnPct: 95, memoryCritPct: 90 });
    expect(inverted.success).toBe(false);
    expect(inverted.error?.issues[0]?.message).toBe('memoryWarnPct (95) must not be above memoryCritPct (90)');
  });

  it('resolves a target\'s overrides over the defaults, ignoring undefined ones', () => {
    expect(resolveRedisThresholds({ memoryWarnPct: 70, memoryCritPct: undefined })).toEqual({ ...DEFAULT_REDIS_THRESHOLDS, memoryWarnPct: 70 });
    expect(resolveRedisThresholds()).toEqual(DEFAULT_REDIS_THRESHOLDS);
  });
});

describe('parseInfo', () => {
  it('types fields, composite lines and tolerates what it cannot read', () => {
    const info = parseInfo(
      [
        '# Server', 'redis_version:7.0.15', 'uptime_in_seconds:12', '',
        '# Memory', 'used_memory:1048576', 'maxmemory:abc', 'maxmemory_policy:allkeys-lru',
        '# Replication', 'role:master', 'connected_slaves:2', 'slave0:ip=10.0.0.2,port=6379,state=online,offset=100,lag=1', 'slave1:10.0.0.3,6379,online',
        '# Errorstats', 'errorstat_OOM:count=3', 'errorstat_ERR:count=x',
        '# Keyspace', 'db0:keys=10,expires=4,avg_ttl=0', 'db3:keys=1,expires=0,avg_ttl=0',
        'not a field line', ':no name',
      ].join('\r\n'),
    );
    expect(info).toMatchObject({ redis_version: '7.0.15', uptime_in_seconds: 12, used_memory: 1048576, maxmemory_policy: 'allkeys-lru', role: 'master', connected_slaves: 2 });
    expect(info.maxmemory).toBeUndefined();
    expect(info.replicas).toEqual([
      { ip: '10.0.0.2', port: 6379, state: 'online', offset: 100, lag: 1 },
      { ip: '10.0.0.3', state: 'online' },
    ]);
    expect(info.keyspace).toEqual({ db0: { keys: 10, expires: 4 }, db3: { keys: 1, expires: 0 } });
    expect(info.errorstats).toEqual({ OOM: 3, ERR: 0 });
    expect(parseInfo('')).toMatchObject({ replicas: [], keyspace: {}, errorstats: {} });
    expect(parseInfo('role:sentinel').role).toBeUndefined();
  });
});
