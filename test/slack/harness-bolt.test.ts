/**
 * End-to-end check of the harness against a real Bolt app (HTTPReceiver on a real port):
 * the driver signs and posts like Slack, the stand-in answers the app's Web API calls.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { createSlackDriver, viewFromCall, type SlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';

const signingSecret = 'test-signing-secret';
const pingBlocks = [{ type: 'section', block_id: 'greeting', text: { type: 'mrkdwn', text: '*hi*' } }];

describe('harness end-to-end with a real Bolt app', () => {
  let standIn: SlackStandIn;
  let app: App;
  let driver: SlackDriver;
  // What the listeners saw, captured before they ack so it is set when the HTTP answer arrives.
  const seenViews: Array<{ callbackId: string; metadata: string; values: unknown; userId: string; hash: string }> = [];
  const seenActions: Array<{ actionId: string; value: string | undefined; messageTs: string | undefined; channelId: string | undefined; userId: string }> = [];

  beforeAll(async () => {
    // The stand-in must be up before `new App()`: Bolt calls auth.test from the constructor.
    standIn = await startSlackStandIn();
    app = new App({
      token: 'xoxb-test',
      signingSecret,
      clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/ping', async ({ ack, client, body }) => {
      await ack('pong');
      await client.chat.postMessage({ channel: body.channel_id, text: 'hi', blocks: pingBlocks });
    });
    app.command('/declare', async ({ ack, client, body }) => {
      await ack();
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'declare_incident',
          private_metadata: JSON.stringify({ channel: body.channel_id }),
          title: { type: 'plain_text', text: 'Declare incident' },
          submit: { type: 'plain_text', text: 'Declare' },
          blocks: [{ type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'value' } }],
        },
      });
    });
    app.view('declare_incident', async ({ ack, view, body }) => {
      seenViews.push({ callbackId: view.callback_id, metadata: view.private_metadata, values: view.state.values, userId: body.user.id, hash: view.hash });
      const title = view.state.values.title?.value?.value;
      if (!title) await ack({ response_action: 'errors', errors: { title: 'A title is required' } });
      else await ack();
    });
    app.action('ack_incident', async ({ ack, body, action, respond }) => {
      const b = body as { message?: { ts?: string }; channel?: { id?: string }; user: { id: string } };
      seenActions.push({
        actionId: 'action_id' in action ? action.action_id : '',
        value: 'value' in action ? action.value : undefined,
        messageTs: b.message?.ts,
        channelId: b.channel?.id,
        userId: b.user.id,
      });
      await ack();
      await respond({ text: 'Acknowledged', replace_original: false });
    });

    // Port 0: the OS picks a free port, read back from the server Bolt returns.
    const server = (await app.start(0)) as Server;
    const { port } = server.address() as AddressInfo;
    driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret, standIn });
  });

  afterAll(async () => {
    await app?.stop();
    await standIn?.close();
  });

  it('answers a signed slash command and the app calls the Web API through the stand-in', async () => {
    const res = await driver.command({ command: '/ping', channelId: 'C0OPS' });
    expect(res).toMatchObject({ status: 200, text: 'pong' });

    const post = await standIn.waitFor('chat.postMessage');
    expect(post.token).toBe('xoxb-test');
    expect(post.args).toMatchObject({ channel: 'C0OPS', text: 'hi', blocks: pingBlocks });
    expect(standIn.calls[0]?.method).toBe('auth.test');
  });

  it('rejects a forged signature and a stale timestamp with 401, a charset suffix with 400', async () => {
    const body = new URLSearchParams({ command: '/ping', text: '', channel_id: 'C0GENERAL', user_id: 'U0ALICE' }).toString();
    const forged = await driver.post(body, { ...driver.sign(body), 'x-slack-signature': 'v0=' + '0'.repeat(64) });
    expect(forged).toMatchObject({ status: 401, text: '' });

    const stale = await driver.post(body, driver.sign(body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale.status).toBe(401);

    const charset = await driver.post(body, { ...driver.sign(body), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    expect(charset.status).toBe(400);
  });

  it('submits the modal the app opened and the view listener gets its fields', async () => {
    const cmd = await driver.command({ command: '/declare', channelId: 'C0OPS' });
    expect(cmd).toMatchObject({ status: 200, text: '' });
    const opened = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    expect(opened.result).toMatchObject({ ok: true });
    const view = viewFromCall(opened);

    const empty = await driver.viewSubmission({ view, values: { title: { value: { type: 'plain_text_input', value: null } } } });
    expect(empty).toMatchObject({ status: 200, json: { response_action: 'errors', errors: { title: 'A title is required' } } });

    const values = { title: { value: { type: 'plain_text_input', value: 'DB down' } } };
    const ok = await driver.viewSubmission({ view, values, userId: 'U0BOB' });
    expect(ok).toMatchObject({ status: 200, text: '' });
    expect(seenViews.at(-1)).toEqual({ callbackId: 'declare_incident', metadata: '{"channel":"C0OPS"}', values, userId: 'U0BOB', hash: view.hash });
  });

  it('delivers a block action with its message, and respond() reaches the response_url', async () => {
    const res = await driver.blockAction({ actionId: 'ack_incident', value: 'INC-7', channelId: 'C0OPS', message: { ts: '1700000000.000100', text: 'Incident' } });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(seenActions.at(-1)).toEqual({ actionId: 'ack_incident', value: 'INC-7', messageTs: '1700000000.000100', channelId: 'C0OPS', userId: 'U0ALICE' });

    const reply = await standIn.waitForResponse((r) => r.path === new URL(res.responseUrl).pathname);
    expect(reply.body).toEqual({ text: 'Acknowledged', replace_original: false });
  });
});
