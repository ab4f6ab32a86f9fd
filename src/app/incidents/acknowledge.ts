/** Acknowledging: records who and when, and makes them commander when there is none. */
import { humanId, isOpen, type Incident } from '../../core/incident/incident.js';
import { notices } from '../../core/incident/messages.js';
import { plain } from '../../core/render/message.js';
import { dateToken, userRef } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { postHome, refreshIncident } from './home.js';
import { syncSchedule } from '../reminders/sync.js';
import { done, refused, resolvedRefusal, type Outcome } from './outcome.js';

export async function acknowledge(ctx: AppContext, incident: Incident, userId: string): Promise<Outcome> {
  if (!isOpen(incident)) return resolvedRefusal(incident);
  const at = ctx.clock.now();
  const id = humanId(incident);
  const acked = await ctx.store.updateIncident({
    id: incident.id,
    set: { acknowledgedAt: at, acknowledgedBy: userId },
    when: { acknowledgedAt: null, status: ['investigating', 'identified', 'monitoring'] },
    event: { kind: 'acknowledged', actorId: userId, at, data: {} },
  });
  if (!acked.applied) {
    const current = acked.incident;
    if (!isOpen(current)) return resolvedRefusal(current);
    return refused(`${id} was already acknowledged by ${userRef(current.acknowledgedBy, 'someone')} at ${dateToken(current.acknowledgedAt ?? at)}.`);
  }
  const n = notices(ctx.config.incidents.locale);
  const lines = [n.acknowledged(id, userRef(userId))];
  const commander = await ctx.store.updateIncident({
    id: incident.id,
    set: { commanderId: userId },
    when: { commanderId: null },
    event: { kind: 'role_changed', actorId: userId, at, data: { role: 'commander', userId, previous: null, reason: 'acknowledged' } },
  });
  if (commander.applied) lines.push(n.commanderFromAck(userRef(userId)));
  await syncSchedule(ctx, incident.id);
  await postHome(ctx, commander.incident, plain(lines.join(' ')));
  await refreshIncident(ctx, incident.id);
  return done(`You acknowledged ${id}.${commander.applied ? ' You are its commander.' : ''}`);
}
