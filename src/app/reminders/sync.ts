/**
 * After any change to an incident, its stored schedule is brought in line with the rules: the
 * reminder moves, escalations that no longer apply are cleared, a severity paged at declaration
 * is paged, and a PagerDuty incident opened by an escalation (or at declaration) is acknowledged
 * or resolved with it.
 */
import { isOpen } from '../../core/incident/incident.js';
import { OPEN_PAGE_LEVEL, pagesOnOpen, planFor, UPDATE_REMINDER } from '../../core/reminders/plan.js';
import type { AppContext } from '../context.js';

export const PAGER_TRIGGER = 'pager:trigger:';

export async function syncSchedule(ctx: AppContext, incidentId: string): Promise<void> {
  const incident = await ctx.store.getIncident(incidentId);
  if (!incident) return;
  const items = await ctx.store.schedule.list(incidentId);
  const reminder = items.find((i) => i.kind === UPDATE_REMINDER);
  await ctx.store.schedule.plan(incidentId, planFor(incident, ctx.policy, reminder?.lastFiredAt ?? null));

  const now = ctx.clock.now();
  // A severity paged at declaration: paged once, when declared so or raised to it (the item stays, so never twice).
  const openPage = `${PAGER_TRIGGER}${OPEN_PAGE_LEVEL}`;
  if (pagesOnOpen(incident, ctx.policy) && !items.some((i) => i.kind === openPage)) {
    await ctx.store.schedule.enqueue(incidentId, openPage, now, { level: OPEN_PAGE_LEVEL, action: 'trigger' });
    items.push(...(await ctx.store.schedule.list(incidentId)).filter((i) => i.kind === openPage));
  }
  for (const trigger of items.filter((i) => i.kind.startsWith(PAGER_TRIGGER))) {
    const level = trigger.kind.slice(PAGER_TRIGGER.length);
    const follow = (action: 'acknowledge' | 'resolve') =>
      items.some((i) => i.kind === `pager:${action}:${level}`) ? Promise.resolve() : ctx.store.schedule.enqueue(incidentId, `pager:${action}:${level}`, now, { level, action });
    if (incident.acknowledgedAt) await follow('acknowledge');
    if (!isOpen(incident)) await follow('resolve');
  }
  ctx.wakeScheduler();
}
