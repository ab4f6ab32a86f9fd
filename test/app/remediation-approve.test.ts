/**
 * approveRemediation: who may approve what and until when, running exactly once, re-checking the
 * target at execution, verifying, dry runs; and the audit trail each case leaves.
 */
import { describe, expect, it } from 'vitest';
import { approveRemediation } from '../../src/app/remediation/flow.js';
import type { AuditEntry } from '../../src/core/remediation/request.js';
import { fakeCatalogue } from '../fakes/remediation.js';
import { auditTrail, expectDefined, givenIncident, readable, WAR_ROOM } from './fixtures.js';
import { APPROVER, EXPIRES_AFTER_MS, OTHER_APPROVER, OUTSIDER, remediationWorld, REQUESTER, type World } from './remediation-world.js';

/** Asks for `fake.restart payments-api` (or what `world.ask` is told), a minute before the approval. */
async function asked(world: World, input: Parameters<World['ask']>[0] = {}) {
  const { request } = await world.ask(input);
  world.ctx.clock.advance(60_000);
  return expectDefined(request, 'request');
}

const events = (trail: AuditEntry[]) => trail.map((e) => [e.event, e.actorId, e.detail]);
/** The approval message as redrawn, in order: its status line each time. */
const redraws = (world: World) => world.ctx.chat.callsTo('update').map((c) => c.args[1].text.replace(/^.*: /, ''));

describe('approveRemediation runs an approved request once and records it all', () => {
  it('executes, verifies, stores the outcome, audits every step and redraws the message', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world);

    const outcome = await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    const now = ctx.clock.now();
    const summary = 'payments-api restarted; payments-api healthy at version 2';
    expect(outcome).toEqual({ ok: true, reply: `Done: ${summary}` });
    expect(await ctx.store.remediation.get(request.id)).toStrictEqual({
      ...request, status: 'succeeded', approvals: [{ userId: APPROVER, at: now }], outcome: summary,
      before: { version: 1 }, after: { version: 2, healthy: true },
    });
    expect(world.orders.changes).toEqual(['restart payments-api']);
    expect(world.restart.steps.map((s) => [s.step, s.guard ?? null, s.at])).toEqual([
      ['preview', null, request.createdAt],
      ['execute', { version: 1 }, now],
      ['verify', null, now],
    ]);
    const permalink = `https://fake.slack.test/archives/${request.message?.channel}/p${request.message?.ts.replace('.', '')}`;
    const base = { at: now, actorId: APPROVER, actionId: 'fake.restart', targetName: 'orders-db', args: ['payments-api'], requestId: request.id };
    expect((await auditTrail(ctx)).slice(1)).toStrictEqual([
      { ...base, event: 'approved', detail: null, approvers: [APPROVER], before: null, after: null, permalink: null },
      { ...base, event: 'started', detail: null, approvers: [APPROVER], before: null, after: null, permalink: null },
      { ...base, event: 'succeeded', detail: summary, approvers: [APPROVER], before: { version: 1 }, after: { version: 2, healthy: true }, permalink },
    ]);
    expect(redraws(world)).toEqual(['Running', 'Done']);
    expect(ctx.chat.callsTo('update').every((c) => c.args[0].ts === request.message?.ts)).toBe(true);
  });

  it('puts the approval and the execution on the timeline of the incident it was asked from', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const incident = await givenIncident(ctx, { home: 'channel' });
    const request = await asked(world, { channelId: WAR_ROOM });

    await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    const timeline = (await ctx.store.listTimeline(incident.id)).slice(-2);
    expect(timeline).toStrictEqual([
      { incidentId: incident.id, kind: 'action_approved', actorId: APPROVER, at: ctx.clock.now(), data: { action: 'fake.restart payments-api' } },
      {
        incidentId: incident.id, kind: 'action_executed', actorId: APPROVER, at: ctx.clock.now(),
        data: { action: 'fake.restart payments-api', outcome: 'payments-api restarted; payments-api healthy at version 2' },
      },
    ]);
  });

  it('runs once when several approvals arrive at the same time', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world);

    const outcomes = await Promise.all([APPROVER, OTHER_APPROVER, APPROVER, OTHER_APPROVER].map((who) => approveRemediation(ctx, ctx.remediation, request.id, who)));

    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.reply)).toEqual(Array.from({ length: 3 }, () => ':warning: It was decided meanwhile by someone else.'));
    expect(world.restart.steps.filter((s) => s.step === 'execute')).toHaveLength(1);
    expect(world.orders.changes).toEqual(['restart payments-api']);
    const stored = expectDefined(await ctx.store.remediation.get(request.id), 'request');
    expect(stored.status).toBe('succeeded');
    expect(stored.approvals).toHaveLength(1);
    const trail = await auditTrail(ctx);
    for (const event of ['approved', 'started', 'succeeded'] as const) expect(trail.filter((e) => e.event === event), event).toHaveLength(1);
  });
});

describe('approveRemediation decides who may approve', () => {
  it.each([
    { name: 'a high-risk action by another approver', action: 'fake.restart', requester: REQUESTER, approver: APPROVER, allowed: true },
    { name: 'a high-risk action by its own requester, an approver', action: 'fake.restart', requester: APPROVER, approver: APPROVER, allowed: true },
    { name: 'a critical action by an approver other than its requester', action: 'fake.failover', requester: APPROVER, approver: OTHER_APPROVER, allowed: true },
    {
      name: 'a critical action by its own requester (two-person rule)', action: 'fake.failover', requester: APPROVER, approver: APPROVER, allowed: false,
      reason: 'Two-person rule: a critical action needs an approver other than the person who asked for it.',
    },
    {
      name: 'anyone who is not an approver', action: 'fake.restart', requester: REQUESTER, approver: OUTSIDER, allowed: false,
      reason: 'Only approvers can approve (approvals.approvers in the configuration).',
    },
    {
      name: 'the requester who is not an approver', action: 'fake.restart', requester: REQUESTER, approver: REQUESTER, allowed: false,
      reason: 'Only approvers can approve (approvals.approvers in the configuration).',
    },
  ])('$name: allowed $allowed', async ({ action, requester, approver, allowed, reason }) => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world, { actionId: action, actorId: requester });

    const outcome = await approveRemediation(ctx, ctx.remediation, request.id, approver);

    const ran = (action === 'fake.restart' ? world.restart : world.failover).steps.filter((s) => s.step === 'execute');
    const trail = await auditTrail(ctx);
    if (allowed) {
      expect(outcome.ok).toBe(true);
      expect(ran).toHaveLength(1);
      expect(events(trail).map(([event]) => event)).toEqual(['requested', 'approved', 'started', 'succeeded']);
    } else {
      expect(outcome).toEqual({ ok: false, reply: `:warning: ${reason}` });
      expect(ran).toEqual([]);
      expect(await ctx.store.remediation.get(request.id)).toStrictEqual(request);
      expect(events(trail).map(([event]) => event)).toEqual(['requested', 'refused']);
      expect(events(trail)[1]).toEqual(['refused', approver, `approve: ${reason}`]);
      expect(trail.at(-1)).toMatchObject({ requestId: request.id, targetName: 'orders-db', approvers: [] });
      expect(ctx.chat.callsTo('update')).toEqual([]);
    }
  });

  it('counts the members of an approver user group', async () => {
    const world = remediationWorld({ approvers: ['S0ONCALL'] });
    const { ctx } = world;
    ctx.chat.setUserGroup('S0ONCALL', ['U0MEMBER']);
    const request = await asked(world);

    expect((await approveRemediation(ctx, ctx.remediation, request.id, 'U0MEMBER')).ok).toBe(true);
    expect((await approveRemediation(ctx, ctx.remediation, (await asked(world)).id, 'S0ONCALL')).ok).toBe(false);
  });

  it.each([
    { wait: EXPIRES_AFTER_MS - 60_001, allowed: true },
    { wait: EXPIRES_AFTER_MS - 60_000, allowed: false },
    { wait: EXPIRES_AFTER_MS + 3600_000, allowed: false },
  ])('approved $wait ms after the minute it was asked: allowed $allowed (it expires 10 min after it was asked)', async ({ wait, allowed }) => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world);
    ctx.clock.advance(wait);

    const outcome = await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    expect(outcome.ok).toBe(allowed);
    expect(world.restart.steps.some((s) => s.step === 'execute')).toBe(allowed);
    if (!allowed) {
      expect(outcome.reply).toBe(':warning: It expired; ask for it again if it is still needed.');
      expect(events(await auditTrail(ctx)).at(-1)).toEqual(['refused', APPROVER, 'approve: It expired; ask for it again if it is still needed.']);
      expect((await ctx.store.remediation.get(request.id))?.status).toBe('requested');
    }
  });

  it('refuses a request that already ran, and one that does not exist', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world);
    await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    expect(await approveRemediation(ctx, ctx.remediation, request.id, OTHER_APPROVER)).toEqual({ ok: false, reply: ':warning: It already ran (succeeded).' });
    expect(events(await auditTrail(ctx)).at(-1)).toEqual(['refused', OTHER_APPROVER, 'approve: It already ran (succeeded).']);
    expect(await approveRemediation(ctx, ctx.remediation, '00000000-0000-4000-8000-000000000000', APPROVER)).toEqual({
      ok: false, reply: ':warning: This request no longer exists.',
    });
    expect(world.restart.steps.filter((s) => s.step === 'execute')).toHaveLength(1);
  });
});

describe('approveRemediation when running does not go to plan', () => {
  it('refuses to act when the target changed since the preview (the guard), and records the failure', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world);
    world.orders.version = 7; // someone else deployed meanwhile

    const outcome = await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    const summary = 'payments-api changed since the preview (version 1 → 7); nothing was done';
    expect(outcome).toEqual({ ok: false, reply: `:warning: It failed: ${summary}` });
    expect(world.orders.changes).toEqual([]);
    expect(world.restart.steps.map((s) => s.step)).toEqual(['preview', 'execute']);
    expect(await ctx.store.remediation.get(request.id)).toMatchObject({ status: 'failed', outcome: summary, before: null, after: null });
    expect(events(await auditTrail(ctx)).slice(1)).toEqual([['approved', APPROVER, null], ['started', APPROVER, null], ['failed', APPROVER, summary]]);
    expect(redraws(world)).toEqual(['Running', 'Failed']);
  });

  it.each([
    {
      name: 'the verification fails',
      restart: { verify: () => ({ ok: false, summary: 'payments-api unhealthy: 0/3 ready', after: { ready: 0 } }) },
      summary: 'payments-api restarted; payments-api unhealthy: 0/3 ready', before: { version: 1 }, after: { ready: 0 }, changed: true,
    },
    {
      name: 'the execution throws',
      restart: { execute: () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) },
      summary: 'error while running: ECONNRESET', before: null, after: null, changed: false,
    },
    {
      name: 'the verification throws',
      restart: { verify: () => Promise.reject(new Error('timed out waiting for the rollout')) },
      summary: 'error while running: timed out waiting for the rollout', before: null, after: null, changed: true,
    },
  ])('fails when $name, and records what is known', async ({ restart, summary, before, after, changed }) => {
    const world = remediationWorld({ restart });
    const { ctx } = world;
    const request = await asked(world);

    const outcome = await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    expect(outcome).toEqual({ ok: false, reply: `:warning: It failed: ${summary}` });
    expect(world.orders.changes).toEqual(changed ? ['restart payments-api'] : []);
    expect(await ctx.store.remediation.get(request.id)).toMatchObject({ status: 'failed', outcome: summary, before, after });
    expect((await auditTrail(ctx)).at(-1)).toMatchObject({ event: 'failed', detail: summary, before, after });
  });

  it('fails without running when the action is no longer in the catalogue', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const request = await asked(world);

    const outcome = await approveRemediation(ctx, fakeCatalogue(), request.id, APPROVER);

    expect(outcome).toEqual({ ok: false, reply: ':warning: It failed: the action or its target is no longer configured' });
    expect(world.restart.steps.map((s) => s.step)).toEqual(['preview']);
    expect((await ctx.store.remediation.get(request.id))?.status).toBe('failed');
  });

  it('in a dry run, approves and closes the request without executing anything', async () => {
    const world = remediationWorld({ dryRun: true });
    const { ctx } = world;
    const request = await asked(world);

    const outcome = await approveRemediation(ctx, ctx.remediation, request.id, APPROVER);

    expect(outcome).toEqual({ ok: true, reply: 'Approved. Dry run: nothing was executed.' });
    expect(world.restart.steps.map((s) => s.step)).toEqual(['preview']);
    expect(world.orders).toEqual({ version: 1, changes: [] });
    expect(await ctx.store.remediation.get(request.id)).toMatchObject({
      status: 'succeeded', approvals: [{ userId: APPROVER, at: ctx.clock.now() }], outcome: 'dry run: approved, nothing was executed (approvals.dryRun)',
    });
    expect(events(await auditTrail(ctx)).slice(1)).toEqual([['approved', APPROVER, null], ['succeeded', APPROVER, 'dry run: not executed']]);
    expect(redraws(world)).toEqual(['Done']);
    expect(readable(expectDefined(ctx.chat.callsTo('update')[0], 'redraw').args[1])).toContain('dry run: approved, nothing was executed');
  });
});
