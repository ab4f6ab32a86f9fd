/** resolveIncident and reopenIncident: guarded status changes, what is posted where, the schedule after. */
import { describe, expect, it } from 'vitest';
import { reopenIncident, resolveIncident } from '../../src/app/incidents/resolve.js';
import { syncSchedule } from '../../src/app/reminders/sync.js';
import type { Resolution } from '../../src/core/incident/incident.js';
import { fakeContext, INCIDENTS_CHANNEL, type FakeContext } from '../fakes/context.js';
import { slackApiError } from '../fakes/recording-chat.js';
import { ANNOUNCEMENT, expectDefined, givenIncident, readable, WAR_ROOM } from './fixtures.js';

const RESOLVER = 'U0RESOLVER';
const RESOLUTION: Resolution = { rootCause: 'Bad config in release 412', fixApplied: 'Rolled back to 411', finalImpact: '90 min of 502s', postmortemDate: 'Thursday 14:00' };
const NINETY_MINUTES = 90 * 60_000;

/** Each post as [channel, threadTs, what it is], for comparing whole sequences. */
const postsSummary = (ctx: FakeContext) =>
  ctx.chat.posts().map((p) => [p.channel, p.threadTs ?? null, p.message.blocks.some((b) => b.type === 'checklist') ? 'checklist' : p.message.text.slice(0, 19)]);

describe('resolveIncident', () => {
  it.each([
    {
      home: 'thread' as const,
      posts: [[INCIDENTS_CHANNEL, ANNOUNCEMENT.ts, ':white_check_mark: '], [INCIDENTS_CHANNEL, ANNOUNCEMENT.ts, 'checklist']],
      reply: 'INC-1 is resolved. The post-incident checklist is in its thread; `/incident postmortem INC-1` drafts the report.',
    },
    {
      // The channel, the announcement's thread, and stakeholders in the incidents channel.
      home: 'channel' as const,
      posts: [[WAR_ROOM, null, ':white_check_mark: '], [INCIDENTS_CHANNEL, ANNOUNCEMENT.ts, ':white_check_mark: '], [INCIDENTS_CHANNEL, null, ':white_check_mark: '], [WAR_ROOM, null, 'checklist']],
      reply: `INC-1 is resolved. The post-incident checklist is in <#${WAR_ROOM}>; \`/incident postmortem INC-1\` drafts the report.`,
    },
  ])('homed in its $home: stores and records the resolution, posts it and the checklist there', async ({ home, posts, reply }) => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { home });
    ctx.clock.advance(NINETY_MINUTES);

    const outcome = await resolveIncident(ctx, incident, { actorId: RESOLVER, resolution: RESOLUTION });

    expect(outcome).toEqual({ ok: true, reply });
    const now = ctx.clock.now();
    expect(await ctx.store.getIncident(incident.id)).toStrictEqual({ ...incident, status: 'resolved', resolvedAt: now, resolution: RESOLUTION, lastUpdateAt: now });
    expect((await ctx.store.listTimeline(incident.id)).at(-1)).toStrictEqual({
      incidentId: incident.id, kind: 'resolved', actorId: RESOLVER, at: now, data: { durationMs: NINETY_MINUTES, rootCause: RESOLUTION.rootCause },
    });
    expect(postsSummary(ctx)).toEqual(posts);
    const text = readable(expectDefined(ctx.chat.posts()[0], 'resolution').message);
    for (const line of ['*Total duration:* 1 h 30 min', '*Root cause:* Bad config in release 412', '*Fix applied:* Rolled back to 411', `Resolved by <@${RESOLVER}>`]) {
      expect(text).toContain(line);
    }
    const checklist = expectDefined(ctx.chat.posts().at(-1), 'checklist').message.blocks.find((b) => b.type === 'checklist');
    expect(checklist).toMatchObject({ id: `checklist:${incident.id}`, checked: [] });
  });

  it('cancels every reminder and escalation, and has an escalation that paged resolved in PagerDuty', async () => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx);
    await syncSchedule(ctx, incident.id);
    await ctx.store.schedule.enqueue(incident.id, 'pager:trigger:L2', ctx.clock.now(), { level: 'L2', action: 'trigger' });
    ctx.clock.advance(20 * 60_000);

    await resolveIncident(ctx, incident, { actorId: RESOLVER, resolution: RESOLUTION });

    const due = Object.fromEntries((await ctx.store.schedule.list(incident.id)).map((i) => [i.kind, i.dueAt]));
    expect(due).toEqual({
      'escalation:L2': null, 'escalation:L3': null, 'escalation:L4': null, response_deadline: null, update_reminder: null,
      'pager:trigger:L2': expect.any(Date),
      // Not acknowledged: nothing to acknowledge, only to resolve.
      'pager:resolve:L2': ctx.clock.now(),
    });
    expect(ctx.wakes).toBeGreaterThan(0);
  });

  it('refuses an incident already resolved, and changes nothing', async () => {
    const ctx = fakeContext();
    const open = await givenIncident(ctx);
    const { incident: resolved } = await ctx.store.updateIncident({ id: open.id, set: { status: 'resolved', resolvedAt: ctx.clock.now() } });

    const outcome = await resolveIncident(ctx, resolved, { actorId: RESOLVER, resolution: RESOLUTION });

    expect(outcome).toEqual({ ok: false, reply: ':warning: INC-1 is already resolved. Use `/incident reopen` if the problem is back.' });
    expect(await ctx.store.getIncident(open.id)).toStrictEqual(resolved);
    expect(ctx.chat.calls).toEqual([]);
  });

  it('refuses when someone else resolved it meanwhile: one resolution, posted once', async () => {
    const ctx = fakeContext();
    const seen = await givenIncident(ctx);
    const first = await resolveIncident(ctx, seen, { actorId: 'U0FIRST', resolution: RESOLUTION });
    const posted = ctx.chat.posts().length;

    const second = await resolveIncident(ctx, seen, { actorId: RESOLVER, resolution: { ...RESOLUTION, rootCause: 'other' } });

    expect(first.ok).toBe(true);
    expect(second).toEqual({ ok: false, reply: ':warning: INC-1 was resolved meanwhile by someone else.' });
    expect((await ctx.store.getIncident(seen.id))?.resolution).toEqual(RESOLUTION);
    expect((await ctx.store.listTimeline(seen.id)).filter((e) => e.kind === 'resolved').map((e) => e.actorId)).toEqual(['U0FIRST']);
    expect(ctx.chat.posts()).toHaveLength(posted);
  });

  it.each([
    { step: 'announcing the resolution', failing: (channel: string, threadTs?: string) => channel === INCIDENTS_CHANNEL && !threadTs },
    { step: 'posting the post-incident checklist', failing: (channel: string) => channel === WAR_ROOM, after: 1 },
  ])('reports a failure of "$step" and still completes', async ({ step, failing, after = 0 }) => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { home: 'channel' });
    // `after` matching posts go through first (the resolution itself goes to the war room too).
    let seen = 0;
    ctx.chat.failNext('post', slackApiError('channel_not_found'), {
      when: (channel, _message, options) => failing(channel, options?.threadTs) && seen++ >= after,
    });

    const outcome = await resolveIncident(ctx, incident, { actorId: RESOLVER, resolution: RESOLUTION });

    expect(outcome.ok).toBe(true);
    expect((await ctx.store.getIncident(incident.id))?.status).toBe('resolved');
    expect((await ctx.store.listTimeline(incident.id)).filter((e) => e.kind === 'side_step_failed').map((e) => e.data)).toEqual([
      { step, error: 'channel_not_found' },
    ]);
  });
});

describe('reopenIncident', () => {
  const resolvedIncident = async (ctx: FakeContext, home: 'thread' | 'channel' = 'thread') => {
    const open = await givenIncident(ctx, { home });
    ctx.clock.advance(NINETY_MINUTES);
    await resolveIncident(ctx, open, { actorId: RESOLVER, resolution: RESOLUTION });
    ctx.clock.advance(10 * 60_000);
    return expectDefined(await ctx.store.getIncident(open.id), 'incident');
  };

  it.each([
    { home: 'thread' as const, posts: [[INCIDENTS_CHANNEL, ANNOUNCEMENT.ts]] },
    { home: 'channel' as const, posts: [[WAR_ROOM, null], [INCIDENTS_CHANNEL, ANNOUNCEMENT.ts]] },
  ])('homed in its $home: back to investigating, the reminder clock restarted, said where its people are', async ({ home, posts }) => {
    const ctx = fakeContext();
    const resolved = await resolvedIncident(ctx, home);
    const before = ctx.chat.posts().length;

    const outcome = await reopenIncident(ctx, resolved, { actorId: 'U0REOPENER' });

    const now = ctx.clock.now();
    expect(outcome).toEqual({ ok: true, reply: 'INC-1 is open again (investigating).' });
    expect(await ctx.store.getIncident(resolved.id)).toStrictEqual({ ...resolved, status: 'investigating', resolvedAt: null, lastUpdateAt: now });
    expect((await ctx.store.listTimeline(resolved.id)).at(-1)).toStrictEqual({
      incidentId: resolved.id, kind: 'reopened', actorId: 'U0REOPENER', at: now, data: { previousResolution: RESOLUTION },
    });
    const reminder = (await ctx.store.schedule.list(resolved.id)).find((i) => i.kind === 'update_reminder');
    expect(reminder?.dueAt).toEqual(new Date(now.getTime() + 15 * 60_000));
    const notices = ctx.chat.posts().slice(before);
    expect(notices.map((p) => [p.channel, p.threadTs ?? null])).toEqual(posts);
    expect(notices.every((p) => p.message.text === ':arrows_counterclockwise: INC-1 reopened by <@U0REOPENER>; back to investigating.')).toBe(true);
  });

  it('refuses an incident that is open', async () => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx);

    expect(await reopenIncident(ctx, incident, { actorId: 'U0REOPENER' })).toEqual({
      ok: false, reply: ':warning: INC-1 is not resolved: it is investigating. Only a resolved incident can be reopened; change its status instead.',
    });
    expect(await ctx.store.getIncident(incident.id)).toStrictEqual(incident);
  });

  it('refuses when someone else reopened it meanwhile: one reopening recorded', async () => {
    const ctx = fakeContext();
    const seen = await resolvedIncident(ctx);
    await reopenIncident(ctx, seen, { actorId: 'U0FIRST' });

    expect(await reopenIncident(ctx, seen, { actorId: 'U0SECOND' })).toEqual({ ok: false, reply: ':warning: INC-1 was reopened meanwhile by someone else.' });
    expect((await ctx.store.listTimeline(seen.id)).filter((e) => e.kind === 'reopened').map((e) => e.actorId)).toEqual(['U0FIRST']);
  });
});
