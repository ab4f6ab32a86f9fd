/**
 * fireChatItem: a due reminder or escalation is re-checked against the incident as it is now,
 * posted, recorded, and only then marked done; a failed post leaves it due again after a backoff.
 */
import { describe, expect, it } from 'vitest';
import { fireChatItem } from '../../src/app/reminders/fire.js';
import { syncSchedule } from '../../src/app/reminders/sync.js';
import { INCIDENTS_CHANNEL } from '../fakes/context.js';
import { slackApiError, slackRateLimited } from '../fakes/recording-chat.js';
import { ANNOUNCEMENT, COMMANDER, expectDefined, givenIncident, readable, REPORTER, WAR_ROOM, type GivenIncident } from './fixtures.js';
import { asItem } from '../store/fixtures.js';
import { fireWorld, LEASE_MS } from './fire-world.js';

const MIN = 60_000;
const fresh = { attempts: 0, lastError: null };

/** An incident declared now with its schedule planned, as opening one does. */
async function planned(world: ReturnType<typeof fireWorld>, options: GivenIncident = {}) {
  const incident = await givenIncident(world.ctx, options);
  await syncSchedule(world.ctx, incident.id);
  return incident;
}

describe('fireChatItem: the update reminder', () => {
  it.each([
    { home: 'thread' as const, commanderId: COMMANDER, channel: ANNOUNCEMENT.channel, threadTs: ANNOUNCEMENT.ts, mentioned: COMMANDER },
    { home: 'channel' as const, commanderId: COMMANDER, channel: WAR_ROOM, threadTs: undefined, mentioned: COMMANDER },
    // Nobody commands it yet: the reporter is reminded.
    { home: 'thread' as const, commanderId: null, channel: ANNOUNCEMENT.channel, threadTs: ANNOUNCEMENT.ts, mentioned: REPORTER },
  ])('homed in its $home, commander $commanderId: posted there, recorded, due again an interval later', async ({ home, commanderId, channel, threadTs, mentioned }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { home, commanderId, severity: 'P2' });
    ctx.clock.advance(15 * MIN);
    const claimed = await world.claim(incident.id, 'update_reminder');

    await fireChatItem(world.f, claimed);

    const now = ctx.clock.now();
    const [post, ...more] = world.engineChat.posts();
    expect(more).toEqual([]);
    expect(post).toMatchObject({ channel, threadTs });
    expect(post?.message.text).toBe(':alarm_clock: INC-1 needs an update: 15 min');
    const shown = readable(expectDefined(post, 'reminder').message);
    expect(shown).toContain(`<@${mentioned}> :alarm_clock: *INC-1: Checkout returns 502*: no update for *15 min*; stakeholders were promised one every 15 min.`);
    expect(shown).not.toContain('late');
    expect(ctx.chat.calls).toEqual([]);
    expect((await ctx.store.listTimeline(incident.id)).at(-1)).toStrictEqual({
      incidentId: incident.id, kind: 'reminder_sent', actorId: null, at: now, data: { userId: mentioned, overdueMs: 15 * MIN, lateMs: 0 },
    });
    expect(await world.item(incident.id, 'update_reminder')).toStrictEqual({
      ...asItem(claimed), dueAt: new Date(now.getTime() + 15 * MIN), firedCount: 1, lastFiredAt: now, ...fresh,
    });
  });

  it.each([
    { lateMs: 59_000, note: null },
    { lateMs: MIN, note: '_Firebreak was unavailable when this fell due; it is 1 min late._' },
    { lateMs: 25 * MIN, note: '_Firebreak was unavailable when this fell due; it is 25 min late._' },
  ])('fired $lateMs ms late: posted once, saying so only from a minute late; due an interval after now', async ({ lateMs, note }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    ctx.clock.advance(15 * MIN + lateMs);

    await fireChatItem(world.f, await world.claim(incident.id, 'update_reminder'));

    const [post] = world.engineChat.posts();
    const context = post?.message.blocks.filter((b) => b.type === 'context').flatMap((b) => b.items) ?? [];
    expect(context).toEqual(note === null ? [] : [note]);
    expect((await ctx.store.listTimeline(incident.id)).at(-1)?.data).toEqual({ userId: COMMANDER, overdueMs: 15 * MIN + lateMs, lateMs });
    expect((await world.item(incident.id, 'update_reminder')).dueAt).toEqual(new Date(ctx.clock.now().getTime() + 15 * MIN));
  });

  it.each([
    { case: 'first claim, on time', deadOwner: false, failedBefore: false, lookFirst: false },
    { case: 'taken over from a process that stopped holding the claim', deadOwner: true, failedBefore: false, lookFirst: true },
    { case: 'retried after a failed attempt', deadOwner: false, failedBefore: true, lookFirst: true },
  ])('$case: the post is keyed on the firing, and Slack is asked first whether it landed: $lookFirst', async ({ deadOwner, failedBefore, lookFirst }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    ctx.clock.advance(15 * MIN);
    if (deadOwner) {
      // Claimed by a process that died before it could complete or fail, with a short lease: taken
      // over 5 s after the item fell due (how late it fires does not tell).
      await ctx.store.schedule.claimDue({ now: ctx.clock.now(), owner: 'dead', leaseMs: 5_000, limit: 100, lane: 'chat' });
      ctx.clock.advance(5_000);
    }
    if (failedBefore) {
      const first = await world.claim(incident.id, 'update_reminder');
      await ctx.store.schedule.fail({ id: first.id, owner: 'w1', retryAt: ctx.clock.now(), error: 'HTTP 500' });
    }
    const claimed = await world.claim(incident.id, 'update_reminder');
    expect(claimed.takenOver).toBe(deadOwner);

    await fireChatItem(world.f, claimed);

    const posts = world.engineChat.callsTo('post');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.args[2]).toMatchObject({ once: { key: `${claimed.id}:0`, lookFirst } });
  });

  it('repeats every interval while nobody posts an update', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    for (const minutes of [15, 30, 45]) {
      ctx.clock.set(new Date(incident.declaredAt.getTime() + minutes * MIN));
      await fireChatItem(world.f, await world.claim(incident.id, 'update_reminder'));
    }
    expect(world.engineChat.posts().map((p) => p.message.text)).toEqual([15, 30, 45].map((m) => `:alarm_clock: INC-1 needs an update: ${m} min`));
    expect(await world.item(incident.id, 'update_reminder')).toMatchObject({ firedCount: 3, dueAt: new Date(incident.declaredAt.getTime() + 60 * MIN) });
  });

  it.each([
    { name: 'an update was posted meanwhile', change: { lastUpdateAt: 10 }, next: 25 },
    { name: 'it is snoozed', change: { reminderSnoozedUntil: 40 }, next: 40 },
    { name: 'it was resolved', change: { status: 'resolved', resolvedAt: 14 }, next: null },
  ] as const)('is not posted when $name, and becomes due when the incident says', async ({ change, next }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    const at = (minutes: number) => new Date(incident.declaredAt.getTime() + minutes * MIN);
    ctx.clock.advance(15 * MIN);
    const claimed = await world.claim(incident.id, 'update_reminder');
    // Changed behind the schedule's back (no re-plan): the item is still due; fire time re-checks.
    const set = Object.fromEntries(Object.entries(change).map(([k, v]) => [k, typeof v === 'number' ? at(v) : v]));
    await ctx.store.updateIncident({ id: incident.id, set });

    await fireChatItem(world.f, claimed);

    expect(world.engineChat.calls).toEqual([]);
    expect((await ctx.store.listTimeline(incident.id)).map((e) => e.kind)).toEqual(['opened']);
    expect(await world.item(incident.id, 'update_reminder')).toStrictEqual({ ...asItem(claimed), dueAt: next === null ? null : at(next) });
  });
});

describe('fireChatItem: escalations', () => {
  it.each([
    { home: 'thread' as const, posts: [[INCIDENTS_CHANNEL, ANNOUNCEMENT.ts], [INCIDENTS_CHANNEL, undefined]], link: 'the thread of its announcement' },
    { home: 'channel' as const, posts: [[WAR_ROOM, undefined], [INCIDENTS_CHANNEL, undefined]], link: `<#${WAR_ROOM}>` },
  ])('L2, homed in its $home: posted there and to the incidents channel, paging queued, recorded, done', async ({ home, posts, link }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { home });
    ctx.clock.advance(15 * MIN);
    const claimed = await world.claim(incident.id, 'escalation:L2');

    await fireChatItem(world.f, claimed);

    const now = ctx.clock.now();
    expect(world.engineChat.posts().map((p) => [p.channel, p.threadTs])).toEqual(posts);
    const shown = readable(expectDefined(world.engineChat.posts()[0], 'escalation').message);
    for (const part of ['ESCALATION L2: INC-1', 'L2: still unacknowledged (15 min since declaration; response target &lt; 30 min).', `<@U0ONCALL> <!subteam^S0SRE>, please join the incident now: ${link}`]) {
      expect(shown).toContain(part);
    }
    expect(await world.item(incident.id, 'pager:trigger:L2')).toMatchObject({ dueAt: now, oneShot: true, payload: { level: 'L2', action: 'trigger' } });
    expect((await ctx.store.listTimeline(incident.id)).at(-1)).toStrictEqual({
      incidentId: incident.id, kind: 'escalation_sent', actorId: null, at: now, data: { level: 'L2', notified: ['U0ONCALL', 'S0SRE'], paged: true },
    });
    expect(await world.item(incident.id, 'escalation:L2')).toStrictEqual({ ...asItem(claimed), dueAt: null, firedCount: 1, lastFiredAt: now, ...fresh });
  });

  it('the response deadline of an unacknowledged incident notifies and pages as configured', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P1' });
    ctx.clock.advance(30 * MIN);

    await fireChatItem(world.f, await world.claim(incident.id, 'response_deadline'));

    const shown = readable(expectDefined(world.engineChat.posts()[0], 'escalation').message);
    expect(shown).toContain('ESCALATION response deadline: INC-1');
    expect(shown).toContain('Nobody has acknowledged it within its response target (30 min since declaration; response target &lt; 30 min).');
    expect(shown).toContain('<@U0LEAD>, please join');
    expect((await world.item(incident.id, 'pager:trigger:response')).payload).toEqual({ level: 'response', action: 'trigger' });
  });

  it.each([
    { kind: 'escalation:L2', fires: false },
    { kind: 'response_deadline', fires: false },
    // L3 lasts until the incident is resolved.
    { kind: 'escalation:L3', fires: true },
  ])('once acknowledged, $kind fires: $fires', async ({ kind, fires }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P1' });
    ctx.clock.advance(50 * MIN);
    const claimed = await world.claim(incident.id, kind);
    await ctx.store.updateIncident({ id: incident.id, set: { acknowledgedAt: ctx.clock.now(), acknowledgedBy: 'U0ACK' } });

    await fireChatItem(world.f, claimed);

    expect(world.engineChat.posts().length > 0).toBe(fires);
    expect(await world.item(incident.id, kind)).toMatchObject({ dueAt: null, firedCount: fires ? 1 : 0 });
    if (fires) {
      expect((await ctx.store.listTimeline(incident.id)).at(-1)?.data).toEqual({ level: 'L3', notified: ['U0MANAGER'], paged: false });
      expect((await ctx.store.schedule.list(incident.id)).some((i) => i.kind.startsWith('pager:'))).toBe(false);
    }
  });

  it('still completes when only the copy in the incidents channel fails, and reports that step', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world);
    ctx.clock.advance(15 * MIN);
    world.engineChat.failNext('post', slackApiError('not_in_channel'), { when: (channel, _m, options) => channel === INCIDENTS_CHANNEL && !options?.threadTs });

    await fireChatItem(world.f, await world.claim(incident.id, 'escalation:L2'));

    expect(world.engineChat.posts()).toHaveLength(1);
    expect(await world.item(incident.id, 'escalation:L2')).toMatchObject({ dueAt: null, firedCount: 1, lastError: null });
    expect((await world.item(incident.id, 'pager:trigger:L2')).dueAt).toEqual(ctx.clock.now());
    const timeline = await ctx.store.listTimeline(incident.id);
    expect(timeline.filter((e) => e.kind === 'side_step_failed').map((e) => e.data)).toEqual([
      { step: 'posting the escalation in the incidents channel', error: 'not_in_channel' },
    ]);
    expect(ctx.chat.posts().map((p) => [p.channel, p.threadTs])).toEqual([[INCIDENTS_CHANNEL, ANNOUNCEMENT.ts]]);
  });
});

describe('fireChatItem: a post that fails', () => {
  it.each([
    { name: 'a Slack error', error: slackApiError('channel_not_found'), retryInMs: 10_000, lastError: 'channel_not_found' },
    { name: 'a rate limit (its Retry-After wins over the backoff)', error: slackRateLimited(45), retryInMs: 45_000, lastError: 'A rate limit was exceeded (retry after 45 s)' },
    { name: 'a network error', error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), retryInMs: 10_000, lastError: 'ECONNRESET' },
  ])('$name: stays due after the backoff, nothing recorded as sent', async ({ error, retryInMs, lastError }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    ctx.clock.advance(15 * MIN);
    const claimed = await world.claim(incident.id, 'update_reminder');
    world.engineChat.failNext('post', error);

    await fireChatItem(world.f, claimed);

    expect(await world.item(incident.id, 'update_reminder')).toStrictEqual({
      ...asItem(claimed), dueAt: new Date(ctx.clock.now().getTime() + retryInMs), attempts: 1, lastError,
    });
    expect((await ctx.store.listTimeline(incident.id)).map((e) => e.kind)).toEqual(['opened']);
    expect(ctx.logs.filter((l) => l.msg === 'scheduled post failed; it stays due')).toHaveLength(1);
  });

  it('backs off further each attempt, and a success clears the count and the error', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    ctx.clock.advance(15 * MIN);
    world.engineChat.failNext('post', slackApiError('internal_error'), { times: 2 });

    const retries: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = ctx.clock.now().getTime();
      await fireChatItem(world.f, await world.claim(incident.id, 'update_reminder'));
      const item = await world.item(incident.id, 'update_reminder');
      if (item.firedCount === 0) {
        retries.push(expectDefined(item.dueAt, 'retry time').getTime() - before);
        ctx.clock.set(expectDefined(item.dueAt, 'retry time'));
      }
    }

    expect(retries).toEqual([10_000, 20_000]);
    expect(await world.item(incident.id, 'update_reminder')).toMatchObject({ firedCount: 1, ...fresh });
    expect(world.engineChat.posts()).toHaveLength(1);
  });

  it('an escalation whose post fails queues no paging until it is posted', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world);
    ctx.clock.advance(15 * MIN);
    world.engineChat.failNext('post', slackApiError('channel_not_found'));

    await fireChatItem(world.f, await world.claim(incident.id, 'escalation:L2'));

    expect(await world.item(incident.id, 'escalation:L2')).toMatchObject({ firedCount: 0, attempts: 1, dueAt: new Date(ctx.clock.now().getTime() + 10_000) });
    expect((await ctx.store.schedule.list(incident.id)).map((i) => i.kind)).not.toContain('pager:trigger:L2');
  });
});

describe('fireChatItem after its claim was lost', () => {
  it('changes nothing of the item another worker now holds, whether it posted or failed', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await planned(world, { severity: 'P2' });
    ctx.clock.advance(15 * MIN);
    const mine = await world.claim(incident.id, 'update_reminder', 'w1');
    // w1 stalled past its lease; w2 took the item over.
    ctx.clock.advance(LEASE_MS);
    const theirs = await world.claim(incident.id, 'update_reminder', 'w2');
    const held = await world.item(incident.id, 'update_reminder');

    await fireChatItem(world.f, mine);
    world.engineChat.failNext('post', slackApiError('internal_error'));
    await fireChatItem(world.f, mine);

    expect(await world.item(incident.id, 'update_reminder')).toStrictEqual(held);
    // Still w2's: nobody else can claim it, and w2 completes it.
    expect(await ctx.store.schedule.claimDue({ now: ctx.clock.now(), owner: 'w3', leaseMs: LEASE_MS, limit: 10, lane: 'chat' })).toEqual([]);
    await fireChatItem({ ...world.f, owner: 'w2' }, theirs);
    expect(await world.item(incident.id, 'update_reminder')).toMatchObject({ firedCount: 1, attempts: 0, lastFiredAt: ctx.clock.now() });
  });
});
