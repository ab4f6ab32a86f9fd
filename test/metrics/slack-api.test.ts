/**
 * The counting fetch under a real Web API client, against the Slack stand-in: each attempt is a
 * call; a 429 is `ratelimited` (waited out or handed back), Slack's errors are counted by code,
 * HTTP and transport failures by what they were; other addresses pass uncounted.
 */
import net from 'node:net';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { countingFetch } from '../../src/adapters/slack/api-metrics.js';
import { recordingMetrics } from './recording-metrics.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(async () => {
  await standIn?.close();
});

function client(options: Partial<webApi.WebClientOptions> = {}, apiUrl = standIn.apiUrl) {
  const metrics = recordingMetrics();
  const web = new webApi.WebClient('xoxb-test', { slackApiUrl: apiUrl, fetch: countingFetch(metrics, apiUrl), retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR, ...options });
  return { web, metrics };
}

describe('Web API calls, counted', () => {
  it('counts a call that Slack answers ok, with no error', async () => {
    const { web, metrics } = client();
    await web.chat.postMessage({ channel: 'C0GENERAL', text: 'hello' });
    expect(metrics.of('slackApiCall')).toEqual([['chat.postMessage', null]]);
  });

  it('counts a 429 as ratelimited, then the attempt that went through, when the client waits it out', async () => {
    const { web, metrics } = client({ retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 10 } });
    standIn.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await web.chat.postMessage({ channel: 'C0GENERAL', text: 'after a wait' });
    expect(metrics.of('slackApiCall')).toEqual([
      ['chat.postMessage', 'ratelimited'],
      ['chat.postMessage', null],
    ]);
  });

  it('counts a 429 handed back to the caller as ratelimited too', async () => {
    const { web, metrics } = client({ rejectRateLimitedCalls: true });
    standIn.failNext('conversations.create', { status: 429, retryAfter: 3 });
    await expect(web.conversations.create({ name: 'inc-1' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error' });
    expect(metrics.of('slackApiCall')).toEqual([['conversations.create', 'ratelimited']]);
  });

  it("counts Slack's error by its code, and an HTTP failure by its status", async () => {
    const { web, metrics } = client();
    standIn.failNext('pins.add', { error: 'channel_not_found' });
    await expect(web.pins.add({ channel: 'C0NOPE', timestamp: '1.2' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    standIn.failNext('chat.update', { status: 503 });
    await expect(web.chat.update({ channel: 'C0GENERAL', ts: '1.2', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_http_error' });
    expect(metrics.of('slackApiCall')).toEqual([
      ['pins.add', 'channel_not_found'],
      ['chat.update', 'http_503'],
    ]);
  });

  it('counts a Slack that cannot be reached as network, and one that does not answer in time as timeout', async () => {
    const closed = net.createServer();
    const port = await new Promise<number>((r) => closed.listen(0, '127.0.0.1', () => r((closed.address() as net.AddressInfo).port)));
    await new Promise((r) => closed.close(r));
    const gone = client({}, `http://127.0.0.1:${port}/api/`);
    await expect(gone.web.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(gone.metrics.of('slackApiCall')).toEqual([['auth.test', 'network']]);

    const slow = client({ timeout: 200 });
    standIn.failNext('auth.test', { hang: true });
    await expect(slow.web.auth.test()).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(slow.metrics.of('slackApiCall')).toEqual([['auth.test', 'timeout']]);
  });

  it('leaves requests to other addresses (a response_url) uncounted', async () => {
    const metrics = recordingMetrics();
    const fetch = countingFetch(metrics, standIn.apiUrl);
    const res = await fetch(standIn.responseUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'hi' }) });
    expect(res.status).toBe(200);
    expect(metrics.told).toEqual([]);
  });
});
