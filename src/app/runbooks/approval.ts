/**
 * The link between an action step and the approval flow: the source shown on the approval message
 * and in the audit trail ("runbook pg-long-queries · step terminate"), and the step's outcome once
 * its request reaches a final state (executed, failed, rejected, expired, interrupted), after which the run's
 * message is redrawn. Called from the remediation flow; it never fails the flow.
 */
import type { RemediationRequest } from '../../core/remediation/request.js';
import { escapeMrkdwn, truncate, userRef } from '../../core/render/text.js';
import type { StepState } from '../../core/runbook/model.js';
import type { AppContext } from '../context.js';
import { afterStep } from './progress.js';
import { drawRun } from './redraw.js';

/** Where a request asked by a runbook step comes from, as shown on its approval message and audited. */
export const runbookSource = (runbookId: string, stepId: string): string => `runbook ${runbookId} · step ${stepId}`;

/** The source of a request asked by a runbook step, or null (asked another way, or the store cannot say). */
export async function runbookSourceOf(ctx: AppContext, requestId: string): Promise<string | null> {
  try {
    const found = await ctx.store.runbooks.findByRequest(requestId);
    return found ? runbookSource(found.run.runbookId, found.stepId) : null;
  } catch (err) {
    ctx.logger.warn({ err, request: requestId }, 'could not tell whether a runbook step asked for the request');
    return null;
  }
}

/** The step's state and summary (mrkdwn) for a request in a final state; null while it is not final. */
function outcomeOf(request: RemediationRequest): { state: StepState; summary: string; timeline: string } | null {
  const outcome = request.outcome ? truncate(request.outcome, 400) : '';
  const approvers = request.approvals.map((a) => userRef(a.userId)).join(', ');
  switch (request.status) {
    case 'succeeded':
      return { state: 'done', summary: `Approved by ${approvers || 'an approver'}: ${escapeMrkdwn(outcome || 'done')}`, timeline: `approved and executed: ${outcome || 'done'}` };
    case 'failed':
      return { state: 'failed', summary: `Approved by ${approvers || 'an approver'}, but it failed: ${escapeMrkdwn(outcome || 'no detail')}`, timeline: `failed: ${outcome || 'no detail'}` };
    case 'rejected':
      return { state: 'failed', summary: `Rejected by ${userRef(request.decidedBy, 'an approver')}: nothing ran`, timeline: 'rejected: nothing ran' };
    case 'expired':
      return { state: 'failed', summary: 'Expired before anyone approved it: nothing ran', timeline: 'expired: nothing ran' };
    case 'interrupted':
      return { state: 'failed', summary: `Approved by ${approvers || 'an approver'}, but Firebreak stopped while it ran: check the target before asking again`, timeline: 'interrupted: Firebreak stopped while it ran' };
    default:
      return null;
  }
}

/**
 * A request reached a final state: the runbook step that asked for it (if any) is done or failed,
 * the outcome goes on the incident's timeline, and the run's message is redrawn. Never throws.
 */
export async function settleRunbookStep(ctx: AppContext, request: RemediationRequest): Promise<void> {
  try {
    const settled = outcomeOf(request);
    if (!settled) return;
    const found = await ctx.store.runbooks.findByRequest(request.id);
    if (!found) return;
    const { run, stepId } = found;
    const actor = request.status === 'rejected' ? request.decidedBy : (request.approvals.at(-1)?.userId ?? null);
    const set = await ctx.store.runbooks.setStep({ runId: run.id, stepId, state: settled.state, at: ctx.clock.now(), actorId: actor, summary: settled.summary, from: ['requested'] });
    if (!set.applied) return;
    if (run.incidentId) {
      const step = ctx.runbooks.get(run.runbookId)?.steps.find((s) => s.id === stepId);
      await ctx.store.addTimelineEvent({
        incidentId: run.incidentId, kind: 'runbook_step', actorId: actor, at: ctx.clock.now(),
        data: { runbook: run.runbookId, step: step?.title || stepId, stepId, outcome: settled.timeline },
      });
    }
    await afterStep(ctx, run.id);
  } catch (err) {
    ctx.logger.warn({ err, request: request.id }, 'could not update the runbook step of a remediation request');
    await drawRunOf(ctx, request.id);
  }
}

async function drawRunOf(ctx: AppContext, requestId: string): Promise<void> {
  const found = await ctx.store.runbooks.findByRequest(requestId).catch(() => null);
  if (found) await drawRun(ctx, found.run.id);
}
