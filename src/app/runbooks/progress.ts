/**
 * What follows a step's outcome, wherever it came from (a click, an approval decided, an update
 * posted): the outcome on the incident's timeline, steps whose condition can no longer hold
 * recorded as skipped, the run marked finished when nothing is left, the message redrawn.
 */
import type { Runbook, Step } from '../../core/runbook/model.js';
import { isFinished, progressOf } from '../../core/runbook/run-view.js';
import type { RunbookRun } from '../../ports.js';
import type { AppContext } from '../context.js';
import { drawRun, loadRun } from './redraw.js';

/** Puts a step's outcome on the incident's timeline (runs without an incident have none). */
export async function onTimeline(ctx: AppContext, loaded: { run: RunbookRun; runbook: Runbook; step: Step }, actorId: string | null, outcome: string): Promise<void> {
  if (!loaded.run.incidentId) return;
  await ctx.store
    .addTimelineEvent({
      incidentId: loaded.run.incidentId, kind: 'runbook_step', actorId, at: ctx.clock.now(),
      data: { runbook: loaded.runbook.id, step: loaded.step.title || loaded.step.id, stepId: loaded.step.id, outcome },
    })
    .catch((err: unknown) => ctx.logger.warn({ err, run: loaded.run.id }, 'could not put the runbook step on the timeline'));
}

/**
 * What follows any step's outcome: steps whose condition can no longer hold are recorded skipped
 * (and put on the timeline), the run is marked finished once every step is done, skipped or
 * failed, and the message is redrawn.
 */
export async function afterStep(ctx: AppContext, runId: string): Promise<void> {
  const loaded = await loadRun(ctx, runId);
  if (loaded?.runbook) {
    const { run, runbook } = loaded;
    const now = ctx.clock.now();
    const progress = progressOf(runbook, run, now);
    for (const p of progress) {
      if (p.state !== 'skipped' || p.record) continue;
      const why = p.note ?? 'its condition did not hold';
      const set = await ctx.store.runbooks.setStep({ runId, stepId: p.step.id, state: 'skipped', at: now, actorId: null, summary: why, from: ['pending'] });
      if (set.applied) await onTimeline(ctx, { run, runbook, step: p.step }, null, `skipped: ${plainOf(why)}`);
    }
    const after = await ctx.store.runbooks.get(runId);
    if (after && after.status === 'running' && isFinished(progressOf(runbook, after, now))) {
      await ctx.store.runbooks.setStatus(runId, 'finished');
      ctx.logger.info({ run: runId, runbook: runbook.id }, 'runbook run finished');
    }
  }
  await drawRun(ctx, runId);
}

/** mrkdwn written by Firebreak back to plain text (for the timeline, which escapes on its own). */
export function plainOf(mrkdwn: string): string {
  return mrkdwn
    // Firebreak's own bold goes; an escaped character (a zero-width space before it) stays.
    .replace(/(?<!\u200B)\*/g, '')
    .replace(/\u200B/g, '')
    .replace(/<@([UW][A-Z0-9]+)>/g, '@$1')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
