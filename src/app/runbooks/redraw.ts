/**
 * Keeping a run's message current: it is always drawn from the store (the run, its steps, the
 * incident), never from memory, so a restart or another replica draws the same thing. Redraws of
 * one run are chained in this process; after drawing, the run is read again and drawn once more if
 * it changed meanwhile (a step finished on another replica), so the last picture is the latest.
 */
import { humanId, type Incident } from '../../core/incident/incident.js';
import { plain } from '../../core/render/message.js';
import { escapeMrkdwn } from '../../core/render/text.js';
import type { Runbook } from '../../core/runbook/model.js';
import { runMessage } from '../../core/runbook/run-view.js';
import type { RunbookRun } from '../../ports.js';
import { inOrder, type AppContext } from '../context.js';

/** How the incident is named on the run's message. */
export const incidentLabel = (incident: Incident | null) => (incident ? { label: humanId(incident), title: incident.title } : null);

/** A run with its runbook (null when the run is unknown), the runbook undefined when it is no longer loaded. */
export async function loadRun(ctx: AppContext, runId: string): Promise<{ run: RunbookRun; runbook: Runbook | undefined } | null> {
  const run = await ctx.store.runbooks.get(runId);
  return run ? { run, runbook: ctx.runbooks.get(run.runbookId) } : null;
}

/** What a redraw compares to know whether the run changed since it was drawn. */
const signature = (run: RunbookRun) => JSON.stringify([run.status, run.steps]);

/** Redraws the run's message from the store. `start`: the first step to show when they do not all fit. Never throws. */
export function drawRun(ctx: AppContext, runId: string, options: { start?: number } = {}): Promise<void> {
  return inOrder(ctx, `runbook-run:${runId}`, async () => {
    let drawn: string | null = null;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const loaded = await loadRun(ctx, runId);
      const ref = loaded?.run.message;
      if (!loaded || !ref) return;
      const { run, runbook } = loaded;
      const now = signature(run);
      if (now === drawn) return;
      const message = runbook
        ? runMessage({ runbook, run, incident: incidentLabel(run.incidentId ? await ctx.store.getIncident(run.incidentId) : null), now: ctx.clock.now(), start: options.start })
        : plain(`:warning: The runbook \`${escapeMrkdwn(run.runbookId)}\` of this run is no longer loaded, so its steps cannot be shown or run. What was done is on the incident's timeline.`);
      await ctx.chat.update(ref, message);
      drawn = now;
    }
  }).catch((err: unknown) => {
    ctx.logger.warn({ err, run: runId }, 'could not redraw the runbook run');
  });
}
