/** Giving someone a role: commander (leads the response) or comms lead (talks to stakeholders). */
import { humanId, isOpen, type Incident } from '../../core/incident/incident.js';
import { roleLabel, type Role } from '../../core/incident/labels.js';
import { notices } from '../../core/incident/messages.js';
import { plain } from '../../core/render/message.js';
import { userRef } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { postHome, refreshIncident, reportSideStep } from './home.js';
import { done, refused, resolvedRefusal, type Outcome } from './outcome.js';

export async function assignRole(ctx: AppContext, incident: Incident, args: { actorId: string; userId: string; role: Role }): Promise<Outcome> {
  if (!isOpen(incident)) return resolvedRefusal(incident);
  const id = humanId(incident);
  const field = args.role === 'commander' ? 'commanderId' : 'commsLeadId';
  const previous = incident[field];
  const label = roleLabel(args.role, ctx.config.incidents.locale);
  if (previous === args.userId) return refused(`${userRef(args.userId)} is already ${label.toLowerCase()} of ${id}.`);
  const at = ctx.clock.now();
  const { incident: updated } = await ctx.store.updateIncident({
    id: incident.id,
    set: { [field]: args.userId },
    event: { kind: 'role_changed', actorId: args.actorId, at, data: { role: args.role, userId: args.userId, previous } },
  });
  if (updated.channelId) {
    await ctx.chat.invite(updated.channelId, [args.userId]).catch((err: unknown) => reportSideStep(ctx, updated, `inviting the new ${label.toLowerCase()}`, err));
  }
  await postHome(ctx, updated, plain(notices(ctx.config.incidents.locale).role(id, label, userRef(args.userId))));
  await refreshIncident(ctx, incident.id);
  return done(`${userRef(args.userId)} is now ${label.toLowerCase()} of ${id}.`);
}
