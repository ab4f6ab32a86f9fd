/**
 * Starting a runbook run: params bound (clear errors), the run stored, its message posted where
 * the incident lives (its channel, or its announcement's thread) or where it was asked for, and
 * `runbook_started` put on the incident's timeline. `/runbook run` outside an incident's channel
 * first asks which incident the run is for.
 */
import { humanId, incidentHome, isOpen, type Incident } from '../../core/incident/incident.js';
import { describeCause } from '../../core/errors.js';
import { plain, type Message } from '../../core/render/message.js';
import { channelMention, escapeMrkdwn, escapeTokens, userRef } from '../../core/render/text.js';
import type { Runbook } from '../../core/runbook/model.js';
import { bindParams } from '../../core/runbook/params.js';
import { incidentChoiceMessage } from '../../core/runbook/catalogue-view.js';
import { runMessage, type StartValue } from '../../core/runbook/run-view.js';
import { didYouMean } from '../../core/runbook/suggest.js';
import type { RunbookRun } from '../../ports.js';
import type { AppContext } from '../context.js';
import { resolvedMessage } from '../incidents/outcome.js';
import { incidentLabel } from './redraw.js';
import { runReadOnlyChecks } from './steps.js';

export type Started = { ok: true; run: RunbookRun; reply: string } | { ok: false; reply: string };

export interface StartRunInput {
  teamId: string;
  userId: string;
  runbook: Runbook;
  /** The bound params (bindParams' values). */
  values: Record<string, string>;
  incident: Incident | null;
  /** Where the run is posted when there is no incident (or it has no home yet). */
  channelId: string;
}

/** How a runbook is run with params, for messages. */
export const usageOf = (runbook: Runbook): string => `/runbook run ${runbook.id}${Object.keys(runbook.params).map((n) => ` ${n}=…`).join('')}`;

/** Stores the run, posts its message and records the start on the incident's timeline. */
export async function startRun(ctx: AppContext, input: StartRunInput): Promise<Started> {
  const { runbook, incident } = input;
  const home = incident ? incidentHome(incident) : null;
  const where = home ?? { channel: input.channelId };
  const now = ctx.clock.now();
  const run = await ctx.store.runbooks.create({
    teamId: input.teamId, runbookId: runbook.id, incidentId: incident?.id ?? null, channelId: where.channel, params: input.values, startedBy: input.userId, startedAt: now,
  });
  let ref;
  try {
    ref = await ctx.chat.post(where.channel, runMessage({ runbook, run, incident: incidentLabel(incident), now }), where.threadTs ? { threadTs: where.threadTs } : undefined);
  } catch (err) {
    // Nowhere to show it: nobody could follow or click it.
    await ctx.store.runbooks.setStatus(run.id, 'abandoned').catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not mark the run abandoned'));
    ctx.logger.warn({ err, runbook: runbook.id, channel: where.channel }, 'runbook run not posted');
    return { ok: false, reply: `:warning: Could not post the run of *${escapeMrkdwn(runbook.title)}* in ${channelMention(where.channel)} (${escapeTokens(describeCause(err))}). Invite Firebreak to that channel, or run it in the incident's channel.` };
  }
  await ctx.store.runbooks.setMessage(run.id, ref);
  if (incident) {
    await ctx.store.addTimelineEvent({ incidentId: incident.id, kind: 'runbook_started', actorId: input.userId, at: now, data: { runbook: runbook.id, title: runbook.title, params: input.values } });
  }
  ctx.logger.info({ run: run.id, runbook: runbook.id, incident: incident ? humanId(incident) : null }, 'runbook run started');
  const link = await ctx.chat.permalink(ref).catch(() => null);
  // A link's label is plain text in Slack: a channel mention inside it would show as raw <#C…>.
  const shown = `in ${channelMention(where.channel)}${link ? ` (<${link}|the run>)` : ''}`;
  return { ok: true, run: { ...run, message: ref }, reply: `:arrow_forward: Runbook *${escapeMrkdwn(runbook.title)}* started ${shown}${incident ? ` for ${humanId(incident)}` : ''}.` };
}

/** With `runbooks.autoRunChecks`, a run started by someone runs its unconditioned checks at once, in the background. */
function autoRun(ctx: AppContext, started: Started): Started {
  if (started.ok && ctx.config.runbooks.autoRunChecks) ctx.inflight.run(`runbook ${started.run.runbookId} checks`, () => runReadOnlyChecks(ctx, started.run.id));
  return started;
}

/** The runbook of that id, or why there is none (with the closest id). */
export function findRunbook(ctx: AppContext, id: string): { ok: true; runbook: Runbook } | { ok: false; reply: string } {
  const runbook = ctx.runbooks.get(id);
  if (runbook) return { ok: true, runbook };
  const ids = ctx.runbooks.list().map((r) => r.id);
  return { ok: false, reply: `:warning: There is no runbook \`${escapeMrkdwn(id.slice(0, 70))}\`${escapeMrkdwn(didYouMean(id, ids))}. \`/runbook list\` shows them.` };
}

function bind(runbook: Runbook, given: Record<string, string>): { ok: true; values: Record<string, string> } | { ok: false; reply: string } {
  const bound = bindParams(runbook, given);
  return bound.ok ? bound : { ok: false, reply: `:warning: ${escapeMrkdwn(bound.message)}. Usage: \`${escapeTokens(usageOf(runbook))}\` (\`/runbook show ${runbook.id}\` tells each param).` };
}

export interface RunCommandInput {
  teamId: string;
  channelId: string;
  userId: string;
  runbookId: string;
  /** The params as typed (parseParamArgs). */
  given: Record<string, string>;
}

/**
 * `/runbook run <id> [param=value…]`: in an incident's channel the run is attached to it; elsewhere
 * the answer asks which open incident it is for (or none). Returns what the person is answered.
 */
export async function runFromCommand(ctx: AppContext, input: RunCommandInput): Promise<Message> {
  const found = findRunbook(ctx, input.runbookId);
  if (!found.ok) return plain(found.reply);
  const { runbook } = found;
  const bound = bind(runbook, input.given);
  if (!bound.ok) return plain(bound.reply);
  const incident = await ctx.store.findIncidentByChannel(input.teamId, input.channelId);
  if (incident) {
    if (!isOpen(incident)) return plain(`:warning: ${resolvedMessage(incident)}`);
    return plain(autoRun(ctx, await startRun(ctx, { ...input, runbook, values: bound.values, incident })).reply);
  }
  const open = await ctx.store.listOpenIncidents(input.teamId);
  if (!open.length) {
    const started = autoRun(ctx, await startRun(ctx, { ...input, runbook, values: bound.values, incident: null }));
    return plain(started.ok ? `${started.reply} No incident is open, so it is attached to none.` : started.reply);
  }
  const question = incidentChoiceMessage({ runbook, params: input.given, incidents: open.map((i) => ({ id: i.id, label: humanId(i), title: i.title })) });
  return question ?? plain(`:warning: These params are too long to carry in a button. Run \`/runbook run ${escapeMrkdwn(runbook.id)} …\` in the incident's channel instead.`);
}

export interface StartClick {
  teamId: string;
  userId: string;
  /** Where the button was clicked (the run goes there when it is for no incident). */
  channelId: string;
  value: StartValue;
}

/**
 * A start button: an incident picked for `/runbook run` (or "No incident"), or a suggestion's Run.
 * A suggestion already started for the incident is not started twice.
 */
export async function startFromButton(ctx: AppContext, click: StartClick): Promise<string> {
  const found = findRunbook(ctx, click.value.r);
  if (!found.ok) return found.reply;
  const { runbook } = found;
  const bound = bind(runbook, click.value.p ?? {});
  if (!bound.ok) return bound.reply;
  let incident: Incident | null = null;
  if (click.value.i !== null) {
    incident = await ctx.store.getIncident(click.value.i);
    if (!incident) return ':warning: That incident no longer exists.';
    if (!isOpen(incident)) return `:warning: ${resolvedMessage(incident)}`;
    if (!click.value.q) {
      const running = (await ctx.store.runbooks.listForIncident(incident.id)).find((r) => r.runbookId === runbook.id && r.status === 'running');
      if (running) {
        const link = running.message ? await ctx.chat.permalink(running.message).catch(() => null) : null;
        return `:information_source: *${escapeMrkdwn(runbook.title)}* is already running for ${humanId(incident)}, started by ${userRef(running.startedBy)}${link ? ` (<${link}|the run>)` : ''}.`;
      }
    }
  }
  return autoRun(ctx, await startRun(ctx, { teamId: click.teamId, userId: click.userId, runbook, values: bound.values, incident, channelId: click.channelId })).reply;
}
