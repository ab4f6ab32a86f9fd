/** Events API: a :pushpin: reaction in an incident channel puts the message on the timeline. */
import { z } from 'zod';
import { pinToTimeline } from '../../../app/incidents/notes.js';
import { channelId, messageTs, teamId, userId } from '../ids.js';
import type { EventListener } from './types.js';

export const PIN_REACTIONS = new Set(['pushpin', 'round_pushpin']);

const reaction = z.object({
  body: z.object({ team_id: teamId }),
  event: z.object({
    user: userId,
    reaction: z.string().max(100),
    // Reactions to files carry no channel and ts: not pinnable.
    item: z.object({ type: z.string().max(30), channel: channelId.optional(), ts: messageTs.optional() }),
  }),
});

export const pinReacted: EventListener<z.output<typeof reaction>> = {
  kind: 'event',
  id: 'reaction_added',
  read: reaction,
  async handle(_args, ctx, { body, event }) {
    const { channel, ts } = event.item;
    if (!PIN_REACTIONS.has(event.reaction) || event.item.type !== 'message' || !channel || !ts) return;
    const log = ctx.logger.child({ event: 'reaction_added', user: event.user, channel });
    // Events must be answered within 3 s; Bolt acks them before the listener runs. Slack may
    // redeliver one anyway: pinToTimeline is idempotent on the message.
    ctx.inflight.run('pin to timeline', async () => {
      const outcome = await pinToTimeline(ctx, { teamId: body.team_id, channelId: channel, ts, reactorId: event.user });
      log.debug({ outcome }, 'pin reaction');
    });
  },
};
