/**
 * Diagnoses under load, on the fakes: the same diagnosis asked while it runs joins that run (one
 * probe run, a report for everyone), distinct ones take turns within the configured concurrency,
 * and past the queue a request is refused with the numbers, having posted and run nothing.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/app/diagnostics/diagnose.js';
import type { Finding } from '../../src/core/diagnostics/finding.js';
import type { Probe } from '../../src/core/diagnostics/probe.js';
import type { Message } from '../../src/core/render/message.js';
import type { DiagRequest, Diagnostics } from '../../src/ports.js';
import { fakeContext, type FakeContext } from '../fakes/context.js';

/** Probes whose runs are counted and end when the test says so. */
function gatedTargets(names: readonly string[], timeoutMs = 60_000) {
  const started: string[] = [];
  /** For each run, how far its deadline was when it started (ms). */
  const deadlines: Array<{ target: string; left: number }> = [];
  const gates = new Map<string, Array<() => void>>();
  const open = (target: string) => {
    for (const release of gates.get(target) ?? []) release();
    gates.delete(target);
  };
  const probe = (target: string): Probe => ({
    kind: 'postgres',
    target,
    run: async ({ deadline }) => {
      started.push(target);
      deadlines.push({ target, left: deadline - Date.now() });
      await new Promise<void>((resolve) => gates.set(target, [...(gates.get(target) ?? []), resolve]));
      const finding: Finding = { check: 'connections', component: target, status: 'warning', value: `report of ${target}`, threshold: 'warning at 80 %' };
      return [finding];
    },
  });
  const diagnostics: Diagnostics = {
    probes: (request) => {
      const target = request.target ?? names[0]!;
      return names.includes(target) ? { ok: true, probes: [probe(target)] } : { ok: false, message: `No target ${target}.` };
    },
    catalogue: () => ({ postgres: [...names], redis: [], kubernetes: [], http: [], prometheus: [], docker: [], hosts: [] }) as never,
    deployments: async () => [],
    custom: () => ({ ok: false, message: 'none' }),
    timeoutMs,
  };
  return { diagnostics, started, open, deadlines };
}

interface Asked {
  done: Promise<void>;
  replies: Message[];
}

function ask(ctx: FakeContext, userId: string, request: DiagRequest, channelId = `C0${userId.slice(2)}`): Asked {
  const replies: Message[] = [];
  const done = diagnose(ctx, { teamId: 'T0TEAM', channelId, userId, request, reply: async (m) => void replies.push(m) });
  return { done, replies };
}

const textOf = (m: Message): string => JSON.stringify(m);
/** Lets the microtasks of admissions and posts run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

describe('the same diagnosis asked while it runs', () => {
  it('joins the run: the probe runs once, everyone’s "running…" message is replaced by the same report', async () => {
    const t = gatedTargets(['main']);
    const ctx = fakeContext({ diagnostics: t.diagnostics });
    const asks = ['U0ANNA', 'U0BOB', 'U0CARL'].map((u) => ask(ctx, u, { kind: 'db' }));
    await settle();
    expect(t.started).toEqual(['main']);
    const posts = ctx.chat.callsTo('post');
    expect(posts).toHaveLength(3);
    expect(textOf(posts[0]!.args[1])).not.toContain('joined');
    expect(textOf(posts[1]!.args[1])).toContain('joined the same diagnosis asked by <@U0ANNA>');
    expect(textOf(posts[2]!.args[1])).toContain('joined the same diagnosis asked by <@U0ANNA>');

    t.open('main');
    await Promise.all(asks.map((a) => a.done));
    const updates = ctx.chat.callsTo('update');
    expect(updates.map((u) => u.args[0].channel).sort()).toEqual(['C0ANNA', 'C0BOB', 'C0CARL']);
    for (const u of updates) expect(textOf(u.args[1])).toContain('report of main');
    expect(t.started).toEqual(['main']);
  });

  it('starts a new run once the shared one has ended: nothing is kept', async () => {
    const t = gatedTargets(['main']);
    const ctx = fakeContext({ diagnostics: t.diagnostics });
    const first = ask(ctx, 'U0ANNA', { kind: 'db' });
    await settle();
    t.open('main');
    await first.done;
    const second = ask(ctx, 'U0BOB', { kind: 'db' });
    await settle();
    expect(t.started).toEqual(['main', 'main']);
    expect(textOf(ctx.chat.callsTo('post')[1]!.args[1])).not.toContain('joined');
    t.open('main');
    await second.done;
  });

  it('does not join a run of other parameters (another target)', async () => {
    const t = gatedTargets(['main', 'replica']);
    const ctx = fakeContext({ diagnostics: t.diagnostics });
    const a = ask(ctx, 'U0ANNA', { kind: 'db', target: 'main' });
    const b = ask(ctx, 'U0BOB', { kind: 'db', target: 'replica' });
    await settle();
    expect(t.started.sort()).toEqual(['main', 'replica']);
    t.open('main');
    t.open('replica');
    await Promise.all([a.done, b.done]);
    const [ua, ub] = ['C0ANNA', 'C0BOB'].map((c) => ctx.chat.callsTo('update').find((u) => u.args[0].channel === c)!);
    expect(textOf(ua!.args[1])).toContain('report of main');
    expect(textOf(ub!.args[1])).toContain('report of replica');
  });
});

describe('distinct diagnoses', () => {
  const targets = ['t1', 't2', 't3', 't4'];

  it('run at most `diagnostics.concurrency` at once; the others say they wait, and run when a turn comes', async () => {
    const t = gatedTargets(targets);
    const ctx = fakeContext({ diagnostics: t.diagnostics, config: { diagnostics: { concurrency: 2, queue: 5 } } });
    const asks = targets.map((target, i) => ask(ctx, `U0USER${i}`, { kind: 'db', target }));
    await settle();
    expect(t.started).toEqual(['t1', 't2']);
    const posts = ctx.chat.callsTo('post').map((p) => textOf(p.args[1]));
    expect(posts[0]).not.toContain('waiting');
    expect(posts[1]).not.toContain('waiting');
    expect(posts[2]).toContain('once it starts; waiting for a turn');
    expect(posts[3]).toContain('waiting for a turn, 1 other diagnosis before it');

    t.open('t1');
    await asks[0]!.done;
    await settle();
    expect(t.started).toEqual(['t1', 't2', 't3']);
    for (const target of targets) t.open(target);
    await settle();
    for (const target of targets) t.open(target);
    await Promise.all(asks.map((a) => a.done));
    expect(t.started).toEqual(['t1', 't2', 't3', 't4']);
    expect(ctx.chat.callsTo('update')).toHaveLength(4);
  });

  it('past the queue, refuses with the numbers: nothing posted in the channel, nothing run', async () => {
    const t = gatedTargets(targets);
    const ctx = fakeContext({ diagnostics: t.diagnostics, config: { diagnostics: { concurrency: 1, queue: 2 } } });
    const asks = targets.map((target, i) => ask(ctx, `U0USER${i}`, { kind: 'db', target }));
    await settle();
    const refused = asks[3]!;
    await refused.done;
    expect(refused.replies).toHaveLength(1);
    expect(textOf(refused.replies[0]!)).toContain('already running 1 diagnosis and 2 more are waiting, so this one was not started');
    expect(textOf(refused.replies[0]!)).toContain('Try again in a minute');
    expect(ctx.chat.callsTo('post')).toHaveLength(3);

    // Asking for a diagnosis already waiting still joins it: a refusal is only for new work.
    const joiner = ask(ctx, 'U0LATE', { kind: 'db', target: 't3' });
    await settle();
    expect(joiner.replies).toHaveLength(0);
    expect(textOf(ctx.chat.callsTo('post')[3]!.args[1])).toContain('joined the same diagnosis asked by <@U0USER2>');
    expect(textOf(ctx.chat.callsTo('post')[3]!.args[1])).toContain('waiting for its turn');

    for (let round = 0; round < 4; round += 1) {
      for (const target of targets) t.open(target);
      await settle();
    }
    await Promise.all([...asks.slice(0, 3), joiner].map((a) => a.done));
    expect(t.started).toEqual(['t1', 't2', 't3']);
    expect(ctx.chat.callsTo('update')).toHaveLength(4);
  });
});

describe('what counts as the same diagnosis', () => {
  it('the first target named or left out is one run (the probes are the same), and the counts say who joined', async () => {
    const t = gatedTargets(['main', 'replica']);
    const ctx = fakeContext({ diagnostics: t.diagnostics });
    const a = ask(ctx, 'U0ANNA', { kind: 'db' });
    const b = ask(ctx, 'U0BOB', { kind: 'db', target: 'main' });
    await settle();
    expect(t.started).toEqual(['main']);
    expect(ctx.diagnosisRuns.counts()).toEqual({ running: 1, waiting: 0, joined: 1, refused: 0 });
    t.open('main');
    await Promise.all([a.done, b.done]);
    for (const u of ctx.chat.callsTo('update')) expect(textOf(u.args[1])).toContain('report of main');
    expect(ctx.diagnosisRuns.counts()).toEqual({ running: 0, waiting: 0, joined: 1, refused: 0 });
  });

  it('other request parameters (how far back, the namespace) are other runs; the same ones are one', async () => {
    const t = gatedTargets(['main']);
    const ctx = fakeContext({ diagnostics: t.diagnostics });
    const asks = [
      ask(ctx, 'U0ANNA', { kind: 'logs', deployment: 'api', namespace: 'prod', sinceSeconds: 300 }),
      ask(ctx, 'U0BOB', { kind: 'logs', deployment: 'api', namespace: 'prod', sinceSeconds: 3600 }),
      ask(ctx, 'U0CARL', { kind: 'logs', deployment: 'api', namespace: 'staging', sinceSeconds: 300 }),
      ask(ctx, 'U0DORA', { kind: 'logs', deployment: 'api', namespace: 'prod', sinceSeconds: 300 }),
    ];
    await settle();
    expect(t.started).toEqual(['main', 'main', 'main']);
    const posts = ctx.chat.callsTo('post').map((p) => textOf(p.args[1]));
    expect(posts.filter((p) => p.includes('joined'))).toHaveLength(1);
    expect(posts[3]).toContain('joined the same diagnosis asked by <@U0ANNA>');
    t.open('main');
    await Promise.all(asks.map((x) => x.done));
    expect(ctx.chat.callsTo('update')).toHaveLength(4);
  });

  it('each requester gets a timeline event in their own incident channel', async () => {
    const t = gatedTargets(['main']);
    const ctx = fakeContext({ diagnostics: t.diagnostics });
    const channels = ['C0INC1', 'C0INC2'];
    const incidents: string[] = [];
    for (const [i, channelId] of channels.entries()) {
      const { incident } = await ctx.store.openIncident({
        teamId: 'T0TEAM', title: `Incident ${i}`, severity: 'P1', impact: 'checkout down', symptoms: null, actions: null, eta: null,
        reporterId: 'U0ANNA', commanderId: 'U0ANNA', declaredAt: ctx.clock.now(), sourceKey: `diag-runs-${i}`,
      });
      await ctx.store.updateIncident({ id: incident.id, set: { channelId } });
      incidents.push(incident.id);
    }
    const asks = [ask(ctx, 'U0ANNA', { kind: 'db' }, channels[0]), ask(ctx, 'U0BOB', { kind: 'db' }, channels[1])];
    await settle();
    t.open('main');
    await Promise.all(asks.map((x) => x.done));
    expect(t.started).toEqual(['main']);
    for (const [i, incidentId] of incidents.entries()) {
      const events = (await ctx.store.listTimeline(incidentId)).filter((e) => e.kind === 'diagnostic_run');
      expect(events.map((e) => e.actorId)).toEqual([i === 0 ? 'U0ANNA' : 'U0BOB']);
    }
  });
});

describe('a diagnosis that waited for its turn', () => {
  it('gets its whole timeout from when it starts, not from when it was asked', async () => {
    // One run at a time; the first never answers and is cut off after its timeout (1 s) and grace.
    const t = gatedTargets(['stuck', 'next'], 1000);
    const ctx = fakeContext({ diagnostics: t.diagnostics, config: { diagnostics: { concurrency: 1, queue: 5 } } });
    const first = ask(ctx, 'U0ANNA', { kind: 'db', target: 'stuck' });
    const second = ask(ctx, 'U0BOB', { kind: 'db', target: 'next' });
    await first.done;
    await settle();
    expect(t.started).toEqual(['stuck', 'next']);
    // Asked more than a second ago, yet its deadline is still ahead of it.
    expect(t.deadlines[1]!.left).toBeGreaterThan(0);
    t.open('next');
    await second.done;
    const report = ctx.chat.callsTo('update').find((u) => u.args[0].channel === 'C0BOB')!;
    expect(textOf(report.args[1])).toContain('report of next');
    expect(textOf(report.args[1])).not.toContain('unreachable');
    t.open('stuck');
  });
});

describe('the configuration', () => {
  it('refuses a concurrency below 1 with the key named', () => {
    expect(() => fakeContext({ config: { diagnostics: { concurrency: 0 } } })).toThrow(/diagnostics\.concurrency.*at least 1/s);
  });
});
