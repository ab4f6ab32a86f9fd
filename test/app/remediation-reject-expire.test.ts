/** rejectRemediation and expireRemediations: requests closed without running, each closing audited once. */
import { describe, expect, it } from 'vitest';
import { approveRemediation, expireRemediations, rejectRemediation } from '../../src/app/remediation/flow.js';
import { auditTrail, expectDefined, readable } from './fixtures.js';
import { APPROVER, EXPIRES_AFTER_MS, OTHER_APPROVER, OUTSIDER, remediationWorld, REQUESTER } from './remediation-world.js';

describe('rejectRemediation', () => {
  it('closes the request as rejected by its approver, audits it, and takes the buttons away', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const { request } = await world.ask();
    const asked = expectDefined(request, 'request');
    ctx.clock.advance(60_000);

    const outcome = await rejectRemediation(ctx, asked.id, APPROVER);

    expect(outcome).toEqual({ ok: true, reply: 'Rejected; nothing ran.' });
    expect(await ctx.store.remediation.get(asked.id)).toStrictEqual({ ...asked, status: 'rejected', decidedBy: APPROVER });
    expect((await auditTrail(ctx)).at(-1)).toStrictEqual({
      at: ctx.clock.now(), actorId: APPROVER, event: 'rejected', actionId: 'fake.restart', targetName: 'orders-db', args: ['payments-api'],
      requestId: asked.id, detail: null, approvers: [], before: null, after: null, permalink: null,
    });
    const [redraw] = ctx.chat.callsTo('update');
    expect(redraw?.args[0]).toEqual(asked.message);
    const shown = readable(expectDefined(redraw, 'redraw').args[1]);
    expect(shown).toContain(`Rejected by: <@${APPROVER}>`);
    expect(shown).not.toContain('[Approve]');
    expect(world.restart.steps.map((s) => s.step)).toEqual(['preview']);
    // Rejected is final: an approval afterwards is refused.
    expect((await approveRemediation(ctx, ctx.remediation, asked.id, OTHER_APPROVER)).reply).toBe(`:warning: It was rejected by <@${APPROVER}>.`);
  });

  it.each([
    { name: 'someone who is not an approver', actor: OUTSIDER, wait: 0, reason: 'Only approvers can reject (approvals.approvers in the configuration).' },
    { name: 'the requester who is not an approver', actor: REQUESTER, wait: 0, reason: 'Only approvers can reject (approvals.approvers in the configuration).' },
    { name: 'an approver after expiry', actor: APPROVER, wait: EXPIRES_AFTER_MS, reason: 'It expired; ask for it again if it is still needed.' },
  ])('is refused for $name, and the refusal is audited', async ({ actor, wait, reason }) => {
    const world = remediationWorld();
    const { ctx } = world;
    const asked = expectDefined((await world.ask()).request, 'request');
    ctx.clock.advance(wait);

    expect(await rejectRemediation(ctx, asked.id, actor)).toEqual({ ok: false, reply: `:warning: ${reason}` });
    expect(await ctx.store.remediation.get(asked.id)).toStrictEqual(asked);
    expect((await auditTrail(ctx)).at(-1)).toMatchObject({ event: 'refused', actorId: actor, requestId: asked.id, detail: `reject: ${reason}` });
    expect(ctx.chat.callsTo('update')).toEqual([]);
  });

  it('is refused once the request ran, and for a request that does not exist', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const asked = expectDefined((await world.ask()).request, 'request');
    await approveRemediation(ctx, ctx.remediation, asked.id, APPROVER);

    expect(await rejectRemediation(ctx, asked.id, OTHER_APPROVER)).toEqual({ ok: false, reply: ':warning: It already ran (succeeded).' });
    expect((await ctx.store.remediation.get(asked.id))?.status).toBe('succeeded');
    expect(await rejectRemediation(ctx, '00000000-0000-4000-8000-000000000000', APPROVER)).toEqual({ ok: false, reply: ':warning: This request no longer exists.' });
  });
});

describe('expireRemediations', () => {
  it('expires the requests nobody decided in time, once each, audited as Firebreak, buttons removed', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const first = expectDefined((await world.ask()).request, 'request');
    ctx.clock.advance(5 * 60_000);
    const second = expectDefined((await world.ask()).request, 'request');
    const decided = expectDefined((await world.ask()).request, 'request');
    await rejectRemediation(ctx, decided.id, APPROVER);
    const updatesBefore = ctx.chat.callsTo('update').length;

    ctx.clock.advance(EXPIRES_AFTER_MS - 5 * 60_000 - 1);
    expect(await expireRemediations(ctx)).toBe(0);
    ctx.clock.advance(1);
    expect(await expireRemediations(ctx)).toBe(1);
    expect(await expireRemediations(ctx)).toBe(0);

    expect(await ctx.store.remediation.get(first.id)).toStrictEqual({ ...first, status: 'expired' });
    expect((await ctx.store.remediation.get(second.id))?.status).toBe('requested');
    expect((await ctx.store.remediation.get(decided.id))?.status).toBe('rejected');
    expect((await auditTrail(ctx)).filter((e) => e.event === 'expired')).toStrictEqual([
      {
        at: ctx.clock.now(), actorId: 'firebreak', event: 'expired', actionId: 'fake.restart', targetName: 'orders-db', args: ['payments-api'],
        requestId: first.id, detail: null, approvers: [], before: null, after: null, permalink: null,
      },
    ]);
    const redraws = ctx.chat.callsTo('update').slice(updatesBefore);
    expect(redraws.map((c) => c.args[0])).toEqual([first.message]);
    const shown = readable(expectDefined(redraws[0], 'redraw').args[1]);
    expect(shown).toContain('Expired, nothing ran');
    expect(shown).not.toContain('[Approve]');

    // An approval arriving after the sweep is refused and does not run.
    expect((await approveRemediation(ctx, ctx.remediation, first.id, APPROVER)).reply).toBe(':warning: It expired; ask for it again if it is still needed.');
    ctx.clock.advance(5 * 60_000);
    expect(await expireRemediations(ctx)).toBe(1);
    expect(world.restart.steps.filter((s) => s.step === 'execute')).toEqual([]);
  });

  it('expires each request once when two sweeps (two replicas) run at the same time', async () => {
    const world = remediationWorld();
    const { ctx } = world;
    const asked = expectDefined((await world.ask()).request, 'request');
    ctx.clock.advance(EXPIRES_AFTER_MS);

    const counts = await Promise.all([expireRemediations(ctx), expireRemediations(ctx)]);

    expect(counts.sort()).toEqual([0, 1]);
    expect((await auditTrail(ctx)).filter((e) => e.event === 'expired').map((e) => e.requestId)).toEqual([asked.id]);
    expect(ctx.chat.callsTo('update').map((c) => c.args[0])).toEqual([asked.message]);
  });
});
