/**
 * docker.restart end to end: a real Firebreak (Slack stand-in, real PostgreSQL) configured with a
 * Docker target on the Engine API stand-in's unix socket. `/remediate docker.restart shop-api-1`
 * is asked, previewed from the daemon, approved by an approver, executed once, verified healthy,
 * and every step is in the audit trail with the container's state before and after.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { startEngineApi, type EngineApiServer } from '../docker/engine-api.js';
import { idOf, shopContainers } from '../docker/fixtures.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { responseAfter, visible } from './flows.js';

const OPS = 'C0OPS';
let engine: EngineApiServer;
let t: AppUnderTest;
let admin: pg.Client;

beforeAll(async () => {
  engine = await startEngineApi({ containers: shopContainers() });
  t = await startAppUnderTest({
    yaml: [
      'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
      'targets:',
      '  docker:',
      `    - { name: local, host: "${engine.unixHost}", project: shop, containers: [nginx] }`,
      'approvals:',
      '  approvers: [U0BOB]',
      'remediation:',
      '  allow: { docker: [local] }',
    ].join('\n'),
  });
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.stop();
  await engine?.close();
});

describe('docker.restart through Slack', () => {
  it('is previewed from the daemon, approved, restarts the container once, is verified healthy and audited', async () => {
    const startedBefore = engine.get('shop-api-1').inspect.State.StartedAt;
    const since = t.standIn.calls.length;
    const replies = t.standIn.responses.length;
    await t.driver.command({ command: '/remediate', text: 'docker.restart shop-api-1', channelId: OPS, userId: 'U0DAVE' });
    const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === OPS && String(c.args.text).startsWith('Remediation'), 10_000);
    expect(await responseAfter(t, replies, 10_000)).toContain('Asked for approval');
    const shown = visible(message);
    expect(shown).toContain('docker.restart shop-api-1');
    expect(shown).toContain('unhealthy');
    expect(shown).toContain('Failed to connect to localhost port 8080');
    expect(shown).toContain('restart container shop-api-1');
    // Nothing has changed yet: only reads so far.
    expect(engine.requests.filter((r) => r.method === 'POST')).toEqual([]);

    const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
    const ts = (message.result as { ts: string }).ts;
    const before = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: 'remediation_approve', value: approve.value as string, userId: 'U0BOB', channelId: OPS, message: { ts } });
    const outcome = await responseAfter(t, before, 30_000);
    expect(outcome).toContain('Done: shop-api-1 restarted');
    expect(outcome).toContain('healthy');
    await t.running.ctx.inflight.drain(30_000);

    expect(engine.requests.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual([`/v1.44/containers/${idOf('shop-api-1')}/restart?t=10`]);
    const state = engine.get('shop-api-1').inspect.State;
    expect(state).toMatchObject({ Running: true, Health: { Status: 'healthy' } });
    expect(state.StartedAt).not.toBe(startedBefore);

    const final = t.standIn.callsTo('chat.update').filter((c) => c.args.ts === ts).at(-1)!;
    expect(visible(final)).toContain(':white_check_mark: Done');
    expect(JSON.stringify(final.args.blocks)).not.toContain('remediation_approve');

    const audit = (await admin.query(`select event, actor_id, target_name, detail, before, after from ${t.schema}.remediation_audit where action_id = 'docker.restart' order by id`)).rows;
    expect(audit.map((r) => `${r.event}:${r.actor_id}`)).toEqual(['requested:U0DAVE', 'approved:U0BOB', 'started:U0BOB', 'succeeded:U0BOB']);
    expect(audit.every((r) => r.target_name === 'local')).toBe(true);
    const succeeded = audit.at(-1)!;
    expect(succeeded.detail).toMatch(/^shop-api-1 restarted \(it was running, started at .*\); shop-api-1 running since \d+ s, healthy$/);
    expect(succeeded.before).toMatchObject({ id: idOf('shop-api-1'), startedAt: startedBefore, health: 'unhealthy' });
    expect(succeeded.after).toMatchObject({ 'shop-api-1': { status: 'running', health: 'healthy', startedAt: state.StartedAt } });
  });
});
