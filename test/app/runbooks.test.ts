/**
 * Runbook runs as use cases, on the fakes: starting (in an incident's channel, elsewhere with the
 * question, params refused clearly), each kind of step, one run per step whatever the clicks, the
 * approval flow's decisions reaching the step, the timeline, the message redrawn from the store
 * (the same after a restart), and the runbooks offered when an incident opens.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/app/diagnostics/diagnose.js';
import { openIncident } from '../../src/app/open-incident.js';
import { postmortemMarkdown } from '../../src/core/incident/postmortem.js';
import { approveRemediation, expireRemediations, rejectRemediation } from '../../src/app/remediation/flow.js';
import { drawRun } from '../../src/app/runbooks/redraw.js';
import { runFromCommand, startFromButton } from '../../src/app/runbooks/start.js';
import { notifyPosted, prepareNotify, runStep, STEP_LEASE_MS } from '../../src/app/runbooks/steps.js';
import type { Message } from '../../src/core/render/message.js';
import type { StartValue } from '../../src/core/runbook/run-view.js';
import type { RunbookRun } from '../../src/ports.js';
import { fakeContext, INCIDENTS_CHANNEL, type FakeContext } from '../fakes/context.js';
import { slackApiError } from '../fakes/recording-chat.js';
import { actionStep, diagCheck, longRunbook, manualStep, runbook, slowDatabase } from '../fixtures/runbook-runs/build.js';
import type { Step } from '../../src/core/runbook/model.js';
import { APPROVER, runbookWorld } from '../fixtures/runbook-runs/world.js';
import { auditTrail, givenIncident, readable, TEAM, WAR_ROOM } from './fixtures.js';

const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const OPS = 'C0OPS';
const CRITICAL = [
  { check: 'blocked sessions', component: 'pid 4242', status: 'critical' as const, value: '3 sessions blocked by pid 4242', evidence: ['UPDATE orders SET …'] },
  { check: 'connections', component: 'main', status: 'ok' as const, value: '10 of 100' },
];

const buttonsOf = (m: Message) => m.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));

/** The run's message as last drawn: its latest update, else its post. */
function drawn(ctx: FakeContext, run: RunbookRun): string {
  const ref = run.message!;
  const updates = ctx.chat.callsTo('update').filter((c) => c.args[0].ts === ref.ts && c.args[0].channel === ref.channel && !c.error);
  const last = updates.at(-1)?.args[1] ?? ctx.chat.posts().find((p) => p.ref.ts === ref.ts)!.message;
  return readable(last);
}

async function onlyRun(ctx: FakeContext, incidentId: string): Promise<RunbookRun> {
  const runs = await ctx.store.runbooks.listForIncident(incidentId);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

async function timelineOf(ctx: FakeContext, incidentId: string) {
  return (await ctx.store.listTimeline(incidentId)).filter((e) => e.kind === 'runbook_step' || e.kind === 'runbook_started');
}

/** An incident with a channel of its own and a run of `db-slow` (db=main) started in it. */
async function started(world = runbookWorld([slowDatabase()]), given: Record<string, string> = { db: 'main' }) {
  const { ctx } = world;
  const incident = await givenIncident(ctx, { home: 'channel' });
  const reply = await runFromCommand(ctx, { teamId: TEAM, channelId: WAR_ROOM, userId: ALICE, runbookId: 'db-slow', given });
  expect(readable(reply)).toContain('Runbook *Slow database* started');
  // The channel mention stays outside the link: a link's label is plain text in Slack.
  expect(reply.text).toMatch(new RegExp(`started in <#${incident.channelId}> \\(<https://fake\\.slack\\.test/archives/${incident.channelId}/p\\d+\\|the run>\\) for INC-1`));
  return { ...world, incident, run: await onlyRun(ctx, incident.id) };
}

const latest = async (ctx: FakeContext, run: RunbookRun) => (await ctx.store.runbooks.get(run.id))!;

describe('/runbook run', () => {
  it('in an incident channel: posts the run there, attached to the incident, and puts the start on its timeline', async () => {
    const { ctx, incident, run } = await started();
    expect(run).toMatchObject({ runbookId: 'db-slow', incidentId: incident.id, channelId: WAR_ROOM, params: { db: 'main', minutes: '5' }, startedBy: ALICE, status: 'running' });
    const post = ctx.chat.posts().find((p) => p.ref.ts === run.message?.ts)!;
    expect(post.channel).toBe(WAR_ROOM);
    expect(post.message.blocks[0]).toEqual({ type: 'header', text: 'Runbook: Slow database' });
    expect(readable(post.message)).toContain('*INC-1*');
    expect(await timelineOf(ctx, incident.id)).toMatchObject([{ kind: 'runbook_started', actorId: ALICE, data: { runbook: 'db-slow', title: 'Slow database' } }]);
  });

  it('refuses unknown runbooks and bad params with what to type, and starts nothing', async () => {
    const { ctx } = runbookWorld([slowDatabase()]);
    const incident = await givenIncident(ctx, { home: 'channel' });
    const ask = (runbookId: string, given: Record<string, string>) => runFromCommand(ctx, { teamId: TEAM, channelId: WAR_ROOM, userId: ALICE, runbookId, given }).then(readable);
    expect(await ask('db-slo', {})).toContain('There is no runbook `db-slo` (did you mean "db-slow"?)');
    expect(await ask('db-slow', { minutes: 'ten' })).toContain('minutes: expected a whole number, got "ten"');
    expect(await ask('db-slow', { minutes: '0' })).toContain('minutes: expected 1 or more, got 0');
    expect(await ask('db-slow', { minutez: '3' })).toMatch(/db-slow has no param "minutez" \(did you mean "minutes"\?\)/);
    expect(await ask('db-slow', { minutes: 'ten' })).toContain('Usage: `/runbook run db-slow db=… minutes=…`');
    expect(await ctx.store.runbooks.listForIncident(incident.id)).toEqual([]);
    expect(ctx.chat.posts().filter((p) => p.channel === WAR_ROOM)).toEqual([]);
  });

  it('elsewhere: asks which open incident, and the answer starts the run there, or here for "No incident"', async () => {
    const { ctx } = runbookWorld([slowDatabase()]);
    const incident = await givenIncident(ctx, { home: 'channel', title: 'Checkout slow' });
    const question = await runFromCommand(ctx, { teamId: TEAM, channelId: OPS, userId: ALICE, runbookId: 'db-slow', given: { minutes: '10' } });
    const [forIncident, none] = buttonsOf(question);
    expect(forIncident?.label).toBe('INC-1 Checkout slow');
    expect(none?.label).toBe('No incident');
    expect(ctx.chat.posts()).toEqual([]);

    const reply = await startFromButton(ctx, { teamId: TEAM, userId: BOB, channelId: OPS, value: JSON.parse(forIncident!.value) as StartValue });
    expect(reply).toContain('for INC-1');
    const run = await onlyRun(ctx, incident.id);
    expect(run).toMatchObject({ channelId: WAR_ROOM, startedBy: BOB, params: { db: '', minutes: '10' } });

    await startFromButton(ctx, { teamId: TEAM, userId: BOB, channelId: OPS, value: JSON.parse(none!.value) as StartValue });
    const here = ctx.chat.posts().filter((p) => p.channel === OPS);
    expect(here).toHaveLength(1);
    expect(readable(here[0]!.message)).toContain('no incident');
  });

  it('with no open incident, starts at once where it was typed', async () => {
    const { ctx } = runbookWorld([slowDatabase()]);
    const reply = readable(await runFromCommand(ctx, { teamId: TEAM, channelId: OPS, userId: ALICE, runbookId: 'db-slow', given: {} }));
    expect(reply).toContain('No incident is open, so it is attached to none.');
    expect(ctx.chat.posts().map((p) => p.channel)).toEqual([OPS]);
  });

  it('a run that cannot be posted is abandoned, and the person is told why and what to do', async () => {
    const { ctx } = runbookWorld([slowDatabase()]);
    ctx.chat.failNext('post', slackApiError('not_in_channel'));
    const reply = readable(await runFromCommand(ctx, { teamId: TEAM, channelId: OPS, userId: ALICE, runbookId: 'db-slow', given: {} }));
    expect(reply).toContain('Could not post the run of *Slow database* in <#C0OPS> (not_in_channel). Invite Firebreak');
  });
});

describe('a check step', () => {
  it('a docker check names its container, filled from the params', async () => {
    const docker: Step = { id: 'db-container', title: 'The database container', explanation: '', line: 10, kind: 'check', check: { type: 'diag', spec: { diag: 'docker', target: '{{host}}', container: '{{container}}' } } };
    const world = runbookWorld([runbook({ params: { host: { type: 'target', kind: 'docker', description: 'd' }, container: { type: 'string', default: 'akig-db', description: 'c' } }, steps: [docker] })]);
    const { ctx, diagnostics, run } = await started(world, {});
    diagnostics.answer(CRITICAL);
    await runStep(ctx, { runId: run.id, stepId: 'db-container', userId: BOB });
    expect(diagnostics.requests).toEqual([expect.objectContaining({ kind: 'docker', target: undefined, container: 'akig-db' })]);
  });

  it('runs the diagnostic with the params, stores and shows the findings, and puts the outcome on the timeline', async () => {
    const { ctx, diagnostics, incident, run } = await started();
    diagnostics.answer(CRITICAL);
    expect(await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB })).toBeNull();
    expect(diagnostics.requests).toEqual([{ kind: 'db', target: 'main', namespace: undefined, deployment: undefined, sinceSeconds: undefined }]);
    const after = await latest(ctx, run);
    expect(after.steps.activity).toMatchObject({ state: 'done', status: 'critical', actorId: BOB, claimedUntil: null });
    expect(after.steps.activity!.findings[0]).toMatchObject({ check: 'blocked sessions', status: 'critical' });
    const shown = drawn(ctx, after);
    expect(shown).toContain(':red_circle: *CRITICAL*');
    expect(shown).toContain('*blocked sessions* · pid 4242: 3 sessions blocked by pid 4242');
    // The action it conditions can be asked now, and is next.
    expect(shown).toContain('*Next: 2. Terminate the long queries*');
    expect(shown).toContain('[Request approval]');
    const events = await timelineOf(ctx, incident.id);
    expect(events.at(-1)).toMatchObject({ kind: 'runbook_step', actorId: BOB, data: { runbook: 'db-slow', step: 'Look at what is running', stepId: 'activity' } });
    expect(String(events.at(-1)!.data.outcome)).toMatch(/^CRITICAL: 1 critical, 1 ok\. Worst: main \(postgres\), blocked sessions/);
  });

  it('an ok check skips the steps that apply only otherwise; once every step is through, the run is finished', async () => {
    const { ctx, incident, run } = await started();
    await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB });
    let after = await latest(ctx, run);
    expect(after.steps.terminate).toMatchObject({ state: 'skipped', actorId: null });
    expect(drawn(ctx, after)).toContain('Skipped: *1. Look at what is running* was ok');
    expect(await runStep(ctx, { runId: run.id, stepId: 'terminate', userId: BOB })).toContain('This step is skipped');
    await runStep(ctx, { runId: run.id, stepId: 'disk', userId: BOB });
    await notifyPosted(ctx, { runId: run.id, stepId: 'tell', userId: BOB });
    after = await latest(ctx, run);
    expect(after.status).toBe('finished');
    expect(drawn(ctx, after)).toContain(':checkered_flag: *Finished* · 3 done, 1 skipped of 4 steps');
    const outcomes = (await timelineOf(ctx, incident.id)).map((e) => `${String(e.data.stepId ?? '')} ${String(e.data.outcome ?? e.kind)}`.trim());
    expect(outcomes).toEqual(['runbook_started', expect.stringMatching(/^activity OK/), expect.stringMatching(/^terminate skipped: 1\. Look at what is running was ok; this step applies only when it is critical or warning$/), 'disk marked done', 'tell update posted']);
    // The postmortem's chronology reads the timeline: the run is in it, step by step.
    const report = postmortemMarkdown({ incident, severity: ctx.severities[incident.severity], timeline: await ctx.store.listTimeline(incident.id), locale: 'en', now: ctx.clock.now(), checklistItems: [] });
    expect(report).toContain('Runbook started by @U0ALICE: Slow database');
    expect(report).toContain('Runbook step by @U0BOB: db-slow › Check the disk · marked done');
    expect(report).toMatch(/Runbook step: db-slow › Terminate the long queries · skipped: /);
  });

  it('two clicks at once (people, a double click, replicas) run it once; the other is told who has it', async () => {
    const { ctx, diagnostics, run } = await started();
    const gate = diagnostics.hold();
    const first = runStep(ctx, { runId: run.id, stepId: 'activity', userId: ALICE });
    const second = runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB });
    const answers = await Promise.all([second, (async () => {
      await new Promise((r) => setTimeout(r, 20));
      gate.release();
      return first;
    })()]);
    expect(diagnostics.runs).toBe(1);
    expect(answers[0]).toMatch(/already running, started by <@U0ALICE>|already done by <@U0ALICE>/);
    expect(answers[1]).toBeNull();
    expect(await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB })).toContain('This step was already done by <@U0ALICE>');
    expect(diagnostics.runs).toBe(1);
  });

  it('a claim whose holder died is taken over once its lease ends', async () => {
    const { ctx, diagnostics, run } = await started();
    const now = ctx.clock.now();
    await ctx.store.runbooks.claimStep({ runId: run.id, stepId: 'activity', actorId: 'U0DEAD', at: now, leaseUntil: new Date(now.getTime() + STEP_LEASE_MS), from: ['pending'] });
    expect(await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB })).toContain('already running, started by <@U0DEAD>');
    ctx.clock.advance(STEP_LEASE_MS + 1);
    expect(await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB })).toBeNull();
    expect(diagnostics.runs).toBe(1);
    expect((await latest(ctx, run)).steps.activity).toMatchObject({ state: 'done', actorId: BOB });
  });

  it('takes its turn with the diagnoses: refused when too many run and wait, it goes back to pending and runs on a later click', async () => {
    const world = runbookWorld([slowDatabase()], { config: { diagnostics: { concurrency: 1, queue: 0 } } });
    const { ctx, diagnostics, run } = await started(world);
    const gate = diagnostics.hold();
    // A /diag of another target holds the only turn.
    const replies: Message[] = [];
    const busy = diagnose(ctx, { teamId: TEAM, channelId: OPS, userId: ALICE, request: { kind: 'db', target: 'replica' }, reply: async (m) => void replies.push(m) });
    await new Promise((r) => setTimeout(r, 10));
    const answer = await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB });
    expect(answer).toBe(':warning: Firebreak is already running 1 diagnosis and 0 more are waiting, so this one was not started (nothing was run). The step is back to pending: press *Run check* again in a minute.');
    expect((await latest(ctx, run)).steps.activity).toMatchObject({ state: 'pending', claimedUntil: null, summary: null });
    expect(drawn(ctx, await latest(ctx, run))).toContain('[Run check]');
    gate.release();
    await busy;
    expect(diagnostics.runs).toBe(1);
    expect(await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB })).toBeNull();
    expect(diagnostics.runs).toBe(2);
    expect((await latest(ctx, run)).steps.activity).toMatchObject({ state: 'done', actorId: BOB });
  });

  it('the same check in two runs at once runs its probes once, and both steps get the findings', async () => {
    const first = await started();
    const { ctx, diagnostics } = first;
    const other = await givenIncident(ctx);
    await ctx.store.updateIncident({ id: other.id, set: { channelId: 'C0WARROOM2' } });
    await runFromCommand(ctx, { teamId: TEAM, channelId: 'C0WARROOM2', userId: ALICE, runbookId: 'db-slow', given: { db: 'main' } });
    const second = await onlyRun(ctx, other.id);
    diagnostics.answer(CRITICAL);
    const gate = diagnostics.hold();
    const clicks = [runStep(ctx, { runId: first.run.id, stepId: 'activity', userId: ALICE }), runStep(ctx, { runId: second.id, stepId: 'activity', userId: BOB })];
    await new Promise((r) => setTimeout(r, 10));
    gate.release();
    expect(await Promise.all(clicks)).toEqual([null, null]);
    expect(diagnostics.runs).toBe(1);
    expect((await latest(ctx, first.run)).steps.activity).toMatchObject({ state: 'done', status: 'critical', actorId: ALICE });
    expect((await latest(ctx, second)).steps.activity).toMatchObject({ state: 'done', status: 'critical', actorId: BOB });
  });

  it('a check that cannot run (unknown target) fails with the reason, and what depends on it is skipped', async () => {
    const { ctx, run } = await started(undefined, { db: 'missing' });
    await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB });
    const after = await latest(ctx, run);
    expect(after.steps.activity).toMatchObject({ state: 'failed', summary: 'Could not run: There is no postgres target "missing". Configured: main.' });
    expect(after.steps.terminate?.state).toBe('skipped');
    expect(drawn(ctx, after)).toContain(':x: Could not run: There is no postgres target');
  });

  it('custom checks go to Diagnostics.custom with their params filled (SQL text untouched, args bound)', async () => {
    const rb = runbook({
      params: { db: { type: 'target', kind: 'postgres', description: 'db' }, minutes: { type: 'integer', default: 7, description: 'm' } },
      steps: [{ id: 'old', title: 'Old rows', explanation: '', line: 1, kind: 'check', check: { type: 'sql', spec: { sql: 'SELECT count(*) FROM t WHERE m > $1 -- {{minutes}}', args: ['{{minutes}}'], target: '{{db}}', warn: 1, critical: 2, lowerIsWorse: false, meaning: 'Rows over {{minutes}}' } } }],
    });
    const world = runbookWorld([rb]);
    const incident = await givenIncident(world.ctx, { home: 'channel' });
    await runFromCommand(world.ctx, { teamId: TEAM, channelId: WAR_ROOM, userId: ALICE, runbookId: 'db-slow', given: {} });
    const run = await onlyRun(world.ctx, incident.id);
    await runStep(world.ctx, { runId: run.id, stepId: 'old', userId: BOB });
    expect(world.diagnostics.customs).toEqual([expect.objectContaining({ kind: 'sql', sql: 'SELECT count(*) FROM t WHERE m > $1 -- {{minutes}}', args: ['7'], target: undefined, meaning: 'Rows over 7' })]);
    expect((await latest(world.ctx, run)).status).toBe('finished');
  });
});

describe('an action step', () => {
  async function requested() {
    const world = await started();
    world.diagnostics.answer(CRITICAL);
    await runStep(world.ctx, { runId: world.run.id, stepId: 'activity', userId: BOB });
    const reply = await runStep(world.ctx, { runId: world.run.id, stepId: 'terminate', userId: BOB });
    expect(reply).toContain('Asked for approval of `fake.restart payments-api` on orders-db');
    const step = (await latest(world.ctx, world.run)).steps.terminate!;
    expect(step).toMatchObject({ state: 'requested', actorId: BOB });
    expect(step.requestId).toMatch(/^[0-9a-f-]{36}$/);
    return { ...world, requestId: step.requestId! };
  }

  it('asks through the approval flow, marked as coming from the runbook step (message and audit)', async () => {
    const { ctx, run, requestId, restart } = await requested();
    const approval = ctx.chat.posts().find((p) => buttonsOf(p.message).some((b) => b.value === requestId))!;
    expect(approval.channel).toBe(WAR_ROOM);
    expect(readable(approval.message)).toContain(':books: Asked from runbook db-slow · step terminate');
    const audit = (await auditTrail(ctx)).find((e) => e.event === 'requested')!;
    expect(audit.detail).toBe('runbook db-slow · step terminate: restart payments-api');
    expect(restart.steps.map((s) => s.step)).toEqual(['preview']);
    const shown = drawn(ctx, await latest(ctx, run));
    expect(shown).toContain('Approval requested by <@U0BOB>');
    expect(shown).not.toContain('[Request approval]');
    expect(await runStep(ctx, { runId: run.id, stepId: 'terminate', userId: ALICE })).toContain('Approval for this step was already requested by <@U0BOB>');
  });

  it('approved and executed: the step is done, the run redrawn, the approval message keeps its source', async () => {
    const { ctx, run, requestId, incident, restart } = await requested();
    await approveRemediation(ctx, ctx.remediation, requestId, APPROVER);
    expect(restart.steps.map((s) => s.step)).toEqual(['preview', 'execute', 'verify']);
    const step = (await latest(ctx, run)).steps.terminate!;
    expect(step).toMatchObject({ state: 'done', actorId: APPROVER });
    expect(step.summary).toContain('Approved by <@U0APPROVER>: payments-api restarted');
    expect(drawn(ctx, await latest(ctx, run))).toContain('Approved by <@U0APPROVER>: payments-api restarted');
    const approvalUpdates = ctx.chat.callsTo('update').filter((c) => readable(c.args[1]).startsWith('Remediation'));
    expect(approvalUpdates.length).toBeGreaterThan(0);
    for (const u of approvalUpdates) expect(readable(u.args[1])).toContain('Asked from runbook db-slow · step terminate');
    const last = (await timelineOf(ctx, incident.id)).at(-1)!;
    expect(last).toMatchObject({ kind: 'runbook_step', actorId: APPROVER, data: { stepId: 'terminate' } });
    expect(String(last.data.outcome)).toContain('approved and executed: payments-api restarted');
  });

  it('rejected, or expired: the step failed and nothing ran', async () => {
    const a = await requested();
    await rejectRemediation(a.ctx, a.requestId, APPROVER);
    expect((await latest(a.ctx, a.run)).steps.terminate).toMatchObject({ state: 'failed', summary: 'Rejected by <@U0APPROVER>: nothing ran' });
    expect(a.restart.steps.map((s) => s.step)).toEqual(['preview']);

    const b = await requested();
    b.ctx.clock.advance(11 * 60_000);
    expect(await expireRemediations(b.ctx)).toBe(1);
    expect((await latest(b.ctx, b.run)).steps.terminate).toMatchObject({ state: 'failed', summary: 'Expired before anyone approved it: nothing ran' });
    expect(drawn(b.ctx, await latest(b.ctx, b.run))).toContain('Expired before anyone approved it');
  });

  it('a request the flow refuses (a target outside the allow-list) fails the step with the reason', async () => {
    const rb = runbook({ steps: [actionStep('restart', { title: 'Restart', target: 'analytics-db' })] });
    const world = runbookWorld([rb]);
    const incident = await givenIncident(world.ctx, { home: 'channel' });
    await runFromCommand(world.ctx, { teamId: TEAM, channelId: WAR_ROOM, userId: ALICE, runbookId: 'db-slow', given: {} });
    const run = await onlyRun(world.ctx, incident.id);
    const reply = await runStep(world.ctx, { runId: run.id, stepId: 'restart', userId: BOB });
    expect(reply).toContain('There is no postgres target "analytics-db"');
    const step = (await latest(world.ctx, run)).steps.restart!;
    expect(step.state).toBe('failed');
    expect(step.summary).toMatch(/^Not requested: There is no postgres target/);
    expect((await auditTrail(world.ctx)).at(-1)).toMatchObject({ event: 'refused', detail: expect.stringMatching(/^runbook db-slow · step restart: /) });
  });
});

describe('manual and notify steps', () => {
  it('Mark done records who did it; a second click is told', async () => {
    const { ctx, run } = await started();
    expect(await runStep(ctx, { runId: run.id, stepId: 'disk', userId: BOB })).toBeNull();
    expect((await latest(ctx, run)).steps.disk).toMatchObject({ state: 'done', actorId: BOB, summary: 'Marked done' });
    expect(await runStep(ctx, { runId: run.id, stepId: 'disk', userId: ALICE })).toContain('already done by <@U0BOB>');
  });

  it('Post prefills the update with the filled fields; the step is done when the update is posted, once', async () => {
    const { ctx, run, incident } = await started();
    const form = await prepareNotify(ctx, { runId: run.id, stepId: 'tell', userId: BOB });
    expect(form).toMatchObject({ ok: true, fields: { status: 'identified', progress: 'Queries over 5 minutes terminated.' } });
    expect(form.ok && form.incident.id).toBe(incident.id);
    expect((await latest(ctx, run)).steps.tell).toBeUndefined();
    await notifyPosted(ctx, { runId: run.id, stepId: 'tell', userId: BOB });
    await notifyPosted(ctx, { runId: run.id, stepId: 'tell', userId: ALICE });
    expect((await latest(ctx, run)).steps.tell).toMatchObject({ state: 'done', actorId: BOB, summary: 'Update posted' });
    expect((await timelineOf(ctx, incident.id)).filter((e) => e.data.stepId === 'tell')).toHaveLength(1);
    expect(await prepareNotify(ctx, { runId: run.id, stepId: 'tell', userId: ALICE })).toMatchObject({ ok: false, reply: expect.stringContaining('already done by <@U0BOB>') });
  });

  it('in a run attached to no incident there is nobody to update: the step is skipped', async () => {
    const { ctx } = runbookWorld([slowDatabase()]);
    await runFromCommand(ctx, { teamId: TEAM, channelId: OPS, userId: ALICE, runbookId: 'db-slow', given: {} });
    const post = ctx.chat.posts().find((p) => p.channel === OPS)!;
    const runId = buttonsOf(post.message)[0]!.value.split(':')[0]!;
    expect(await prepareNotify(ctx, { runId, stepId: 'tell', userId: BOB })).toMatchObject({ ok: false, reply: expect.stringContaining('attached to no incident') });
    expect((await ctx.store.runbooks.get(runId))!.steps.tell?.state).toBe('skipped');
  });
});

describe('the message', () => {
  it('after a restart, the run is drawn the same from the store alone', async () => {
    const { ctx, run } = await started();
    await runStep(ctx, { runId: run.id, stepId: 'activity', userId: BOB });
    await runStep(ctx, { runId: run.id, stepId: 'disk', userId: BOB });
    const before = drawn(ctx, await latest(ctx, run));
    // A new process: same store and Slack, nothing in memory.
    const restarted = fakeContext({ store: ctx.store, chat: ctx.chat, clock: ctx.clock, runbooks: ctx.runbooks, diagnostics: ctx.diagnostics, remediation: ctx.remediation });
    expect(restarted.views).not.toBe(ctx.views);
    const count = ctx.chat.callsTo('update').length;
    await drawRun(restarted, run.id);
    expect(ctx.chat.callsTo('update').length).toBe(count + 1);
    expect(drawn(ctx, await latest(ctx, run))).toBe(before);
  });

  it('a failed redraw is logged, not thrown: the step is recorded all the same', async () => {
    const { ctx, run } = await started();
    ctx.chat.failNext('update', slackApiError('message_not_found'), { times: 5 });
    await runStep(ctx, { runId: run.id, stepId: 'disk', userId: BOB });
    expect((await latest(ctx, run)).steps.disk?.state).toBe('done');
    expect(ctx.logs.some((l) => l.msg === 'could not redraw the runbook run')).toBe(true);
  });
});

describe('when an incident opens', () => {
  const declare = (ctx: FakeContext, title: string, runbookHints?: { alertnames: string[]; runbookId?: string }) =>
    openIncident(ctx, {
      teamId: TEAM, title, severity: 'P2', impact: null, symptoms: 'Customers see slow requests', actions: null, eta: null, reporterId: ALICE, commanderId: null,
      declaredAt: ctx.clock.now(), sourceKey: randomUUID(), replyChannel: OPS, ...(runbookHints ? { runbookHints } : {}),
    });
  const others = [runbook({ id: 'redis-down', title: 'Redis down', services: ['redis'], symptoms: ['cache misses'], alerts: ['RedisDown'], steps: [manualStep('x')] })];

  it('suggests the runbooks that match its title and symptoms, with a Run button each, in its channel', async () => {
    const { ctx } = runbookWorld([slowDatabase(), ...others]);
    const opened = await declare(ctx, 'Checkout is slow');
    expect(opened.outcome).toBe('opened');
    const incident = opened.outcome === 'opened' ? opened.incident : null;
    const suggestion = ctx.chat.posts().find((p) => p.message.text.startsWith('Runbooks that may help'))!;
    expect(suggestion.channel).toBe(incident!.channelId);
    expect(buttonsOf(suggestion.message).map((b) => b.label)).toEqual(['Run Slow database']);
    const value = JSON.parse(buttonsOf(suggestion.message)[0]!.value) as StartValue;
    expect(value).toEqual({ r: 'db-slow', i: incident!.id });
    // Run, twice: one run.
    await startFromButton(ctx, { teamId: TEAM, userId: BOB, channelId: incident!.channelId!, value });
    expect(await startFromButton(ctx, { teamId: TEAM, userId: ALICE, channelId: incident!.channelId!, value })).toContain('already running for INC-1, started by <@U0BOB>');
    expect(await ctx.store.runbooks.listForIncident(incident!.id)).toHaveLength(1);
  });

  it('an alert naming a loaded runbook starts it; a name not loaded is said, with the suggestions', async () => {
    const { ctx } = runbookWorld([slowDatabase(), ...others]);
    const named = await declare(ctx, 'Cache is gone', { alertnames: ['RedisDown'], runbookId: 'db-slow' });
    const runs = await ctx.store.runbooks.listForIncident(named.outcome === 'opened' ? named.incident.id : '');
    expect(runs.map((r) => [r.runbookId, r.startedBy])).toEqual([['db-slow', 'firebreak']]);
    expect(ctx.chat.posts().some((p) => p.message.text.startsWith('Runbooks that may help'))).toBe(false);

    // A name that is not loaded is said; the runbook answering the alert's name starts instead.
    const unknown = await declare(ctx, 'Cache is gone again', { alertnames: ['RedisDown'], runbookId: 'no-such-runbook' });
    const incidentId = unknown.outcome === 'opened' ? unknown.incident.id : '';
    expect((await ctx.store.runbooks.listForIncident(incidentId)).map((r) => r.runbookId)).toEqual(['redis-down']);
    const note = ctx.chat.posts().find((p) => p.channel === (unknown.outcome === 'opened' ? unknown.incident.channelId : '') && p.message.text.includes('no-such-runbook'))!;
    expect(readable(note.message)).toContain('The alert names the runbook `no-such-runbook`, which is not loaded');
  });

  it('an alert answered by a runbook (its alerts list) starts it; with no such runbook, the others are suggested', async () => {
    const { ctx } = runbookWorld([slowDatabase(), ...others]);
    const alerted = await declare(ctx, 'RedisDown: cache unreachable', { alertnames: ['RedisDown'] });
    const incident = alerted.outcome === 'opened' ? alerted.incident : null;
    expect((await ctx.store.runbooks.listForIncident(incident!.id)).map((r) => [r.runbookId, r.startedBy])).toEqual([['redis-down', 'firebreak']]);
    // The run is what the channel gets: no suggestions beside it.
    expect(ctx.chat.posts().some((p) => p.channel === incident!.channelId && p.message.text.startsWith('Runbooks that may help'))).toBe(false);

    const other = await declare(ctx, 'Disk alert', { alertnames: ['NodeDiskFull'] });
    const none = other.outcome === 'opened' ? other.incident : null;
    expect(await ctx.store.runbooks.listForIncident(none!.id)).toEqual([]);
    const offered = ctx.chat.posts().find((p) => p.channel === none!.channelId && p.message.text.startsWith('Runbooks that may help'))!;
    expect(buttonsOf(offered.message).map((b) => b.label)).toEqual(['Run Slow database']);
  });

  it('with runbooks.autoRunChecks, the best match starts and its unconditioned checks run at once', async () => {
    const world = runbookWorld([slowDatabase(), ...others], { config: { runbooks: { autoRunChecks: true } } });
    world.diagnostics.answer(CRITICAL);
    const opened = await declare(world.ctx, 'Checkout is slow');
    const incident = opened.outcome === 'opened' ? opened.incident : null;
    const run = await onlyRun(world.ctx, incident!.id);
    expect(world.diagnostics.runs).toBe(1);
    const after = await latest(world.ctx, run);
    expect(after.steps.activity).toMatchObject({ state: 'done', status: 'critical', actorId: 'firebreak' });
    // The action waits for a person; the channel shows the diagnosis.
    expect(after.steps.terminate).toBeUndefined();
    expect(drawn(world.ctx, after)).toContain('*blocked sessions* · pid 4242');
  });

  it('never fails the declaration: a suggestion that cannot be posted is only logged', async () => {
    const { ctx } = runbookWorld([slowDatabase()]);
    ctx.chat.failNext('post', slackApiError('channel_not_found'), { when: (_channel, message) => message.text.startsWith('Runbooks that may help') });
    const opened = await declare(ctx, 'Checkout is slow');
    expect(opened.outcome).toBe('opened');
    expect(ctx.logs.some((l) => String(l.msg).startsWith('runbook suggestions failed'))).toBe(true);
    expect(ctx.chat.posts().some((p) => p.channel === INCIDENTS_CHANNEL)).toBe(true);
  });
});

describe('long runbooks through the use cases', () => {
  it('a 60-step run stays one message within the limits as its steps are done', async () => {
    const steps = Array.from({ length: 60 }, (_, i) => (i % 2 ? manualStep(`m${i}`, { title: `Manual ${i}`, explanation: 'e'.repeat(500) }) : diagCheck(`c${i}`, { title: `Check ${i}`, target: 'main' })));
    const world = runbookWorld([runbook({ steps })]);
    world.diagnostics.answer(Array.from({ length: 40 }, (_, i) => ({ check: `c${i}`, component: 'x'.repeat(300), status: 'critical' as const, value: 'v'.repeat(3000), evidence: ['e'.repeat(600)] })));
    const incident = await givenIncident(world.ctx, { home: 'channel' });
    await runFromCommand(world.ctx, { teamId: TEAM, channelId: WAR_ROOM, userId: ALICE, runbookId: 'db-slow', given: {} });
    const run = await onlyRun(world.ctx, incident.id);
    for (const s of steps.slice(0, 45)) await runStep(world.ctx, { runId: run.id, stepId: s.id, userId: BOB });
    const last = world.ctx.chat.callsTo('update').at(-1)!.args[1];
    expect(last.blocks.length).toBeLessThanOrEqual(50);
    for (const b of last.blocks) if (b.type === 'text') expect(b.text.length).toBeLessThanOrEqual(3000);
    expect(readable(last)).toContain('*Next: 46. Manual 45*');
    expect(buttonsOf(last).some((b) => b.label.startsWith('Earlier steps'))).toBe(true);
  });

  it('a page asked for (Earlier/Later steps) is drawn from that step; the next redraw goes back to the next step', async () => {
    const world = runbookWorld([longRunbook(60, { id: 'db-slow' })]);
    const incident = await givenIncident(world.ctx, { home: 'channel' });
    await runFromCommand(world.ctx, { teamId: TEAM, channelId: WAR_ROOM, userId: ALICE, runbookId: 'db-slow', given: {} });
    const run = await onlyRun(world.ctx, incident.id);
    const first = readable(world.ctx.chat.posts().find((p) => p.ref.ts === run.message!.ts)!.message);
    expect(first).toContain('*Next: 1. Check number 1*');
    expect(first).not.toContain('Manual number 50');
    await drawRun(world.ctx, run.id, { start: 49 });
    const paged = drawn(world.ctx, run);
    expect(paged).toContain('*50. Manual number 50*');
    expect(paged).toMatch(/\[Earlier steps \(\d+\)\]/);
    await runStep(world.ctx, { runId: run.id, stepId: 's2', userId: BOB });
    expect(drawn(world.ctx, run)).toContain('*Next: 1. Check number 1*');
  });
});
