/**
 * What happens when a scheduled item is due: re-check against the incident as it is now, send
 * (reminder, escalation notice, PagerDuty event), record it, and only then mark it done. A send
 * that fails leaves the item due again after a backoff, so nothing is lost and nothing is marked
 * done before it happened.
 */
import { describeCause } from '../../core/errors.js';
import { humanId, incidentHome, isOpen, type Incident } from '../../core/incident/incident.js';
import { decide, levelOf, nextAfterFire, OPEN_PAGE_LEVEL, pagingLevel, UPDATE_REMINDER } from '../../core/reminders/plan.js';
import { escalationMessage, reminderMessage } from '../../core/reminders/messages.js';
import { toPlainLine } from '../../core/render/text.js';
import type { Chat, ClaimedItem, Metrics, PagerEvent } from '../../ports.js';
import { metricsOf, type AppContext } from '../context.js';
import { reportSideStep } from '../incidents/home.js';
import { PAGER_TRIGGER, syncSchedule } from './sync.js';

export interface FireContext {
  ctx: AppContext;
  /** The chat the engine posts with (a client that fails fast, so retries are durable). */
  chat: Chat;
  owner: string;
  backoffMs(attempt: number): number;
}

/** After this many failed attempts a PagerDuty event is given up (and that is reported). */
export const PAGER_MAX_ATTEMPTS = 8;

/**
 * One firing of `item`, named the same by every attempt at it (retries, a replica taking over).
 * An attempt may have landed before when one failed (attempts) or when the process holding the
 * claim stopped (taken over): then Slack is asked first whether the post is there.
 */
function onceFor(item: ClaimedItem): { key: string; lookFirst: boolean } {
  return { key: `${item.id}:${item.firedCount}`, lookFirst: item.attempts > 0 || item.takenOver };
}

/** The kind of an item as the metrics name it: escalation levels and PagerDuty actions are the configuration's, so they are left out. */
export function reminderKind(kind: string): Parameters<Metrics['reminder']>[1] {
  if (kind === UPDATE_REMINDER || kind === 'response_deadline') return kind;
  if (kind.startsWith('escalation:')) return 'escalation';
  if (kind.startsWith('pager:')) return 'pager';
  return 'other';
}

/** Retry-After from a rate-limited Slack call, in ms, if the error carries one. */
function retryAfterMs(err: unknown): number | null {
  const seconds = (err as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : null;
}

export async function fireChatItem(f: FireContext, item: ClaimedItem): Promise<void> {
  const { ctx } = f;
  const store = ctx.store.schedule;
  const claimedDueAt = item.dueAt as Date;
  const now = ctx.clock.now();
  const metrics = metricsOf(ctx);
  const kind = reminderKind(item.kind);
  const incident = await ctx.store.getIncident(item.incidentId);
  if (!incident) {
    await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: null, fired: false, at: now });
    metrics.reminder('skipped', kind);
    return;
  }
  const lastReminderAt = item.kind === UPDATE_REMINDER ? item.lastFiredAt : null;
  const decision = decide(item.kind, incident, ctx.policy, now, lastReminderAt);
  if (decision.action === 'skip') {
    await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: decision.next, fired: false, at: now });
    metrics.reminder('skipped', kind);
    return;
  }
  metrics.reminder('due', kind);
  try {
    const once = onceFor(item);
    if (item.kind === UPDATE_REMINDER) await sendReminder(f, incident, decision.lateMs, now, once);
    else await sendEscalation(f, incident, item.kind, now, once);
  } catch (err) {
    const retryAt = new Date(now.getTime() + (retryAfterMs(err) ?? f.backoffMs(item.attempts + 1)));
    ctx.logger.warn({ err, incident: humanId(incident), kind: item.kind, retryAt }, 'scheduled post failed; it stays due');
    metrics.reminder('failed', kind);
    await store.fail({ id: item.id, owner: f.owner, retryAt, error: describeCause(err) });
    return;
  }
  metrics.reminder('sent', kind, Math.max(0, decision.lateMs) / 1000);
  await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: nextAfterFire(item.kind, incident, ctx.policy, now), fired: true, at: now });
}

async function sendReminder(f: FireContext, incident: Incident, lateMs: number, now: Date, once: ReturnType<typeof onceFor>): Promise<void> {
  const { ctx } = f;
  const home = incidentHome(incident) ?? { channel: ctx.config.incidents.channel };
  const intervalMs = ctx.policy.updateIntervalMs(incident.severity);
  await f.chat.post(home.channel, reminderMessage({ incident, locale: ctx.config.incidents.locale, now, intervalMs, lateMs }), home.threadTs ? { threadTs: home.threadTs, once } : { once });
  await ctx.store
    .addTimelineEvent({
      incidentId: incident.id,
      kind: 'reminder_sent',
      actorId: null,
      at: now,
      data: { userId: incident.commanderId ?? incident.reporterId, overdueMs: now.getTime() - incident.lastUpdateAt.getTime(), lateMs },
    })
    .catch((err: unknown) => ctx.logger.warn({ err }, 'reminder sent but not recorded on the timeline'));
}

async function sendEscalation(f: FireContext, incident: Incident, kind: string, now: Date, once: ReturnType<typeof onceFor>): Promise<void> {
  const { ctx } = f;
  const level = levelOf(kind, incident, ctx.policy);
  if (!level) return;
  const locale = ctx.config.incidents.locale;
  const message = escalationMessage({ incident, level, severity: ctx.severities[incident.severity], template: ctx.templates.get(locale, 'escalation'), locale, now });
  const home = incidentHome(incident) ?? { channel: ctx.config.incidents.channel };
  await f.chat.post(home.channel, message, home.threadTs ? { threadTs: home.threadTs, once } : { once });
  if (home.channel !== ctx.config.incidents.channel || home.threadTs) {
    await f.chat.post(ctx.config.incidents.channel, message, { once: { ...once, key: `${once.key}:incidents` } }).catch((err: unknown) => reportSideStep(ctx, incident, 'posting the escalation in the incidents channel', err));
  }
  if (level.pagerduty) await ctx.store.schedule.enqueue(incident.id, `${PAGER_TRIGGER}${level.name}`, now, { level: level.name, action: 'trigger' });
  await ctx.store
    .addTimelineEvent({ incidentId: incident.id, kind: 'escalation_sent', actorId: null, at: now, data: { level: level.name, notified: [...level.notify], paged: Boolean(level.pagerduty) } })
    .catch((err: unknown) => ctx.logger.warn({ err }, 'escalation sent but not recorded on the timeline'));
}

/** PagerDuty events: trigger when a level pages, acknowledge and resolve with the incident. */
export async function firePagerItem(f: FireContext, item: ClaimedItem): Promise<void> {
  const { ctx } = f;
  const store = ctx.store.schedule;
  const claimedDueAt = item.dueAt as Date;
  const now = ctx.clock.now();
  const [, action, levelName] = item.kind.split(':') as [string, PagerEvent['action'], string];
  const metrics = metricsOf(ctx);
  const incident = await ctx.store.getIncident(item.incidentId);
  const level = incident ? pagingLevel(levelName, incident, ctx.policy) : null;
  if (!incident || !level?.pagerduty) {
    await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: null, fired: false, at: now });
    metrics.reminder('skipped', 'pager');
    return;
  }
  // An acknowledge or resolve must not overtake a trigger still being retried.
  if (action !== 'trigger') {
    const trigger = (await store.list(incident.id)).find((i) => i.kind === `${PAGER_TRIGGER}${levelName}`);
    if (trigger?.dueAt) {
      await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: new Date(trigger.dueAt.getTime() + 1000), fired: false, at: now });
      metrics.reminder('skipped', 'pager');
      return;
    }
  }
  metrics.reminder('due', 'pager');
  const event: PagerEvent = { action, routingKey: level.pagerduty, dedupKey: incident.id };
  if (action === 'trigger') {
    Object.assign(event, {
      summary: `${humanId(incident)} [${incident.severity}] ${toPlainLine(incident.title)}`,
      severity: incident.severity === 'P0' ? 'critical' : incident.severity === 'P1' ? 'error' : 'warning',
      source: 'firebreak',
      timestamp: now,
      customDetails: { incident: humanId(incident), severity: incident.severity, status: incident.status, escalation: level.name, declaredAt: incident.declaredAt.toISOString() },
    });
  }
  const result = await ctx.pager.send(event);
  metrics.reminder(result.ok ? 'sent' : 'failed', 'pager', result.ok ? Math.max(0, now.getTime() - claimedDueAt.getTime()) / 1000 : undefined);
  if (result.ok) {
    await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: null, fired: true, at: now });
    // The page at declaration has no Slack message of its own: the timeline says PagerDuty was told.
    if (action === 'trigger' && levelName === OPEN_PAGE_LEVEL) {
      await ctx.store
        .addTimelineEvent({ incidentId: incident.id, kind: 'escalation_sent', actorId: null, at: now, data: { level: 'PagerDuty (paged at declaration)', notified: [], paged: true } })
        .catch((err: unknown) => ctx.logger.warn({ err }, 'page at declaration sent but not recorded on the timeline'));
    }
    // An acknowledgement that came while the trigger was on its way still needs sending.
    if (action === 'trigger' && (incident.acknowledgedAt || !isOpen(incident))) await syncSchedule(ctx, incident.id);
    return;
  }
  const attempt = item.attempts + 1;
  if (result.retryable && attempt < PAGER_MAX_ATTEMPTS) {
    await store.fail({ id: item.id, owner: f.owner, retryAt: new Date(now.getTime() + f.backoffMs(attempt)), error: result.error });
    if (attempt === 1) await reportSideStep(ctx, incident, `PagerDuty ${action} (retrying)`, new Error(result.error));
    return;
  }
  await store.complete({ id: item.id, owner: f.owner, claimedDueAt, next: null, fired: false, at: now });
  await reportSideStep(ctx, incident, `PagerDuty ${action} (given up after ${attempt} attempts)`, new Error(result.error));
}
