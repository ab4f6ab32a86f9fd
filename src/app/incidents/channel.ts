/**
 * The incident's own channel: created with a name following Slack's rules, the reporter and the
 * commander invited, the topic set, the summary card posted and pinned. Each step that fails is
 * reported and the others still run; the incident keeps working without its channel.
 */
import { incidentChannelName, withSuffix } from '../../core/incident/channel-name.js';
import type { Incident } from '../../core/incident/incident.js';
import { FirebreakError } from '../../core/errors.js';
import { channelTopic } from '../../core/incident/card.js';
import type { AppContext } from '../context.js';
import { cardMessage, reportSideStep } from './home.js';

const NAME_ATTEMPTS = 5;

export async function createIncidentChannel(ctx: AppContext, incident: Incident): Promise<Incident> {
  let channelId: string | null = null;
  try {
    const base = incidentChannelName(incident);
    for (let attempt = 1; attempt <= NAME_ATTEMPTS && !channelId; attempt++) {
      const created = await ctx.chat.createChannel(attempt === 1 ? base : withSuffix(base, attempt));
      if ('id' in created) channelId = created.id;
    }
    if (!channelId) throw new FirebreakError('CHAT_FAILED', `the channel names ${base} to ${withSuffix(base, NAME_ATTEMPTS)} are all taken`);
  } catch (err) {
    await reportSideStep(ctx, incident, 'channel creation', err);
    return incident;
  }

  let current = (await ctx.store.updateIncident({ id: incident.id, set: { channelId } })).incident;
  const people = [current.reporterId, ...(current.commanderId ? [current.commanderId] : [])];
  await ctx.chat.invite(channelId, people).catch((err: unknown) => reportSideStep(ctx, current, 'inviting the reporter and commander', err));
  await ctx.chat
    .setTopic(channelId, channelTopic(current, ctx.severities, ctx.config.incidents.locale))
    .then(() => ctx.views.topics.set(current.id, channelTopic(current, ctx.severities, ctx.config.incidents.locale)))
    .catch((err: unknown) => reportSideStep(ctx, current, 'setting the channel topic', err));
  try {
    const card = await ctx.chat.post(channelId, cardMessage(ctx, current));
    current = (await ctx.store.updateIncident({ id: current.id, set: { card } })).incident;
    await ctx.chat.pin(card).catch((err: unknown) => reportSideStep(ctx, current, 'pinning the summary card', err));
  } catch (err) {
    await reportSideStep(ctx, current, 'posting the summary card', err);
  }
  return current;
}
