/**
 * Declaring an incident: store it first (nothing is lost if a later step fails), give it a home
 * (its own channel, or a thread under its announcement), announce it, then tell the reporter.
 * A failed side step is reported in the incidents channel and the rest goes on.
 */
import { detectionTime, humanId, type Incident, type MessageRef, type NewIncident } from '../core/incident/incident.js';
import { describeCause, isFirebreakError } from '../core/errors.js';
import { plain } from '../core/render/message.js';
import { channelMention, escapeMrkdwn, escapeTokens } from '../core/render/text.js';
import type { AppContext } from './context.js';
import { announcementFor, cardMessage, reportSideStep } from './incidents/home.js';
import { createIncidentChannel, type SideStepReporter } from './incidents/channel.js';
import { syncSchedule } from './reminders/sync.js';
import { runbooksForNewIncident } from './runbooks/suggest.js';

export type OpenIncidentResult =
  | { outcome: 'opened'; incident: Incident; announced: boolean }
  | { outcome: 'duplicate'; incident: Incident }
  | { outcome: 'not-recorded'; message: string };

export interface OpenIncidentInput extends NewIncident {
  /**
   * Where the reporter typed the command: confirmations and errors go there, only to them. Null
   * when no person declared it (an alert): there is nobody to tell privately.
   */
  replyChannel: string | null;
  /**
   * What the runbook suggestion goes on besides the title and symptoms: the alert names of an
   * Alertmanager group, and the runbook its `runbook_id` annotation names (started, not suggested).
   */
  runbookHints?: { alertnames: string[]; runbookId?: string | undefined };
}

export async function openIncident(ctx: AppContext, input: OpenIncidentInput): Promise<OpenIncidentResult> {
  const { replyChannel, runbookHints, ...given } = input;
  const declaration = { ...given, detectedAt: detectionTime(given.detectedAt, given.declaredAt) };
  const log = ctx.logger.child({ teamId: input.teamId, reporter: input.reporterId });
  const tellReporter = async (text: string) => {
    if (replyChannel === null) return;
    await ctx.chat.postEphemeral(replyChannel, input.reporterId, plain(text)).catch((err: unknown) => {
      log.warn({ err }, 'could not reach the reporter');
    });
  };

  let stored: { incident: Incident; created: boolean };
  try {
    stored = await ctx.store.openIncident(declaration);
  } catch (err) {
    const why = isFirebreakError(err) ? err.userMessage : `Could not record the incident (${escapeTokens(describeCause(err))}).`;
    const message = `:warning: ${why} The incident was *not* declared: run \`/incident open\` again. What you entered:\n${echoDeclaration(input)}`;
    log.error({ err }, 'incident not recorded');
    await tellReporter(message);
    return { outcome: 'not-recorded', message };
  }

  const incident = stored.incident;
  const id = humanId(incident);
  if (!stored.created) {
    log.info({ incident: id }, 'repeated declaration ignored');
    return { outcome: 'duplicate', incident };
  }
  log.info({ incident: id, severity: incident.severity }, 'incident declared');

  // From here on the incident is stored: whatever fails is reported, and the rest still runs.
  const failedSteps: string[] = [];
  const report: SideStepReporter = async (about, step, err) => {
    failedSteps.push(step);
    await reportSideStep(ctx, about, step, err);
  };
  let home: Home;
  try {
    home = await announce(ctx, incident, report, log);
  } catch (err) {
    await report(incident, 'announcing the incident', err);
    home = { incident, announced: false, why: describeCause(err) };
  }
  // Whatever happened to the announcement, the reminder and escalation clocks start now.
  await syncSchedule(ctx, incident.id).catch((err: unknown) => report(home.incident, 'planning the update reminders and escalation', err));
  await tellReporter(reporterMessage(ctx, home, failedSteps));
  // Last, so nothing above waits on it: the runbooks that may help (never fails the declaration).
  await runbooksForNewIncident(ctx, home.incident, runbookHints);
  return { outcome: 'opened', incident: home.incident, announced: home.announced };
}

/** Where the incident ended up: announced or not (and why not). */
type Home = { incident: Incident; announced: true } | { incident: Incident; announced: false; why: string };

async function announce(ctx: AppContext, declared: Incident, report: SideStepReporter, log: AppContext['logger']): Promise<Home> {
  let incident = declared;
  if (ctx.config.incidents.createChannel) incident = await createIncidentChannel(ctx, incident, report);

  const channel = ctx.config.incidents.channel;
  let ref: MessageRef;
  try {
    ref = await ctx.chat.post(channel, announcementFor(ctx, incident));
  } catch (err) {
    log.error({ err, incident: humanId(incident), channel }, 'announcement failed');
    return { incident, announced: false, why: describeCause(err) };
  }
  incident = { ...incident, announcement: ref };
  // Posted is what matters to people; not saving it only keeps later edits off the announcement.
  await ctx.store.setAnnouncement(incident.id, ref).catch((err: unknown) => report(incident, 'saving where it was announced', err));

  // Without a channel of its own, the incident lives in the announcement's thread: its card goes there.
  if (!incident.channelId) {
    let card: MessageRef | null = null;
    try {
      card = await ctx.chat.post(channel, cardMessage(ctx, incident), { threadTs: ref.ts });
    } catch (err) {
      await report(incident, 'summary card', err);
    }
    if (card) {
      try {
        incident = { ...(await ctx.store.updateIncident({ id: incident.id, set: { card } })).incident, announcement: ref };
      } catch (err) {
        await report(incident, 'saving the summary card', err);
      }
    }
  }
  return { incident, announced: true };
}

/** What the reporter is told at the end: where the incident is, and every step that failed. */
function reporterMessage(ctx: AppContext, home: Home, failedSteps: string[]): string {
  const { incident } = home;
  const id = humanId(incident);
  const channel = ctx.config.incidents.channel;
  const failures = failedSteps.length
    ? ` :warning: ${failedSteps.length === 1 ? 'One step' : `${failedSteps.length} steps`} failed: ${failedSteps.join('; ')}. ${home.announced ? `Details are in ${channelMention(channel)}.` : ''}`.trimEnd()
    : '';
  if (!home.announced) {
    return (
      `:warning: *${id}* is recorded, but the announcement could not be posted in ${channelMention(channel)} (${escapeTokens(home.why)}). ` +
      `Check that Firebreak is a member of that channel, then share the incident there yourself.${failures}`
    );
  }
  const where = incident.channelId ? channelMention(incident.channelId) : `the thread under its announcement in ${channelMention(channel)}`;
  return `:white_check_mark: *${id}* declared and announced in ${channelMention(channel)}. The response happens in ${where}.${failures}`;
}

/** The reporter's own words, shown back when the declaration could not be stored, so nothing typed is lost. */
function echoDeclaration(input: NewIncident): string {
  const line = (label: string, v: string | null) => (v ? `>*${label}:* ${escapeMrkdwn(v).replace(/\n/g, '\n>')}` : null);
  return [
    line('Title', input.title),
    line('Severity', input.severity),
    line('Impact', input.impact),
    line('Symptoms', input.symptoms),
    line('Actions under way', input.actions),
    line('ETA', input.eta),
  ]
    .filter(Boolean)
    .join('\n');
}
