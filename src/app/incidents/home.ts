/** Posting about an incident where its people are, and keeping its card, announcement and topic current. */
import { announcementMessage } from '../../core/incident/announcement.js';
import { channelTopic, summaryCard } from '../../core/incident/card.js';
import { humanId, incidentHome, type Incident } from '../../core/incident/incident.js';
import { nextReminderDue } from '../../core/reminders/plan.js';
import { checklistMessage, notices } from '../../core/incident/messages.js';
import { checklistItems } from '../../core/render/checklist.js';
import { describeCause } from '../../core/errors.js';
import type { Message } from '../../core/render/message.js';
import { plain } from '../../core/render/message.js';
import { escapeTokens } from '../../core/render/text.js';
import type { IncidentDrawing } from '../../ports.js';
import { inOrder, type AppContext } from '../context.js';

/** When the next update is due (the same rule the reminder engine follows). */
export function nextUpdateDue(ctx: AppContext, incident: Incident): Date | null {
  return nextReminderDue(incident, ctx.policy);
}

/** Posts in the incident's channel (or the announcement's thread); with `alsoThread`, in both. */
export async function postHome(ctx: AppContext, incident: Incident, message: Message, options: { alsoThread?: boolean } = {}): Promise<void> {
  const home = incidentHome(incident) ?? { channel: ctx.config.incidents.channel };
  await ctx.chat.post(home.channel, message, home.threadTs ? { threadTs: home.threadTs } : {});
  if (options.alsoThread && incident.channelId && incident.announcement) {
    await ctx.chat.post(incident.announcement.channel, message, { threadTs: incident.announcement.ts });
  }
}

export function cardMessage(ctx: AppContext, incident: Incident): Message {
  const locale = ctx.config.incidents.locale;
  return summaryCard({
    incident,
    severities: ctx.severities,
    locale,
    links: ctx.config.incidents.links,
    checklist: checklistItems(ctx.templates.get(locale, 'checklist')),
    nextUpdateDue: nextUpdateDue(ctx, incident),
    now: ctx.clock.now(),
  });
}

export function announcementFor(ctx: AppContext, incident: Incident): Message {
  const locale = ctx.config.incidents.locale;
  return announcementMessage({
    incident,
    severity: ctx.severities[incident.severity],
    template: ctx.templates.get(locale, 'initial'),
    locale,
    updateIntervalMs: ctx.config.incidents.updateReminder,
  });
}

/**
 * A step beside the main one failed (channel creation, pin, invite…): the incident is already
 * stored, so say so in the incidents channel, record it, and let the rest go on.
 */
export async function reportSideStep(ctx: AppContext, incident: Incident, step: string, err: unknown): Promise<void> {
  const why = describeCause(err);
  ctx.logger.warn({ err, incident: humanId(incident), step }, 'side step failed');
  // `why` comes from elsewhere (Slack, PagerDuty, the database): shown, never a live token.
  await ctx.store
    .addTimelineEvent({ incidentId: incident.id, kind: 'side_step_failed', actorId: null, at: ctx.clock.now(), data: { step, error: why } })
    .catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not record the failed step'));
  await ctx.chat
    .post(ctx.config.incidents.channel, plain(notices(ctx.config.incidents.locale).sideStep(humanId(incident), step, escapeTokens(why))), incident.announcement ? { threadTs: incident.announcement.ts } : {})
    .catch((e: unknown) => ctx.logger.warn({ err: e }, 'could not report the failed step'));
}

/**
 * How long a replica's drawing of an incident lasts unless it finishes or draws again (each redraw
 * renews it): above what its Slack calls may take with their retries, and what a replica that dies
 * while drawing delays the next drawing by (then the sweep, redrawAbandoned, takes it over).
 */
export const DRAW_LEASE_MS = 120_000;

/**
 * Redraws the incident's card, announcement, ticked checklist message and channel topic from the
 * stored state. In this process, refreshes of one incident run one after another. Across replicas,
 * one at a time holds the store's drawing lease, and before letting go it draws again whatever
 * changed while it drew (the store lets go only if the revision drawn is still the latest): a
 * refresh that finds another replica drawing leaves the drawing to it. So Slack's calls for one
 * incident are never in flight from two replicas at once, and the last one made shows the latest
 * state, whatever order the changes and their refreshes came in.
 */
export function refreshIncident(ctx: AppContext, incidentId: string): Promise<void> {
  return inOrder(ctx, `refresh:${incidentId}`, () => drawUntilCurrent(ctx, incidentId));
}

/** Incidents whose drawer stopped before it finished (killed, its lease ended): drawn again here. */
export async function redrawAbandoned(ctx: AppContext): Promise<number> {
  const ids = await ctx.store.listAbandonedDrawings(ctx.clock.now());
  for (const id of ids) await refreshIncident(ctx, id);
  return ids.length;
}

async function drawUntilCurrent(ctx: AppContext, incidentId: string): Promise<void> {
  const lease = { id: incidentId, owner: ctx.views.drawer, leaseMs: DRAW_LEASE_MS };
  let drawing = await ctx.store.claimDrawing({ ...lease, at: ctx.clock.now() });
  // Null: no such incident, or another replica is drawing it and will draw this change too.
  if (!drawing) return;
  // Another replica drew since this one did: the topic remembered here may no longer be the channel's.
  if (drawing.lastDrawnBy !== null && drawing.lastDrawnBy !== ctx.views.drawer) ctx.views.topics.delete(incidentId);
  while (drawing) {
    await draw(ctx, drawing);
    const next = await ctx.store.finishDrawing({ ...lease, revision: drawing.revision, at: ctx.clock.now() });
    if (next === 'lost') ctx.logger.warn({ incident: humanId(drawing.incident) }, 'the drawing lease ended before the drawing did; another replica draws the incident');
    drawing = typeof next === 'string' ? null : next;
  }
}

async function draw(ctx: AppContext, { incident, checklistMessage: checklistRef }: IncidentDrawing): Promise<void> {
  const locale = ctx.config.incidents.locale;
  const steps: Array<[string, () => Promise<void>]> = [];
  if (incident.card) steps.push(['summary card update', () => ctx.chat.update(incident.card!, cardMessage(ctx, incident))]);
  if (incident.announcement) steps.push(['announcement update', () => ctx.chat.update(incident.announcement!, announcementFor(ctx, incident))]);
  if (checklistRef) steps.push(['checklist update', () => ctx.chat.update(checklistRef, checklistMessage({ incident, template: ctx.templates.get(locale, 'checklist') }))]);
  if (incident.channelId) {
    const topic = channelTopic(incident, ctx.severities, locale);
    // conversations.setTopic is rate-limited hard (Tier 2): only call it when the topic changes.
    if (ctx.views.topics.get(incident.id) !== topic) {
      steps.push(['channel topic', async () => {
        await ctx.chat.setTopic(incident.channelId!, topic);
        ctx.views.topics.set(incident.id, topic);
      }]);
    }
  }
  for (const [step, run] of steps) {
    await run().catch((err: unknown) => reportSideStep(ctx, incident, step, err));
  }
}
