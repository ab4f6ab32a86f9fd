/** Changing severity: re-tags card, topic and announcement; a rise to P0 or P1 is announced. */
import { humanId, isOpen, type Incident } from '../../core/incident/incident.js';
import { notices, severityRaisedMessage } from '../../core/incident/messages.js';
import { localizeSeverity, SEVERITY_LEVELS, type SeverityLevel } from '../../core/incident/severity.js';
import { plain } from '../../core/render/message.js';
import { userRef } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { postHome, refreshIncident, reportSideStep } from './home.js';
import { syncSchedule } from '../reminders/sync.js';
import { done, refused, resolvedRefusal, type Outcome } from './outcome.js';

const rank = (level: SeverityLevel) => SEVERITY_LEVELS.indexOf(level);

export async function changeSeverity(ctx: AppContext, incident: Incident, args: { actorId: string; to: SeverityLevel }): Promise<Outcome> {
  if (!isOpen(incident)) return resolvedRefusal(incident);
  const id = humanId(incident);
  const locale = ctx.config.incidents.locale;
  const name = (l: SeverityLevel) => {
    const s = localizeSeverity(ctx.severities[l], locale);
    return `${s.level} ${s.name}`;
  };
  if (incident.severity === args.to) return refused(`${id} is already ${name(args.to)}.`);
  const at = ctx.clock.now();
  const from = incident.severity;
  const result = await ctx.store.updateIncident({
    id: incident.id,
    set: { severity: args.to },
    // Two people changing it at once: each change applies to the level its author saw.
    when: { severity: from, status: ['investigating', 'identified', 'monitoring'] },
    event: { kind: 'severity_changed', actorId: args.actorId, at, data: { from, to: args.to } },
  });
  if (!result.applied) {
    return isOpen(result.incident)
      ? refused(`${id} changed meanwhile: it is now ${name(result.incident.severity)}. Run the command again if it should still change.`)
      : resolvedRefusal(result.incident);
  }
  const updated = result.incident;
  await syncSchedule(ctx, incident.id);
  await postHome(ctx, updated, plain(notices(locale).severity(id, name(from), name(args.to), userRef(args.actorId))));
  if (rank(args.to) < rank(from) && rank(args.to) <= rank('P1')) {
    const message = severityRaisedMessage({
      incident: updated,
      severity: ctx.severities[args.to],
      previous: ctx.severities[from],
      template: ctx.templates.get(locale, 'severity'),
      locale,
      changedBy: args.actorId,
    });
    await ctx.chat.post(ctx.config.incidents.channel, message).catch((err: unknown) => reportSideStep(ctx, updated, 'announcing the severity rise', err));
  }
  await refreshIncident(ctx, incident.id);
  return done(`${id} is now ${name(args.to)}.`);
}
