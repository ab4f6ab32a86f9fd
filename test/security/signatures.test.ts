/**
 * Requests to /slack/events that Slack did not sign just now, once: forged, unsigned, stale, from
 * the future, replayed. Each is refused (401) or dropped (an empty 200), and nothing is stored or
 * sent to Slack for it; the same request signed properly, once, does act, so the refusals are not
 * an app that refuses everything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFirebreak } from '../../src/server.js';
import { createSlackDriver, signatureFor } from '../../src/adapters/local-slack/driver.js';
import { newTriggerId, TEAM_ID } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { BODY_LIMIT_BYTES } from '../../src/adapters/slack/request-guard.js';
import { BACKLOG_LIMIT } from '../../src/adapters/slack/screened-app.js';
import { declareIncident, type Declared } from '../e2e/flows.js';
import { BOT_TOKEN, INCIDENTS_CHANNEL, SIGNING_SECRET, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';

let t: AppUnderTest;
let inc: Declared;
beforeAll(async () => {
  t = await startAppUnderTest();
  inc = await declareIncident(t, { title: 'Checkout 502', severity: 'P1' });
});
afterAll(async () => {
  await t?.stop();
});
beforeEach(async () => {
  await t.running.ctx.inflight.drain(5000);
  t.standIn.reset();
});

const now = () => Math.floor(Date.now() / 1000);
const FORM = 'application/x-www-form-urlencoded';

let seq = 0;
/** A signed-able `/incident note` in the incident's channel: processed, it adds a note and answers. */
function noteBody(note = `note ${++seq}`): string {
  return new URLSearchParams({
    token: 'verification-token', team_id: TEAM_ID, team_domain: 'firebreak-test', channel_id: inc.channelId!, channel_name: 'inc',
    user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text: `note ${note}`, api_app_id: 'A0FIREBREAK',
    response_url: t.standIn.responseUrl(), trigger_id: newTriggerId(),
  }).toString();
}
const headers = (body: string, ts = now(), extra: Record<string, string> = {}) => ({
  'content-type': FORM, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signatureFor(SIGNING_SECRET, ts, body), ...extra,
});
const notes = async () => (await t.running.ctx.store.listTimeline(inc.incidentId)).filter((e) => e.kind === 'note').length;

/** Once the work is over: one note more than `notesBefore`, and one answer on a response_url. */
async function expectHandledOnce(notesBefore: number) {
  await t.running.ctx.inflight.drain(5000);
  expect(await notes()).toBe(notesBefore + 1);
  expect(t.standIn.responses).toHaveLength(1);
}

/** Nothing reached a use case: no note, no Web API call, no answer on a response_url. */
async function expectNothingHappened(notesBefore: number) {
  await t.running.ctx.inflight.drain(5000);
  expect(await notes()).toBe(notesBefore);
  expect(t.standIn.calls.map((c) => c.method)).toEqual([]);
  expect(t.standIn.responses).toEqual([]);
}

describe('a request Slack did not sign', () => {
  it('is processed when signed now, within the window either way (the control)', async () => {
    const before = await notes();
    for (const ts of [now(), now() - 4 * 60, now() + 4 * 60]) {
      const body = noteBody();
      const res = await t.driver.post(body, headers(body, ts));
      expect(res.status).toBe(200);
    }
    await t.running.ctx.inflight.drain(5000);
    expect(await notes()).toBe(before + 3);
    expect(t.standIn.responses).toHaveLength(3);
  });

  it.each([
    ['a forged signature', (b: string) => ({ ...headers(b), 'x-slack-signature': `v0=${'0'.repeat(64)}` })],
    ['a signature made with another secret', (b: string) => ({ ...headers(b), 'x-slack-signature': signatureFor('not-the-secret', now(), b) })],
    ['a signature of another body', (b: string) => headers(`${b}&x=1`)],
    ['no signature', (b: string) => ({ 'content-type': FORM, 'x-slack-request-timestamp': String(now()) })],
    ['no timestamp', (b: string) => ({ 'content-type': FORM, 'x-slack-signature': signatureFor(SIGNING_SECRET, now(), b) })],
    ['no headers at all', () => ({ 'content-type': FORM })],
    ['a signature of another version', (b: string) => ({ ...headers(b), 'x-slack-signature': headers(b)['x-slack-signature'].replace('v0=', 'v1=') })],
    ['a timestamp that is no number', (b: string) => ({ ...headers(b), 'x-slack-request-timestamp': 'soon' })],
    ['a timestamp 6 minutes old', (b: string) => headers(b, now() - 6 * 60)],
    ['a timestamp 6 minutes ahead', (b: string) => headers(b, now() + 6 * 60)],
    ['a timestamp a year ahead', (b: string) => headers(b, now() + 365 * 86_400)],
  ])('with %s is refused with 401, and nothing happens', async (_what, sign) => {
    const before = await notes();
    const body = noteBody();
    const res = await t.driver.post(body, sign(body));
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    await expectNothingHappened(before);
  });

  it('ssl_check is answered without a signature, and whatever rides along with it is not processed', async () => {
    const before = await notes();
    const smuggled = `ssl_check=1&${noteBody()}`;
    const res = await t.driver.post(smuggled, { 'content-type': FORM });
    expect(res.status).toBe(200);
    await expectNothingHappened(before);
  });
});

describe('a body larger than any Slack payload', () => {
  it('is refused with 413 before anything reads it, and the app keeps serving', async () => {
    const before = await notes();
    const body = `${noteBody()}&padding=${'x'.repeat(BODY_LIMIT_BYTES)}`;
    const res = await t.driver.post(body, headers(body));
    expect(res.status).toBe(413);
    await expectNothingHappened(before);
    const help = await t.driver.command({ command: '/incident', text: 'help' });
    expect(help.status).toBe(200);
  });
});

describe('a replayed request', () => {
  it('is handled once: 200 replays of one signed note make one note and one answer', async () => {
    const before = await notes();
    const body = noteBody('replayed');
    const signed = headers(body);
    const first = await t.driver.post(body, signed);
    expect(first.status).toBe(200);
    const replays = await Promise.all(Array.from({ length: 200 }, () => t.driver.post(body, signed)));
    expect(replays.map((r) => `${r.status} ${r.text}`)).toEqual(replays.map(() => '200 '));
    await expectHandledOnce(before);
    expect(t.logs.filter((l) => String(l.msg).startsWith('dropped a replayed request'))).toHaveLength(200);
  });

  it('is dropped even when it claims to be a Slack retry (the retry headers are not signed)', async () => {
    const before = await notes();
    const body = noteBody('claims a retry');
    const signed = headers(body);
    expect((await t.driver.post(body, signed)).status).toBe(200);
    const retry = await t.driver.post(body, { ...signed, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    await expectHandledOnce(before);
  });

  it('is not confused with a genuine retry, which Slack signs anew and which is handled', async () => {
    const before = await notes();
    const body = noteBody('sent again');
    expect((await t.driver.post(body, headers(body, now() - 2))).status).toBe(200);
    const retry = await t.driver.post(body, headers(body, now(), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' }));
    expect(retry.status).toBe(200);
    await t.running.ctx.inflight.drain(5000);
    expect(await notes()).toBe(before + 2);
  });

  it('is dropped by another replica sharing the store', async () => {
    const replica = await startReplica(t);
    try {
      const before = await notes();
      const body = noteBody('two replicas');
      const signed = headers(body);
      const [a, b] = await Promise.all([t.driver.post(body, signed), replica.post(body, signed)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      await Promise.all([t.running.ctx.inflight.drain(5000), replica.running.ctx.inflight.drain(5000)]);
      expect(await notes()).toBe(before + 1);
      expect(t.standIn.responses).toHaveLength(1);
    } finally {
      await replica.stop();
    }
  });
});

describe('the replay check', () => {
  /** Holds a lock that makes the replay check's insert wait, until the returned function lets go. */
  async function holdSeenRequests(schema = t.schema): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${schema}.seen_requests IN EXCLUSIVE MODE`);
    return async () => {
      await client.query('COMMIT');
      await client.end();
    };
  }

  const LATE = 'the replay check did not answer in time; handling the request without it';
  const lateChecks = () => t.logs.filter((l) => l.msg === LATE).length;

  it('does not hold the acknowledgement: the command is answered while the store has not said, and acts once it says', async () => {
    const before = await notes();
    const lateBefore = lateChecks();
    const release = await holdSeenRequests();
    try {
      const body = noteBody('acked first');
      const res = await t.driver.post(body, headers(body));
      expect(`${res.status} ${res.text}`).toBe('200 ');
      // Answered before the check gave up on the store (a second): the ack did not wait for it.
      expect(lateChecks()).toBe(lateBefore);
      // Acknowledged, and nothing done yet: the work waits for the check, which waits for the lock.
      expect(await notes()).toBe(before);
      expect(t.standIn.responses).toEqual([]);
    } finally {
      await release();
    }
    await expectHandledOnce(before);
  });

  it('still drops a replay it acknowledged before the store said so', async () => {
    const before = await notes();
    const body = noteBody('replayed while slow');
    const signed = headers(body);
    expect((await t.driver.post(body, signed)).status).toBe(200);
    await t.running.ctx.inflight.drain(5000);
    const release = await holdSeenRequests();
    try {
      expect(`${(await t.driver.post(body, signed)).status}`).toBe('200');
    } finally {
      await release();
    }
    await expectHandledOnce(before);
    expect(t.logs.filter((l) => String(l.msg).startsWith('dropped a replayed request'))).not.toHaveLength(0);
  });

  it('holds a stop until the work of a request it acknowledged is done, though the store had not said yet', async () => {
    const other = await startAppUnderTest();
    const release = await holdSeenRequests(other.schema);
    const list = await other.driver.command({ command: '/incident', text: 'list' });
    expect(list.status).toBe(200);
    // Stopped while the request waits for its check: the stop drains it, and the answer goes out
    // once the check gives up on the store (a second); then the lock goes, so the schema can too.
    const stopped = other.stop();
    await expect.poll(() => other.logs.some((l) => l.msg === LATE), { timeout: 10_000 }).toBe(true);
    await release();
    await stopped;
    const answers = other.standIn.responses.filter((r) => r.path === new URL(list.responseUrl).pathname);
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]!.body)).toContain('No open incident.');
  });

  it('drops a replayed event at the acknowledgement Bolt sends itself, quietly (no error logged)', async () => {
    const message = t.standIn.userMessage(inc.channelId!, 'U0BOB', 'replayed pin');
    const body = JSON.stringify({
      token: 'verification-token', team_id: TEAM_ID, api_app_id: 'A0FIREBREAK', type: 'event_callback', event_id: 'Ev0REPLAYED', event_time: now(),
      event: { type: 'reaction_added', user: 'U0BOB', reaction: 'pushpin', item_user: 'U0BOB', item: { type: 'message', channel: inc.channelId, ts: message.ts }, event_ts: message.ts },
    });
    const signed = { ...headers(body), 'content-type': 'application/json' };
    const errorsBefore = t.logs.filter((l) => Number(l.level) >= 50).length;
    const droppedBefore = t.logs.filter((l) => String(l.msg).startsWith('dropped a replayed request')).length;
    expect((await t.driver.post(body, signed)).status).toBe(200);
    expect((await t.driver.post(body, signed)).status).toBe(200);
    await t.running.ctx.inflight.drain(5000);
    const pins = (await t.running.ctx.store.listTimeline(inc.incidentId)).filter((e) => e.kind === 'pinned_message' && e.data.text === 'replayed pin');
    expect(pins).toHaveLength(1);
    expect(t.logs.filter((l) => String(l.msg).startsWith('dropped a replayed request')).length).toBe(droppedBefore + 1);
    expect(t.logs.filter((l) => Number(l.level) >= 50).slice(errorsBefore)).toEqual([]);
  });

  it('that does not answer within a second lets the work go on without it, and says so', async () => {
    const before = await notes();
    const release = await holdSeenRequests();
    try {
      const body = noteBody('store too slow');
      expect((await t.driver.post(body, headers(body))).status).toBe(200);
      await expect.poll(notes, { timeout: 10_000 }).toBe(before + 1);
      expect(lateChecks()).toBeGreaterThan(0);
    } finally {
      await release();
    }
  });

  it('holds the acknowledgement until the check answers while the work is behind, and no longer once it caught up', async () => {
    const before = await notes();
    const lateBefore = lateChecks();
    // As much work in flight as the limit: the process is behind.
    let catchUp!: () => void;
    const backlog = new Promise<void>((resolve) => (catchUp = resolve));
    for (let i = 0; i < BACKLOG_LIMIT; i++) t.running.ctx.inflight.run('backlog', () => backlog);
    const body = noteBody('acked at the pace of the work');
    let release = await holdSeenRequests();
    let answered: Promise<{ status: number }> | undefined;
    try {
      try {
        answered = t.driver.post(body, headers(body));
        const first = await Promise.race([answered.then(() => 'acknowledged'), new Promise((r) => setTimeout(r, 400, 'waiting'))]);
        expect(first).toBe('waiting');
      } finally {
        await release();
      }
      expect((await answered).status).toBe(200);
      // Acknowledged when the check answered, not when it gave up on the store.
      expect(lateChecks()).toBe(lateBefore);
    } finally {
      catchUp();
    }
    await expectHandledOnce(before);

    // Caught up: the ack goes out first again, while the store has not said.
    release = await holdSeenRequests();
    try {
      const next = noteBody('acked first again');
      expect((await t.driver.post(next, headers(next))).status).toBe(200);
      expect(lateChecks()).toBe(lateBefore);
      expect(await notes()).toBe(before + 1);
    } finally {
      await release();
    }
    await t.running.ctx.inflight.drain(5000);
    expect(await notes()).toBe(before + 2);
  });
});

/** A second Firebreak on the same database schema and Slack stand-in, as a second replica would be. */
async function startReplica(first: AppUnderTest) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-replica-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n`);
  const loaded = loadConfig(
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: first.standIn.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: first.schema, LOG_LEVEL: 'silent' },
    dir,
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  const running = await startFirebreak(loaded.config, createLogger({ level: 'silent', secrets: [], destination: quiet }));
  const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${running.port}`, signingSecret: SIGNING_SECRET, standIn: first.standIn });
  return {
    running,
    post: driver.post,
    async stop() {
      await running.stop({ drainMs: 5000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
