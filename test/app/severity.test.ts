/** changeSeverity: guarded on the level its author saw; a rise to P0/P1 is announced to stakeholders. */
import { describe, expect, it } from 'vitest';
import { changeSeverity } from '../../src/app/incidents/severity.js';
import { syncSchedule } from '../../src/app/reminders/sync.js';
import type { SeverityLevel } from '../../src/core/incident/severity.js';
import { fakeContext, INCIDENTS_CHANNEL } from '../fakes/context.js';
import { slackApiError } from '../fakes/recording-chat.js';
import { ANNOUNCEMENT, CARD, expectDefined, givenIncident, readable, WAR_ROOM } from './fixtures.js';

const CHANGER = 'U0CHANGER';
const NAMES: Record<SeverityLevel, string> = { P0: 'P0 Critical', P1: 'P1 Major', P2: 'P2 Moderate', P3: 'P3 Minor' };
const RESPONSE_MS: Record<SeverityLevel, number> = { P0: 15 * 60_000, P1: 30 * 60_000, P2: 2 * 3600_000, P3: 24 * 3600_000 };

/** Top-level posts in the incidents channel: what stakeholders see (not the incident's own thread). */
const stakeholderPosts = (ctx: ReturnType<typeof fakeContext>) => ctx.chat.posts().filter((p) => p.channel === INCIDENTS_CHANNEL && !p.threadTs);

describe('changeSeverity', () => {
  it.each([
    { from: 'P2', to: 'P1', announced: true },
    { from: 'P1', to: 'P0', announced: true },
    { from: 'P3', to: 'P0', announced: true },
    { from: 'P3', to: 'P2', announced: false },
    { from: 'P0', to: 'P1', announced: false },
    { from: 'P1', to: 'P3', announced: false },
  ] as const)('$from → $to is stored, recorded and told in the thread; announced to stakeholders: $announced', async ({ from, to, announced }) => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { severity: from });
    ctx.clock.advance(5 * 60_000);

    const outcome = await changeSeverity(ctx, incident, { actorId: CHANGER, to });

    expect(outcome).toEqual({ ok: true, reply: `INC-1 is now ${NAMES[to]}.` });
    const stored = expectDefined(await ctx.store.getIncident(incident.id), 'incident');
    expect(stored).toStrictEqual({ ...incident, severity: to });
    expect((await ctx.store.listTimeline(incident.id)).at(-1)).toStrictEqual({
      incidentId: incident.id, kind: 'severity_changed', actorId: CHANGER, at: ctx.clock.now(), data: { from, to },
    });
    const [notice] = ctx.chat.posts();
    expect(notice).toMatchObject({ channel: ANNOUNCEMENT.channel, threadTs: ANNOUNCEMENT.ts });
    expect(notice?.message.text).toBe(`:label: INC-1 severity changed from ${NAMES[from]} to ${NAMES[to]} by <@${CHANGER}>.`);

    const raised = stakeholderPosts(ctx);
    if (announced) {
      expect(raised).toHaveLength(1);
      expect(readable(expectDefined(raised[0], 'announcement').message)).toContain(`*INC-1 is now `);
      expect(readable(expectDefined(raised[0], 'announcement').message)).toContain(`(was ${NAMES[from]})`);
    } else {
      expect(raised).toEqual([]);
    }
    // The response deadline follows the new level's response time.
    const deadline = (await ctx.store.schedule.list(incident.id)).find((i) => i.kind === 'response_deadline');
    expect(deadline?.dueAt).toEqual(new Date(incident.declaredAt.getTime() + RESPONSE_MS[to]));
    expect(ctx.wakes).toBeGreaterThan(0);
    // The announcement shows the new level.
    const announcementUpdate = ctx.chat.callsTo('update').find((c) => c.args[0].ts === ANNOUNCEMENT.ts);
    expect(readable(expectDefined(announcementUpdate, 'announcement update').args[1])).toContain(NAMES[to]);
  });

  it('in its own channel: the notice goes there, and the card and topic show the new level', async () => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { severity: 'P2', home: 'channel' });

    await changeSeverity(ctx, incident, { actorId: CHANGER, to: 'P1' });

    expect(ctx.chat.posts()[0]).toMatchObject({ channel: WAR_ROOM, threadTs: undefined });
    const cardUpdate = ctx.chat.callsTo('update').find((c) => c.args[0].ts === CARD.ts);
    expect(readable(expectDefined(cardUpdate, 'card update').args[1])).toContain('P1');
    expect(ctx.chat.callsTo('setTopic').map((c) => c.args)).toEqual([[WAR_ROOM, expect.stringMatching(/^P1 Major · /)]]);
  });

  it('speaks the configured locale', async () => {
    const ctx = fakeContext({ config: { incidents: { locale: 'fr' } } });
    const incident = await givenIncident(ctx, { severity: 'P1' });

    const outcome = await changeSeverity(ctx, incident, { actorId: CHANGER, to: 'P0' });

    expect(outcome.reply).toBe('INC-1 is now P0 Critique.');
    expect(ctx.chat.posts()[0]?.message.text).toBe(`:label: Sévérité de INC-1 changée de P1 Majeur à P0 Critique par <@${CHANGER}>.`);
  });

  it('refuses the level it already has, and changes and posts nothing', async () => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { severity: 'P1' });

    expect(await changeSeverity(ctx, incident, { actorId: CHANGER, to: 'P1' })).toEqual({ ok: false, reply: ':warning: INC-1 is already P1 Major.' });
    expect(await ctx.store.listTimeline(incident.id)).toHaveLength(1);
    expect(ctx.chat.calls).toEqual([]);
  });

  it('refuses a resolved incident', async () => {
    const ctx = fakeContext();
    const open = await givenIncident(ctx);
    const { incident: resolved } = await ctx.store.updateIncident({ id: open.id, set: { status: 'resolved', resolvedAt: ctx.clock.now() } });

    const outcome = await changeSeverity(ctx, resolved, { actorId: CHANGER, to: 'P0' });

    expect(outcome.ok).toBe(false);
    expect(outcome.reply).toContain('INC-1 was resolved at');
    expect(outcome.reply).toContain('`/incident reopen INC-1`');
    expect((await ctx.store.getIncident(open.id))?.severity).toBe('P1');
    expect(ctx.chat.calls).toEqual([]);
  });

  it('applies to the level its author saw: a change made meanwhile wins, and is named', async () => {
    const ctx = fakeContext();
    const seen = await givenIncident(ctx, { severity: 'P2' });
    await ctx.store.updateIncident({ id: seen.id, set: { severity: 'P0' } });

    const outcome = await changeSeverity(ctx, seen, { actorId: CHANGER, to: 'P1' });

    expect(outcome).toEqual({
      ok: false, reply: ':warning: INC-1 changed meanwhile: it is now P0 Critical. Run the command again if it should still change.',
    });
    expect((await ctx.store.getIncident(seen.id))?.severity).toBe('P0');
    expect((await ctx.store.listTimeline(seen.id)).map((e) => e.kind)).toEqual(['opened']);
    expect(ctx.chat.calls).toEqual([]);
  });

  it('refuses when the incident was resolved meanwhile', async () => {
    const ctx = fakeContext();
    const seen = await givenIncident(ctx, { severity: 'P2' });
    await ctx.store.updateIncident({ id: seen.id, set: { status: 'resolved', resolvedAt: ctx.clock.now() } });

    const outcome = await changeSeverity(ctx, seen, { actorId: CHANGER, to: 'P1' });

    expect(outcome.ok).toBe(false);
    expect(outcome.reply).toContain('INC-1 was resolved at');
    expect((await ctx.store.getIncident(seen.id))?.severity).toBe('P2');
  });

  it('keeps the change when the stakeholder announcement fails, and reports the failed step', async () => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { severity: 'P2' });
    ctx.chat.failNext('post', slackApiError('not_in_channel'), { when: (channel, _message, options) => channel === INCIDENTS_CHANNEL && !options?.threadTs });

    const outcome = await changeSeverity(ctx, incident, { actorId: CHANGER, to: 'P1' });

    expect(outcome.ok).toBe(true);
    expect((await ctx.store.getIncident(incident.id))?.severity).toBe('P1');
    expect((await ctx.store.listTimeline(incident.id)).filter((e) => e.kind === 'side_step_failed').map((e) => e.data)).toEqual([
      { step: 'announcing the severity rise', error: 'not_in_channel' },
    ]);
    const report = ctx.chat.posts().find((p) => p.message.text.includes('failed'));
    expect(report).toMatchObject({ channel: INCIDENTS_CHANNEL, threadTs: ANNOUNCEMENT.ts });
    expect(report?.message.text).toContain('INC-1: announcing the severity rise failed (not_in_channel)');
  });

  it('the escalation levels follow the severity (default levels: L2 for P0–P2, L3 and L4 for P0 and P1)', async () => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { severity: 'P2' });
    await syncSchedule(ctx, incident.id);
    const after = (minutes: number) => new Date(incident.declaredAt.getTime() + minutes * 60_000);
    const levels = async () =>
      Object.fromEntries((await ctx.store.schedule.list(incident.id)).filter((i) => i.kind.startsWith('escalation:')).map((i) => [i.kind, i.dueAt]));
    expect(await levels()).toEqual({ 'escalation:L2': after(15), 'escalation:L3': null, 'escalation:L4': null });

    // Raised 40 min in: L3 and L4 are planned from the declaration, L3 due at once.
    ctx.clock.advance(40 * 60_000);
    await changeSeverity(ctx, incident, { actorId: CHANGER, to: 'P1' });
    expect(await levels()).toEqual({ 'escalation:L2': after(15), 'escalation:L3': after(30), 'escalation:L4': after(60) });

    // Lowered to P3: every level is cancelled.
    const p1 = expectDefined(await ctx.store.getIncident(incident.id), 'incident');
    await changeSeverity(ctx, p1, { actorId: CHANGER, to: 'P3' });
    expect(await levels()).toEqual({ 'escalation:L2': null, 'escalation:L3': null, 'escalation:L4': null });
  });
});
