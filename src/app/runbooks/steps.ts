/**
 * Doing a step of a run. Whoever clicks first claims the step in the store (a lease, so a process
 * that dies mid-step lets someone run it again later); every other click, replica or retry is
 * told who has it. Checks run like `/diag` (probes within the diagnostics timeout); actions are
 * asked through the approval flow, marked as coming from the step; manual steps are ticked; notify
 * steps are done when the prefilled update is posted. Each outcome goes on the incident's
 * timeline, steps whose condition no longer holds are skipped, and the message is redrawn.
 */
import { sortFindings, worst, type Finding } from '../../core/diagnostics/finding.js';
import type { Probe } from '../../core/diagnostics/probe.js';
import { summaryLine } from '../../core/diagnostics/render.js';
import { parseDuration } from '../../core/duration.js';
import { isOpen, type Incident } from '../../core/incident/incident.js';
import { dateToken, escapeMrkdwn, userRef } from '../../core/render/text.js';
import type { Runbook, Step } from '../../core/runbook/model.js';
import { fillStep } from '../../core/runbook/params.js';
import { progressOf } from '../../core/runbook/run-view.js';
import type { RunbookRun, RunbookStepRecord } from '../../ports.js';
import { metricsOf, type AppContext } from '../context.js';
import { refusalText } from '../diagnostics/diagnose.js';
import { runProbes } from '../diagnostics/run.js';
import { requestRemediation } from '../remediation/flow.js';
import { runbookSource } from './approval.js';
import { afterStep, onTimeline, plainOf } from './progress.js';
import { drawRun, loadRun } from './redraw.js';

/** How long a claim on a step holds: longer than any check (diagnostics time out well before). */
export const STEP_LEASE_MS = 120_000;

/** Who acts for Firebreak itself (the checks run when an incident opens). */
export const FIREBREAK_ACTOR = 'firebreak';

/** The most findings a step keeps, and evidence lines per finding (the store bounds them too). */
const KEPT_FINDINGS = 20;
const KEPT_EVIDENCE = 6;

export interface StepClick {
  runId: string;
  stepId: string;
  userId: string;
}

type Loaded = { run: RunbookRun; runbook: Runbook; step: Step };

/** The run, its runbook and the step, or why the click cannot be honoured. */
async function locate(ctx: AppContext, click: Pick<StepClick, 'runId' | 'stepId'>): Promise<Loaded | string> {
  const loaded = await loadRun(ctx, click.runId);
  if (!loaded) return ':warning: This runbook run is not known (any more).';
  if (!loaded.runbook) return `:warning: The runbook \`${escapeMrkdwn(loaded.run.runbookId)}\` of this run is no longer loaded.`;
  const step = loaded.runbook.steps.find((s) => s.id === click.stepId);
  if (!step) return `:warning: The runbook no longer has a step \`${escapeMrkdwn(click.stepId)}\` (it changed since this run started): start a new run.`;
  if (loaded.run.status !== 'running') return `:information_source: This run is ${loaded.run.status}.`;
  return { run: loaded.run, runbook: loaded.runbook, step };
}

/** Why a step that is not pending cannot be done now, in words for the person who clicked. */
function notNow(record: RunbookStepRecord | undefined, note: string | null, state: string): string {
  const who = record ? `${userRef(record.actorId, 'someone')}${record.updatedAt ? ` (${dateToken(record.updatedAt, '{time}')})` : ''}` : 'someone';
  switch (state) {
    case 'running':
      return `:hourglass_flowing_sand: This step is already running, started by ${who}.`;
    case 'done':
      return `:white_check_mark: This step was already done by ${who}.`;
    case 'requested':
      return `:hourglass_flowing_sand: Approval for this step was already requested by ${who}.`;
    case 'failed':
      return `:x: This step already failed${record?.summary ? `: ${record.summary}` : ''}. Start a new run to try again.`;
    case 'skipped':
      return `:fast_forward: This step is skipped: ${note ?? 'its condition did not hold'}.`;
    case 'waiting':
      return `:hourglass: This step ${note ?? 'waits for an earlier check'}.`;
    default:
      return ':warning: This step cannot be done now.';
  }
}

/**
 * A click on Run check, Request approval or Mark done. Returns what the clicker is told privately
 * (null: nothing, the run's message shows the outcome).
 */
export async function runStep(ctx: AppContext, click: StepClick): Promise<string | null> {
  const found = await locate(ctx, click);
  if (typeof found === 'string') return found;
  const { run, runbook, step } = found;
  if (step.kind === 'notify') return ':information_source: This step posts the stakeholder update: use its *Post* button.';
  const now = ctx.clock.now();
  const progress = progressOf(runbook, run, now).find((p) => p.step.id === step.id);
  if (progress && progress.state !== 'pending') return notNow(progress.record ?? undefined, progress.note, progress.state);

  const claim = await ctx.store.runbooks.claimStep({ runId: run.id, stepId: step.id, actorId: click.userId, at: now, leaseUntil: new Date(now.getTime() + STEP_LEASE_MS), from: ['pending'] });
  if (!claim.applied) {
    const record = claim.run.steps[step.id];
    return notNow(record, null, record?.state ?? 'running');
  }
  await drawRun(ctx, run.id);
  const loaded = { run: claim.run, runbook, step };
  let answer: string | null = null;
  try {
    switch (step.kind) {
      case 'check':
        answer = await runCheck(ctx, loaded, click.userId);
        break;
      case 'action':
        answer = await askApproval(ctx, loaded, click.userId);
        break;
      case 'manual': {
        const set = await ctx.store.runbooks.setStep({ runId: run.id, stepId: step.id, state: 'done', at: ctx.clock.now(), actorId: click.userId, summary: 'Marked done', from: ['running'] });
        if (set.applied) await onTimeline(ctx, loaded, click.userId, 'marked done');
        break;
      }
    }
  } catch (err) {
    // Not left "running" for two minutes: the step shows as failed, and the clicker is told of the error.
    await ctx.store.runbooks
      .setStep({ runId: run.id, stepId: step.id, state: 'failed', at: ctx.clock.now(), actorId: click.userId, summary: 'Could not be done: Firebreak hit an error (see its log)', from: ['running'] })
      .catch(() => undefined);
    await afterStep(ctx, run.id);
    throw err;
  }
  await afterStep(ctx, run.id);
  return answer;
}

/** The probes of a check step (its params filled), or why it cannot run. */
function probesOf(ctx: AppContext, step: Extract<Step, { kind: 'check' }>): { ok: true; probes: Probe[] } | { ok: false; message: string } {
  const { check } = step;
  if (check.type === 'diag') {
    const s = check.spec;
    const since = s.since ? parseDuration(s.since) : null;
    if (s.since && since === null) return { ok: false, message: `"${s.since}" is not a duration like 5m or 1h` };
    return ctx.diagnostics.probes({ kind: s.diag, target: s.target || undefined, namespace: s.namespace || undefined, deployment: s.deployment || undefined, container: s.container || undefined, sinceSeconds: since === null ? undefined : Math.round(since / 1000) });
  }
  const custom = check.type === 'sql' ? ctx.diagnostics.custom({ kind: 'sql', ...check.spec, target: check.spec.target || undefined }) : check.type === 'promql' ? ctx.diagnostics.custom({ kind: 'promql', ...check.spec, target: check.spec.target || undefined }) : ctx.diagnostics.custom({ kind: 'http', ...check.spec, target: check.spec.target || undefined });
  return custom.ok ? { ok: true, probes: [custom.probe] } : custom;
}

/** Findings as a step keeps them: the worst first, evidence cut short. */
function kept(findings: Finding[]): Finding[] {
  return sortFindings(findings)
    .slice(0, KEPT_FINDINGS)
    .map((f) => (f.evidence && f.evidence.length > KEPT_EVIDENCE ? { ...f, evidence: f.evidence.slice(0, KEPT_EVIDENCE) } : f));
}

/**
 * Runs a check step's probes as a diagnosis: the same check asked at once (another run of the
 * runbook, a replica's click) joins it, and it takes its turn with `/diag` requests. Refused when
 * too many are running and waiting: the step goes back to pending, and the clicker is told.
 */
async function runCheck(ctx: AppContext, loaded: Loaded, actorId: string): Promise<string | null> {
  const { run, step } = loaded;
  const filled = fillStep(step, run.params) as Extract<Step, { kind: 'check' }>;
  const selected = probesOf(ctx, filled);
  if (!selected.ok) {
    const set = await ctx.store.runbooks.setStep({ runId: run.id, stepId: step.id, state: 'failed', at: ctx.clock.now(), actorId, summary: `Could not run: ${escapeMrkdwn(selected.message)}`, from: ['running'] });
    if (set.applied) await onTimeline(ctx, loaded, actorId, `could not run: ${selected.message}`);
    return null;
  }
  const metrics = metricsOf(ctx);
  const key = JSON.stringify(['runbook check', filled.check, selected.probes.map((p) => [p.kind, p.target])]);
  const admission = ctx.diagnosisRuns.admit(key, actorId, async () => {
    const startedAt = Date.now();
    const reports = await runProbes(selected.probes, ctx.diagnostics.timeoutMs, ctx.clock, metrics);
    metrics.diagnostics('runbook', worst(reports.flatMap((r) => r.findings)), (Date.now() - startedAt) / 1000);
    return reports;
  });
  if (admission.kind === 'refused') {
    ctx.logger.warn({ run: run.id, step: step.id, running: admission.running, waiting: admission.waiting }, 'runbook check refused: too many diagnoses running and waiting');
    await ctx.store.runbooks.setStep({ runId: run.id, stepId: step.id, state: 'pending', at: ctx.clock.now(), actorId: null, summary: null, from: ['running'] });
    return refusalText(admission, 'The step is back to pending: press *Run check* again in a minute.');
  }
  const reports = await admission.reports;
  const findings = reports.flatMap((r) => r.findings.map((f) => ({ ...f, component: f.component || r.target })));
  const line = summaryLine(reports);
  const set = await ctx.store.runbooks.setStep({
    runId: run.id, stepId: step.id, state: 'done', at: ctx.clock.now(), actorId, status: worst(findings), summary: escapeMrkdwn(line.replace(/^[A-Z]+: /, '')), findings: kept(findings), from: ['running'],
  });
  if (set.applied) await onTimeline(ctx, loaded, actorId, line);
  else ctx.logger.warn({ run: run.id, step: step.id }, 'check finished after its claim was taken over; its result was not recorded');
  return null;
}

async function askApproval(ctx: AppContext, loaded: Loaded, actorId: string): Promise<string> {
  const { run, runbook, step } = loaded;
  const filled = fillStep(step, run.params) as Extract<Step, { kind: 'action' }>;
  let requested = false;
  const outcome = await requestRemediation(ctx, ctx.remediation, {
    teamId: run.teamId, channelId: run.channelId, actorId, actionId: filled.action, args: filled.args, targetName: filled.target || undefined,
    source: runbookSource(runbook.id, step.id),
    // Recorded before the approval message is posted, so even the quickest decision finds the step.
    onRequested: async (request) => {
      requested = true;
      await ctx.store.runbooks.setStep({ runId: run.id, stepId: step.id, state: 'requested', at: ctx.clock.now(), actorId, requestId: request.id, summary: `Approval requested by ${userRef(actorId)}`, from: ['running'] });
    },
  });
  const command = `${filled.action} ${filled.args.join(' ')}`.trim();
  if (requested) {
    await onTimeline(ctx, loaded, actorId, `approval requested for ${command}`);
    return outcome.reply;
  }
  const why = outcome.reply.replace(/^:warning: /, '');
  const set = await ctx.store.runbooks.setStep({ runId: run.id, stepId: step.id, state: 'failed', at: ctx.clock.now(), actorId, summary: `Not requested: ${why}`, from: ['running'] });
  if (set.applied) await onTimeline(ctx, loaded, actorId, `approval not requested for ${command}: ${plainOf(why)}`);
  return outcome.reply;
}

// ---------------------------------------------------------------------------------------------
// Notify steps: the update form, prefilled; done when the update is posted.

export type NotifyForm = { ok: true; incident: Incident; fields: Record<string, string> } | { ok: false; reply: string };

/** What the update form of a notify step opens with, or why it does not open. */
export async function prepareNotify(ctx: AppContext, click: StepClick): Promise<NotifyForm> {
  const found = await locate(ctx, click);
  if (typeof found === 'string') return { ok: false, reply: found };
  const { run, runbook, step } = found;
  if (step.kind !== 'notify') return { ok: false, reply: ':warning: This step posts no update.' };
  const progress = progressOf(runbook, run, ctx.clock.now()).find((p) => p.step.id === step.id);
  if (progress && progress.state !== 'pending') return { ok: false, reply: notNow(progress.record ?? undefined, progress.note, progress.state) };
  const incident = run.incidentId ? await ctx.store.getIncident(run.incidentId) : null;
  if (!incident) {
    // Nobody to update: the step cannot apply to this run.
    const set = await ctx.store.runbooks.setStep({ runId: run.id, stepId: step.id, state: 'skipped', at: ctx.clock.now(), actorId: click.userId, summary: 'No incident to update: this run is attached to none', from: ['pending'] });
    if (set.applied) await afterStep(ctx, run.id);
    return { ok: false, reply: ':fast_forward: This run is attached to no incident, so there is no update to post: the step is skipped.' };
  }
  if (!isOpen(incident)) return { ok: false, reply: ':warning: The incident is resolved: no update to post.' };
  const filled = fillStep(step, run.params) as Extract<Step, { kind: 'notify' }>;
  return { ok: true, incident, fields: filled.fields };
}

/** The update of a notify step was posted: the step is done (once, whoever posts it). */
export async function notifyPosted(ctx: AppContext, click: StepClick): Promise<void> {
  const found = await locate(ctx, click);
  if (typeof found === 'string' || found.step.kind !== 'notify') return;
  const set = await ctx.store.runbooks.setStep({ runId: click.runId, stepId: click.stepId, state: 'done', at: ctx.clock.now(), actorId: click.userId, summary: 'Update posted', from: ['pending', 'running'] });
  if (!set.applied) return;
  await onTimeline(ctx, found, click.userId, 'update posted');
  await afterStep(ctx, click.runId);
}

/** Runs the run's checks that have no condition, in order, as Firebreak (when an incident opens). */
export async function runReadOnlyChecks(ctx: AppContext, runId: string): Promise<void> {
  const loaded = await loadRun(ctx, runId);
  if (!loaded?.runbook) return;
  for (const step of loaded.runbook.steps) {
    if (step.kind !== 'check' || step.when) continue;
    await runStep(ctx, { runId, stepId: step.id, userId: FIREBREAK_ACTOR });
  }
}
