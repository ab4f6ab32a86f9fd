/**
 * Many people ask for the same diagnosis at once (the first minutes of an incident): through
 * Slack's wire format, against the real PostgreSQL behind a proxy that counts connections, the
 * requests share one run, so the database that may already be short of connections sees a handful
 * of them, not one pool per request; and every requester still gets the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { visible } from './flows.js';
import { parseExposition, sumOf } from './prometheus-text.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const REQUESTS = 25;
/** The PostgreSQL probe's pool size (src/adapters/targets/postgres/connect.ts): one run opens at most this many. */
const ONE_RUN = 4;

let t: AppUnderTest;
let proxy: TcpProxy;

beforeAll(async () => {
  const db = new URL(TEST_DATABASE_URL);
  proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  const viaProxy = new URL(TEST_DATABASE_URL);
  viaProxy.port = String(proxy.port);
  const yaml = ['incidents:', `  channel: ${INCIDENTS_CHANNEL}`, 'targets:', '  postgres:', `    - { name: main, url: "${viaProxy.toString()}" }`, 'diagnostics:', '  timeout: 5s'].join('\n');
  t = await startAppUnderTest({ yaml });
});
afterAll(async () => {
  await t?.stop();
  await proxy?.close();
});

describe(`${REQUESTS} people asking /diag db (main) at once`, () => {
  it('share one run: a few connections to the target, a report for each of them', async () => {
    const channels = Array.from({ length: REQUESTS }, (_, i) => `C0LOAD${String(i).padStart(2, '0')}`);
    // Half name the target, half leave it to the first one (main): the same probes, one diagnosis.
    const acks = await Promise.all(channels.map((channelId, i) => t.driver.command({ command: '/diag', text: i % 2 ? 'db main' : 'db', channelId, userId: `U0PERSON${i}` })));
    expect(acks.map((a) => a.status)).toEqual(channels.map(() => 200));

    const running = await Promise.all(channels.map((channel) => t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === channel, 15_000)));
    expect(running.filter((r) => visible(r).includes('joined the same diagnosis')).length).toBeGreaterThanOrEqual(REQUESTS - 2);
    const reports = await Promise.all(running.map((r) => t.standIn.waitFor('chat.update', (c) => c.args.ts === (r.result as { ts: string }).ts && c.args.channel === r.args.channel, 20_000)));
    for (const report of reports) {
      expect(visible(report)).toContain('Diagnostics db');
      expect(visible(report)).not.toContain('unreachable');
    }
    await t.running.ctx.inflight.drain(15_000);
    // Without sharing, each request opened its own pool: at least one connection each.
    expect(proxy.accepted).toBeGreaterThan(0);
    expect(proxy.accepted).toBeLessThanOrEqual(2 * ONE_RUN);

    // GET /metrics says the same: nearly everyone joined, nothing refused, nothing left running.
    const res = await fetch(`${t.url}/metrics`);
    const metrics = parseExposition(await res.text());
    expect(metrics.types.get('firebreak_diagnoses_joined_total')).toBe('counter');
    expect(sumOf(metrics, 'firebreak_diagnoses_joined_total')).toBeGreaterThanOrEqual(REQUESTS - 2);
    expect(sumOf(metrics, 'firebreak_diagnoses_refused_total')).toBe(0);
    expect(sumOf(metrics, 'firebreak_diagnoses_running')).toBe(0);
    expect(sumOf(metrics, 'firebreak_diagnoses_waiting')).toBe(0);
  }, 60_000);
});
