/** Notes on the timeline: typed with /incident note, or a message pinned with a 📌 reaction. */
import { humanId, type Incident } from '../../core/incident/incident.js';
import { notices } from '../../core/incident/messages.js';
import { plain } from '../../core/render/message.js';
import { userRef } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { postHome } from './home.js';
import { done, type Outcome } from './outcome.js';

export const NOTE_MAX = 2000;

export async function addNote(ctx: AppContext, incident: Incident, args: { actorId: string; text: string }): Promise<Outcome> {
  await ctx.store.addTimelineEvent({ incidentId: incident.id, kind: 'note', actorId: args.actorId, at: ctx.clock.now(), data: { text: args.text } });
  await postHome(ctx, incident, plain(notices(ctx.config.incidents.locale).note(userRef(args.actorId))));
  return done(`Note added to the timeline of ${humanId(incident)}.`);
}

/** Slack's ts is the message's own time: "1700000000.123456" seconds since the epoch. */
export function tsToDate(ts: string): Date | null {
  const seconds = Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : null;
}

/**
 * A 📌 on a message in an incident's channel puts that message on the timeline at the time it was
 * written. Slack may deliver the event more than once: the message's ts makes it idempotent.
 */
export async function pinToTimeline(ctx: AppContext, args: { teamId: string; channelId: string; ts: string; reactorId: string }): Promise<'added' | 'duplicate' | 'not-an-incident-channel'> {
  const incident = await ctx.store.findIncidentByChannel(args.teamId, args.channelId);
  if (!incident) return 'not-an-incident-channel';
  const at = tsToDate(args.ts) ?? ctx.clock.now();
  const ref = { channel: args.channelId, ts: args.ts };
  const [text, permalink] = await Promise.all([
    ctx.chat.messageText(ref).catch((err: unknown) => {
      ctx.logger.warn({ err, incident: humanId(incident) }, 'could not read the pinned message');
      return null;
    }),
    ctx.chat.permalink(ref).catch(() => null),
  ]);
  const added = await ctx.store.addTimelineEvent({
    incidentId: incident.id,
    kind: 'pinned_message',
    actorId: args.reactorId,
    at,
    data: { text: text ?? '(message could not be read)', permalink, ts: args.ts },
    dedupeKey: `pin:${args.channelId}:${args.ts}`,
  });
  return added ? 'added' : 'duplicate';
}
