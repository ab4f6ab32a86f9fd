/**
 * Interaction payloads of every shape (block_actions, view_submission, view_closed, events, and
 * bodies that are no payload at all), signed and sent over HTTP to the running app, fuzzed with
 * fast-check from a fixed seed. Each one is answered at once (no 5xx, no Bolt 404 for a request
 * left unacknowledged), the app keeps serving, and nothing Firebreak sends to Slack carries a
 * mention that came from the payload. A few known crashers are replayed against a real process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver, signatureFor } from '../../src/adapters/local-slack/driver.js';
import { BOT_USER_ID, newTriggerId, startSlackStandIn, TEAM_ID } from '../../src/adapters/local-slack/web-api.js';
import { startSocketModeStandIn } from '../slack/socket-mode.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFirebreak } from '../../src/server.js';
import { Writable } from 'node:stream';
import { declareIncident, type Declared } from '../e2e/flows.js';
import { SIGNING_SECRET, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { runFirebreak, servingPort } from '../e2e/spawn.js';
import { hostileId, hostileText, leaks, SEED, sender, SENDERS, VICTIM } from './hostile.js';

let t: AppUnderTest;
let inc: Declared;
/** A message in the incident's channel, written by a person, with mentions in it: what a :pushpin: puts on the timeline. */
let pinnable: { ts: string };
beforeAll(async () => {
  t = await startAppUnderTest();
  inc = await declareIncident(t, { title: 'Checkout 502', severity: 'P1' });
  pinnable = t.standIn.userMessage(inc.channelId!, 'U0BOB', `<!channel> the fix is in, <@${VICTIM}> <!subteam^S0VICTIM>`);
}, 30_000);
afterAll(async () => {
  await t?.stop();
});

const ALLOWED = new Set<string>([...SENDERS, BOT_USER_ID]);
const FORM = 'application/x-www-form-urlencoded';

// Placeholders filled in when a case is sent: the arbitraries exist before the incident does.
const INCIDENT = '@@incident@@';
const CHANNEL = '@@channel@@';
const TRIGGER = '@@trigger@@';
const RESPONSE_URL = '@@response_url@@';
const MESSAGE_TS = '@@ts@@';

/** Values of the wrong kind for any field: missing, null, a number, an array, an object, text. */
const wrongType = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}), fc.array(hostileText, { maxLength: 2 }), hostileText);

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

function replaceAt(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  (copy as Record<string | number, unknown>)[head!] = replaceAt((value as Record<string | number, unknown>)[head!], rest, replacement);
  return copy;
}

/** A well-formed payload, or (about a third of the time) one with one or two of its fields broken. */
function mutated<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  const breakage = fc.array(fc.tuple(fc.nat(), wrongType), { minLength: 1, maxLength: 2 });
  return fc.tuple(valid, fc.option(breakage, { freq: 2 })).map(([payload, breaks]) =>
    (breaks ?? []).reduce<unknown>((p, [n, replacement]) => {
      const all = paths(p);
      return all.length ? replaceAt(p, all[n % all.length]!, replacement) : p;
    }, payload),
  );
}

const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: hostile });
const userIdArb = mostly(sender, hostileId);
const channelArb = fc.oneof({ weight: 4, arbitrary: fc.constant(CHANNEL) }, { weight: 2, arbitrary: fc.constant('C0GENERAL') }, { weight: 1, arbitrary: hostileId });
const teamArb = mostly(fc.constant(TEAM_ID), hostileId);
const tsArb = mostly(fc.constant(MESSAGE_TS), hostileText);
const user = fc.record({ id: userIdArb, team_id: teamArb });
const team = fc.record({ id: teamArb });

const ACTION_IDS = [
  'incident_ack', 'incident_join', 'incident_post_update', 'incident_checklist', 'reminder_snooze:15m', 'reminder_snooze:1h', 'diag_remediate:0', 'remediation_approve', 'remediation_reject',
  'runbook_step:activity', 'runbook_notify:tell', 'runbook_page:later', 'runbook_start:0', 'runbook_start:none',
];
const proposal = fc.record({ a: fc.oneof(fc.constantFrom('pg.cancel', 'redis.flushdb', 'pg.vacuum-analyze'), hostileText), x: fc.array(hostileText, { maxLength: 3 }), t: fc.oneof(fc.constant('main'), hostileText) });
const buttonValue = fc.oneof(
  fc.constant(INCIDENT), fc.constant(`${INCIDENT}|15m`), fc.constant(`${INCIDENT}|forever`), proposal.map((p) => JSON.stringify(p)),
  fc.constant('{"a":'), fc.uuid(), hostileText,
  // Runbook buttons: a run and a step (or a page), a start value naming a runbook and an incident.
  fc.uuid().map((run) => `${run}:activity`), fc.uuid().map((run) => `${run}:9999`),
  fc.record({ r: fc.oneof(fc.constant('pg-long-queries'), hostileText), i: fc.oneof(fc.constant(INCIDENT), fc.constant(null), hostileText), p: fc.dictionary(hostileText, hostileText, { maxKeys: 2 }) }).map((v) => JSON.stringify(v)),
);
const action = fc.record({
  action_id: mostly(fc.constantFrom(...ACTION_IDS), hostileText),
  block_id: fc.oneof(fc.constant(`checklist:${INCIDENT}:0`), fc.constant(`checklist:${INCIDENT}:1`), fc.constant(`checklist:${INCIDENT}:99`), fc.constant('checklist:x'), fc.constant('actions'), hostileText),
  type: fc.constantFrom('button', 'checkboxes'),
  value: buttonValue,
  selected_options: fc.array(fc.record({ value: fc.oneof(fc.constantFrom('0', '1', '2', '3'), hostileText) }), { maxLength: 3 }),
  action_ts: fc.constant('1700000000.000200'),
});

const blockActions = mutated(
  fc.record({
    type: mostly(fc.constant('block_actions'), fc.constantFrom('interactive_message', 'dialog_submission', 'block_suggestion')),
    user,
    team,
    channel: fc.record({ id: channelArb }),
    trigger_id: fc.constant(TRIGGER),
    response_url: fc.constant(RESPONSE_URL),
    container: fc.record({ type: fc.constant('message'), message_ts: tsArb, channel_id: channelArb }),
    message: fc.record({ ts: tsArb, text: hostileText }),
    actions: fc.array(action, { minLength: 1, maxLength: 2 }),
  }),
);

/** Text that passes a form's own checks (present, short), so the submission reaches its use case. */
const fieldText = hostileText.filter((v) => v.trim().length > 0 && v.length <= 150);
const text = (v: fc.Arbitrary<string>) => v.map((value) => ({ type: 'plain_text_input', value }));
const select = (values: readonly string[]) => mostly(fc.constantFrom(...values), hostileText).map((value) => ({ type: 'static_select', selected_option: { value } }));
const field = (id: string, element: fc.Arbitrary<unknown>) => element.map((e) => ({ [id]: { [id]: e } }));
const form = (callback: string, fields: Array<fc.Arbitrary<Record<string, unknown>>>) =>
  fc.record({ callback_id: fc.constant(callback), values: fc.tuple(...fields).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>) });
const FORMS = fc.oneof(
  form('incident_open', [
    field('title', text(fieldText)), field('severity', select(['P0', 'P1', 'P2', 'P3'])), field('impact', text(hostileText)), field('symptoms', text(hostileText)),
    field('actions', text(hostileText)), field('eta', text(hostileText)), field('commander', userIdArb.map((u) => ({ type: 'users_select', selected_user: u }))),
  ]),
  form('incident_update', [
    field('status', select(['investigating', 'identified', 'monitoring'])), field('progress', text(fieldText)), field('blockers', text(hostileText)),
    field('next_steps', text(hostileText)), field('eta', text(hostileText)),
  ]),
  form('incident_resolve', [
    field('root_cause', text(fieldText)), field('fix_applied', text(fieldText)), field('final_impact', text(hostileText)),
    field('postmortem_date', mostly(fc.constant('2030-01-31'), hostileText).map((d) => ({ type: 'datepicker', selected_date: d }))),
  ]),
  form('diag_form', [field('kind', select(['all', 'db', 'redis', 'logs'])), field('deployment', text(hostileText)), field('since', text(hostileText))]),
  fc.record({ callback_id: hostileText, values: fc.constant({}) }),
);
const metadata = fc.oneof(
  fc.constant('{"channelId":"C0GENERAL"}'), fc.constant(`{"incidentId":"${INCIDENT}","channelId":"${CHANNEL}"}`),
  fc.constant(`{"incidentId":"${INCIDENT}","channelId":"<!channel>"}`), fc.json(), hostileText,
);
const viewPayload = mutated(
  fc.record({
    type: fc.oneof({ weight: 6, arbitrary: fc.constant('view_submission') }, { weight: 1, arbitrary: fc.constant('view_closed') }),
    user,
    team,
    form: FORMS,
    id: mostly(fc.stringMatching(/^V[A-Z0-9]{6}$/), hostileText),
    hash: mostly(fc.stringMatching(/^\d{10}\.[a-zA-Z0-9]{8}$/), hostileText),
    private_metadata: metadata,
    team_id: teamArb,
    app_installed_team_id: fc.oneof(teamArb, fc.constant('')),
  }).map(({ type, user: u, team: tm, form: f, ...view }) => ({ type, user: u, team: tm, view: { ...view, callback_id: f.callback_id, state: { values: f.values } } })),
);

const eventPayload = mutated(
  fc.record({
    type: mostly(fc.constant('event_callback'), fc.constantFrom('app_rate_limited', 'url_verification')),
    team_id: teamArb,
    api_app_id: fc.constant('A0FIREBREAK'),
    event_id: fc.stringMatching(/^Ev[A-Z0-9]{8}$/),
    challenge: hostileText,
    authorizations: fc.array(fc.record({ team_id: teamArb, user_id: fc.constant(BOT_USER_ID), is_bot: fc.constant(true) }), { maxLength: 1 }),
    event: fc.record(
      {
        type: fc.oneof({ weight: 6, arbitrary: fc.constant('reaction_added') }, { weight: 2, arbitrary: fc.constantFrom('message', 'app_mention', 'channel_created') }, { weight: 1, arbitrary: hostileText }),
        user: userIdArb,
        reaction: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('pushpin', 'round_pushpin') }, { weight: 1, arbitrary: fc.constant('thumbsup') }, { weight: 1, arbitrary: hostileText }),
        item: fc.record({ type: mostly(fc.constant('message'), fc.constant('file')), channel: channelArb, ts: tsArb }),
        channel: fc.oneof(channelArb, fc.record({ id: channelArb, creator: userIdArb })),
        text: hostileText,
      },
      { requiredKeys: ['type', 'user', 'reaction', 'item'] },
    ),
  }),
);

/** Bodies that are no Slack payload: what the receiver must refuse (400) rather than fail on. */
const notAnObject = fc.oneof(fc.constant(null), fc.constant([]), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.integer(), fc.boolean(), hostileText, fc.double({ noNaN: true }));
const rawBody = fc.oneof(
  notAnObject.map((v) => ({ body: `payload=${encodeURIComponent(JSON.stringify(v))}`, type: FORM, expect: 400 })),
  notAnObject.map((v) => ({ body: JSON.stringify(v), type: 'application/json', expect: 400 })),
  // Not JSON (a lone surrogate cannot be URL-encoded: Slack never sends one raw).
  hostileText.map((v) => ({ body: `payload=${encodeURIComponent(`{${v.replace(/[\uD800-\uDFFF]/g, '?')}`)}`, type: FORM, expect: 400 })),
  fc.dictionary(fc.constantFrom('command', 'text', 'user_id', 'channel_id', 'team_id', 'trigger_id', 'type', 'payload_x'), hostileText).map((d) => ({ body: new URLSearchParams(d).toString(), type: FORM, expect: 200 })),
  fc.json().filter((j) => typeof JSON.parse(j) === 'object' && JSON.parse(j) !== null && !Array.isArray(JSON.parse(j))).map((j) => ({ body: j, type: 'application/json', expect: 200 })),
);

const fill = (json: string) =>
  json
    .replaceAll(INCIDENT, inc.incidentId)
    .replaceAll(CHANNEL, inc.channelId!)
    .replaceAll(TRIGGER, newTriggerId())
    .replaceAll(RESPONSE_URL, t.standIn.responseUrl())
    .replaceAll(MESSAGE_TS, pinnable.ts);

async function send(body: string, contentType: string) {
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signatureFor(SIGNING_SECRET, ts, body) };
  return t.driver.post(body, headers);
}

/** Cases that made Firebreak call Slack: a fuzz whose every case is ignored at the door would test little. */
let reached = 0;

/** Sends one case and checks everything said above; the expected status is 200 unless told. */
async function check(body: string, contentType: string, expected = 200): Promise<void> {
  const calls = t.standIn.calls.length;
  const responses = t.standIn.responses.length;
  const timeline = (await t.running.ctx.store.listTimeline(inc.incidentId)).length;
  const res = await send(body, contentType);
  expect(res.status, `answer to ${body.slice(0, 300)}`).toBe(expected);
  const health = await fetch(`${t.url}/healthz`);
  expect(health.status).toBe(200);
  await t.running.ctx.inflight.drain(10_000);
  const found = leaks({ calls: t.standIn.calls.slice(calls), responses: t.standIn.responses.slice(responses), acks: res.json ? [res.json] : [] }, ALLOWED);
  expect(found, `mentions from the payload sent back to Slack, for ${body.slice(0, 500)}`).toEqual([]);
  const events = (await t.running.ctx.store.listTimeline(inc.incidentId)).length;
  if (t.standIn.calls.length > calls || t.standIn.responses.length > responses || events > timeline) reached += 1;
}

const asForm = (payload: unknown) => `payload=${encodeURIComponent(fill(JSON.stringify(payload)))}`;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });

/** Runs the property, then checks that some of its cases got past the screening to a listener. */
async function fuzz<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, send: (value: T) => Promise<void>, mustReach = true) {
  reached = 0;
  await fc.assert(fc.asyncProperty(arbitrary, send), runs(numRuns));
  if (mustReach) expect(reached).toBeGreaterThan(0);
}

describe('fuzzed interaction payloads over HTTP', () => {
  it('block_actions: acknowledged, the app serving, no mention from the payload sent', async () => {
    await fuzz(blockActions, 150, (p) => check(asForm(p), FORM));
  }, 120_000);

  it('view_submission and view_closed: acknowledged, the app serving, no mention from the payload sent', async () => {
    await fuzz(viewPayload, 100, (p) => check(asForm(p), FORM));
  }, 120_000);

  it('events: acknowledged, the app serving, no mention from the payload sent', async () => {
    await fuzz(eventPayload, 80, (p) => check(fill(JSON.stringify(p)), 'application/json'));
  }, 120_000);

  it('bodies that are no payload: a 400 when they are not even an object, else acknowledged and ignored', async () => {
    // None of these is a payload Firebreak acts on.
    await fuzz(rawBody, 100, (c) => check(c.body, c.type, c.expect), false);
  }, 120_000);
});

describe('the shapes that failed before', () => {
  it('a click from "<!channel>" is acknowledged and ignored: no broadcast, no state change', async () => {
    const payload = { type: 'block_actions', user: { id: '<!channel>' }, team: { id: TEAM_ID }, channel: { id: inc.channelId }, trigger_id: newTriggerId(), response_url: t.standIn.responseUrl(), actions: [{ action_id: 'incident_ack', block_id: 'a', type: 'button', value: inc.incidentId }] };
    const before = (await t.running.ctx.store.getIncident(inc.incidentId))!;
    const calls = t.standIn.calls.length;
    const res = await t.driver.post(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
    await t.running.ctx.inflight.drain(5000);
    expect(t.standIn.calls.slice(calls)).toEqual([]);
    expect((await t.running.ctx.store.getIncident(inc.incidentId))!.acknowledgedBy).toBe(before.acknowledgedBy);
    expect(t.logs.some((l) => String(l.msg).startsWith('ignored a Slack payload') && String(l.why).includes('user.id'))).toBe(true);
  });

  it('a form submitted without state is told the form arrived incomplete, in the ack', async () => {
    const payload = { type: 'view_submission', user: { id: 'U0ALICE' }, team: { id: TEAM_ID }, view: { id: 'V0NOSTATE', hash: '1.a', callback_id: 'incident_update', private_metadata: '{}' } };
    const res = await t.driver.post(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(res.json)).toContain('The form arrived incomplete');
  });

  it('a remediation button whose value is not JSON says it carries no remediation', async () => {
    const clicked = await t.driver.blockAction({ actionId: 'diag_remediate:0', value: '{"a":', channelId: 'C0GENERAL' });
    expect(clicked.status).toBe(200);
    const answer = await t.standIn.waitForResponse((r) => r.path === new URL(clicked.responseUrl).pathname);
    expect(JSON.stringify(answer.body)).toContain('This button carries no remediation Firebreak understands.');
  });

  it('a checklist tick whose block id is not a checklist group is answered, not failed', async () => {
    const clicked = await t.driver.blockAction({ actionId: 'incident_checklist', blockId: 'checklist', selectedOptions: ['0'], channelId: inc.channelId! });
    expect(clicked.status).toBe(200);
    const answer = await t.standIn.waitForResponse((r) => r.path === new URL(clicked.responseUrl).pathname);
    expect(JSON.stringify(answer.body)).toContain('Firebreak could not read this click');
  });

  it.each([
    ['a button nobody listens to', { type: 'block_actions', user: { id: 'U0ALICE' }, team: { id: TEAM_ID }, actions: [{ action_id: 'nobody_listens', type: 'button' }] }],
    ['a global shortcut', { type: 'shortcut', callback_id: 'x', user: { id: 'U0ALICE' }, team: { id: TEAM_ID }, trigger_id: '1.2.3' }],
    ['a message shortcut', { type: 'message_action', callback_id: 'x', user: { id: 'U0ALICE' }, team: { id: TEAM_ID }, channel: { id: 'C0GENERAL' } }],
    ['an options request', { type: 'block_suggestion', action_id: 'x', value: 'a', user: { id: 'U0ALICE' }, team: { id: TEAM_ID } }],
    ['a view closed', { type: 'view_closed', user: { id: 'U0ALICE' }, team: { id: TEAM_ID }, view: { id: 'V1', callback_id: 'incident_open' } }],
    ['a submission of an unknown form', { type: 'view_submission', user: { id: 'U0ALICE' }, team: { id: TEAM_ID }, view: { id: 'V1', callback_id: 'nobody', state: { values: {} } } }],
  ])('%s is acknowledged at once (200, not Bolt\'s 404 for an unanswered request)', async (_what, payload) => {
    const res = await t.driver.post(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
    expect(res.status).toBe(200);
  });
});

describe('a real Firebreak process', () => {
  it('keeps serving after signed bodies that used to end it', async () => {
    const standIn = await startSlackStandIn();
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-shapes-'));
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\n');
    const p = runFirebreak({ SLACK_BOT_TOKEN: 'xoxb-shapes', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', FIREBREAK_DATA_DIR: 'memory://' }, dir);
    try {
      const port = await servingPort(p);
      const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SIGNING_SECRET, standIn });
      // Not objects: refused (400). Objects Bolt cannot read (a null view, a numeric channel): ignored (200).
      const crashers: Array<[string, string, number]> = [
        ['payload=null', FORM, 400], ['null', 'application/json', 400], ['payload=%5B%5D', FORM, 400], ['[]', 'application/json', 400],
        ['payload=1', FORM, 400], ['"ssl_check"', 'application/json', 400],
        ['payload=%7B%22type%22%3A%22view_submission%22%2C%22view%22%3Anull%7D', FORM, 200],
        ['{"event":{"type":"reaction_added","channel":1},"type":"event_callback","team_id":"T0TEST"}', 'application/json', 200],
      ];
      for (const [body, contentType, expected] of crashers) {
        // Bounded, so that a request the app never answers fails here instead of hanging the suite.
        const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
          method: 'POST', body, headers: { ...driver.sign(body), 'content-type': contentType }, signal: AbortSignal.timeout(10_000),
        }).catch((err: unknown) => ({ status: `no answer (${String(err)})` }));
        expect(res.status, body).toBe(expected);
        expect(p.child.exitCode, `after ${body}:\n${p.err()}`).toBeNull();
      }
      const help = await driver.command({ command: '/incident', text: 'help' });
      expect(help.status).toBe(200);
      expect(p.child.exitCode).toBeNull();
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await p.exited;
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('over Socket Mode (no signatures there; the same screening)', () => {
  it('acknowledges and ignores what it cannot read, and still serves a good command', async () => {
    const webApi = await startSlackStandIn();
    const socket = await startSocketModeStandIn(webApi);
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-shapes-socket-'));
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\n');
    const loaded = loadConfig(
      { SLACK_BOT_TOKEN: 'xoxb-sock', SLACK_SIGNING_SECRET: 'sock-secret', SLACK_APP_TOKEN: 'xapp-1-sock', SLACK_API_URL: webApi.apiUrl, PORT: '0', FIREBREAK_DATA_DIR: 'memory://' },
      dir,
    );
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const app = await startFirebreak(loaded.config, createLogger({ level: 'silent', secrets: [], destination: new Writable({ write: (_c, _e, done) => done() }) }));
    try {
      await socket.connected();
      const unreadable: Array<['interactive' | 'events_api' | 'slash_commands', unknown]> = [
        // events_api envelopes always carry an event object here: the Socket Mode client itself reads payload.event.type.
        ['interactive', null], ['interactive', []], ['slash_commands', 'x'], ['events_api', { type: 'event_callback', event: { type: 7 } }],
        ['interactive', { type: 'block_actions', user: { id: '<!channel>' }, team: { id: TEAM_ID }, actions: [{ action_id: 'incident_ack', type: 'button', value: 'x' }] }],
        ['interactive', { type: 'view_submission', user: { id: 'U0ALICE' }, view: null }],
        ['events_api', { type: 'event_callback', team_id: TEAM_ID, event: { type: 'reaction_added', user: 'U0ALICE', channel: 1 } }],
        ['slash_commands', { command: '/incident', text: 'ack', user_id: '<!here>', channel_id: 'C0GENERAL', team_id: TEAM_ID, trigger_id: newTriggerId() }],
      ];
      for (const [type, payload] of unreadable) {
        const ack = await socket.send(type, payload as Record<string, unknown>);
        expect(ack.envelope_id, JSON.stringify(payload)).toEqual(expect.any(String));
      }
      const help = await socket.send('slash_commands', {
        command: '/incident', text: 'help', user_id: 'U0ALICE', channel_id: 'C0GENERAL', team_id: TEAM_ID, trigger_id: newTriggerId(), response_url: webApi.responseUrl(),
      });
      expect((help.payload as { text?: string }).text).toContain('`/incident open [title]`');
      await app.ctx.inflight.drain(5000);
      expect(webApi.calls.filter((c) => !['auth.test', 'apps.connections.open'].includes(c.method)).map((c) => c.method)).toEqual([]);
    } finally {
      await app.stop({ drainMs: 2000 });
      await socket.close();
      await webApi.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
