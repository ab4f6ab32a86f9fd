/** Events API: a :pushpin: reaction in an incident channel puts the message on the timeline. */
import type { App } from '@slack/bolt';
import type { AppContext } from '../../app/context.js';
import { pinToTimeline } from '../../app/incidents/notes.js';

export const PIN_REACTIONS = new Set(['pushpin', 'round_pushpin']);

export function registerEvents(app: App, ctx: AppContext): void {
  app.event('reaction_added', async ({ event, body }) => {
    if (!PIN_REACTIONS.has(event.reaction) || event.item.type !== 'message') return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    const log = ctx.logger.child({ event: 'reaction_added', user: event.user, channel: event.item.channel });
    // Events must be answered within 3 s; Bolt acks them before the listener runs. Slack may
    // redeliver one anyway: pinToTimeline is idempotent on the message.
    ctx.inflight.run('pin to timeline', async () => {
      const outcome = await pinToTimeline(ctx, { teamId, channelId: event.item.channel, ts: event.item.ts, reactorId: event.user });
      log.debug({ outcome }, 'pin reaction');
    });
  });
}
