/**
 * Remediation behind an approval button. Asking previews the change and posts it with Approve and
 * Reject; approving runs it once (an atomic claim of the request), after re-checking the target,
 * then verifies the effect; every attempt, refused ones included, goes to the audit trail. The
 * claim is a lease the runner renews while the action runs: when the runner stops (killed, its
 * host gone), the lease ends and any replica's sweep marks the request interrupted, says so on
 * its message, and never runs it again by itself (what the action got to do is unknown).
 */
import { allowedTarget, canApprove, canReject, type ApprovalPolicy, type RefusalCode } from '../../core/approval/policy.js';
import type { ActionContext } from '../../core/remediation/action.js';
import type { Clock, RemediationCatalogue } from '../../ports.js';
import type { AuditEntry, RemediationRequest } from '../../core/remediation/request.js';
import { describeCause } from '../../core/errors.js';
import { escapeMrkdwn, phrase, truncatePlain, type Phrase } from '../../core/render/text.js';
import { metricsOf, type AppContext } from '../context.js';
import { done, refused, type Outcome } from '../incidents/outcome.js';
import { approvalMessage } from './messages.js';
import { runbookSourceOf, settleRunbookStep } from '../runbooks/approval.js';

const PREVIEW_MS = 10_000;
const EXECUTE_MS = 60_000;
const VERIFY_MS = 120_000;

/**
 * What an action step runs with. `now` is the context's clock (the time actions record and show);
 * the deadline is a budget of real time, enforced by a real timer, since the systems acted on
 * answer in real time whatever the clock says.
 */
function actionContext(clock: Clock, ms: number): ActionContext & { done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { deadline: Date.now() + ms, signal: controller.signal, now: () => clock.now(), done: () => clearTimeout(timer) };
}

/**
 * Why something was refused: mrkdwn whose values are already escaped (the policy's reasons, which
 * mention people), or a Phrase when it carries values from users, actions or targets.
 */
type Reason = string | Phrase;
const asPhrase = (reason: Reason): Phrase => (typeof reason === 'string' ? { mrkdwn: reason, raw: reason } : reason);

/** What actions and systems say (summaries, refusals, errors) is plain text: escaped to be shown. */
const said = (text: string): Phrase => ({ mrkdwn: escapeMrkdwn(text), raw: text });

type AuditInput = Omit<AuditEntry, 'at' | 'approvers' | 'before' | 'after' | 'permalink'> & Partial<AuditEntry>;
type TransitionInput = Omit<Parameters<AppContext['store']['remediation']['transition']>[0], 'audit'>;

const entryOf = (ctx: AppContext, entry: AuditInput): AuditEntry => ({ at: ctx.clock.now(), approvers: [], before: null, after: null, permalink: null, ...entry });

/** Counted once audited; an action id that is not the catalogue's (typed by someone) is not a label. */
const counted = (ctx: AppContext, entry: AuditEntry): void => metricsOf(ctx).remediation(ctx.remediation.actions.has(entry.actionId) ? entry.actionId : 'other', entry.event);

async function audit(ctx: AppContext, entry: AuditInput): Promise<void> {
  const e = entryOf(ctx, entry);
  await ctx.store.remediation.audit(e);
  counted(ctx, e);
}

/** A change of a request and its audit entry, stored in one step: the entry exists exactly when the change applied. */
async function transitionAudited(ctx: AppContext, input: TransitionInput, entry: AuditInput) {
  const e = entryOf(ctx, entry);
  const result = await ctx.store.remediation.transition({ ...input, audit: e });
  if (result.applied) counted(ctx, e);
  return result;
}

/** A decision (or a request's target) refused, counted by the policy's code. */
const refusedFor = (ctx: AppContext, decision: 'request' | 'approve' | 'reject', code: RefusalCode) => metricsOf(ctx).approvalRefused(decision, code);

/** Approvers from the configuration, user groups expanded to their members. */
export async function approvalPolicy(ctx: AppContext): Promise<ApprovalPolicy> {
  const approvers = new Set<string>();
  for (const id of ctx.config.approvals.approvers) {
    if (id.startsWith('S')) for (const member of await ctx.chat.userGroupMembers(id)) approvers.add(member);
    else approvers.add(id);
  }
  return { approvers, expiresAfterMs: ctx.config.approvals.expiresAfter, dryRun: ctx.config.approvals.dryRun };
}

export interface AskInput {
  teamId: string;
  channelId: string;
  actorId: string;
  actionId: string;
  args: string[];
  targetName?: string | undefined;
  /** Where the request comes from when it was not typed ("runbook <id> · step <step>"): on the approval message and in the audit. */
  source?: string | undefined;
  /** Called once the request is stored, before its approval message is posted (so any decision finds what asked for it). */
  onRequested?: ((request: RemediationRequest) => Promise<void>) | undefined;
}

export async function requestRemediation(ctx: AppContext, catalogue: RemediationCatalogue, input: AskInput): Promise<Outcome> {
  const base = { actorId: input.actorId, actionId: input.actionId, args: input.args, requestId: null };
  // The target as named, until it is resolved: then the one it resolved to (the default when none was named).
  let targetName = input.targetName ?? '';
  const refuse = async (reason: Reason) => {
    const { mrkdwn, raw } = asPhrase(reason);
    await audit(ctx, { ...base, targetName, event: 'refused', detail: input.source ? `${input.source}: ${raw}` : raw });
    return refused(mrkdwn);
  };
  const action = catalogue.actions.get(input.actionId);
  if (!action) return refuse(phrase`There is no action "${input.actionId}". \`/remediate list\` shows them.`);
  const params = action.params.safeParse(input.args);
  if (!params.success) {
    const problems = said(params.error.issues.map((i) => i.message).join('; '));
    // The usage is the action's own markup ("<pid>"), not anyone's input.
    const usage = `\`${action.id} ${action.usage}\`: `;
    return refuse({ mrkdwn: usage + problems.mrkdwn, raw: usage + problems.raw });
  }
  const target = catalogue.target(action.targetKind, input.targetName);
  if (!target.ok) return refuse(said(target.message));
  targetName = target.name;
  const namespace = action.namespaced ? input.args[0]?.split('/')[0] : undefined;
  const allowed = allowedTarget(action.targetKind, target.name, namespace, ctx.config.remediation.allow);
  if (!allowed.allowed) {
    refusedFor(ctx, 'request', allowed.code);
    return refuse(allowed.reason);
  }

  const pctx = actionContext(ctx.clock, PREVIEW_MS);
  let preview;
  try {
    preview = await action.preview(target.target, params.data, pctx);
  } catch (err) {
    return refuse(phrase`Could not read ${target.name} to preview the change (${describeCause(err)}).`);
  } finally {
    pctx.done();
  }
  if (preview.refusal) return refuse(said(preview.refusal));

  const now = ctx.clock.now();
  const incident = await ctx.store.findIncidentByChannel(input.teamId, input.channelId).catch(() => null);
  const request = await ctx.store.remediation.create({
    teamId: input.teamId, actionId: action.id, targetName: target.name, args: input.args, risk: preview.risk === 'critical' ? 'critical' : action.risk, requesterId: input.actorId,
    createdAt: now, expiresAt: new Date(now.getTime() + ctx.config.approvals.expiresAfter), guard: preview.guard,
    preview: { current: preview.current, change: preview.change }, incidentId: incident?.id ?? null,
  });
  const change = preview.change.join('; ');
  await audit(ctx, { ...base, targetName: target.name, event: 'requested', requestId: request.id, detail: input.source ? `${input.source}: ${change}` : change });
  await input.onRequested?.(request);
  const ref = await ctx.chat.post(input.channelId, approvalMessage(request, { dryRun: ctx.config.approvals.dryRun, source: input.source }));
  await ctx.store.remediation.setMessage(request.id, ref);
  if (incident) await ctx.store.addTimelineEvent({ incidentId: incident.id, kind: 'action_requested', actorId: input.actorId, at: now, data: { action: commandText(action.id, input.args), reason: preview.change.join('; ') } });
  return done(phrase`Asked for approval of \`${commandText(action.id, input.args)}\` on ${target.name}.`.mrkdwn);
}

async function redraw(ctx: AppContext, request: RemediationRequest): Promise<void> {
  if (request.message) await ctx.chat.update(request.message, approvalMessage(request, { dryRun: ctx.config.approvals.dryRun, source: await runbookSourceOf(ctx, request.id) })).catch((err: unknown) => ctx.logger.warn({ err }, 'could not redraw the approval message'));
}

/** A click on a request that is not (or no longer) stored: audited too, under no request. */
async function unknownRequest(ctx: AppContext, decision: 'approve' | 'reject', requestId: string, actorId: string): Promise<Outcome> {
  const detail = `${decision}: no request ${JSON.stringify(truncatePlain(requestId, 80))}`;
  refusedFor(ctx, decision, 'no_such_request');
  await audit(ctx, { actorId, actionId: '', args: [], targetName: '', requestId: null, event: 'refused', detail });
  return refused('This request no longer exists.');
}

export async function rejectRemediation(ctx: AppContext, requestId: string, actorId: string): Promise<Outcome> {
  const request = await ctx.store.remediation.get(requestId);
  if (!request) return unknownRequest(ctx, 'reject', requestId, actorId);
  const base = { actorId, actionId: request.actionId, args: request.args, targetName: request.targetName, requestId };
  const refuse = async (code: RefusalCode, reason: string) => {
    refusedFor(ctx, 'reject', code);
    await audit(ctx, { ...base, event: 'refused', detail: `reject: ${reason}` });
    return refused(reason);
  };
  const verdict = canReject(actorId, request, await approvalPolicy(ctx), ctx.clock.now());
  if (!verdict.allowed) return refuse(verdict.code, verdict.reason);
  const result = await transitionAudited(ctx, { id: requestId, from: ['requested'], to: 'rejected', set: { decidedBy: actorId } }, { ...base, event: 'rejected', detail: null });
  // Lost the race to another decision: still an attempt, so still audited.
  if (!result.applied) return refuse('decided_meanwhile', 'It was decided meanwhile by someone else.');
  await redraw(ctx, result.request);
  await settleRunbookStep(ctx, result.request);
  return done('Rejected; nothing ran.');
}

export async function approveRemediation(ctx: AppContext, catalogue: RemediationCatalogue, requestId: string, actorId: string): Promise<Outcome> {
  const now = ctx.clock.now();
  const request = await ctx.store.remediation.get(requestId);
  if (!request) return unknownRequest(ctx, 'approve', requestId, actorId);
  const base = { actorId, actionId: request.actionId, args: request.args, targetName: request.targetName, requestId };
  const refuse = async (code: RefusalCode, reason: string) => {
    refusedFor(ctx, 'approve', code);
    await audit(ctx, { ...base, event: 'refused', detail: `approve: ${reason}` });
    return refused(reason);
  };
  const verdict = canApprove(actorId, request, await approvalPolicy(ctx), now);
  if (!verdict.allowed) return refuse(verdict.code, verdict.reason);
  const action = commandText(request.actionId, request.args);
  const approved = await transitionAudited(
    ctx,
    {
      id: requestId, from: ['requested'], to: 'approved', notExpiredAt: now, approval: { userId: actorId, at: now },
      event: { kind: 'action_approved', actorId, at: now, data: { action } },
    },
    { ...base, event: 'approved', detail: null, approvers: [actorId] },
  );
  // Lost the race (or the clock): still an attempt, so still audited.
  if (!approved.applied) {
    return approved.request.status === 'requested'
      ? refuse('expired', 'It expired; ask for it again if it is still needed.')
      : refuse('decided_meanwhile', 'It was decided meanwhile by someone else.');
  }

  if (ctx.config.approvals.dryRun) {
    const closed = await transitionAudited(
      ctx,
      { id: requestId, from: ['approved'], to: 'succeeded', set: { outcome: 'dry run: approved, nothing was executed (approvals.dryRun)' } },
      { ...base, event: 'succeeded', detail: 'dry run: not executed', approvers: [actorId] },
    );
    await redraw(ctx, closed.request);
    await settleRunbookStep(ctx, closed.request);
    return done('Approved. Dry run: nothing was executed.');
  }
  // Claim the run: whatever the clicks and replicas, only one caller gets here. The claim is a
  // lease, renewed until the outcome is stored.
  const running = await transitionAudited(
    ctx,
    { id: requestId, from: ['approved'], to: 'running', runningUntil: leaseEnd(ctx) },
    { ...base, event: 'started', detail: null, approvers: [actorId] },
  );
  if (!running.applied) return refuse('already_running', 'It is already running.');
  const lease = keepLease(ctx, requestId);
  let result: Awaited<ReturnType<typeof execute>>;
  let final: Awaited<ReturnType<typeof ctx.store.remediation.transition>>;
  let outcomeEntry: AuditInput;
  try {
    await redraw(ctx, running.request);
    result = await execute(ctx, catalogue, running.request);
    // Asked of Slack before the outcome is stored, so the outcome and its audit row are one write.
    const permalink = request.message ? await ctx.chat.permalink(request.message).catch(() => null) : null;
    outcomeEntry = { ...base, event: result.ok ? 'succeeded' : 'failed', detail: result.summary, approvers: [actorId], before: result.before ?? null, after: result.after ?? null, permalink };
    final = await transitionAudited(ctx, {
      id: requestId, from: ['running'], to: result.ok ? 'succeeded' : 'failed',
      set: { outcome: result.summary, before: result.before ?? null, after: result.after ?? null },
      event: executed(ctx, actorId, action, result.summary),
    }, outcomeEntry);
  } finally {
    lease.stop();
  }
  if (!final.applied) {
    // This replica could not renew the lease for a whole lease (the store out of reach, a stall)
    // and another took it for stopped: the status stays interrupted, what happened is added to it.
    ctx.logger.warn({ request: requestId, status: final.request.status }, 'the action finished after its request was marked interrupted');
    const late = `it finished after it was marked interrupted: ${result.summary}`;
    final = await transitionAudited(
      ctx,
      {
        id: requestId, from: ['interrupted'], to: 'interrupted', set: { outcome: late, before: result.before ?? null, after: result.after ?? null },
        event: executed(ctx, actorId, action, result.summary),
      },
      { ...outcomeEntry, detail: late },
    );
    // Neither applied (the request is in no state a runner can leave it in): the attempt is still
    // audited, and on the incident's timeline.
    if (!final.applied) {
      await audit(ctx, { ...outcomeEntry, detail: `${result.summary} (the request was ${final.request.status} meanwhile)` });
      if (request.incidentId) await ctx.store.addTimelineEvent({ incidentId: request.incidentId, ...executed(ctx, actorId, action, result.summary) });
    }
  }
  await redraw(ctx, final.request);
  await settleRunbookStep(ctx, final.request);
  return result.ok ? done(`Done: ${escapeMrkdwn(result.summary)}`) : refused(`It failed: ${escapeMrkdwn(result.summary)}`);
}

async function execute(ctx: AppContext, catalogue: RemediationCatalogue, request: RemediationRequest) {
  const action = catalogue.actions.get(request.actionId);
  const target = action && catalogue.target(action.targetKind, request.targetName);
  const params = action?.params.safeParse(request.args);
  if (!action || !target?.ok || !params?.success) return { ok: false, summary: 'the action or its target is no longer configured' };
  const ectx = actionContext(ctx.clock, EXECUTE_MS);
  try {
    const ran = await action.execute(target.target, params.data, request.guard, ectx);
    if (!ran.ok) return ran;
    const vctx = actionContext(ctx.clock, VERIFY_MS);
    try {
      const verified = await action.verify(target.target, params.data, vctx);
      return { ok: verified.ok, summary: `${ran.summary}; ${verified.summary}`, before: ran.before, after: verified.after ?? ran.after };
    } finally {
      vctx.done();
    }
  } catch (err) {
    return { ok: false, summary: `error while running: ${describeCause(err)}` };
  } finally {
    ectx.done();
  }
}

/** An action and its arguments as the timeline shows them. */
const commandText = (actionId: string, args: readonly string[]): string => `${actionId} ${args.join(' ')}`;

/** The timeline event of an action's outcome, recorded now. */
const executed = (ctx: AppContext, actorId: string, action: string, outcome: string) =>
  ({ kind: 'action_executed', actorId, at: ctx.clock.now(), data: { action, outcome } }) as const;

/** When a lease taken or renewed now ends. */
const leaseEnd = (ctx: AppContext): Date => new Date(ctx.clock.now().getTime() + ctx.config.remediation.executionLease);

/**
 * Renews the request's lease every third of it while the action runs, on a real timer (a clock
 * running faster than real time, local mode's, says how long that is in real time).
 */
function keepLease(ctx: AppContext, requestId: string): { stop(): void } {
  const third = ctx.config.remediation.executionLease / 3;
  const timer = setInterval(() => {
    ctx.store.remediation
      .renewLease(requestId, leaseEnd(ctx))
      .then((held) => {
        if (!held) ctx.logger.warn({ request: requestId }, 'the running action lost its lease: another replica took it for stopped and marked it interrupted');
      })
      .catch((err: unknown) => ctx.logger.warn({ err, request: requestId }, 'could not renew the lease of the running action'));
  }, Math.max(100, ctx.clock.toRealMs?.(third) ?? third));
  return { stop: () => clearInterval(timer) };
}

/**
 * Running requests whose runner stopped renewing their lease (killed, its host gone): marked
 * interrupted (once, whichever replicas sweep at the same time), audited, shown on their message
 * without buttons, and never run again: what the action got to do is unknown, so a person checks
 * the target before asking again.
 */
export async function interruptAbandoned(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  let count = 0;
  for (const request of await ctx.store.remediation.listLeaseEnded(now)) {
    const action = commandText(request.actionId, request.args);
    const event = { kind: 'action_executed', actorId: null, at: now, data: { action, outcome: 'interrupted: Firebreak stopped while it ran; check the target' } } as const;
    const result = await transitionAudited(ctx, { id: request.id, from: ['running'], to: 'interrupted', leaseEndedBy: now, event }, {
      actorId: 'firebreak', actionId: request.actionId, args: request.args, targetName: request.targetName, requestId: request.id, event: 'interrupted',
      approvers: request.approvals.map((a) => a.userId),
      detail: 'the replica running it stopped before it finished (its lease ended); not run again: check the target before asking again',
    });
    // Renewed meanwhile (its runner is alive after all), or another replica got there first.
    if (!result.applied) continue;
    count += 1;
    await redraw(ctx, result.request);
    await settleRunbookStep(ctx, result.request);
  }
  return count;
}

/** Requests nobody decided in time: expired, their buttons removed. */
export async function expireRemediations(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  let count = 0;
  for (const request of await ctx.store.remediation.listExpired(now)) {
    const result = await transitionAudited(ctx, { id: request.id, from: ['requested'], to: 'expired' }, {
      actorId: 'firebreak', actionId: request.actionId, args: request.args, targetName: request.targetName, requestId: request.id, event: 'expired', detail: null,
    });
    if (!result.applied) continue;
    count += 1;
    await redraw(ctx, result.request);
    await settleRunbookStep(ctx, result.request);
  }
  return count;
}
