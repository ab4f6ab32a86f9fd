/**
 * The incident's own channel: created with a name following Slack's rules, the reporter and the
 * commander invited, the topic set, the summary card posted and pinned. Each step that fails is
 * reported and the others still run; the incident keeps working without its channel.
 */
import { incidentChannelName, withSuffix } from '../../core/incident/channel-name.js';
import type { Incident, MessageRef } from '../../core/incident/incident.js';
import { FirebreakError } from '../../core/errors.js';
import { channelTopic } from '../../core/incident/card.js';
import { channelMention } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { cardMessage, reportSideStep } from './home.js';

const NAME_ATTEMPTS = 5;

/** Tells about a failed side step (see reportSideStep); open-incident also keeps a list for the reporter. */
export type SideStepReporter = (incident: Incident, step: string, err: unknown) => Promise<void>;

export async function createIncidentChannel(ctx: AppContext, incident: Incident, report: SideStepReporter = (i, step, err) => reportSideStep(ctx, i, step, err)): Promise<Incident> {
  let channelId: string | null = null;
  try {
    const base = incidentChannelName(incident);
    for (let attempt = 1; attempt <= NAME_ATTEMPTS && !channelId; attempt++) {
      const created = await ctx.chat.createChannel(attempt === 1 ? base : withSuffix(base, attempt));
      if ('id' in created) channelId = created.id;
    }
    if (!channelId) throw new FirebreakError('CHAT_FAILED', `the channel names ${base} to ${withSuffix(base, NAME_ATTEMPTS)} are all taken`);
  } catch (err) {
    await report(incident, 'channel creation', err);
    return incident;
  }

  let current: Incident;
  try {
    current = (await ctx.store.updateIncident({ id: incident.id, set: { channelId } })).incident;
  } catch (err) {
    // A channel the incident does not know would answer none of its commands: the incident lives
    // in the announcement's thread instead, and the report names the channel left over.
    await report(incident, `saving its new channel ${channelMention(channelId)}`, err);
    return incident;
  }
  const people = [current.reporterId, ...(current.commanderId ? [current.commanderId] : [])];
  await ctx.chat.invite(channelId, people).catch((err: unknown) => report(current, 'inviting the reporter and commander', err));
  await ctx.chat
    .setTopic(channelId, channelTopic(current, ctx.severities, ctx.config.incidents.locale))
    .then(() => ctx.views.topics.set(current.id, channelTopic(current, ctx.severities, ctx.config.incidents.locale)))
    .catch((err: unknown) => report(current, 'setting the channel topic', err));
  let card: MessageRef;
  try {
    card = await ctx.chat.post(channelId, cardMessage(ctx, current));
  } catch (err) {
    await report(current, 'posting the summary card', err);
    return current;
  }
  try {
    current = (await ctx.store.updateIncident({ id: current.id, set: { card } })).incident;
  } catch (err) {
    // Posted but not saved: it is pinned all the same, only later changes will not show on it.
    await report(current, 'saving the summary card', err);
  }
  await ctx.chat.pin(card).catch((err: unknown) => report(current, 'pinning the summary card', err));
  return current;
}
