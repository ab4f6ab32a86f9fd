/** Ticks on the post-incident checklist: saved, on the timeline, and shown on the card. */
import { humanId, type Incident } from '../../core/incident/incident.js';
import { checklistItems } from '../../core/render/checklist.js';
import { inOrder, type AppContext } from '../context.js';
import { refreshIncident } from './home.js';
import { done, refused, type Outcome } from './outcome.js';

/**
 * `group` holds the keys one checkbox group shows and `selected` those ticked in it now (Slack
 * reports the whole group's state on every tick); other groups' ticks are kept.
 */
export function tickChecklist(ctx: AppContext, incidentId: string, args: { actorId: string; group: string[]; selected: string[] }): Promise<Outcome> {
  // Ticks are read-modify-write: one at a time per incident, each on the freshest state.
  return inOrder(ctx, `checklist:${incidentId}`, async () => {
    const incident = await ctx.store.getIncident(incidentId);
    if (!incident) return refused('That incident no longer exists.');
    return applyTicks(ctx, incident, args);
  });
}

async function applyTicks(ctx: AppContext, incident: Incident, args: { actorId: string; group: string[]; selected: string[] }): Promise<Outcome> {
  const items = checklistItems(ctx.templates.get(ctx.config.incidents.locale, 'checklist'));
  const known = new Set(items.map((i) => i.key));
  const selected = args.selected.filter((k) => known.has(k) && args.group.includes(k));
  const kept = incident.checklist.filter((k) => !args.group.includes(k));
  const next = items.map((i) => i.key).filter((k) => kept.includes(k) || selected.includes(k));
  const changed = items.filter((i) => incident.checklist.includes(i.key) !== next.includes(i.key));
  if (changed.length === 0) return refused(`Nothing changed on the checklist of ${humanId(incident)}.`);
  const at = ctx.clock.now();
  await ctx.store.updateIncident({ id: incident.id, set: { checklist: next } });
  for (const item of changed) {
    await ctx.store.addTimelineEvent({ incidentId: incident.id, kind: 'checklist_ticked', actorId: args.actorId, at, data: { item: item.text, checked: next.includes(item.key) } });
  }
  await refreshIncident(ctx, incident.id);
  return done(`Checklist of ${humanId(incident)}: ${next.length}/${items.length} done.`);
}
