/** Events API: a :pushpin: reaction in an incident channel puts the message on the timeline. */
import { pinToTimeline } from '../../../app/incidents/notes.js';
import type { EventListener } from './types.js';

export const PIN_REACTIONS = new Set(['pushpin', 'round_pushpin']);

export const pinReacted: EventListener<'reaction_added'> = {
  kind: 'event',
  id: 'reaction_added',
  async handle({ event, body }, ctx) {
    if (!PIN_REACTIONS.has(event.reaction) || event.item.type !== 'message') return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    const log = ctx.logger.child({ event: 'reaction_added', user: event.user, channel: event.item.channel });
    // Events must be answered within 3 s; Bolt acks them before the listener runs. Slack may
    // redeliver one anyway: pinToTimeline is idempotent on the message.
    ctx.inflight.run('pin to timeline', async () => {
      const outcome = await pinToTimeline(ctx, { teamId, channelId: event.item.channel, ts: event.item.ts, reactorId: event.user });
      log.debug({ outcome }, 'pin reaction');
    });
  },
};
