/** requestRemediation: what is refused (and audited) before anything is stored, and what a request holds. */
import { describe, expect, it } from 'vitest';
import type { AskInput } from '../../src/app/remediation/flow.js';
import { auditTrail, CARD, expectDefined, givenIncident, readable, TEAM, WAR_ROOM } from './fixtures.js';
import { EXPIRES_AFTER_MS, OPS, remediationWorld, REQUESTER, type WorldOptions } from './remediation-world.js';

const FAR_FUTURE = new Date('2999-01-01T00:00:00.000Z');

describe('requestRemediation refuses, audits the refusal, and stores and posts nothing', () => {
  // `resolved`: refused after the target was resolved (the default, when none was named): the audit
  // names the target refused, not the name as typed.
  it.each<{ name: string; input: Partial<AskInput>; reason: string; world?: WorldOptions; resolved?: string }>([
    { name: 'an unknown action', input: { actionId: 'fake.nope' }, reason: 'There is no action "fake.nope". `/remediate list` shows them.' },
    // Every issue the schema finds is listed, joined by "; ".
    { name: 'missing arguments', input: { args: [] }, reason: '`fake.restart <name>`: expected exactly one argument; expected a name like "payments/api"' },
    { name: 'arguments its schema refuses', input: { args: ['Payments API'] }, reason: '`fake.restart <name>`: expected a name like "payments/api"' },
    { name: 'an unknown target', input: { targetName: 'nope-db' }, reason: 'There is no postgres target "nope-db". Configured: orders-db, analytics-db.' },
    { name: 'a target not in remediation.allow', input: { targetName: 'analytics-db' }, reason: 'Target "analytics-db" is not in remediation.allow.postgres (orders-db).', resolved: 'analytics-db' },
    {
      name: 'a namespace not in remediation.allow',
      input: { actionId: 'fake.rollout', args: ['kube-system/coredns'] },
      reason: 'Namespace "kube-system" is not in remediation.allow.kubernetes.namespaces (payments).',
      resolved: 'prod-cluster',
    },
    {
      name: 'a target that cannot be read for the preview',
      input: {},
      reason: 'Could not read orders-db to preview the change (ECONNREFUSED).',
      resolved: 'orders-db',
      world: { restart: { preview: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' })) } },
    },
    {
      name: 'what the preview itself refuses',
      input: {},
      reason: 'payments-api is paused; resume it first',
      resolved: 'orders-db',
      world: { restart: { preview: () => ({ current: ['paused'], change: [], guard: {}, refusal: 'payments-api is paused; resume it first' }) } },
    },
  ])('$name', async ({ input, reason, world: options, resolved }) => {
    const world = remediationWorld(options);
    const { ctx } = world;

    const { outcome, request } = await world.ask(input);

    expect(outcome).toEqual({ ok: false, reply: `:warning: ${reason}` });
    expect(request).toBeNull();
    expect(await ctx.store.remediation.listExpired(FAR_FUTURE)).toEqual([]);
    expect(ctx.chat.posts()).toEqual([]);
    expect(await auditTrail(ctx)).toStrictEqual([
      {
        at: ctx.clock.now(), actorId: REQUESTER, event: 'refused', actionId: input.actionId ?? 'fake.restart', args: input.args ?? ['payments-api'],
        targetName: resolved ?? input.targetName ?? '', requestId: null, detail: reason, approvers: [], before: null, after: null, permalink: null,
      },
    ]);
    expect(world.restart.steps.filter((s) => s.step !== 'preview')).toEqual([]);
    expect(world.orders.changes).toEqual([]);
  });
});

describe('requestRemediation, allowed', () => {
  it('previews, stores the request with its guard, audits it and posts it for approval', async () => {
    const world = remediationWorld();
    const { ctx } = world;

    const { outcome, request } = await world.ask();

    expect(outcome).toEqual({ ok: true, reply: 'Asked for approval of `fake.restart payments-api` on orders-db.' });
    const now = ctx.clock.now();
    const [post] = ctx.chat.posts();
    expect(request).toStrictEqual({
      id: expect.any(String), teamId: TEAM, actionId: 'fake.restart', targetName: 'orders-db', args: ['payments-api'], risk: 'high',
      requesterId: REQUESTER, status: 'requested', createdAt: now, expiresAt: new Date(now.getTime() + EXPIRES_AFTER_MS), approvals: [],
      decidedBy: null, guard: { version: 1 }, preview: { current: ['payments-api at version 1'], change: ['restart payments-api'] },
      before: null, after: null, outcome: null, message: post?.ref, incidentId: null,
    });
    expect(post?.channel).toBe(OPS);
    const shown = readable(expectDefined(post, 'approval message').message);
    for (const part of ['Waiting for approval', 'restart payments-api', 'payments-api at version 1', '[Approve]', '[Reject]']) expect(shown).toContain(part);
    expect(await auditTrail(ctx)).toStrictEqual([
      {
        at: now, actorId: REQUESTER, event: 'requested', actionId: 'fake.restart', targetName: 'orders-db', args: ['payments-api'],
        requestId: request?.id, detail: 'restart payments-api', approvers: [], before: null, after: null, permalink: null,
      },
    ]);
    expect(world.restart.steps.map((s) => [s.step, s.target === world.orders, s.params])).toEqual([['preview', true, ['payments-api']]]);
    expect(world.orders.changes).toEqual([]);
  });

  it('takes a namespaced action in an allowed namespace', async () => {
    const world = remediationWorld();
    const { outcome, request } = await world.ask({ actionId: 'fake.rollout', args: ['payments/api'] });
    expect(outcome.ok).toBe(true);
    expect(request).toMatchObject({ actionId: 'fake.rollout', targetName: 'prod-cluster', status: 'requested' });
  });

  it('labels the button "Approve (dry run)" when approvals only preview', async () => {
    const world = remediationWorld({ dryRun: true });
    await world.ask();
    expect(readable(expectDefined(world.ctx.chat.posts()[0], 'approval message').message)).toContain('[Approve (dry run)]');
  });

  it('asked in an incident\'s channel: linked to the incident and put on its timeline', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx, { home: 'channel' });
    expect(incident.card).toEqual(CARD);

    const { request } = await world.ask({ channelId: WAR_ROOM });

    expect(request?.incidentId).toBe(incident.id);
    expect((await ctx.store.listTimeline(incident.id)).at(-1)).toStrictEqual({
      incidentId: incident.id, kind: 'action_requested', actorId: REQUESTER, at: ctx.clock.now(),
      data: { action: 'fake.restart payments-api', reason: 'restart payments-api' },
    });
  });
});
