/**
 * Declaring an incident: store it first (nothing is lost if a later step fails), give it a home
 * (its own channel, or a thread under its announcement), announce it, then tell the reporter.
 * A failed side step is reported in the incidents channel and the rest goes on.
 */
import { humanId, type Incident, type NewIncident } from '../core/incident/incident.js';
import { describeCause, isFirebreakError } from '../core/errors.js';
import { plain } from '../core/render/message.js';
import { channelMention, escapeMrkdwn } from '../core/render/text.js';
import type { AppContext } from './context.js';
import { announcementFor, cardMessage, reportSideStep } from './incidents/home.js';
import { createIncidentChannel } from './incidents/channel.js';
import { syncSchedule } from './reminders/sync.js';

export type OpenIncidentResult =
  | { outcome: 'opened'; incident: Incident; announced: boolean }
  | { outcome: 'duplicate'; incident: Incident }
  | { outcome: 'not-recorded'; message: string };

export interface OpenIncidentInput extends NewIncident {
  /** Where the reporter typed the command: confirmations and errors go there, only to them. */
  replyChannel: string;
}

export async function openIncident(ctx: AppContext, input: OpenIncidentInput): Promise<OpenIncidentResult> {
  const { replyChannel, ...declaration } = input;
  const log = ctx.logger.child({ teamId: input.teamId, reporter: input.reporterId });
  const tellReporter = (text: string) =>
    ctx.chat.postEphemeral(replyChannel, input.reporterId, plain(text)).catch((err: unknown) => {
      log.warn({ err }, 'could not reach the reporter');
    });

  let stored: { incident: Incident; created: boolean };
  try {
    stored = await ctx.store.openIncident(declaration);
  } catch (err) {
    const why = isFirebreakError(err) ? err.userMessage : `Could not record the incident (${describeCause(err)}).`;
    const message = `:warning: ${why} The incident was *not* declared: run \`/incident open\` again. What you entered:\n${echoDeclaration(input)}`;
    log.error({ err }, 'incident not recorded');
    await tellReporter(message);
    return { outcome: 'not-recorded', message };
  }

  let incident = stored.incident;
  const id = humanId(incident);
  if (!stored.created) {
    log.info({ incident: id }, 'repeated declaration ignored');
    return { outcome: 'duplicate', incident };
  }
  log.info({ incident: id, severity: incident.severity }, 'incident declared');

  try {
    return await announce(ctx, incident, tellReporter, log);
  } finally {
    // Whatever happened to the announcement, the reminder and escalation clocks start now.
    await syncSchedule(ctx, incident.id).catch((err: unknown) => log.error({ err, incident: id }, 'could not plan reminders'));
  }
}

async function announce(ctx: AppContext, declared: Incident, tellReporter: (text: string) => Promise<void>, log: AppContext['logger']): Promise<OpenIncidentResult> {
  let incident = declared;
  const id = humanId(incident);
  if (ctx.config.incidents.createChannel) incident = await createIncidentChannel(ctx, incident);

  const channel = ctx.config.incidents.channel;
  try {
    const ref = await ctx.chat.post(channel, announcementFor(ctx, incident));
    await ctx.store.setAnnouncement(incident.id, ref);
    incident = { ...incident, announcement: ref };
  } catch (err) {
    log.error({ err, incident: id, channel }, 'announcement failed');
    await tellReporter(
      `:warning: *${id}* is recorded, but the announcement could not be posted in ${channelMention(channel)} (${describeCause(err)}). ` +
        'Check that Firebreak is a member of that channel, then share the incident there yourself.',
    );
    return { outcome: 'opened', incident, announced: false };
  }

  // Without a channel of its own, the incident lives in the announcement's thread: its card goes there.
  if (!incident.channelId) {
    try {
      const card = await ctx.chat.post(channel, cardMessage(ctx, incident), { threadTs: incident.announcement!.ts });
      incident = (await ctx.store.updateIncident({ id: incident.id, set: { card } })).incident;
    } catch (err) {
      await reportSideStep(ctx, incident, 'summary card', err);
    }
  }

  const where = incident.channelId ? channelMention(incident.channelId) : `the thread under its announcement in ${channelMention(channel)}`;
  await tellReporter(`:white_check_mark: *${id}* declared and announced in ${channelMention(channel)}. The response happens in ${where}.`);
  return { outcome: 'opened', incident, announced: true };
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
