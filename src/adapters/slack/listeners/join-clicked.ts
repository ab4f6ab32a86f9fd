/** "Join" on an incident card: invites the clicker to the incident's channel. */
import { ACTIONS } from '../../../core/incident/card.js';
import { humanId } from '../../../core/incident/incident.js';
import { plain } from '../../../core/render/message.js';
import { incidentButton } from './incident-button.js';

export const joinClicked = incidentButton(ACTIONS.join, async (ctx, incident, userId) => {
  if (!incident.channelId) return plain(`${humanId(incident)} has no channel of its own; follow it in the announcement's thread.`);
  await ctx.chat.invite(incident.channelId, [userId]);
  return plain(`You are in <#${incident.channelId}>.`);
});
