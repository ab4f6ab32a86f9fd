/**
 * Runbooks when an incident opens: the runbook an alert names (its `runbook_id` annotation), or
 * else the runbook answering the alert's name, is started in the incident's home; otherwise the
 * runbooks matching its title and symptoms are suggested with a Run button each. With `runbooks.autoRunChecks`, the best match is started and its read-only checks run at
 * once, so the channel opens with the diagnosis. Nothing here can fail the declaration.
 */
import { humanId, incidentHome, type Incident } from '../../core/incident/incident.js';
import { plain } from '../../core/render/message.js';
import { escapeMrkdwn, escapeTokens } from '../../core/render/text.js';
import type { Runbook } from '../../core/runbook/model.js';
import { bindParams } from '../../core/runbook/params.js';
import { suggestionsMessage } from '../../core/runbook/catalogue-view.js';
import type { AppContext } from '../context.js';
import { startRun, usageOf } from './start.js';
import { FIREBREAK_ACTOR, runReadOnlyChecks } from './steps.js';

export interface RunbookHints {
  alertnames: string[];
  /** The runbook an alert's `runbook_id` annotation names. */
  runbookId?: string | undefined;
}

/** Suggests, starts or runs the incident's runbooks (see the file's comment). Never throws. */
export async function runbooksForNewIncident(ctx: AppContext, incident: Incident, hints?: RunbookHints): Promise<void> {
  const log = ctx.logger.child({ incident: humanId(incident) });
  try {
    const home = incidentHome(incident);
    if (!home) return;
    // Named, so a post retried after a lost answer is not made twice.
    const once = { key: `runbook-suggestions:${incident.id}`, lookFirst: false };
    const post = (message: ReturnType<typeof plain>) => ctx.chat.post(home.channel, message, home.threadTs ? { threadTs: home.threadTs, once } : { once });
    const matches = ctx.runbooks.match({ alertnames: hints?.alertnames ?? [], text: [incident.title, incident.symptoms ?? ''].join('\n') });
    const auto = ctx.config.runbooks.autoRunChecks;
    const notes: string[] = [];

    /** Starts `runbook` for the incident (its checks too when configured); a note when its params cannot be bound. */
    const start = async (runbook: Runbook, why: string): Promise<boolean> => {
      const bound = bindParams(runbook, {});
      if (!bound.ok) {
        notes.push(`:information_source: ${why} *${escapeMrkdwn(runbook.title)}* needs params before it can start (${escapeMrkdwn(bound.message)}): \`${escapeTokens(usageOf(runbook))}\``);
        return false;
      }
      const started = await startRun(ctx, { teamId: incident.teamId, userId: FIREBREAK_ACTOR, runbook, values: bound.values, incident, channelId: home.channel });
      if (!started.ok) {
        log.warn({ runbook: runbook.id }, 'runbook not started for the new incident');
        return false;
      }
      if (auto) await runReadOnlyChecks(ctx, started.run.id);
      return true;
    };

    let startedId: string | null = null;
    if (hints?.runbookId) {
      const named = ctx.runbooks.get(hints.runbookId);
      if (!named) notes.push(`:grey_question: The alert names the runbook \`${escapeMrkdwn(hints.runbookId.slice(0, 70))}\`, which is not loaded (\`/runbook list\` shows those that are).`);
      else if (await start(named, 'The alert names')) startedId = named.id;
    }
    // An alert answered by a runbook (its `alerts` list) starts it: the alert says what is wrong.
    // Among several, the words of the alerts' summaries break the tie (matches is ranked so).
    const byAlert = new Set(hints?.alertnames.length ? ctx.runbooks.match({ alertnames: hints.alertnames }).map((r) => r.id) : []);
    const answering = matches.find((r) => byAlert.has(r.id));
    if (!startedId && answering && answering.id !== hints?.runbookId) {
      if (await start(answering, 'The runbook for this alert,')) startedId = answering.id;
    }
    if (!startedId && auto && matches[0] && matches[0].id !== hints?.runbookId) {
      if (await start(matches[0], 'The best match,')) startedId = matches[0].id;
    }
    const others = matches.filter((r) => r.id !== startedId);
    const message = suggestionsMessage({ incident: { id: incident.id, label: humanId(incident) }, runbooks: startedId ? [] : others, note: notes.join('\n') || undefined });
    if (message) await post(message);
  } catch (err) {
    log.warn({ err }, 'runbook suggestions failed; the incident is declared all the same');
  }
}
