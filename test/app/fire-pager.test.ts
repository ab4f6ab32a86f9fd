/**
 * firePagerItem: PagerDuty events for an escalation that pages (trigger, then acknowledge and
 * resolve with the incident), their order, retries with backoff and giving up, each reported.
 */
import { describe, expect, it } from 'vitest';
import { firePagerItem, PAGER_MAX_ATTEMPTS } from '../../src/app/reminders/fire.js';
import type { Incident } from '../../src/core/incident/incident.js';
import type { SeverityLevel } from '../../src/core/incident/severity.js';
import { ANNOUNCEMENT, givenIncident } from './fixtures.js';
import { asItem } from '../store/fixtures.js';
import { fireWorld, type FireWorld } from './fire-world.js';

/** Queues a PagerDuty job now, as an escalation (or syncSchedule) does. */
const queue = (world: FireWorld, incident: Incident, action: 'trigger' | 'acknowledge' | 'resolve', level = 'L2') =>
  world.ctx.store.schedule.enqueue(incident.id, `pager:${action}:${level}`, world.ctx.clock.now(), { level, action });

/** The side-step reports posted about PagerDuty (through the context's chat, in the announcement's thread). */
const reports = (world: FireWorld) => world.ctx.chat.posts().filter((p) => p.threadTs === ANNOUNCEMENT.ts).map((p) => p.message.text);

describe('firePagerItem: trigger', () => {
  it.each([
    { severity: 'P0', pdSeverity: 'critical' },
    { severity: 'P1', pdSeverity: 'error' },
    { severity: 'P2', pdSeverity: 'warning' },
    { severity: 'P3', pdSeverity: 'warning' },
  ] as const)('a $severity incident triggers with PagerDuty severity $pdSeverity, keyed on the incident, and is done', async ({ severity, pdSeverity }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx, { severity: severity as SeverityLevel });
    ctx.clock.advance(15 * 60_000);
    await queue(world, incident, 'trigger');
    const claimed = await world.claim(incident.id, 'pager:trigger:L2');

    await firePagerItem(world.f, claimed);

    const now = ctx.clock.now();
    expect(ctx.pager.events).toStrictEqual([
      {
        action: 'trigger', routingKey: 'ROUTINGKEY2', dedupKey: incident.id, summary: `INC-1 [${severity}] Checkout returns 502`, severity: pdSeverity,
        source: 'firebreak', timestamp: now,
        customDetails: { incident: 'INC-1', severity, status: 'investigating', escalation: 'L2', declaredAt: incident.declaredAt.toISOString() },
      },
    ]);
    expect(await world.item(incident.id, 'pager:trigger:L2')).toStrictEqual({ ...asItem(claimed), dueAt: null, firedCount: 1, lastFiredAt: now });
    expect(reports(world)).toEqual([]);
  });

  it('pages the response deadline with its own routing key', async () => {
    const world = fireWorld();
    const incident = await givenIncident(world.ctx);
    await queue(world, incident, 'trigger', 'response');

    await firePagerItem(world.f, await world.claim(incident.id, 'pager:trigger:response'));

    expect(world.ctx.pager.events.map((e) => [e.action, e.routingKey, e.customDetails?.escalation])).toEqual([['trigger', 'ROUTINGKEYR', 'response']]);
  });

  it.each([
    { name: 'a level that does not page', level: 'L3' },
    { name: 'a level no longer configured', level: 'L9' },
  ])('sends nothing for $name, and is done with it', async ({ level }) => {
    const world = fireWorld();
    const incident = await givenIncident(world.ctx);
    await queue(world, incident, 'trigger', level);

    await firePagerItem(world.f, await world.claim(incident.id, `pager:trigger:${level}`));

    expect(world.ctx.pager.events).toEqual([]);
    expect(await world.item(incident.id, `pager:trigger:${level}`)).toMatchObject({ dueAt: null, firedCount: 0 });
  });

  it.each([
    { name: 'acknowledged', set: { acknowledgedAt: true }, follow: ['pager:acknowledge:L2'] },
    { name: 'resolved', set: { status: 'resolved', resolvedAt: true }, follow: ['pager:resolve:L2'] },
    { name: 'acknowledged and resolved', set: { acknowledgedAt: true, status: 'resolved', resolvedAt: true }, follow: ['pager:acknowledge:L2', 'pager:resolve:L2'] },
  ] as const)('once sent, queues what the incident became meanwhile: $name', async ({ set, follow }) => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx);
    await queue(world, incident, 'trigger');
    const claimed = await world.claim(incident.id, 'pager:trigger:L2');
    const now = ctx.clock.now();
    await ctx.store.updateIncident({ id: incident.id, set: Object.fromEntries(Object.entries(set).map(([k, v]) => [k, v === true ? now : v])) });
    const wakes = ctx.wakes;

    await firePagerItem(world.f, claimed);

    const queued = (await ctx.store.schedule.list(incident.id)).filter((i) => i.kind.startsWith('pager:') && i.kind !== 'pager:trigger:L2');
    expect(queued.map((i) => [i.kind, i.dueAt])).toEqual(follow.map((kind) => [kind, now]));
    expect(ctx.wakes).toBeGreaterThan(wakes);
  });
});

describe('firePagerItem: acknowledge and resolve', () => {
  it.each(['acknowledge', 'resolve'] as const)('%s sends only what it needs, keyed on the incident', async (action) => {
    const world = fireWorld();
    const incident = await givenIncident(world.ctx);
    await queue(world, incident, action);

    await firePagerItem(world.f, await world.claim(incident.id, `pager:${action}:L2`));

    expect(world.ctx.pager.events).toStrictEqual([{ action, routingKey: 'ROUTINGKEY2', dedupKey: incident.id }]);
    expect(await world.item(incident.id, `pager:${action}:L2`)).toMatchObject({ dueAt: null, firedCount: 1 });
  });

  it('waits for a trigger still being retried, then goes once it is sent', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx);
    await queue(world, incident, 'trigger');
    ctx.pager.respondNext({ ok: false, retryable: true, error: 'HTTP 503' });
    await firePagerItem(world.f, await world.claim(incident.id, 'pager:trigger:L2'));
    const retryAt = (await world.item(incident.id, 'pager:trigger:L2')).dueAt;
    expect(retryAt).toEqual(new Date(ctx.clock.now().getTime() + 10_000));
    await queue(world, incident, 'acknowledge');

    await firePagerItem(world.f, await world.claim(incident.id, 'pager:acknowledge:L2'));

    expect(ctx.pager.events.map((e) => e.action)).toEqual(['trigger']);
    expect(await world.item(incident.id, 'pager:acknowledge:L2')).toMatchObject({ dueAt: new Date((retryAt as Date).getTime() + 1000), firedCount: 0 });

    ctx.clock.set(retryAt as Date);
    await firePagerItem(world.f, await world.claim(incident.id, 'pager:trigger:L2'));
    ctx.clock.advance(1000);
    await firePagerItem(world.f, await world.claim(incident.id, 'pager:acknowledge:L2'));
    expect(ctx.pager.events.map((e) => e.action)).toEqual(['trigger', 'trigger', 'acknowledge']);
  });
});

describe('firePagerItem: a failed call', () => {
  it('is retried after a growing backoff, reported once, and given up (and reported) at the last attempt', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx);
    await queue(world, incident, 'trigger');
    ctx.pager.respondNext(...Array.from({ length: PAGER_MAX_ATTEMPTS }, () => ({ ok: false as const, retryable: true, error: 'HTTP 503' })));

    const delays: number[] = [];
    for (let attempt = 1; attempt <= PAGER_MAX_ATTEMPTS; attempt++) {
      const before = ctx.clock.now().getTime();
      await firePagerItem(world.f, await world.claim(incident.id, 'pager:trigger:L2'));
      const item = await world.item(incident.id, 'pager:trigger:L2');
      if (item.dueAt === null) break;
      expect(item).toMatchObject({ attempts: attempt, lastError: 'HTTP 503', firedCount: 0 });
      delays.push(item.dueAt.getTime() - before);
      ctx.clock.set(item.dueAt);
    }

    expect(ctx.pager.events).toHaveLength(PAGER_MAX_ATTEMPTS);
    expect(delays).toEqual(Array.from({ length: PAGER_MAX_ATTEMPTS - 1 }, (_, i) => (i + 1) * 10_000));
    expect(await world.item(incident.id, 'pager:trigger:L2')).toMatchObject({ dueAt: null, firedCount: 0 });
    expect(reports(world)).toEqual([
      ':warning: INC-1: PagerDuty trigger (retrying) failed (HTTP 503). The incident is recorded; everything else went on.',
      `:warning: INC-1: PagerDuty trigger (given up after ${PAGER_MAX_ATTEMPTS} attempts) failed (HTTP 503). The incident is recorded; everything else went on.`,
    ]);
    expect((await ctx.store.listTimeline(incident.id)).filter((e) => e.kind === 'side_step_failed').map((e) => e.data.step)).toEqual([
      'PagerDuty trigger (retrying)', `PagerDuty trigger (given up after ${PAGER_MAX_ATTEMPTS} attempts)`,
    ]);
  });

  it('is given up at once when PagerDuty says retrying cannot help', async () => {
    const world = fireWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx);
    await queue(world, incident, 'resolve');
    ctx.pager.respondNext({ ok: false, retryable: false, error: 'HTTP 400: Invalid routing key' });

    await firePagerItem(world.f, await world.claim(incident.id, 'pager:resolve:L2'));

    expect(ctx.pager.events).toHaveLength(1);
    expect(await world.item(incident.id, 'pager:resolve:L2')).toMatchObject({ dueAt: null, firedCount: 0, attempts: 0 });
    expect(reports(world)).toEqual([':warning: INC-1: PagerDuty resolve (given up after 1 attempts) failed (HTTP 400: Invalid routing key). The incident is recorded; everything else went on.']);
  });
});
