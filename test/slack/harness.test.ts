/**
 * Tests of the Slack test harness itself: the signing helper, the Web API stand-in (driven by the
 * real @slack/web-api client Bolt uses, so the wire format is the real one) and the driver.
 * The end-to-end checks with a real Bolt app are in harness-bolt.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { signatureFor, viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { newTriggerId, startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';

describe('signing helper', () => {
  it("reproduces Slack's documented known-answer vector", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
      '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
      '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signatureFor('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });
});

/** Platform errors from web-api carry Slack's answer in `data`. */
async function slackError(promise: Promise<unknown>): Promise<{ code?: string; data?: { error?: string }; retryAfter?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; data?: { error?: string } };
  }
  throw new Error('expected the call to fail');
}

describe('Slack Web API stand-in', () => {
  let standIn: SlackStandIn;
  let client: webApi.WebClient;

  beforeAll(async () => {
    standIn = await startSlackStandIn();
    client = new webApi.WebClient('xoxb-test', {
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
  });
  afterAll(() => standIn.close());
  beforeEach(() => standIn.reset());

  it('records calls with the bearer token and decodes JSON-encoded form args', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*DB down*' } }];
    const res = await client.chat.postMessage({ channel: 'C1', text: 'hello', blocks, thread_ts: '1.000001' });
    expect(res.ok).toBe(true);
    expect(res.message).toMatchObject({ type: 'message', text: 'hello', blocks, bot_id: 'B0BOT', ts: res.ts, thread_ts: '1.000001' });
    const [call] = standIn.callsTo('chat.postMessage');
    expect(call).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', args: { channel: 'C1', text: 'hello', blocks } });
    expect(call?.result).toEqual(expect.objectContaining({ ok: true, channel: 'C1', ts: res.ts }));

    // JSON bodies are accepted as well.
    const raw = await fetch(`${standIn.apiUrl}users.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ user: 'U0ALICE' }),
    });
    expect(await raw.json()).toMatchObject({ ok: true, user: { id: 'U0ALICE', name: 'alice', tz: 'Europe/Paris', tz_offset: 3600 } });
    expect(standIn.callsTo('users.info')[0]?.token).toBe('xoxb-json');
  });

  it('hands out unique, increasing message timestamps and validates chat.postMessage', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    const ts = standIn.callsTo('chat.postMessage').map((c) => (c.result as { ts: string }).ts);
    expect(new Set(results.map((r) => r.ts)).size).toBe(20);
    for (const t of ts) expect(t).toMatch(/^\d{10}\.\d{6}$/);
    for (let i = 1; i < ts.length; i++) expect(BigInt(ts[i]!.replace('.', ''))).toBeGreaterThan(BigInt(ts[i - 1]!.replace('.', '')));

    expect((await slackError(client.chat.postMessage({ channel: '', text: 'x' }))).data?.error).toBe('channel_not_found');
    expect((await slackError(client.chat.postMessage({ channel: 'C1' } as never))).data?.error).toBe('no_text');
  });

  it('fails the next call on demand: ok:false, then 429 with Retry-After, then back to normal', async () => {
    standIn.failNext('chat.update', { error: 'cant_update_message' });
    standIn.failNext('chat.update', { status: 429, retryAfter: 7 });
    const platform = await slackError(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }));
    expect(platform).toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'cant_update_message' } });

    const raw = await fetch(`${standIn.apiUrl}chat.update`, { method: 'POST', body: 'channel=C1&ts=1.2&text=x' });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');

    standIn.failNext('chat.update', { status: 429, retryAfter: 7 });
    const limited = new webApi.WebClient('xoxb-test', { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    expect(await slackError(limited.chat.update({ channel: 'C1', ts: '1.2', text: 'x' }))).toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 7,
    });

    standIn.failNext('chat.update', { status: 503 });
    expect((await fetch(`${standIn.apiUrl}chat.update`, { method: 'POST', body: 'channel=C1' })).status).toBe(503);
    expect((await client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).ok).toBe(true);
  });

  it('enforces trigger_id expiry, single use and format on views.open / views.push', async () => {
    const view = { type: 'modal' as const, callback_id: 'declare', title: { type: 'plain_text' as const, text: 'Declare' }, blocks: [] };
    const trigger = newTriggerId();
    const opened = await client.views.open({ trigger_id: trigger, view });
    expect(opened.view).toMatchObject({ id: expect.stringMatching(/^V/), hash: expect.stringMatching(/^\d+\.\d{6}\.[0-9a-f]+$/), callback_id: 'declare', state: { values: {} } });

    expect((await slackError(client.views.push({ trigger_id: trigger, view }))).data?.error).toBe('exchanged_trigger_id');
    expect((await slackError(client.views.open({ trigger_id: newTriggerId(Date.now() - 3500), view }))).data?.error).toBe('expired_trigger_id');
    expect((await slackError(client.views.open({ trigger_id: '12345.67.abc', view }))).data?.error).toBe('invalid_trigger_id');

    // views.update keeps the id, changes the hash, and refuses a stale hash.
    const id = opened.view!.id!;
    const updated = await client.views.update({ view_id: id, hash: opened.view!.hash!, view: { ...view, private_metadata: 'INC-1' } });
    expect(updated.view).toMatchObject({ id, private_metadata: 'INC-1' });
    expect(updated.view!.hash).not.toBe(opened.view!.hash);
    expect((await slackError(client.views.update({ view_id: id, hash: opened.view!.hash!, view }))).data?.error).toBe('hash_conflict');

    expect(viewFromCall(standIn.callsTo('views.update')[0]!)).toEqual({ id, hash: updated.view!.hash, callback_id: 'declare', private_metadata: 'INC-1', blocks: [] });
  });

  it('creates channels once and refuses invalid names', async () => {
    const created = await client.conversations.create({ name: 'inc-42-db-down', is_private: false });
    expect(created.channel).toMatchObject({ id: expect.stringMatching(/^C/), name: 'inc-42-db-down', is_channel: true, creator: 'U0BOT', is_private: false });
    expect((await slackError(client.conversations.create({ name: 'inc-42-db-down' }))).data?.error).toBe('name_taken');
    expect((await slackError(client.conversations.create({ name: 'Inc 42!' }))).data?.error).toBe('invalid_name_specials');
    expect((await slackError(client.conversations.create({ name: 'x'.repeat(81) }))).data?.error).toBe('invalid_name_maxlength');

    const channel = created.channel!.id!;
    await client.conversations.invite({ channel, users: 'U0ALICE,U0BOB' });
    await client.conversations.setTopic({ channel, topic: 'P1: DB down' });
    expect((await client.conversations.members({ channel })).members).toEqual(['U0BOT', 'U0ALICE', 'U0BOB']);
    expect((await client.conversations.info({ channel })).channel).toMatchObject({ name: 'inc-42-db-down', topic: { value: 'P1: DB down' } });
    expect((await client.chat.getPermalink({ channel, message_ts: '1700000000.000100' })).permalink).toBe(
      `https://firebreak-test.slack.com/archives/${channel}/p1700000000000100`,
    );
  });

  it('round-trips a file upload (getUploadURLExternal → upload URL → completeUploadExternal)', async () => {
    const content = Buffer.from('timeline\n12:00 alert fired\n');
    const res = await client.filesUploadV2({ channel_id: 'C1', file: content, filename: 'timeline.txt', title: 'Timeline' });
    const fileId = (standIn.callsTo('files.getUploadURLExternal')[0]?.result as { file_id: string }).file_id;
    expect(standIn.uploadedFile(fileId)).toEqual(content);
    const complete = standIn.callsTo('files.completeUploadExternal')[0];
    expect(complete?.args).toMatchObject({ channel_id: 'C1', files: [{ id: fileId, title: 'Timeline' }] });
    expect(JSON.stringify(res)).toContain(fileId);
  });

  it('waits for future calls and explains a timeout', async () => {
    const waiting = standIn.waitFor('reactions.add', (c) => c.args.name === 'eyes');
    await client.reactions.add({ channel: 'C1', timestamp: '1.000001', name: 'fire' });
    await client.reactions.add({ channel: 'C1', timestamp: '1.000001', name: 'eyes' });
    expect((await waiting).args).toMatchObject({ name: 'eyes' });

    await expect(standIn.waitFor('pins.add', undefined, 50)).rejects.toThrow(
      /no call to pins\.add within 50 ms\. Methods seen so far: reactions\.add ×2/,
    );
  });

  it('supports handler overrides, response_url posts and unknown methods', async () => {
    standIn.setHandler('usergroups.users.list', () => ({ users: ['U0ALICE'] }));
    expect((await client.usergroups.users.list({ usergroup: 'S1' })).users).toEqual(['U0ALICE']);
    expect((await slackError(client.apiCall('chat.frobnicate'))).data?.error).toBe('unknown_method');

    const url = standIn.responseUrl();
    const waiting = standIn.waitForResponse((r) => r.path === new URL(url).pathname);
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'done' }) });
    expect((await waiting).body).toEqual({ text: 'done' });
  });
});
