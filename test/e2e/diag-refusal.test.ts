/**
 * A diagnosis refused because too many are already running and waiting: through Slack's wire
 * format to the running app, with one turn and no queue. A target that never answers holds the
 * turn; a second /diag is told privately, with the numbers, that nothing was run, and nothing is
 * posted in its channel; once the turn is free the same command runs. /metrics counts the refusal.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { responseAfter, visible } from './flows.js';
import { parseExposition, sumOf } from './prometheus-text.js';

let t: AppUnderTest;
let silent: net.Server;

beforeAll(async () => {
  silent = net.createServer(() => undefined); // accepts, never answers
  const silentPort = await new Promise<number>((r) => silent.listen(0, '127.0.0.1', () => r((silent.address() as net.AddressInfo).port)));
  const yaml = [
    'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
    'targets:', '  postgres:', `    - { name: main, url: "${TEST_DATABASE_URL}" }`, `    - { name: hung, url: "postgres://postgres@127.0.0.1:${silentPort}/test" }`,
    'diagnostics:', '  timeout: 3s', '  concurrency: 1', '  queue: 0',
  ].join('\n');
  t = await startAppUnderTest({ yaml });
});
afterAll(async () => {
  await t?.stop();
  silent?.close();
});

describe('/diag with one turn and no queue', () => {
  it('refuses a second diagnosis privately while the first runs, posts nothing for it, and runs it once the turn is free', async () => {
    const first = await t.driver.command({ command: '/diag', text: 'db hung', channelId: 'C0FIRST', userId: 'U0ANNA' });
    expect(first.status).toBe(200);
    const running = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FIRST', 5000);
    expect(visible(running)).toContain('Running diagnostics on hung (postgres)');

    const since = t.standIn.responses.length;
    const second = await t.driver.command({ command: '/diag', text: 'db main', channelId: 'C0SECOND', userId: 'U0BEN' });
    expect(second.status).toBe(200);
    const refusal = await responseAfter(t, since);
    expect(refusal).toContain('Firebreak is already running 1 diagnosis and 0 more are waiting, so this one was not started (nothing was run)');
    expect(refusal).toContain('Try again in a minute');

    // The first one ends at its timeout, as unreachable; only then is the turn free.
    const report = await t.standIn.waitFor('chat.update', (c) => c.args.channel === 'C0FIRST' && c.args.ts === (running.result as { ts: string }).ts, 10_000);
    expect(visible(report)).toContain('unreachable');
    expect(t.standIn.calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0SECOND')).toEqual([]);
    await t.running.ctx.inflight.drain(10_000);

    await t.driver.command({ command: '/diag', text: 'db main', channelId: 'C0SECOND', userId: 'U0BEN' });
    const again = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === 'C0SECOND', 5000);
    const done = await t.standIn.waitFor('chat.update', (c) => c.args.channel === 'C0SECOND' && c.args.ts === (again.result as { ts: string }).ts, 10_000);
    expect(visible(done)).toContain('Diagnostics db');
    expect(visible(done)).not.toContain('unreachable');

    const metrics = parseExposition(await (await fetch(`${t.url}/metrics`)).text());
    expect(sumOf(metrics, 'firebreak_diagnoses_refused_total')).toBe(1);
    expect(sumOf(metrics, 'firebreak_diagnoses_running')).toBe(0);
  }, 40_000);
});
