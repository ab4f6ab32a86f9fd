/**
 * Local mode in-process, through the console's own endpoints, as its page uses them: the real bot
 * on the real PostgreSQL (a schema of its own), the Web API stand-in as the workspace, and the
 * console sending signed Slack requests to the bot's /slack/events.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConfig, prepareLocalMode, type LocalMode } from '../../src/local.js';
import { TEST_DATABASE_URL } from '../services.js';
import { declarationValues } from '../e2e/app-under-test.js';
import { consoleClient, messageText, type ConsoleClient } from './console-client.js';

const ALICE = 'U0ALICE';
const BRUNO = 'U0BRUNO';
const INCIDENTS = 'C0INCIDENTS';

let local: LocalMode;
let client: ConsoleClient;
const schema = `fb_local_${randomBytes(4).toString('hex')}`;
const cwd = mkdtempSync(path.join(tmpdir(), 'fb-local-'));
const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });

beforeAll(async () => {
  const prepared = await prepareLocalMode({ PATH: process.env.PATH, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent' }, cwd);
  if (!prepared.ok) throw new Error(prepared.problems.join('; '));
  local = await prepared.start();
  client = consoleClient(local.url);
});

afterAll(async () => {
  await local?.running.stop({ drainMs: 2000 });
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
  rmSync(cwd, { recursive: true, force: true });
});

describe('the console is served on 127.0.0.1 only', () => {
  it('serves the page, its script and its style from the package, with a strict content policy', async () => {
    const page = await fetch(local.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/console/app.js');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const js = await fetch(new URL('/console/app.js', local.url));
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(new URL('/console/app.css', local.url))).status).toBe(200);
  });

  it('says so in the banner, with the URL and the targets it found', () => {
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(local.banner).toContain('local mode: nothing is sent to Slack');
    expect(local.banner).toContain(local.url);
    expect(local.banner).toContain('bound to 127.0.0.1 only');
    // This machine runs both on their usual ports.
    expect(local.banner).toContain('PostgreSQL on 127.0.0.1:5432');
    expect(local.banner).toContain('Redis on 127.0.0.1:6379');
  });

  it('does not answer on another address of this machine', async () => {
    const other = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!other) return; // a machine with loopback only: nothing else to try
    const port = new URL(local.url).port;
    await expect(fetch(`http://${other.address}:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});

describe('another site cannot drive the console', () => {
  it('refuses another Host (DNS rebinding), a form post, and a foreign Origin, and does what was asked from its own page', async () => {
    const port = Number(new URL(local.url).port);
    const { request } = await import('node:http');
    const raw = (headers: Record<string, string>, body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/console/send', method: 'POST', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const clock = JSON.stringify({ kind: 'clock', factor: 10 });
    const rebound = await raw({ host: `evil.example:${port}`, 'content-type': 'application/json' }, clock);
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('the console answers only at http://127.0.0.1');
    const form = await raw({ host: `127.0.0.1:${port}`, 'content-type': 'text/plain' }, clock);
    expect(form.status).toBe(403);
    expect(form.body).toContain('JSON requests only');
    const foreign = await raw({ host: `127.0.0.1:${port}`, 'content-type': 'application/json', origin: 'https://evil.example' }, clock);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('requests from https://evil.example are refused');
    expect((await client.state(ALICE)).clock.factor).toBe(1);
    const own = await raw({ host: `127.0.0.1:${port}`, 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` }, clock);
    expect(own.status).toBe(200);
    expect((await client.state(ALICE)).clock.factor).toBe(10);
    await client.send({ kind: 'clock', factor: 1 });
  });
});

describe('the demo configuration', () => {
  it('names the targets found and allows remediation on them only', () => {
    const both = demoConfig({ postgres: 'postgres://postgres@127.0.0.1:5432/postgres', redis: 'redis://127.0.0.1:6379' });
    expect(both).toContain('url: "postgres://postgres@127.0.0.1:5432/postgres"');
    expect(both).toMatch(/allow:\n\s+postgres: \[local\]\n\s+redis: \[local\]/);
    const none = demoConfig({});
    expect(none).not.toContain('targets:');
    expect(none).not.toContain('remediation:');
    expect(none).toContain('approvers: [U0BRUNO, U0CHLOE]');
  });
});

describe('a person declares an incident from the console', () => {
  it('opens the modal on their screen only, declares, announces, creates the channel and pins the card', async () => {
    expect((await client.send({ kind: 'command', user: ALICE, channel: INCIDENTS, text: '/incident open Checkout down' })).ok).toBe(true);
    const modal = await client.waitFor(ALICE, (s) => s.views[0], 'the declaration modal');
    expect(JSON.stringify(modal.view.title)).toContain('Declare an incident');
    expect((await client.state(BRUNO)).views).toEqual([]);

    // Submitted without a severity: the bot's validation error shows under the field, the modal stays.
    const missing = declarationValues({ title: 'Checkout down', impact: 'Nobody can pay' });
    expect((await client.send({ kind: 'submit', user: ALICE, viewId: modal.id, values: missing as never })).ok).toBe(true);
    const errors = await client.waitFor(ALICE, (s) => (Object.keys(s.views[0]?.errors ?? {}).length ? s.views[0]!.errors : undefined), 'the validation error');
    expect(errors.severity).toBeTruthy();

    const values = declarationValues({ title: 'Checkout down', severity: 'P1', impact: 'Nobody can pay' });
    expect((await client.send({ kind: 'submit', user: ALICE, viewId: modal.id, values: values as never })).ok).toBe(true);
    const announced = await client.waitFor(ALICE, (s) => s.messages.find((m) => m.channel === INCIDENTS && m.bot && messageText(m).includes('Checkout down')), 'the announcement');
    expect(messageText(announced)).toContain('P1');
    const state = await client.waitFor(ALICE, (s) => (s.channels.some((c) => c.createdByBot) && s.views.length === 0 ? s : undefined), 'the incident channel');
    const channel = state.channels.find((c) => c.createdByBot)!;
    expect(channel.name).toMatch(/^inc-\d{8}-\d+-checkout-down/);
    const pinned = await client.waitFor(ALICE, (s) => (s.pins[channel.id]?.length ? s : undefined), 'the pinned card');
    const card = pinned.messages.find((m) => m.ts === pinned.pins[channel.id]![0]);
    expect(card?.pinned).toBe(true);
    expect(messageText(card!)).toContain('Checkout down');
    await client.waitFor(ALICE, (s) => s.channels.find((c) => c.id === channel.id && c.topic.includes('P1')), 'the channel topic');
  });

  it('shows an ephemeral answer to the person who typed the command, and to nobody else', async () => {
    await client.send({ kind: 'command', user: ALICE, channel: INCIDENTS, text: '/incident help' });
    const help = await client.waitFor(ALICE, (s) => s.messages.find((m) => m.ephemeralTo === ALICE && messageText(m).includes('/incident open')), 'the help');
    expect(help.channel).toBe(INCIDENTS);
    expect((await client.state(BRUNO)).messages.some((m) => m.ts === help.ts)).toBe(false);
  });

  it('a 📌 reaction on a message of the incident channel puts it on the timeline', async () => {
    const channel = (await client.state(ALICE)).channels.find((c) => c.createdByBot)!;
    await client.send({ kind: 'message', user: ALICE, channel: channel.id, text: 'Payments provider answers 503 since 10:02' });
    const said = await client.waitFor(ALICE, (s) => s.messages.find((m) => m.channel === channel.id && m.user === ALICE), 'the message');
    expect((await client.send({ kind: 'reaction', user: ALICE, channel: channel.id, ts: said.ts, name: 'pushpin' })).ok).toBe(true);
    await client.waitFor(ALICE, (s) => s.messages.find((m) => m.ts === said.ts && m.reactions.some((r) => r.name === 'pushpin' && r.users.includes(ALICE))), 'the reaction');
    // What the timeline shows, as the person asks for it (the pin is recorded in the background).
    let shown = false;
    for (let i = 0; i < 40 && !shown; i += 1) {
      await client.send({ kind: 'command', user: ALICE, channel: channel.id, text: '/incident timeline' });
      const s = await client.state(ALICE);
      shown = s.messages.some((m) => m.ephemeralTo === ALICE && messageText(m).includes('Payments provider answers 503'));
      if (!shown) await new Promise((r) => setTimeout(r, 250));
    }
    expect(shown).toBe(true);
  });

  it('mentions typed as @name reach the bot as Slack escapes them', async () => {
    const channel = (await client.state(ALICE)).channels.find((c) => c.createdByBot)!;
    await client.send({ kind: 'command', user: ALICE, channel: channel.id, text: '/incident assign @bruno commander' });
    await client.waitFor(ALICE, (s) => s.messages.find((m) => m.channel === channel.id && /commander/i.test(messageText(m)) && messageText(m).includes('<@U0BRUNO>')), 'the new commander');
  });
});

describe('files the bot uploads', () => {
  it('arrive in the channel, to view in the browser or download', async () => {
    const channel = (await client.state(ALICE)).channels.find((c) => c.createdByBot)!;
    await client.send({ kind: 'command', user: ALICE, channel: channel.id, text: '/incident postmortem' });
    const message = await client.waitFor(ALICE, (s) => s.messages.find((m) => m.channel === channel.id && m.files.length > 0), 'the postmortem file');
    const file = message.files[0]!;
    expect(file.name).toMatch(/^postmortem-inc-1-.*\.md$/);
    const view = await fetch(new URL(file.viewUrl, local.url));
    expect(view.headers.get('content-type')).toContain('text/plain');
    expect(view.headers.get('content-disposition')).toMatch(/^inline/);
    expect(await view.text()).toContain('Checkout down');
    const download = await fetch(new URL(file.downloadUrl, local.url));
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${file.name}"`);
    expect((await fetch(new URL('/console/file?id=F0NOPE', local.url))).status).toBe(404);
  });
});

describe('what the console refuses, it says', () => {
  it('an unknown command names the commands there are', async () => {
    const answer = await client.send({ kind: 'command', user: ALICE, channel: INCIDENTS, text: '/deploy now' });
    expect(answer).toMatchObject({ ok: false });
    expect(!answer.ok && answer.error).toContain('/deploy is not a command here');
    expect(!answer.ok && answer.error).toContain('/incident');
  });

  it('an unknown person, a malformed body and an unoffered clock speed get a sentence, not a crash', async () => {
    const stranger = await client.send({ kind: 'message', user: 'U0MALLORY', channel: INCIDENTS, text: 'hi' });
    expect(!stranger.ok && stranger.error).toContain('Unknown user U0MALLORY');
    const res = await fetch(new URL('/console/send', local.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('not JSON');
    const shape = await fetch(new URL('/console/send', local.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'reaction', user: ALICE, channel: INCIDENTS, ts: 'x', name: 'pushpin' }) });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { error: string }).error).toContain('ts');
    const huge = await fetch(new URL('/console/send', local.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'message', user: ALICE, channel: INCIDENTS, text: 'x'.repeat(300_000) }) });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toContain('larger than 256 KB');
    const clock = await client.send({ kind: 'clock', factor: 7 });
    expect(!clock.ok && clock.error).toContain('×7 is not offered');
    expect((await fetch(new URL('/healthz', local.url))).status).toBe(200);
  });
});

describe('the clock', () => {
  it('runs fast when switched, and never goes back when slowed again', async () => {
    const before = (await client.state(ALICE)).clock;
    expect(before.factor).toBe(1);
    expect((await client.send({ kind: 'clock', factor: 60 })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const fast = (await client.state(ALICE)).clock;
    expect(fast.factor).toBe(60);
    // Half a second at ×60 is half a minute of the bot's time (give or take the requests).
    expect(fast.now - before.now).toBeGreaterThan(20_000);
    expect((await client.send({ kind: 'clock', factor: 1 })).ok).toBe(true);
    const slow = (await client.state(ALICE)).clock;
    expect(slow.now).toBeGreaterThanOrEqual(fast.now);
  });
});

describe('the event stream', () => {
  it('announces a change with a new version', async () => {
    const controller = new AbortController();
    const res = await fetch(new URL('/console/events', local.url), { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const first = Number(/"version":(\d+)/.exec(text)?.[1]);
    await client.send({ kind: 'message', user: ALICE, channel: 'C0GENERAL', text: 'hello' });
    while (!new RegExp(`"version":(?!${first}\\b)\\d+`).test(text)) text += decoder.decode((await reader.read()).value);
    controller.abort();
    expect(Number([...text.matchAll(/"version":(\d+)/g)].at(-1)?.[1])).toBeGreaterThan(first);
  });
});
