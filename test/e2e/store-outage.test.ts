/**
 * The database goes away while Firebreak runs: the reporter is told the incident was not recorded
 * (with what they typed, so nothing is lost), /healthz says 503, and the process keeps serving.
 * When the database comes back, so does everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { TEST_DATABASE_URL } from '../services.js';
import { declarationValues, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

let proxy: TcpProxy;
let t: AppUnderTest;

beforeAll(async () => {
  const target = new URL(TEST_DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(TEST_DATABASE_URL);
  viaProxy.port = String(proxy.port);
  t = await startAppUnderTest({ databaseUrl: viaProxy.toString() });
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await t?.stop();
  await proxy?.close();
});

async function submit(title: string, userId = 'U0ALICE') {
  const cmd = await t.driver.command({ command: '/incident', text: 'open', channelId: 'C0WAR', userId });
  const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
  return t.driver.viewSubmission({
    view: viewFromCall(open),
    values: declarationValues({ title, severity: 'P0', impact: 'All users', symptoms: 'Site down' }),
    userId,
  });
}

describe('when the store is unreachable', () => {
  it('tells the reporter what failed and what they entered, answers 503, keeps running, and recovers', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    await proxy.cut();

    const res = await submit('Payments down');
    expect(res.status).toBe(200);
    const warn = await t.standIn.waitFor('chat.postEphemeral', undefined, 15_000);
    expect(warn.args).toMatchObject({ channel: 'C0WAR', user: 'U0ALICE' });
    const text = warn.args.text as string;
    expect(text).toMatch(/Could not record the incident: Firebreak's database is unreachable \(\w+\)\. Nothing was lost; try again in a minute\./);
    expect(text).toContain('The incident was *not* declared: run `/incident open` again.');
    expect(text).toContain('>*Title:* Payments down');
    expect(text).toContain('>*Impact:* All users');
    expect(t.standIn.callsTo('chat.postMessage')).toHaveLength(0);

    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', store: 'unreachable', backend: 'postgres' });
    // Alive all the same: a liveness probe must not restart a process that only waits for its store.
    const live = await fetch(`${t.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'alive' });

    // still serving Slack
    const help = await t.driver.command({ command: '/incident', text: 'help' });
    expect(help.status).toBe(200);

    // Everyone who needs the store meanwhile is told, not only the first: a command, another declaration.
    const list = await t.driver.command({ command: '/incident', text: 'list', userId: 'U0BOB', channelId: 'C0WAR' });
    expect(list.status).toBe(200);
    const listed = await t.standIn.waitForResponse((r) => r.path === new URL(list.responseUrl).pathname, 15_000);
    expect(JSON.stringify(listed.body)).toContain("Firebreak's database is unreachable");
    expect((await submit('Search down', 'U0CAROL')).status).toBe(200);
    const told = await t.standIn.waitFor('chat.postEphemeral', (c) => c.args.user === 'U0CAROL', 15_000);
    expect(told.args.text).toContain('>*Title:* Search down');
    expect(t.standIn.callsTo('chat.postMessage')).toHaveLength(0);

    await proxy.restore();
    await expect.poll(async () => (await fetch(`${t.url}/healthz`)).status, { timeout: 10_000 }).toBe(200);
    t.standIn.reset();
    await submit('Payments down');
    const post = await t.standIn.waitFor('chat.postMessage', undefined, 10_000);
    expect(post.args.text).toContain('INC-1: Payments down');
    expect(await t.incidentRows()).toHaveLength(1);
  });
});
