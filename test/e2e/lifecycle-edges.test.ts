/** The lifecycle where things are not simple: ambiguity, redelivery, refusals, limits, Slack errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { command, declareIncident, responseAfter, visible, type Declared } from './flows.js';

let t: AppUnderTest;
let a: Declared;
let b: Declared;
beforeAll(async () => {
  t = await startAppUnderTest({ yaml: `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  updateReminder: 1s\n` });
  a = await declareIncident(t, { title: 'Search slow', severity: 'P3' });
  b = await declareIncident(t, { title: 'Login broken', severity: 'P1', detected: '3m' });
});
afterAll(async () => {
  await t?.stop();
});
const settle = () => t.running.ctx.inflight.drain(10_000);
const ask = async (text: string, channelId = 'C0GENERAL', userId = 'U0ALICE') => {
  const before = t.standIn.responses.length;
  const res = await command(t, text, { channelId, userId });
  return res.json ? JSON.stringify(res.json) : responseAfter(t, before);
};

describe('which incident', () => {
  it('outside an incident channel, without an id, asks which one with the open incidents', async () => {
    expect(await ask('ack')).toContain(`Did you mean ${b.id} or ${a.id}?`);
  });
  it('names an unknown id', async () => {
    expect(await ask('ack INC-999')).toContain('There is no INC-999 in this workspace.');
  });
  it('explains bad arguments with the usage', async () => {
    expect(await ask('severity P7', a.channelId!)).toContain('\\"P7\\" is not a severity; use P0, P1, P2 or P3');
    expect(await ask('assign bob', a.channelId!)).toContain('say who, with an @mention');
    expect(await ask('stats forever')).toContain('is not a period; write 7d, 30d, 12w or 3m');
  });
});

describe('roles, notes and severity words', () => {
  it('assigns a comms lead by mention, invites them and says so', async () => {
    expect(await ask('assign <@U0COMMS|carla> comms', a.channelId!)).toContain('<@U0COMMS> is now comms lead');
    await settle();
    expect(t.standIn.callsTo('conversations.invite').at(-1)!.args).toMatchObject({ channel: a.channelId, users: 'U0COMMS' });
  });

  it('adds a note from anywhere with an id, unescaping what Slack escaped', async () => {
    expect(await ask(`note ${a.id} Restarted &lt;api&gt; pods`)).toContain(`Note added to the timeline of ${a.id}`);
    const body = await ask(`timeline ${a.id}`);
    expect(body).toContain('Restarted &lt;api&gt; pods'); // escaped for mrkdwn, shown as typed
  });

  it("takes other teams' severity words, and only announces rises to P0/P1", async () => {
    expect(await ask('severity high', a.channelId!)).toContain(`${a.id} is now P1 Major.`);
    await settle();
    const raised = t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === INCIDENTS_CHANNEL && String(c.args.text).startsWith(':arrow_double_up:'));
    expect(raised).toHaveLength(1);
    expect(await ask('severity low', a.channelId!)).toContain(`${a.id} is now P3 Minor.`);
    await settle();
    expect(t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === INCIDENTS_CHANNEL && String(c.args.text).startsWith(':arrow_double_up:'))).toHaveLength(1);
  });
});

describe('a :pushpin: on a message in the incident channel', () => {
  it('puts the message on the timeline at its own time, once, even when Slack redelivers the event', async () => {
    const message = t.standIn.userMessage(a.channelId!, 'U0BOB', 'p95 back under 200 ms after the restart');
    const event = { type: 'reaction_added', user: 'U0BOB', reaction: 'pushpin', item_user: 'U0BOB', item: { type: 'message', channel: a.channelId, ts: message.ts } };
    expect((await t.driver.event(event)).status).toBe(200);
    expect((await t.driver.event(event, { retryNum: 1 })).status).toBe(200);
    await t.driver.event({ ...event, reaction: 'thumbsup' });
    await settle();
    const events = await t.running.ctx.store.listTimeline(a.incidentId);
    const pins = events.filter((e) => e.kind === 'pinned_message');
    expect(pins).toHaveLength(1);
    expect(pins[0]!.data.text).toBe('p95 back under 200 ms after the restart');
    expect(pins[0]!.at.getTime()).toBe(Math.round(Number(message.ts) * 1000));
    expect(String(pins[0]!.data.permalink)).toContain(`/archives/${a.channelId}/p`);
  });

  it('is ignored outside incident channels', async () => {
    const message = t.standIn.userMessage('C0RANDOM', 'U0BOB', 'lunch?');
    await t.driver.event({ type: 'reaction_added', user: 'U0BOB', reaction: 'pushpin', item: { type: 'message', channel: 'C0RANDOM', ts: message.ts } });
    await settle();
    for (const inc of [a, b]) expect((await t.running.ctx.store.listTimeline(inc.incidentId)).filter((e) => e.kind === 'pinned_message' && e.data.ts === message.ts)).toHaveLength(0);
  });
});

describe('list and stats', () => {
  it('lists open incidents most severe first, with overdue updates marked', async () => {
    await new Promise((r) => setTimeout(r, 1200)); // updateReminder is 1s here
    const body = await ask('list');
    expect(body.indexOf(b.id)).toBeLessThan(body.indexOf(a.id)); // P1 before P3
    expect(body).toContain('update overdue');
    expect(body).toContain('2 open incidents');
  });

  it('computes MTTD/MTTA/MTTR and P0/P1 per month against the targets', async () => {
    // "First noticed 3 min ago" at declaration: the one incident with a detection time.
    const stored = await t.running.ctx.store.getIncident(b.incidentId);
    expect(stored!.declaredAt.getTime() - stored!.detectedAt!.getTime()).toBe(180_000);
    const body = await ask('stats 30d');
    expect(body).toContain('MTTD (time to detect: first alert or noticed → declared): 3 min ⚠️ (target ≤ 2 min, over 1)');
    expect(body).toMatch(/MTTA/);
    expect(body).toMatch(/MTTR/);
    expect(body).toMatch(/P0\/P1/);
  });
});

describe('long timelines', () => {
  it('are attached whole as a file instead of being cut', async () => {
    const store = t.running.ctx.store;
    for (let i = 0; i < 150; i++) {
      await store.addTimelineEvent({ incidentId: b.incidentId, kind: 'note', actorId: 'U0BOB', at: new Date(Date.now() - (150 - i) * 1000), data: { text: `note ${i} ${'x'.repeat(80)}` } });
    }
    const body = await ask(`timeline ${b.id}`);
    expect(body).toContain('too many for one message: it is attached in full as a file');
    const complete = t.standIn.callsTo('files.completeUploadExternal').at(-1)!;
    const content = t.standIn.uploadedFile((complete.args.files as Array<{ id: string }>)[0]!.id)!.toString('utf8');
    expect(content).toMatch(new RegExp(`^# Timeline of ${b.id}: Login broken\n`));
    expect(content).toContain('note 0 ');
    expect(content).toContain('note 149 ');
    expect(content).not.toContain('To be completed'); // the timeline, not a postmortem
  });
});

describe('when Slack refuses or throttles', () => {
  it('a refused channel creation keeps the incident, reports it in the incidents channel, and uses a thread instead', async () => {
    t.standIn.failNext('conversations.create', { error: 'restricted_action' });
    const c = await declareIncident(t, { title: 'Queue stuck', severity: 'P2' });
    expect(c.channelId).toBeNull();
    await settle();
    const report = t.standIn.callsTo('chat.postMessage').find((p) => p.args.channel === INCIDENTS_CHANNEL && String(p.args.text).includes('channel creation failed (restricted_action)'));
    expect(report).toBeDefined();
    const ts = (c.announcement.result as { ts: string }).ts;
    const cardInThread = t.standIn.callsTo('chat.postMessage').find((p) => p.args.thread_ts === ts && String(p.args.text).includes(`${c.id}:`));
    expect(cardInThread).toBeDefined();
    const events = await t.running.ctx.store.listTimeline(c.incidentId);
    expect(events.map((e) => e.kind)).toContain('side_step_failed');
  });

  it('honours Retry-After on a 429 and still delivers the message', async () => {
    t.standIn.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, (args) => args.channel === INCIDENTS_CHANNEL);
    const started = Date.now();
    const d = await declareIncident(t, { title: 'Throttled', severity: 'P3' });
    const attempts = t.standIn.callsTo('chat.postMessage').filter((p) => p.args.channel === INCIDENTS_CHANNEL && String(p.args.text).includes(`${d.id}:`));
    expect(attempts.map((p) => p.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(visible(attempts[1]!)).toContain('Throttled');
  });
});

describe('without dedicated channels', () => {
  let th: AppUnderTest;
  beforeAll(async () => {
    th = await startAppUnderTest({ yaml: `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  createChannel: false\n  locale: fr\n` });
  });
  afterAll(async () => {
    await th?.stop();
  });

  it('the incident lives in a thread under its announcement, in French', async () => {
    const d = await declareIncident(th, { title: 'Paiements en échec', severity: 'P1' });
    expect(th.standIn.callsTo('conversations.create')).toHaveLength(0);
    expect(d.channelId).toBeNull();
    const ts = (d.announcement.result as { ts: string }).ts;
    const card = th.standIn.callsTo('chat.postMessage').find((p) => p.args.thread_ts === ts)!;
    expect(visible(card)).toContain(':mag: Investigation');
    const before = th.standIn.responses.length;
    await th.driver.blockAction({ actionId: 'incident_ack', value: d.incidentId, userId: 'U0BOB', channelId: INCIDENTS_CHANNEL, message: { ts } });
    await responseAfter(th, before);
    await th.running.ctx.inflight.drain(5000);
    const notice = th.standIn.callsTo('chat.postMessage').filter((p) => p.args.thread_ts === ts).at(-1)!;
    expect(visible(notice)).toContain(`${d.id} pris en charge par <@U0BOB>`);
  });
});
