import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { redisProbe } from '../../../src/adapters/targets/redis/probe/index.js';
import { context, infoField, startRedis, waitFor, type TestRedis } from './redis-server.js';

const byCheck = (findings: Finding[], check: string): Finding => {
  const f = findings.find((x) => x.check === check);
  if (!f) throw new Error(`no "${check}" finding in ${findings.map((x) => x.check).join(', ')}`);
  return f;
};

describe('redis probe: replication', () => {
  let master: TestRedis;
  let replica: TestRedis;
  beforeAll(async () => {
    master = await startRedis(['--repl-diskless-sync-delay', '0']);
    await master.client.set('replicated', 'yes');
    replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)]);
    await waitFor('the replica link to come up', async () => (await infoField(replica.client, 'replication', 'master_link_status')) === 'up');
    await waitFor('the master to see its replica online', async () => /state=online/.test((await infoField(master.client, 'replication', 'slave0')) ?? ''));
  });
  afterAll(async () => Promise.all([replica?.stop(), master?.stop()]));

  it('a replica with its link up is ok, and so is its lag', async () => {
    const findings = await redisProbe({ name: 'replica', url: replica.url }).run(context(3000));
    expect(byCheck(findings, 'reachable').value).toMatch(/\(standalone, replica\)/);
    expect(byCheck(findings, 'replication')).toMatchObject({ status: 'ok', value: `replica of 127.0.0.1:${master.port}, link up` });
    const lag = byCheck(findings, 'replication lag');
    expect(lag.status).toBe('ok');
    expect(lag.value).toMatch(/^last I\/O from the master \d+ s ago, replication offset \d+$/);
    expect(lag.threshold).toBe('warning above 10 s, critical above 60 s');
  });

  it('a master lists its replicas, each with its lag', async () => {
    const findings = await redisProbe({ name: 'primary', url: master.url }).run(context(3000));
    expect(byCheck(findings, 'replication')).toMatchObject({ status: 'ok', value: `master, 1 replica connected: 127.0.0.1:${replica.port} online` });
    const lag = byCheck(findings, 'replica lag');
    expect(lag).toMatchObject({ status: 'ok', component: `primary replica 127.0.0.1:${replica.port}` });
    expect(lag.value).toMatch(/^online, \d+(\.\d)? (B|KiB) behind, last acknowledgement \d+ s ago$/);
  });

  it('a frozen replica stops acknowledging, a frozen master stops talking: lag warnings', async () => {
    const strict = { replicationLagWarnSeconds: 1, replicationLagCritSeconds: 60 };
    replica.child.kill('SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 2500));
      const lag = byCheck(await redisProbe({ name: 'primary', url: master.url, thresholds: strict }).run(context(3000)), 'replica lag');
      expect(lag.status).toBe('warning');
      expect(lag.value).toMatch(/^online, .+ behind, last acknowledgement [2-9] s ago$/);
      expect(lag.threshold).toBe('warning above 1 s, critical above 60 s');
      expect(lag.recommendation).toMatch(/stale/);
    } finally {
      replica.child.kill('SIGCONT');
    }
    master.child.kill('SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 2500));
      const findings = await redisProbe({ name: 'replica', url: replica.url, thresholds: strict }).run(context(3000));
      expect(byCheck(findings, 'replication').status).toBe('ok');
      const lag = byCheck(findings, 'replication lag');
      expect(lag.status).toBe('warning');
      expect(lag.value).toMatch(/^last I\/O from the master ([2-9]|1\d) s ago/);
    } finally {
      master.child.kill('SIGCONT');
    }
  });

  it('once the master is killed, the replica reports master_link_status down as critical', async () => {
    await master.stop();
    await waitFor('the replica to see its master gone', async () => (await infoField(replica.client, 'replication', 'master_link_status')) === 'down');
    const findings = await redisProbe({ name: 'replica', url: replica.url }).run(context(3000));
    const replication = byCheck(findings, 'replication');
    expect(replication.status).toBe('critical');
    expect(replication.value).toMatch(new RegExp(`^replica of 127\\.0\\.0\\.1:${master.port}: master_link_status down for \\d+ s$`));
    expect(replication.evidence).toContain('master_link_status: down');
    expect(replication.recommendation).toMatch(/masterauth/);
    expect(findings.some((f) => f.check === 'replication lag')).toBe(false);
    // The dead master itself is unreachable.
    const gone = await redisProbe({ name: 'primary', url: master.url }).run(context(2000));
    expect(gone).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
  });
});
