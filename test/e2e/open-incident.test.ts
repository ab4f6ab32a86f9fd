/**
 * The walking skeleton, driven through Slack's own wire format: a signed `/incident open`, the
 * modal the app opens, its submission, the stored incident and the severity-tagged announcement.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { declarationValues, INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';

let t: AppUnderTest;
beforeAll(async () => {
  t = await startAppUnderTest();
});
afterAll(async () => {
  await t?.stop();
});
beforeEach(() => t.standIn.reset());
// Work acknowledged in one test must not spill its Web API calls into the next.
afterEach(async () => {
  await t.running.ctx.inflight.drain(5000);
});

/** Every mrkdwn text of a message: what Slack parses for mentions and links (plain_text is shown as is). */
const mrkdwnTexts = (call: ApiCall): string[] => {
  const out: string[] = [call.args.text as string];
  JSON.stringify(call.args.blocks, (_k, v: unknown) => {
    const o = v as { type?: string; text?: unknown };
    if (o && o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    return v;
  });
  return out;
};

/** Types the command, waits for the modal, submits it with `values`; returns the ack and the view. */
async function declare(text: string, values: Parameters<typeof declarationValues>[0], userId = 'U0ALICE') {
  const cmd = await t.driver.command({ command: '/incident', text: `open ${text}`, userId, channelId: 'C0GENERAL' });
  expect(cmd.status).toBe(200);
  const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
  const view = viewFromCall(open);
  const submitted = await t.driver.viewSubmission({ view, values: declarationValues(values), userId });
  return { open, view, submitted };
}

describe('/incident open, end to end', () => {
  it('opens the modal at once with the title prefilled and every severity with its response time', async () => {
    const cmd = await t.driver.command({ command: '/incident', text: 'open Checkout returns 500' });
    expect(cmd.status).toBe(200);
    expect(cmd.text).toBe('');
    const open = await t.standIn.waitFor('views.open');
    expect(open.args.trigger_id).toBe(cmd.triggerId);
    const view = open.args.view as { callback_id: string; blocks: Array<Record<string, any>> };
    expect(view.callback_id).toBe('incident_open');
    const title = view.blocks.find((b) => b.block_id === 'title');
    expect(title?.element.initial_value).toBe('Checkout returns 500');
    const severity = view.blocks.find((b) => b.block_id === 'severity');
    expect(severity?.element.options.map((o: any) => [o.value, o.text.text, o.description.text])).toEqual([
      ['P0', 'P0 Critical', 'Service completely down · respond < 15 min'],
      ['P1', 'P1 Major', 'Severe degradation · respond < 30 min'],
      ['P2', 'P2 Moderate', 'Limited impact · respond < 2 h'],
      ['P3', 'P3 Minor', 'Little impact · respond < 24 h'],
    ]);
    expect(view.blocks.map((b) => b.block_id)).toEqual(['title', 'severity', 'impact', 'symptoms', 'actions', 'eta', 'commander', 'detected']);
  });

  it('stores the incident and posts the severity-tagged initial notice in the incidents channel', async () => {
    const before = Date.now();
    const { submitted } = await declare('Checkout down', {
      title: 'Checkout returns 500',
      severity: 'P1',
      impact: 'About 30% of payments fail',
      symptoms: '5xx on /api/checkout; latency > 2 s',
      actions: 'Rolling back release 4.2',
      commander: 'U0BOB',
    });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe(''); // an empty 200 closes the modal

    const post = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS_CHANNEL);
    // The confirmation comes last, after the announcement's reference is saved.
    const confirm = await t.standIn.waitFor('chat.postEphemeral');
    const rows = await t.incidentRows();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const number = row.number as number;
    expect(row).toMatchObject({ title: 'Checkout returns 500', severity: 'P1', reporter_id: 'U0ALICE', commander_id: 'U0BOB', status: 'investigating', eta: null });
    expect((row.declared_at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);

    const id = `INC-${number}`;
    expect(post.args.text).toContain(id);
    expect(post.args.text).toContain('Checkout returns 500');
    expect(post.args.text).toContain('P1 Major');
    const blocks = post.args.blocks as Array<Record<string, any>>;
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `P1 · ${id}: Checkout returns 500`, emoji: true } });
    const body = blocks[1]!.text.text as string;
    expect(body).toContain(`*${id}: Checkout returns 500*`);
    expect(body).toContain('*Symptoms:* 5xx on /api/checkout; latency &gt; 2 s');
    expect(body).toContain('*Impact:* About 30% of payments fail');
    expect(body).toContain('*Actions under way:* Rolling back release 4.2');
    expect(body).toContain('*ETA:* —');
    expect(body).toContain('Commander: <@U0BOB>');
    expect(body).toContain('Declared by <@U0ALICE>');
    expect(body).toContain('Updates every 15 min');
    expect(body).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
    expect(row.announcement_channel).toBe(INCIDENTS_CHANNEL);
    expect(row.announcement_ts).toBe((post.result as { ts: string }).ts);

    expect(confirm.args).toMatchObject({ channel: 'C0GENERAL', user: 'U0ALICE' });
    expect(confirm.args.text).toContain(`${id}* declared and announced in <#${INCIDENTS_CHANNEL}>`);
  });

  it('allocates the next id per workspace: a second incident is the next number', async () => {
    const before = (await t.incidentRows()).length;
    await declare('', { title: 'Search is slow', severity: 'P3' });
    const post = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS_CHANNEL);
    expect(post.args.text).toContain(`INC-${before + 1}: Search is slow`);
  });

  it('creates no second incident when Slack delivers the same submission twice', async () => {
    const before = (await t.incidentRows()).length;
    const { view } = await declare('', { title: 'Login loops', severity: 'P2' });
    await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS_CHANNEL);
    const again = await t.driver.viewSubmission({ view, values: declarationValues({ title: 'Login loops', severity: 'P2' }) });
    expect(again.status).toBe(200);
    // the second delivery is processed in the background too: wait for the app to settle
    await t.running.ctx.inflight.drain(5000);
    expect((await t.incidentRows()).length).toBe(before + 1);
    expect(t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === INCIDENTS_CHANNEL)).toHaveLength(1);
    expect(t.standIn.callsTo('conversations.create')).toHaveLength(1);
  });

  it('shows validation errors on the fields and stores nothing', async () => {
    const before = (await t.incidentRows()).length;
    const { submitted } = await declare('', { title: '   ', severity: undefined });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toEqual({
      response_action: 'errors',
      errors: { title: 'A title is required: one line saying what is broken.', severity: 'Pick a severity, P0 to P3.' },
    });
    const forged = await declare('', { title: 'x', severity: 'P9' });
    expect(forged.submitted.json).toEqual({ response_action: 'errors', errors: { severity: '"P9" is not a severity; pick P0, P1, P2 or P3.' } });
    await t.running.ctx.inflight.drain(5000);
    expect((await t.incidentRows()).length).toBe(before);
    expect(t.standIn.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('never lets a hostile title ping anyone or break formatting', async () => {
    await declare('', { title: '<!channel> *URGENT* <@U0CEO>', severity: 'P0', symptoms: '<https://evil.example|click>' });
    const post = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS_CHANNEL);
    const everything = mrkdwnTexts(post).join('\n');
    expect(everything).toContain('&lt;https://evil.example|click&gt;');
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('<@U0CEO>');
    expect(everything).not.toContain('<https://evil');
    expect(post.args.text).toContain('&lt;!channel&gt;');
    // the severity emoji is markup Firebreak builds, not user text: it must survive intact
    expect(everything).toContain(':red_circle: P0 Critical');
  });

  it('keeps the incident when the announcement cannot be posted, and tells the reporter', async () => {
    t.standIn.failNext('chat.postMessage', { error: 'channel_not_found' }, (a) => a.channel === INCIDENTS_CHANNEL);
    const before = (await t.incidentRows()).length;
    await declare('', { title: 'Queue backlog', severity: 'P2' });
    const warn = await t.standIn.waitFor('chat.postEphemeral');
    const rows = await t.incidentRows();
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)!.announcement_ts).toBeNull();
    expect(warn.args.text).toContain(`INC-${rows.at(-1)!.number}* is recorded, but the announcement could not be posted in <#${INCIDENTS_CHANNEL}> (channel_not_found)`);
  });
});

describe('/incident help and bad input', () => {
  it.each(['help', '', 'bogus'])('answers "%s" with the usage list built from the registry, privately', async (text) => {
    const res = await t.driver.command({ command: '/incident', text });
    expect(res.status).toBe(200);
    const body = res.json as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('`/incident open [title]`: declare an incident');
    expect(body.text).toContain('`/incident help`');
    if (text === 'bogus') expect(body.text).toContain('`bogus` is not a /incident subcommand');
    expect(t.standIn.callsTo('views.open')).toHaveLength(0);
  });

  it('refuses a title longer than the modal allows, saying why', async () => {
    const res = await t.driver.command({ command: '/incident', text: `open ${'x'.repeat(151)}` });
    expect((res.json as { text: string }).text).toContain('the title is longer than 150 characters; shorten it');
    expect(t.standIn.callsTo('views.open')).toHaveLength(0);
  });

  it('asks to retry when Slack says the trigger expired before the modal opened', async () => {
    t.standIn.failNext('views.open', { error: 'expired_trigger_id' });
    const res = await t.driver.command({ command: '/incident', text: 'open Slow Slack' });
    expect(res.status).toBe(200);
    const reply = await t.standIn.waitForResponse();
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
    expect((reply.body as { text: string }).text).toBe(
      ':warning: Slack did not let Firebreak open the form in time (expired_trigger_id). Nothing was changed; type `/incident open Slow Slack` again.',
    );
  });

  it('answers /diag and /runbook with their usage', async () => {
    for (const command of ['/diag', '/runbook']) {
      const res = await t.driver.command({ command, text: 'help' });
      expect((res.json as { text: string }).text).toContain(`\`${command} help\``);
    }
  });
});

describe('request signing', () => {
  it('rejects a forged signature and a timestamp older than 5 minutes with 401, storing nothing', async () => {
    const before = (await t.incidentRows()).length;
    const body = new URLSearchParams({ command: '/incident', text: 'open x', user_id: 'U0EVE', channel_id: 'C1', team_id: 'T0TEST', trigger_id: '1.2.3' }).toString();
    const forged = await t.driver.post(body, { ...t.driver.sign(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const stale = await t.driver.post(body, t.driver.sign(body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale.status).toBe(401);
    const unsigned = await t.driver.post(body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(unsigned.status).toBe(401);
    expect(t.standIn.callsTo('views.open')).toHaveLength(0);
    expect((await t.incidentRows()).length).toBe(before);
  });
});

describe('/healthz', () => {
  it('answers 200 with status, store, Slack and version', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', store: 'ok', slack: 'ok', backend: 'postgres', version: '0.1.0' });
  });
});
