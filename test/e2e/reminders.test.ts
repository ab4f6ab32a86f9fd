/**
 * Update reminders and escalation, with second-long durations so the real clock can be used:
 * reminded on time, reset by an update, moved by a snooze, silent after resolution; escalated when
 * nobody acknowledges, with PagerDuty triggered, acknowledged and resolved, and a PagerDuty outage
 * never holding up Slack.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { startPagerDutyStandIn } from '../pagerduty/pagerduty-stand-in.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { command, declareIncident, responseAfter, submitModal, updateValues, resolveValues, visible } from './flows.js';

const PD_KEY = 'R0UT1NGKEY0123456789ABCDEFGHIJKL'; // 32 characters, as PagerDuty's are
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reminders = (t: AppUnderTest, channel: string) =>
  t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && String(c.args.text).startsWith(':alarm_clock:'));

describe('update reminders', () => {
  let t: AppUnderTest;
  beforeAll(async () => {
    t = await startAppUnderTest({ yaml: `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  updateReminder: 2s\nescalation:\n  levels: []\n` });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('arrive on time, mention who must act, and come back while nobody updates', async () => {
    const inc = await declareIncident(t, { title: 'Reminder on time', severity: 'P2' });
    const declaredAt = (await t.running.ctx.store.getIncident(inc.incidentId))!.declaredAt.getTime();
    const first = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === inc.channelId && String(c.args.text).startsWith(':alarm_clock:'), 6000);
    expect(first.at - declaredAt).toBeGreaterThanOrEqual(2000);
    expect(first.at - declaredAt).toBeLessThan(4000); // due at +2 s, fired within 2 s of it
    const body = visible(first);
    expect(body).toContain(`<@U0ALICE> :alarm_clock: *${inc.id}: Reminder on time*: no update for *2 s*`);
    const buttons = (first.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements.map((e: any) => e.action_id);
    expect(buttons).toEqual(['incident_post_update', 'reminder_snooze:15m', 'reminder_snooze:30m', 'reminder_snooze:1h']);
    await t.standIn.waitFor('chat.postMessage', (c) => c !== first && c.args.channel === inc.channelId && String(c.args.text).startsWith(':alarm_clock:'), 6000);
    // Each reminder is recorded on the timeline right after it is posted.
    await expect.poll(async () => (await t.running.ctx.store.listTimeline(inc.incidentId)).filter((e) => e.kind === 'reminder_sent').length).toBeGreaterThanOrEqual(2);
  });

  it('are reset by an update, moved by a snooze, and stop at resolution', async () => {
    const inc = await declareIncident(t, { title: 'Reminder lifecycle', severity: 'P2' });
    const channel = inc.channelId!;
    // An update at +1 s moves the next reminder to +3 s.
    await sleep(1000);
    const cmd = await command(t, 'update', { channelId: channel });
    await submitModal(t, cmd.triggerId, updateValues('identified', 'Found it'));
    await t.running.ctx.inflight.drain(5000);
    const updatedAt = (await t.running.ctx.store.getIncident(inc.incidentId))!.lastUpdateAt.getTime();
    const afterUpdate = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === channel && String(c.args.text).startsWith(':alarm_clock:'), 6000);
    expect(afterUpdate.at - updatedAt).toBeGreaterThanOrEqual(2000);
    expect(afterUpdate.at - updatedAt).toBeLessThan(4000);

    // Snooze 15 min from the reminder's button: nothing more for now, and the card says when.
    const before = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: 'reminder_snooze:15m', value: `${inc.incidentId}|15m`, userId: 'U0BOB', channelId: channel, message: { ts: (afterUpdate.result as { ts: string }).ts } });
    expect(await responseAfter(t, before)).toContain(`Update reminders for ${inc.id} snoozed for 15 min`);
    await t.running.ctx.inflight.drain(5000);
    const redrawn = t.standIn.callsTo('chat.update').filter((c) => c.args.ts === (afterUpdate.result as { ts: string }).ts).at(-1)!;
    expect(visible(redrawn)).toContain(':zzz: Snoozed by <@U0BOB>');
    const count = reminders(t, channel).length;
    const item = (await t.running.ctx.store.schedule.list(inc.incidentId)).find((i) => i.kind === 'update_reminder')!;
    expect(item.dueAt!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    await sleep(3000);
    expect(reminders(t, channel)).toHaveLength(count);

    // Resolution cancels them for good.
    const resolve = await command(t, 'resolve', { channelId: channel });
    await submitModal(t, resolve.triggerId, resolveValues('cause', 'fix'));
    await t.running.ctx.inflight.drain(5000);
    const cancelled = (await t.running.ctx.store.schedule.list(inc.incidentId)).find((i) => i.kind === 'update_reminder')!;
    expect(cancelled.dueAt).toBeNull();
  });
});

describe('escalation and PagerDuty', () => {
  let t: AppUnderTest;
  let pd: Awaited<ReturnType<typeof startPagerDutyStandIn>>;
  beforeAll(async () => {
    pd = await startPagerDutyStandIn();
    t = await startAppUnderTest({
      yaml: [
        'incidents:',
        `  channel: ${INCIDENTS_CHANNEL}`,
        '  updateReminder: 2s',
        '  severities:',
        '    P1: { responseTime: 1s }',
        'escalation:',
        '  responseDeadline: { notify: [S0ONCALL] }',
        '  levels:',
        `    - { name: L2, after: 1500ms, notify: [S0SENIOR, U0LEAD], pagerduty: ${PD_KEY} }`,
        '    - { name: L4, after: 1h, notify: [U0CTO], until: resolved }',
        '  pagerduty:',
        `    url: ${pd.url}`,
        '    timeout: 1s',
      ].join('\n'),
    });
  });
  afterEach(() => pd.mode('ok'));
  afterAll(async () => {
    await t?.stop();
    await pd?.close();
  });

  it('escalates when nobody acknowledges, pages, and acknowledges and resolves the page with the incident', async () => {
    const inc = await declareIncident(t, { title: 'Nobody answers', severity: 'P1' });
    const isEscalation = (c: ApiCall) => String(c.args.text).startsWith(':rotating_light:') && String(c.args.text).includes(inc.id);
    const deadline = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === inc.channelId && isEscalation(c) && visible(c).includes('S0ONCALL'), 5000);
    expect(visible(deadline)).toMatch(/Nobody has acknowledged it within its response target \(\d+ s since declaration; response target &lt; 1 s\)/);
    expect(visible(deadline)).toContain('<!subteam^S0ONCALL>');
    const l2 = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS_CHANNEL && isEscalation(c) && visible(c).includes('ESCALATION L2'), 5000);
    expect(visible(l2)).toContain('<!subteam^S0SENIOR> <@U0LEAD>');
    const trigger = await pd.waitFor((e) => e.body.event_action === 'trigger', 5000);
    expect(trigger.body).toMatchObject({ routing_key: PD_KEY, dedup_key: inc.incidentId, payload: { severity: 'error', source: 'firebreak' } });
    expect(trigger.body.payload.summary).toContain(`${inc.id} [P1] Nobody answers`);

    await t.driver.blockAction({ actionId: 'incident_ack', value: inc.incidentId, userId: 'U0BOB', channelId: INCIDENTS_CHANNEL });
    const ack = await pd.waitFor((e) => e.body.event_action === 'acknowledge', 5000);
    expect(ack.body).toEqual({ routing_key: PD_KEY, event_action: 'acknowledge', dedup_key: inc.incidentId });

    const resolve = await command(t, 'resolve', { channelId: inc.channelId! });
    await submitModal(t, resolve.triggerId, resolveValues('cause', 'fix'));
    const resolved = await pd.waitFor((e) => e.body.event_action === 'resolve', 5000);
    expect(resolved.body).toEqual({ routing_key: PD_KEY, event_action: 'resolve', dedup_key: inc.incidentId });
    const kinds = (await t.running.ctx.store.listTimeline(inc.incidentId)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'escalation_sent')).toHaveLength(2);
    // L4 (until resolved) was still due; resolution cleared it.
    expect((await t.running.ctx.store.schedule.list(inc.incidentId)).find((i) => i.kind === 'escalation:L4')!.dueAt).toBeNull();
  });

  it.each(['hang', 'error500'] as const)('a PagerDuty that is down (%s) never delays the Slack reminder, and the page gets through later', async (mode) => {
    pd.mode(mode);
    const inc = await declareIncident(t, { title: `PagerDuty ${mode}`, severity: 'P1' });
    const declaredAt = (await t.running.ctx.store.getIncident(inc.incidentId))!.declaredAt.getTime();
    const reminder = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === inc.channelId && String(c.args.text).startsWith(':alarm_clock:'), 6000);
    expect(reminder.at - declaredAt).toBeLessThan(4000);
    const report = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS_CHANNEL && String(c.args.text).includes(`${inc.id}: PagerDuty trigger (retrying) failed`), 8000);
    expect(visible(report)).toMatch(mode === 'hang' ? /timed out after 1000 ms/ : /HTTP 500|500/);
    pd.mode('ok');
    const trigger = await pd.waitFor((e) => e.body.event_action === 'trigger' && e.body.dedup_key === inc.incidentId && pd.events.at(-1) === e, 15_000);
    expect(trigger.body.routing_key).toBe(PD_KEY);
  });
});

describe('paging at declaration (escalation.pageOnOpen)', () => {
  const OPEN_KEY = 'OPENPAGEKEY0123456789ABCDEFGHIJK';
  let t: AppUnderTest;
  let pd: Awaited<ReturnType<typeof startPagerDutyStandIn>>;
  beforeAll(async () => {
    pd = await startPagerDutyStandIn();
    t = await startAppUnderTest({
      yaml: [
        'incidents:',
        `  channel: ${INCIDENTS_CHANNEL}`,
        'escalation:',
        '  pageOnOpen: [P0]',
        '  levels: []',
        '  pagerduty:',
        `    url: ${pd.url}`,
        `    routingKey: ${OPEN_KEY}`,
        '    timeout: 1s',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await t?.stop();
    await pd?.close();
  });
  const eventsFor = (incidentId: string) => pd.events.filter((e) => e.body.dedup_key === incidentId);

  it('pages a P0 at once, with the incident as dedup key, then acknowledges and resolves that page with the incident', async () => {
    const inc = await declareIncident(t, { title: 'Everything is down', severity: 'P0' });
    const trigger = await pd.waitFor((e) => e.body.event_action === 'trigger' && e.body.dedup_key === inc.incidentId, 5000);
    expect(trigger.body).toMatchObject({ routing_key: OPEN_KEY, payload: { severity: 'critical', source: 'firebreak' } });
    expect(trigger.body.payload.summary).toContain(`${inc.id} [P0] Everything is down`);
    await expect
      .poll(async () => (await t.running.ctx.store.listTimeline(inc.incidentId)).filter((e) => e.kind === 'escalation_sent').map((e) => e.data.level))
      .toEqual(['PagerDuty (paged at declaration)']);

    await t.driver.blockAction({ actionId: 'incident_ack', value: inc.incidentId, userId: 'U0BOB', channelId: INCIDENTS_CHANNEL });
    const ack = await pd.waitFor((e) => e.body.event_action === 'acknowledge' && e.body.dedup_key === inc.incidentId, 5000);
    expect(ack.body).toEqual({ routing_key: OPEN_KEY, event_action: 'acknowledge', dedup_key: inc.incidentId });
    const resolve = await command(t, 'resolve', { channelId: inc.channelId! });
    await submitModal(t, resolve.triggerId, resolveValues('cause', 'fix'));
    await pd.waitFor((e) => e.body.event_action === 'resolve' && e.body.dedup_key === inc.incidentId, 5000);
    expect(eventsFor(inc.incidentId).map((e) => e.body.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
  });

  it('does not page a P2, and pages it once when it is raised to P0', async () => {
    const inc = await declareIncident(t, { title: 'Slow search', severity: 'P2' });
    await t.running.ctx.inflight.drain(5000);
    await sleep(500);
    expect(eventsFor(inc.incidentId)).toEqual([]);
    await command(t, 'severity P0', { channelId: inc.channelId! });
    await pd.waitFor((e) => e.body.event_action === 'trigger' && e.body.dedup_key === inc.incidentId, 5000);
    await command(t, 'severity P1', { channelId: inc.channelId! });
    await command(t, 'severity P0', { channelId: inc.channelId! });
    await t.running.ctx.inflight.drain(5000);
    await sleep(500);
    expect(eventsFor(inc.incidentId).filter((e) => e.body.event_action === 'trigger')).toHaveLength(1);
  });
});
