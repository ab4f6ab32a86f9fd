import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { redisProbe } from '../../../src/adapters/targets/redis/probe/index.js';
import { context, infoField, startRedis, waitFor, type TestRedis } from './redis-server.js';

const byCheck = (findings: Finding[], check: string): Finding => {
  const f = findings.find((x) => x.check === check);
  if (!f) throw new Error(`no "${check}" finding`);
  return f;
};

describe('redis probe: persistence and CONFIG', () => {
  let saving: TestRedis;
  let broken: TestRedis;
  let noConfig: TestRedis;
  beforeAll(async () => {
    [saving, broken, noConfig] = await Promise.all([
      startRedis(['--save', '3600 1', '--appendonly', 'yes']),
      startRedis(['--save', '3600 1', '--dbfilename', 'dump.rdb']),
      startRedis(['--save', '3600 1', '--rename-command', 'CONFIG', '']),
    ]);
  });
  afterAll(async () => Promise.all([saving?.stop(), broken?.stop(), noConfig?.stop()]));

  it('snapshots and AOF on, nothing pending: ok; unsaved changes older than the threshold: warning', async () => {
    const fresh = await redisProbe({ name: 'store', url: saving.url }).run(context(3000));
    expect(byCheck(fresh, 'rdb snapshots')).toMatchObject({ status: 'ok', value: expect.stringMatching(/^last successful save \d+ s ago, 0 changes since \(save "3600 1"\)$/) });
    expect(byCheck(fresh, 'aof')).toMatchObject({ status: 'ok', value: 'enabled, last write ok' });

    await saving.client.set('unsaved', '1');
    await new Promise((r) => setTimeout(r, 1100));
    const stale = byCheck(await redisProbe({ name: 'store', url: saving.url, thresholds: { lastSaveWarnSeconds: 1 } }).run(context(3000)), 'rdb snapshots');
    expect(stale.status).toBe('warning');
    expect(stale.value).toMatch(/^last successful save \d+ s ago, 1 change since \(save "3600 1"\)$/);
    expect(stale.threshold).toBe('critical when the last background save failed; warning when unsaved changes are older than 1 s');
  });

  it('a failed background save is critical', async () => {
    // The snapshot cannot be renamed over a directory, so BGSAVE fails as it would on a full disk.
    mkdirSync(path.join(broken.dir, 'dump.rdb', 'in-the-way'), { recursive: true });
    await broken.client.set('k', 'v');
    await broken.client.bgsave();
    await waitFor('the background save to fail', async () => (await infoField(broken.client, 'persistence', 'rdb_last_bgsave_status')) === 'err');
    const findings = await redisProbe({ name: 'store', url: broken.url }).run(context(3000));
    // Redis answers PING with MISCONF then: up, but refusing.
    expect(byCheck(findings, 'reachable')).toMatchObject({ status: 'critical', value: expect.stringMatching(/^Redis 7\.\d+\.\d+ \(standalone, master\), up \d+ s answers but refuses PING: MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk$/) });
    expect(findings.some((f) => f.check === 'ping latency')).toBe(false);
    const rdb = byCheck(findings, 'rdb snapshots');
    expect(rdb).toMatchObject({ status: 'critical', value: 'last background save failed (rdb_last_bgsave_status: err)' });
    expect(rdb.recommendation).toMatch(/stop-writes-on-bgsave-error/);
    expect(rdb.evidence).toContain('rdb_last_bgsave_status: err');
  });

  it('with CONFIG renamed away, what needs it is unknown and the rest still works', async () => {
    const findings = await redisProbe({ name: 'locked', url: noConfig.url }).run(context(3000));
    expect(byCheck(findings, 'reachable').status).toBe('ok');
    const rdb = byCheck(findings, 'rdb snapshots');
    expect(rdb.status).toBe('unknown');
    expect(rdb.value).toMatch(/^cannot tell whether snapshots are configured: CONFIG is renamed or disabled: ERR unknown command 'config'/);
    // INFO reports maxclients and maxmemory itself.
    expect(byCheck(findings, 'clients').status).toBe('ok');
    expect(byCheck(findings, 'memory').status).toBe('ok');
  });
});
