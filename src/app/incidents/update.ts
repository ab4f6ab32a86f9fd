/**
 * Posting an update: the update template goes to the incident's channel and the announcement's
 * thread, the status follows the form, and the update time resets the reminder clock.
 */
import { humanId, isOpen, type Incident } from '../../core/incident/incident.js';
import { updateMessage, type UpdateForm } from '../../core/incident/messages.js';
import { OPEN_STATUSES, transition } from '../../core/incident/status.js';
import type { AppContext } from '../context.js';
import { postHome, refreshIncident } from './home.js';
import { syncSchedule } from '../reminders/sync.js';
import { done, refused, resolvedRefusal, type Outcome } from './outcome.js';

export async function postUpdate(ctx: AppContext, incident: Incident, args: { authorId: string; form: UpdateForm }): Promise<Outcome> {
  if (!isOpen(incident)) return resolvedRefusal(incident);
  const id = humanId(incident);
  const locale = ctx.config.incidents.locale;
  if (args.form.status !== incident.status) {
    const t = transition(incident.status, { type: 'set_status', to: args.form.status }, id, locale);
    if (!t.ok) return refused(t.reason);
  }
  const at = ctx.clock.now();
  const posted = await ctx.store.updateIncident({
    id: incident.id,
    // An update resets the reminder clock and ends any snooze.
    set: { lastUpdateAt: at, reminderSnoozedUntil: null },
    // Only while open: an update racing a resolution must not touch a resolved incident.
    when: { status: [...OPEN_STATUSES] },
    event: { kind: 'update_posted', actorId: args.authorId, at, data: { ...args.form } },
  });
  if (!posted.applied) return resolvedRefusal(posted.incident);
  let current = posted.incident;
  if (args.form.status !== current.status) {
    // Guarded on the status actually stored: of two updates racing to the same status, only the
    // one that changes it records the change.
    const from = current.status;
    const changed = await ctx.store.updateIncident({
      id: incident.id,
      set: { status: args.form.status },
      when: { status: from },
      event: { kind: 'status_changed', actorId: args.authorId, at, data: { from, to: args.form.status } },
    });
    current = changed.incident;
  }
  await syncSchedule(ctx, incident.id);
  const message = updateMessage({
    incident: current,
    severity: ctx.severities[current.severity],
    template: ctx.templates.get(locale, 'update'),
    locale,
    form: args.form,
    author: args.authorId,
    at,
    updateIntervalMs: ctx.config.incidents.updateReminder,
  });
  await postHome(ctx, current, message, { alsoThread: true });
  await refreshIncident(ctx, incident.id);
  return done(`Update posted for ${id}.`);
}
