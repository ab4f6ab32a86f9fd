/** Resolving (resolution template, then the post-incident checklist) and reopening. */
import { humanId, type Incident, type Resolution } from '../../core/incident/incident.js';
import { checklistMessage, notices, resolutionMessage } from '../../core/incident/messages.js';
import { OPEN_STATUSES, transition } from '../../core/incident/status.js';
import { plain } from '../../core/render/message.js';
import { userRef } from '../../core/render/text.js';
import type { AppContext } from '../context.js';
import { postHome, refreshIncident, reportSideStep } from './home.js';
import { syncSchedule } from '../reminders/sync.js';
import { done, refused, type Outcome } from './outcome.js';

export async function resolveIncident(ctx: AppContext, incident: Incident, args: { actorId: string; resolution: Resolution }): Promise<Outcome> {
  const id = humanId(incident);
  const locale = ctx.config.incidents.locale;
  const t = transition(incident.status, { type: 'resolve' }, id, locale);
  if (!t.ok) return refused(t.reason);
  const at = ctx.clock.now();
  const result = await ctx.store.updateIncident({
    id: incident.id,
    set: { status: 'resolved', resolvedAt: at, resolution: args.resolution, lastUpdateAt: at },
    when: { status: [...OPEN_STATUSES] },
    event: { kind: 'resolved', actorId: args.actorId, at, data: { durationMs: at.getTime() - incident.declaredAt.getTime(), rootCause: args.resolution.rootCause } },
  });
  if (!result.applied) return refused(`${id} was resolved meanwhile by someone else.`);
  const resolved = result.incident;
  await syncSchedule(ctx, incident.id);
  const message = resolutionMessage({ incident: resolved, severity: ctx.severities[resolved.severity], template: ctx.templates.get(locale, 'resolution'), locale, resolvedBy: args.actorId });
  await postHome(ctx, resolved, message, { alsoThread: true });
  // Stakeholders in the incidents channel hear it too, not only those following the incident.
  if (resolved.channelId) await ctx.chat.post(ctx.config.incidents.channel, message).catch((err: unknown) => reportSideStep(ctx, resolved, 'announcing the resolution', err));
  await postHome(ctx, resolved, checklistMessage({ incident: resolved, template: ctx.templates.get(locale, 'checklist') })).catch((err: unknown) =>
    reportSideStep(ctx, resolved, 'posting the post-incident checklist', err),
  );
  await refreshIncident(ctx, incident.id);
  return done(`${id} is resolved. The post-incident checklist is in ${resolved.channelId ? `<#${resolved.channelId}>` : 'its thread'}; \`/incident postmortem ${id}\` drafts the report.`);
}

export async function reopenIncident(ctx: AppContext, incident: Incident, args: { actorId: string }): Promise<Outcome> {
  const id = humanId(incident);
  const locale = ctx.config.incidents.locale;
  const t = transition(incident.status, { type: 'reopen' }, id, locale);
  if (!t.ok) return refused(t.reason);
  const at = ctx.clock.now();
  const result = await ctx.store.updateIncident({
    id: incident.id,
    // The reminder clock restarts from now.
    set: { status: 'investigating', resolvedAt: null, lastUpdateAt: at },
    when: { status: 'resolved' },
    event: { kind: 'reopened', actorId: args.actorId, at, data: { previousResolution: incident.resolution } },
  });
  if (!result.applied) return refused(`${id} was reopened meanwhile by someone else.`);
  await syncSchedule(ctx, incident.id);
  await postHome(ctx, result.incident, plain(notices(locale).reopened(id, userRef(args.actorId))), { alsoThread: true });
  await refreshIncident(ctx, incident.id);
  return done(`${id} is open again (investigating).`);
}
