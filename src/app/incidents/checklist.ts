/** Ticks on the post-incident checklist: saved, on the timeline, and shown on the card and the checklist. */
import { humanId, type MessageRef } from '../../core/incident/incident.js';
import { checklistItems } from '../../core/render/checklist.js';
import type { AppContext } from '../context.js';
import { refreshIncident } from './home.js';
import { done, refused, type Outcome } from './outcome.js';

export interface Tick {
  actorId: string;
  /** The keys one checkbox group shows. */
  group: string[];
  /** Those ticked in it now: Slack reports the whole group's state on every tick. */
  selected: string[];
  /**
   * Those the message showed ticked when it was clicked (its initial options), when the payload
   * says: then only what this person changed is applied, so two people ticking different items of
   * one group at once both count. Without it, the group's state is taken as it is reported.
   */
  shown?: string[] | undefined;
  /** The checklist message clicked: redrawn from the stored state with the card. */
  message?: MessageRef | undefined;
}

/**
 * Applies a tick as what it adds and removes, in one atomic change of the store (so ticks handled
 * at once by several replicas are all kept), records each item it changed on the timeline, and
 * redraws. Other groups' ticks are kept.
 */
export async function tickChecklist(ctx: AppContext, incidentId: string, tick: Tick): Promise<Outcome> {
  const items = checklistItems(ctx.templates.get(ctx.config.incidents.locale, 'checklist'));
  const inGroup = new Set(items.map((i) => i.key).filter((k) => tick.group.includes(k)));
  const selected = new Set(tick.selected.filter((k) => inGroup.has(k)));
  const shown = tick.shown === undefined ? undefined : new Set(tick.shown.filter((k) => inGroup.has(k)));
  const add = [...inGroup].filter((k) => selected.has(k) && !shown?.has(k));
  const remove = [...inGroup].filter((k) => !selected.has(k) && (shown === undefined || shown.has(k)));

  const incident = await ctx.store.getIncident(incidentId);
  if (!incident) return refused('That incident no longer exists.');
  const at = ctx.clock.now();
  const result = await ctx.store.changeChecklist({ id: incidentId, add, remove, ...(tick.message ? { message: tick.message } : {}) });
  const after = result.incident.checklist;
  const changed = items.filter((i) => result.previous.includes(i.key) !== after.includes(i.key));
  for (const item of changed) {
    await ctx.store.addTimelineEvent({ incidentId, kind: 'checklist_ticked', actorId: tick.actorId, at, data: { item: item.text, checked: after.includes(item.key) } });
  }
  // Redrawn even when nothing changed: the message clicked then shows the stored ticks again.
  await refreshIncident(ctx, incidentId);
  if (changed.length === 0) return refused(`Nothing changed on the checklist of ${humanId(result.incident)}.`);
  const doneCount = items.filter((i) => after.includes(i.key)).length;
  return done(`Checklist of ${humanId(result.incident)}: ${doneCount}/${items.length} done.`);
}
