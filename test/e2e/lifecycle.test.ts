/**
 * An incident's whole life through Slack's wire format: open → acknowledge → update ×2 → severity
 * change → resolve → checklist → postmortem, asserting on the Web API calls Firebreak makes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../services.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { command, declareIncident, resolveValues, responseAfter, submitModal, updateValues, visible, type Declared } from './flows.js';

let t: AppUnderTest;
let inc: Declared;
let channel: string;
let admin: pg.Client;

beforeAll(async () => {
  t = await startAppUnderTest({
    yaml: `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  links:\n    - { label: Grafana, url: "https://grafana.example.com/d/checkout" }\n`,
  });
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.stop();
});

const settle = () => t.running.ctx.inflight.drain(10_000);
const lastCall = (method: string, pred: (a: Record<string, unknown>) => boolean = () => true) => t.standIn.callsTo(method).filter((c) => pred(c.args)).at(-1)!;
/** The latest version of the pinned summary card (the message pins.add was called with). */
const card = () => {
  const pinned = lastCall('pins.add', (a) => a.channel === channel);
  return lastCall('chat.update', (a) => a.channel === channel && a.ts === pinned.args.timestamp);
};
const timelineKinds = async () =>
  (await admin.query(`select kind from ${t.schema}.incident_events where incident_id = $1 order by at, id`, [inc.incidentId])).rows.map((r) => r.kind as string);

describe('the life of an incident', () => {
  it('opening creates its channel, invites the reporter, sets the topic, pins the card and announces it with a link', async () => {
    inc = await declareIncident(t, { title: 'Checkout down', severity: 'P1', impact: 'Payments fail', symptoms: '5xx on /checkout' });
    expect(inc.channelId).toMatch(/^C/);
    channel = inc.channelId!;
    const create = lastCall('conversations.create');
    expect(create.args.name).toMatch(/^inc-\d{8}-\d+-checkout-down$/);
    expect(lastCall('conversations.invite').args).toMatchObject({ channel, users: 'U0ALICE' });
    expect(lastCall('conversations.setTopic').args.topic).toBe(`P1 Major · Investigating · Commander: nobody yet · ${inc.id}: Checkout down`);
    const cardPost = t.standIn.callsTo('chat.postMessage').find((c) => c.args.channel === channel)!;
    expect(visible(cardPost)).toContain(`P1 · ${inc.id}: Checkout down`);
    expect(visible(cardPost)).toContain('<https://grafana.example.com/d/checkout|Grafana>');
    expect(lastCall('pins.add').args).toMatchObject({ channel, timestamp: (cardPost.result as { ts: string }).ts });
    const announced = visible(inc.announcement);
    expect(announced).toContain(`<#${channel}>`);
    const actions = (inc.announcement.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!;
    expect(actions.elements.map((e: any) => e.action_id)).toEqual(['incident_ack', 'incident_join', 'incident_post_update']);
    expect(actions.elements.every((e: any) => e.value === inc.incidentId)).toBe(true);
  });

  it('Acknowledge records who and when, makes them commander, and refreshes card, topic and announcement', async () => {
    const before = t.standIn.responses.length;
    const ts = (inc.announcement.result as { ts: string }).ts;
    await t.driver.blockAction({ actionId: 'incident_ack', value: inc.incidentId, userId: 'U0BOB', channelId: INCIDENTS_CHANNEL, message: { ts } });
    expect(await responseAfter(t, before)).toContain(`You acknowledged ${inc.id}. You are its commander.`);
    await settle();
    expect(visible(lastCall('chat.postMessage', (a) => a.channel === channel))).toContain(`${inc.id} acknowledged by <@U0BOB>. <@U0BOB> is now the incident commander.`);
    expect(visible(card())).toContain('<@U0BOB>');
    expect(lastCall('conversations.setTopic').args.topic).toContain('Commander: <@U0BOB>');
    const announcement = lastCall('chat.update', (a) => a.channel === INCIDENTS_CHANNEL && a.ts === ts);
    expect(JSON.stringify(announcement.args.blocks)).not.toContain('incident_ack');

    const again = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: 'incident_ack', value: inc.incidentId, userId: 'U0CAROL', channelId: INCIDENTS_CHANNEL, message: { ts } });
    expect(await responseAfter(t, again)).toContain('was already acknowledged by <@U0BOB>');
    const row = (await admin.query(`select acknowledged_by, commander_id from ${t.schema}.incidents where id = $1`, [inc.incidentId])).rows[0];
    expect(row).toEqual({ acknowledged_by: 'U0BOB', commander_id: 'U0BOB' });
  });

  it('Join channel invites the clicker; status shows the same blocks as the pinned card', async () => {
    const before = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: 'incident_join', value: inc.incidentId, userId: 'U0NEWBIE', channelId: INCIDENTS_CHANNEL });
    expect(await responseAfter(t, before)).toContain(`You are in <#${channel}>.`);
    expect(lastCall('conversations.invite').args).toMatchObject({ channel, users: 'U0NEWBIE' });

    const asked = t.standIn.responses.length;
    await command(t, `status ${inc.id}`);
    await responseAfter(t, asked);
    const reply = t.standIn.responses.at(-1)!.body as { blocks: unknown[] };
    expect(reply.blocks).toEqual(card().args.blocks);
  });

  it('an update from the channel posts the update template in the channel and the announcement thread', async () => {
    const cmd = await command(t, 'update', { channelId: channel, userId: 'U0BOB' });
    const form = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    const status = (form.args.view as any).blocks.find((b: any) => b.block_id === 'status');
    expect(status.element.initial_option.value).toBe('investigating');
    const submitted = await submitModal(t, cmd.triggerId, updateValues('identified', 'Bad release 4.2 found', { nextSteps: 'Roll back', eta: '20 min' }), 'U0BOB');
    expect(submitted.text).toBe('');
    await settle();
    const inChannel = lastCall('chat.postMessage', (a) => a.channel === channel && String(a.text).startsWith(':bar_chart:'));
    const body = visible(inChannel);
    expect(body).toContain(`INCIDENT UPDATE: ${inc.id}`);
    expect(body).toContain('*Status:* :dart: Identified');
    expect(body).toContain('*Progress:* Bad release 4.2 found');
    expect(body).toContain('*Blockers:* —');
    expect(body).toContain('*Next steps:* Roll back');
    expect(body).toContain('*Updated ETA:* 20 min');
    const inThread = lastCall('chat.postMessage', (a) => a.channel === INCIDENTS_CHANNEL && a.thread_ts === (inc.announcement.result as { ts: string }).ts);
    expect(visible(inThread)).toContain('Bad release 4.2 found');
    expect(visible(card())).toContain(':dart: Identified');
  });

  it('the Post update button opens the same form; two updates at once are both recorded', async () => {
    const click = await t.driver.blockAction({ actionId: 'incident_post_update', value: inc.incidentId, userId: 'U0CAROL', channelId: channel });
    const click2 = await t.driver.blockAction({ actionId: 'incident_post_update', value: inc.incidentId, userId: 'U0DAVE', channelId: channel });
    const [a, b] = await Promise.all([
      submitModal(t, click.triggerId, updateValues('monitoring', 'Rolled back; error rate falling'), 'U0CAROL'),
      submitModal(t, click2.triggerId, updateValues('monitoring', 'Cache warmed'), 'U0DAVE'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await settle();
    const updates = t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && String(c.args.text).startsWith(':bar_chart:'));
    expect(updates.map((c) => visible(c))).toEqual(
      expect.arrayContaining([expect.stringContaining('Rolled back; error rate falling'), expect.stringContaining('Cache warmed')]),
    );
    expect((await timelineKinds()).filter((k) => k === 'update_posted')).toHaveLength(3);
    expect(visible(card())).toContain(':eyes: Monitoring');
  });

  it('a severity rise re-tags everything and is announced in the incidents channel', async () => {
    const before = t.standIn.responses.length;
    await command(t, 'severity P0', { channelId: channel, userId: 'U0BOB' });
    expect(await responseAfter(t, before)).toContain(`${inc.id} is now P0 Critical.`);
    await settle();
    const raised = lastCall('chat.postMessage', (a) => a.channel === INCIDENTS_CHANNEL && String(a.text).startsWith(':arrow_double_up:'));
    expect(visible(raised)).toContain(`${inc.id} is now :red_circle: P0 Critical* (was P1 Major), changed by <@U0BOB>`);
    expect(lastCall('conversations.setTopic').args.topic).toMatch(/^P0 Critical · Monitoring/);
    expect(visible(card())).toContain(':red_circle: P0 Critical');
    const announcement = lastCall('chat.update', (a) => a.channel === INCIDENTS_CHANNEL);
    expect(visible(announcement)).toContain(`P0 · ${inc.id}: Checkout down`);

    const same = t.standIn.responses.length;
    await command(t, 'severity critical', { channelId: channel });
    expect(await responseAfter(t, same)).toContain(`${inc.id} is already P0 Critical.`);
  });

  it('resolving posts the resolution with its duration, tells stakeholders, and posts the checklist', async () => {
    const cmd = await command(t, 'resolve', { channelId: channel, userId: 'U0BOB' });
    await submitModal(t, cmd.triggerId, resolveValues('Release 4.2 exhausted the DB pool', 'Rolled back to 4.1', '30% of payments failed for 40 min', '2026-11-26'), 'U0BOB');
    await settle();
    const resolution = lastCall('chat.postMessage', (a) => a.channel === channel && String(a.text).startsWith(':white_check_mark:'));
    const body = visible(resolution);
    expect(body).toContain(`INCIDENT RESOLVED: ${inc.id}`);
    expect(body).toMatch(/\*Total duration:\* \d+ s/);
    expect(body).toContain('*Root cause:* Release 4.2 exhausted the DB pool');
    expect(body).toContain('*Fix applied:* Rolled back to 4.1');
    expect(body).toContain('*Postmortem:* 2026-11-26');
    expect(t.standIn.callsTo('chat.postMessage').some((c) => c.args.channel === INCIDENTS_CHANNEL && !c.args.thread_ts && String(c.args.text).startsWith(':white_check_mark:'))).toBe(true);
    const checklist = lastCall('chat.postMessage', (a) => a.channel === channel && JSON.stringify(a.blocks).includes('checkboxes'));
    const boxes = (checklist.args.blocks as Array<Record<string, any>>).filter((b) => b.type === 'actions');
    expect(boxes.flatMap((b) => b.elements[0].options.map((o: any) => o.text.text))).toContain('Root cause identified');
    expect(boxes[0]!.block_id).toBe(`checklist:${inc.incidentId}:0`);
    expect(visible(card())).toContain(':white_check_mark: Resolved');
    expect(visible(card())).toContain('0/10 done');
  });

  it('a click on a resolved incident says when it was resolved instead of acting', async () => {
    const before = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: 'incident_ack', value: inc.incidentId, userId: 'U0EVE', channelId: INCIDENTS_CHANNEL });
    expect(await responseAfter(t, before)).toMatch(new RegExp(`${inc.id} was resolved at <!date\\^\\d+`));
    const upd = t.standIn.responses.length;
    const cmd = await command(t, 'update', { channelId: channel });
    expect(await responseAfter(t, upd)).toContain(`${inc.id} was resolved at`);
    expect(t.standIn.callsTo('views.open').some((c) => c.args.trigger_id === cmd.triggerId)).toBe(false);
  });

  it('checklist ticks are saved, shown to everyone and counted on the card', async () => {
    const checklist = lastCall('chat.postMessage', (a) => a.channel === channel && JSON.stringify(a.blocks).includes('checkboxes'));
    const ts = (checklist.result as { ts: string }).ts;
    await t.driver.blockAction({ actionId: 'incident_checklist', blockId: `checklist:${inc.incidentId}:0`, selectedOptions: ['item-1', 'item-5'], userId: 'U0BOB', channelId: channel, message: { ts } });
    await settle();
    const redrawn = lastCall('chat.update', (a) => a.channel === channel && a.ts === ts);
    const initial = (redrawn.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0].initial_options.map((o: any) => o.value);
    expect(initial).toEqual(['item-1', 'item-5']);
    expect(visible(card())).toContain('2/10 done');
    const row = (await admin.query(`select checklist from ${t.schema}.incidents where id = $1`, [inc.incidentId])).rows[0];
    expect(row.checklist).toEqual(['item-1', 'item-5']);
  });

  it('the postmortem is generated from the timeline and resolution and uploaded to the channel', async () => {
    await command(t, 'postmortem', { channelId: channel });
    await settle();
    const complete = lastCall('files.completeUploadExternal');
    expect(complete.args.channel_id).toBe(channel);
    const fileId = (complete.args.files as Array<{ id: string }>)[0]!.id;
    const report = t.standIn.uploadedFile(fileId)!.toString('utf8');
    expect(report).toContain(`# Incident report — ${inc.id}: Checkout down`);
    expect(report).toContain('Release 4.2 exhausted the DB pool');
    expect(report).toContain('Rolled back to 4.1');
    expect(report).toMatch(/- \[x\] Incident resolved and verified/);
    expect(report).toMatch(/- \[ \] Resolution communication sent/);
    expect(report).not.toMatch(/undefined|null/);
    // Two updates raced to "monitoring": the status changed once, and only once is recorded.
    // (Which of the two recorded it decides the order, so count rather than compare sequences.)
    const counts = (await timelineKinds()).reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
    expect(counts).toEqual({
      opened: 1, acknowledged: 1, role_changed: 1, update_posted: 3, status_changed: 2, severity_changed: 1,
      resolved: 1, checklist_ticked: 2, postmortem_generated: 1,
    });
  });

  it('the timeline lists every event with its date and time', async () => {
    const before = t.standIn.responses.length;
    await command(t, `timeline ${inc.id}`);
    const body = await responseAfter(t, before);
    for (const fragment of ['Acknowledged', 'P1 Major', 'P0 Critical', 'Release 4.2 exhausted the DB pool', '<!date^']) expect(body).toContain(fragment);
  });

  it('reopening brings it back to investigating and restarts the clock', async () => {
    const before = t.standIn.responses.length;
    await command(t, 'reopen', { channelId: channel, userId: 'U0BOB' });
    expect(await responseAfter(t, before)).toContain(`${inc.id} is open again`);
    await settle();
    expect(visible(card())).toContain(':mag: Investigating');
    expect((await timelineKinds()).at(-1)).toBe('reopened');
    const again = t.standIn.responses.length;
    await command(t, 'reopen', { channelId: channel });
    expect(await responseAfter(t, again)).toContain('is not resolved');
  });
});
