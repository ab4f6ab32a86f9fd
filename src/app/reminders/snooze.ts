/** Snoozing update reminders: the next one comes no earlier than the end of the snooze. */
import { humanId, type Incident } from '../../core/incident/incident.js';
import { OPEN_STATUSES } from '../../core/incident/status.js';
import { formatDuration } from '../../core/duration.js';
import { dateToken } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { refreshIncident } from '../incidents/home.js';
import { done, resolvedRefusal, type Outcome } from '../incidents/outcome.js';
import { syncSchedule } from './sync.js';

export async function snoozeReminders(ctx: AppContext, incident: Incident, args: { actorId: string; durationMs: number }): Promise<Outcome & { until?: Date }> {
  const now = ctx.clock.now();
  const until = new Date(now.getTime() + args.durationMs);
  const result = await ctx.store.updateIncident({
    id: incident.id,
    set: { reminderSnoozedUntil: until },
    when: { status: [...OPEN_STATUSES] },
    event: { kind: 'reminder_snoozed', actorId: args.actorId, at: now, data: { until: until.toISOString(), minutes: Math.round(args.durationMs / 60_000) } },
  });
  if (!result.applied) return resolvedRefusal(result.incident);
  await syncSchedule(ctx, incident.id);
  await refreshIncident(ctx, incident.id);
  return { ...done(`Update reminders for ${humanId(incident)} snoozed for ${formatDuration(args.durationMs)}, until ${dateToken(until, '{time}')}.`), until };
}
