/**
 * The use case behind the hook, on the in-memory fakes (the store's semantics, a recording chat, a
 * manual clock): one incident per group while it is open, notes after that, coalesced; resolved
 * never resolves; a resolved incident lets the group open a new one; concurrent posts open one.
 */
import { describe, expect, it } from 'vitest';
import { checkAlertmanagerPayload } from '../../src/adapters/http/alertmanager-hook.js';
import { alertSourceKey, receiveAlertNotification, type AlertSource } from '../../src/app/alerts/receive.js';
import type { AlertNotification } from '../../src/app/alerts/notification.js';
import { resolveIncident } from '../../src/app/incidents/resolve.js';
import { fakeContext, INCIDENTS_CHANNEL, type FakeContext } from '../fakes/context.js';
import { alertmanagerPayload, postgresDown } from './payloads.js';

const TEAM = 'T0TEAM';
const BOT = 'U0FIREBREAK';
const source: AlertSource = { teamId: TEAM, reporterId: BOT };

function notification(payload: Record<string, unknown>): AlertNotification {
  const checked = checkAlertmanagerPayload(payload);
  if (!checked.ok) throw new Error(checked.problem);
  return checked.notification;
}

const receive = (ctx: FakeContext, payload: Record<string, unknown>) => receiveAlertNotification(ctx, source, notification(payload));

/** Posts in the incident's own channel saying the group fires again or resolved. */
const alertPosts = (ctx: FakeContext, channel: string | null) =>
  ctx.chat.posts().filter((p) => p.channel === channel && /^:(rotating_light|white_check_mark): Alertmanager/.test(p.message.text));

const alertEvents = async (ctx: FakeContext, incidentId: string) => (await ctx.store.listTimeline(incidentId)).filter((e) => e.kind === 'alert_received');

describe('a group firing', () => {
  it('opens one incident through openIncident: severity from the label, title and symptoms from the alerts, the bot as reporter', async () => {
    const ctx = fakeContext();
    const outcome = await receive(ctx, postgresDown(['db-1:9187', 'db-2:9187', 'db-3:9187']));
    expect(outcome.outcome).toBe('opened');
    const [incident] = await ctx.store.listOpenIncidents(TEAM);
    expect(incident).toMatchObject({ number: 1, severity: 'P1', title: 'PostgresDown: PostgreSQL does not answer', reporterId: BOT, commanderId: null });
    expect(incident!.symptoms).toContain('3 alerts firing');
    expect(incident!.symptoms!.split('\n').filter((l) => l.startsWith('• PostgresDown'))).toHaveLength(3);
    // Announced in the incidents channel like any declaration, with a channel of its own.
    expect(ctx.chat.posts().some((p) => p.channel === INCIDENTS_CHANNEL && p.message.text.includes('INC-1: PostgresDown'))).toBe(true);
    expect(incident!.channelId).not.toBeNull();
    // The group knows its incident; the timeline has the alert, and nothing says "now firing" under the announcement.
    const group = postgresDown(['db-1:9187']).groupKey as string;
    expect(await ctx.store.alerts.current(TEAM, group, ctx.clock.now())).toEqual({ generation: 1, incidentId: incident!.id });
    expect((await alertEvents(ctx, incident!.id)).map((e) => e.data)).toEqual([expect.objectContaining({ alertname: 'PostgresDown', status: 'firing', firing: 3 })]);
    expect(alertPosts(ctx, incident!.channelId)).toEqual([]);
  });

  it('dates the detection from the first firing alert of the group (MTTD), never after the declaration', async () => {
    const ctx = fakeContext();
    const payload = postgresDown(['db-1', 'db-2', 'db-3']);
    const alerts = payload.alerts as Array<Record<string, unknown>>;
    // The second alert fired first; a resolved one that started earlier does not count.
    alerts[1]!.startsAt = '2025-03-04T13:41:30Z';
    alerts.push({ ...alerts[0], status: 'resolved', startsAt: '2025-03-04T12:00:00Z', endsAt: '2025-03-04T12:30:00Z', fingerprint: 'f0000000000000ff' });
    await receive(ctx, payload);
    const [incident] = await ctx.store.listOpenIncidents(TEAM);
    expect(incident!.declaredAt.toISOString()).toBe('2025-03-04T14:00:00.000Z');
    expect(incident!.detectedAt?.toISOString()).toBe('2025-03-04T13:41:30.000Z');

    const ahead = fakeContext();
    const early = postgresDown(['db-9']);
    (early.alerts as Array<Record<string, unknown>>)[0]!.startsAt = '2025-03-04T14:00:05Z';
    await receive(ahead, early);
    const [clamped] = await ahead.store.listOpenIncidents(TEAM);
    expect(clamped!.detectedAt?.toISOString()).toBe('2025-03-04T14:00:00.000Z');
  });

  it('keys the incident on the group key hashed and the generation', () => {
    expect(alertSourceKey('{}:{alertname="X"}', 3)).toMatch(/^alertmanager:[0-9a-f]{64}:3$/);
    expect(alertSourceKey('{}:{alertname="X"}', 3)).not.toBe(alertSourceKey('{}:{alertname="Y"}', 3));
  });

  it('firing again while the incident is open: a note and a message in its channel, no second incident', async () => {
    const ctx = fakeContext();
    await receive(ctx, postgresDown(['db-1', 'db-2']));
    ctx.clock.advance(5 * 60_000);
    const again = await receive(ctx, postgresDown(['db-1', 'db-2', 'db-3']));
    expect(again).toMatchObject({ outcome: 'noted', posted: true });
    const incidents = await ctx.store.listOpenIncidents(TEAM);
    expect(incidents).toHaveLength(1);
    const posts = alertPosts(ctx, incidents[0]!.channelId);
    expect(posts.map((p) => p.message.text)).toEqual([':rotating_light: Alertmanager: 3 alerts of *PostgresDown* now firing.']);
    expect((await alertEvents(ctx, incidents[0]!.id)).map((e) => e.data.firing)).toEqual([2, 3]);
  });

  it('coalesces: the same status and firing count within the minute posts nothing more; a change posts at once; a repeat a minute later posts', async () => {
    const ctx = fakeContext();
    await receive(ctx, postgresDown(['db-1']));
    const [incident] = await ctx.store.listOpenIncidents(TEAM);
    const posted = async (payload: Record<string, unknown>) => {
      const o = await receive(ctx, payload);
      return o.outcome === 'noted' && o.posted;
    };
    ctx.clock.advance(61_000);
    expect(await posted(postgresDown(['db-1']))).toBe(true);
    ctx.clock.advance(10_000);
    expect(await posted(postgresDown(['db-1']))).toBe(false);
    expect(await posted(postgresDown(['db-1', 'db-2']))).toBe(true);
    expect(await posted(postgresDown(['db-1', 'db-2']))).toBe(false);
    ctx.clock.advance(60_000);
    expect(await posted(postgresDown(['db-1', 'db-2']))).toBe(true);
    expect(alertPosts(ctx, incident!.channelId)).toHaveLength(3);
    // Every notification is counted by the store, posted or not.
    const group = postgresDown(['db-1']).groupKey as string;
    expect(await ctx.store.alerts.record(TEAM, group, { at: ctx.clock.now(), firing: 2, resolved: 0, status: 'firing' })).toEqual({ notifications: 7 });
  });

  it('a storm of 200 notifications of one group: one incident and a bounded number of messages', async () => {
    const ctx = fakeContext();
    const results = [];
    // 200 notifications over 100 s, ten at a time, alternately 2 and 3 alerts firing.
    for (let round = 0; round < 20; round += 1) {
      const batch = Array.from({ length: 10 }, (_, i) => receive(ctx, postgresDown(i % 2 ? ['db-1', 'db-2'] : ['db-1', 'db-2', 'db-3'])));
      results.push(...(await Promise.all(batch)));
      ctx.clock.advance(5000);
    }
    expect(results).toHaveLength(200);
    expect(results.filter((r) => r.outcome === 'opened')).toHaveLength(1);
    const incidents = await ctx.store.listOpenIncidents(TEAM);
    expect(incidents).toHaveLength(1);
    // Two firing counts over two minutes: at most one message per count and minute.
    const posts = alertPosts(ctx, incidents[0]!.channelId);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.length).toBeLessThanOrEqual(4);
  });

  it('20 notifications of one group at once open exactly one incident', async () => {
    const ctx = fakeContext();
    const payload = postgresDown(['db-1', 'db-2']);
    const results = await Promise.all(Array.from({ length: 20 }, () => receive(ctx, payload)));
    expect(results.filter((r) => r.outcome === 'opened')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'noted')).toHaveLength(19);
    expect(await ctx.store.listOpenIncidents(TEAM)).toHaveLength(1);
    expect(ctx.chat.posts().filter((p) => p.channel === INCIDENTS_CHANNEL && p.message.text.includes(': PostgresDown'))).toHaveLength(1);
  });

  it('two groups open two incidents', async () => {
    const ctx = fakeContext();
    await receive(ctx, postgresDown(['db-1']));
    await receive(ctx, alertmanagerPayload({ alerts: [{ labels: { alertname: 'DiskFull', severity: 'warning' }, annotations: { summary: '/var at 97%' } }] }));
    const incidents = await ctx.store.listOpenIncidents(TEAM);
    expect(incidents.map((i) => [i.title, i.severity]).sort()).toEqual([
      ['DiskFull: /var at 97%', 'P2'],
      ['PostgresDown: PostgreSQL does not answer', 'P1'],
    ]);
  });
});

describe('a group resolved', () => {
  it('posts a note and leaves the incident open', async () => {
    const ctx = fakeContext();
    await receive(ctx, postgresDown(['db-1', 'db-2']));
    ctx.clock.advance(120_000);
    const outcome = await receive(ctx, postgresDown(['db-1', 'db-2'], 'resolved'));
    expect(outcome).toMatchObject({ outcome: 'noted', posted: true });
    const [incident] = await ctx.store.listOpenIncidents(TEAM);
    expect(incident!.status).toBe('investigating');
    expect(incident!.resolvedAt).toBeNull();
    expect(alertPosts(ctx, incident!.channelId).map((p) => p.message.text)).toEqual([
      ':white_check_mark: Alertmanager: all alerts of the group *PostgresDown* resolved. The incident stays open: resolve it with `/incident resolve` once the service is back.',
    ]);
    expect((await alertEvents(ctx, incident!.id)).at(-1)!.data).toMatchObject({ status: 'resolved', firing: 0, resolved: 2 });
  });

  it('with no incident open for the group: nothing is opened', async () => {
    const ctx = fakeContext();
    expect(await receive(ctx, postgresDown(['db-1'], 'resolved'))).toMatchObject({ outcome: 'ignored' });
    expect(await ctx.store.listOpenIncidents(TEAM)).toEqual([]);
    expect(ctx.chat.posts()).toEqual([]);
  });

  it('once the incident is resolved, the group firing again opens a new incident', async () => {
    const ctx = fakeContext();
    await receive(ctx, postgresDown(['db-1']));
    const [first] = await ctx.store.listOpenIncidents(TEAM);
    ctx.clock.advance(30 * 60_000);
    const resolved = await resolveIncident(ctx, first!, { actorId: 'U0ALICE', resolution: { rootCause: 'disk', fixApplied: 'cleaned', finalImpact: null, postmortemDate: null } });
    expect(resolved.ok).toBe(true);
    // Alertmanager's "resolved" after people resolved it: nothing to add to, nothing opened.
    expect(await receive(ctx, postgresDown(['db-1'], 'resolved'))).toMatchObject({ outcome: 'ignored' });
    ctx.clock.advance(60 * 60_000);
    const again = await receive(ctx, postgresDown(['db-1']));
    expect(again.outcome).toBe('opened');
    const open = await ctx.store.listOpenIncidents(TEAM);
    expect(open.map((i) => i.number)).toEqual([2]);
    expect(await ctx.store.getIncident(first!.id)).toMatchObject({ status: 'resolved' });
  });
});

describe('an incident opened for the group but resolved before it was linked', () => {
  it('(a process that died between the two) is linked, the group moves on, and the notification opens a new incident', async () => {
    const ctx = fakeContext();
    const payload = postgresDown(['db-1']);
    const group = payload.groupKey as string;
    await ctx.store.alerts.current(TEAM, group, ctx.clock.now());
    const { incident } = await ctx.store.openIncident({
      teamId: TEAM, title: 'PostgresDown', severity: 'P1', impact: null, symptoms: null, actions: null, eta: null,
      reporterId: BOT, commanderId: null, declaredAt: ctx.clock.now(), sourceKey: alertSourceKey(group, 1),
    });
    await ctx.store.updateIncident({ id: incident.id, set: { status: 'resolved', resolvedAt: ctx.clock.now() } });
    const outcome = await receive(ctx, payload);
    expect(outcome.outcome).toBe('opened');
    const open = await ctx.store.listOpenIncidents(TEAM);
    expect(open.map((i) => i.number)).toEqual([2]);
    expect(await ctx.store.alerts.current(TEAM, group, ctx.clock.now())).toEqual({ generation: 2, incidentId: open[0]!.id });
  });
});

describe('when a side step fails', () => {
  it('a message that cannot be posted leaves the note on the timeline and is logged', async () => {
    const ctx = fakeContext();
    await receive(ctx, postgresDown(['db-1']));
    const [incident] = await ctx.store.listOpenIncidents(TEAM);
    ctx.clock.advance(120_000);
    ctx.chat.failNext('post', Object.assign(new Error('An API error occurred: channel_not_found'), { data: { error: 'channel_not_found' } }));
    const outcome = await receive(ctx, postgresDown(['db-1', 'db-2']));
    expect(outcome).toMatchObject({ outcome: 'noted', posted: false });
    expect((await alertEvents(ctx, incident!.id)).map((e) => e.data.firing)).toEqual([1, 2]);
    expect(ctx.logs.some((l) => l.level === 40 && String(l.msg).includes('could not post the alert group'))).toBe(true);
  });
});
