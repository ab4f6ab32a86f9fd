/**
 * The execution lease of a running action, across two replicas sharing one store (two contexts
 * over one memory store): a runner that stopped is interrupted once however many sweep, a live
 * runner keeps its lease, and one that finishes after being taken for stopped adds what happened.
 */
import { describe, expect, it } from 'vitest';
import { approveRemediation, interruptAbandoned, requestRemediation } from '../../src/app/remediation/flow.js';
import type { ActionResult } from '../../src/core/remediation/action.js';
import { fakeContext, type FakeContext } from '../fakes/context.js';
import { manualClock } from '../fakes/manual-clock.js';
import { memoryStore } from '../fakes/memory-store.js';
import { fakeAction, fakeCatalogue, fakeSystem } from '../fakes/remediation.js';
import { givenIncident, TEAM, WAR_ROOM } from './fixtures.js';

const INTERRUPTED = ':warning: Interrupted: Firebreak stopped while it ran; check the target before asking again';

/** Two replicas over one store and one clock; `release` lets a held execute finish. */
function twoReplicas(lease: string, options: { holdExecute?: boolean } = {}) {
  const store = memoryStore();
  const clock = manualClock();
  const system = fakeSystem();
  let release: (result: ActionResult) => void = () => {};
  const held = new Promise<ActionResult>((r) => (release = r));
  const action = fakeAction({ id: 'fake.restart', ...(options.holdExecute ? { execute: () => held } : {}) });
  const catalogue = fakeCatalogue([action], { postgres: { 'orders-db': system } });
  const replica = (): FakeContext =>
    fakeContext({
      store, clock, remediation: catalogue,
      config: { approvals: { approvers: ['U0BOB'] }, remediation: { allow: { postgres: ['orders-db'] }, executionLease: lease } },
    });
  const [a, b] = [replica(), replica()];
  const ask = async (channelId = 'C0OPS') => {
    await requestRemediation(a, catalogue, { teamId: TEAM, channelId, actorId: 'U0DAVE', actionId: 'fake.restart', args: ['payments-api'] });
    const posted = a.chat.posts().at(-1)!;
    const id = posted.message.blocks.flatMap((x) => (x.type === 'actions' ? x.buttons : []))[0]!.value;
    return { id, ref: posted.ref };
  };
  return { store, clock, action, catalogue, a, b, ask, release: (r: ActionResult) => release(r) };
}

const audited = async (ctx: FakeContext, requestId: string) =>
  (await ctx.store.remediation.listAudit(500)).filter((e) => e.requestId === requestId).reverse().map((e) => e.event);

describe('a running action whose replica stopped', () => {
  it('is interrupted once when both replicas sweep at the same time: audited, redrawn without buttons, never run again', async () => {
    const r = twoReplicas('3s');
    const { id, ref } = await r.ask();
    // A replica approved it and took the claim, then died before running anything.
    await r.store.remediation.transition({ id, from: ['requested'], to: 'approved', approval: { userId: 'U0BOB', at: r.clock.now() } });
    await r.store.remediation.transition({ id, from: ['approved'], to: 'running', runningUntil: new Date(r.clock.now().getTime() + 3000) });

    r.clock.advance(2999);
    expect(await Promise.all([interruptAbandoned(r.a), interruptAbandoned(r.b)])).toEqual([0, 0]);
    r.clock.advance(1);
    const swept = await Promise.all([interruptAbandoned(r.a), interruptAbandoned(r.b), interruptAbandoned(r.a), interruptAbandoned(r.b)]);
    expect(swept.reduce((x, y) => x + y, 0)).toBe(1);

    expect((await r.store.remediation.get(id))?.status).toBe('interrupted');
    expect(await audited(r.a, id)).toEqual(['requested', 'interrupted']);
    const redraws = [...r.a.chat.callsTo('update'), ...r.b.chat.callsTo('update')].filter((c) => c.args[0].ts === ref.ts);
    expect(redraws).toHaveLength(1);
    const drawn = redraws[0]!.args[1];
    expect(JSON.stringify(drawn.blocks)).toContain(INTERRUPTED);
    expect(drawn.blocks.some((x) => x.type === 'actions')).toBe(false);
    expect(r.action.steps.filter((s) => s.step === 'execute')).toEqual([]);
    // Later sweeps find nothing more to do.
    r.clock.advance(60_000);
    expect(await interruptAbandoned(r.b)).toBe(0);
  });

  it("asked from an incident's channel: the interruption is on the incident's timeline, once, when it happened", async () => {
    const r = twoReplicas('3s');
    const incident = await givenIncident(r.a, { home: 'channel' });
    const { id } = await r.ask(WAR_ROOM);
    await r.store.remediation.transition({ id, from: ['requested'], to: 'approved', approval: { userId: 'U0BOB', at: r.clock.now() } });
    await r.store.remediation.transition({ id, from: ['approved'], to: 'running', runningUntil: new Date(r.clock.now().getTime() + 3000) });
    r.clock.advance(3000);
    const at = r.clock.now();
    await Promise.all([interruptAbandoned(r.a), interruptAbandoned(r.b)]);
    r.clock.advance(60_000);
    await interruptAbandoned(r.a);
    const events = (await r.store.listTimeline(incident.id)).filter((e) => e.kind === 'action_executed');
    expect(events).toStrictEqual([
      { incidentId: incident.id, kind: 'action_executed', actorId: null, at, data: { action: 'fake.restart payments-api', outcome: 'interrupted: Firebreak stopped while it ran; check the target' } },
    ]);
  });
});

describe('a running action whose replica is alive', () => {
  it('keeps its lease renewed while it runs: the other replica\'s sweep leaves it, and it finishes as usual', async () => {
    const r = twoReplicas('3s', { holdExecute: true });
    const { id } = await r.ask();
    const approving = approveRemediation(r.a, r.catalogue, id, 'U0BOB');
    await expect.poll(async () => (await r.store.remediation.get(id))?.status).toBe('running');
    // Two seconds into a three-second lease: the renewal (every second, real time) moves it past t+4 s.
    const start = r.clock.now().getTime();
    r.clock.advance(2000);
    await expect.poll(async () => r.store.remediation.listLeaseEnded(new Date(start + 4000)), { timeout: 5000 }).toEqual([]);
    r.clock.advance(2000);
    expect(await interruptAbandoned(r.b)).toBe(0);
    r.release({ ok: true, summary: 'payments-api restarted' });
    expect((await approving).ok).toBe(true);
    expect((await r.store.remediation.get(id))?.status).toBe('succeeded');
    expect(await audited(r.a, id)).toEqual(['requested', 'approved', 'started', 'succeeded']);
  });

  it('finishing after the other replica took it for stopped: it stays interrupted, with what happened added and audited', async () => {
    // A long lease, renewed only every 20 s of real time: the clock jumps past it before any renewal.
    const r = twoReplicas('60s', { holdExecute: true });
    const { id, ref } = await r.ask();
    const approving = approveRemediation(r.a, r.catalogue, id, 'U0BOB');
    await expect.poll(async () => (await r.store.remediation.get(id))?.status).toBe('running');
    r.clock.advance(60_000);
    expect(await interruptAbandoned(r.b)).toBe(1);
    r.release({ ok: true, summary: 'payments-api restarted' });
    await approving;
    const request = await r.store.remediation.get(id);
    expect(request).toMatchObject({ status: 'interrupted', outcome: expect.stringContaining('it finished after it was marked interrupted: payments-api restarted') });
    expect(await audited(r.a, id)).toEqual(['requested', 'approved', 'started', 'interrupted', 'succeeded']);
    // The runner's own redraw, its last one, comes after the other replica's.
    const last = r.a.chat.callsTo('update').filter((c) => c.args[0].ts === ref.ts).at(-1)!;
    expect(JSON.stringify(last.args[1].blocks)).toContain(INTERRUPTED);
    expect(JSON.stringify(last.args[1].blocks)).toContain('it finished after it was marked interrupted');
    const [latest] = await r.store.remediation.listAudit(1);
    expect(latest).toMatchObject({ event: 'succeeded', requestId: id, detail: 'it finished after it was marked interrupted: payments-api restarted; payments-api healthy at version 1' });
  });

  it('finishing when its request was moved to no state a runner leaves it in: the attempt is still audited, with what the request became', async () => {
    const r = twoReplicas('60s', { holdExecute: true });
    const { id } = await r.ask();
    const approving = approveRemediation(r.a, r.catalogue, id, 'U0BOB');
    await expect.poll(async () => (await r.store.remediation.get(id))?.status).toBe('running');
    // Not something Firebreak does: a person closing it by hand in the database.
    await r.store.remediation.transition({ id, from: ['running'], to: 'failed', set: { outcome: 'closed by hand' } });
    r.release({ ok: true, summary: 'payments-api restarted' });
    await approving;
    expect(await r.store.remediation.get(id)).toMatchObject({ status: 'failed', outcome: 'closed by hand' });
    expect(await audited(r.a, id)).toEqual(['requested', 'approved', 'started', 'succeeded']);
    const [latest] = await r.store.remediation.listAudit(1);
    expect(latest).toMatchObject({ event: 'succeeded', detail: 'payments-api restarted; payments-api healthy at version 1 (the request was failed meanwhile)' });
  });
});
