/**
 * What is due when for an incident: the update reminder, the response deadline and the escalation
 * levels. Pure rules over the incident's state and a time; the engine stores the result and fires
 * it, and asks `decide` again at fire time, since the incident may have changed meanwhile.
 */
import { isOpen, type Incident } from '../incident/incident.js';
import type { SeverityLevel } from '../incident/severity.js';

export interface EscalationLevel {
  name: string;
  afterMs: number;
  /** The level stops once the incident is acknowledged, or only once it is resolved. */
  until: 'acknowledged' | 'resolved';
  /** Slack user ids (U…) and user-group ids (S…) to mention. */
  notify: readonly string[];
  /** PagerDuty Events API v2 routing key, when this level pages. */
  pagerduty?: string | undefined;
  /** The severities the level applies to; absent: every severity. */
  severities?: readonly SeverityLevel[] | undefined;
}

export interface SchedulePolicy {
  updateIntervalMs(severity: SeverityLevel): number;
  responseMs(severity: SeverityLevel): number;
  levels: readonly EscalationLevel[];
  /** Who hears of an incident nobody acknowledged within its response time. */
  responseDeadline: Pick<EscalationLevel, 'notify' | 'pagerduty'>;
  /** Severities paged on PagerDuty as soon as they are declared (or raised to), with this routing key; absent: none. */
  pageOnOpen?: { severities: readonly SeverityLevel[]; pagerduty: string | undefined };
}

export const UPDATE_REMINDER = 'update_reminder';
export const RESPONSE_DEADLINE = 'response_deadline';
export const ESCALATION_PREFIX = 'escalation:';

/** The synthetic level of the response deadline: due at the severity's response time, until acknowledged. */
export function responseLevel(incident: Incident, policy: SchedulePolicy): EscalationLevel {
  return { name: 'response', afterMs: policy.responseMs(incident.severity), until: 'acknowledged', ...policy.responseDeadline };
}

/** The name the page sent at declaration goes by among the levels (`pager:trigger:open`). */
export const OPEN_PAGE_LEVEL = 'open';

/** The synthetic level of the page at declaration: at once, until resolved, nobody mentioned in Slack. */
export function openPageLevel(policy: SchedulePolicy): EscalationLevel {
  return { name: OPEN_PAGE_LEVEL, afterMs: 0, until: 'resolved', notify: [], pagerduty: policy.pageOnOpen?.pagerduty };
}

/** Whether the incident, as it is now, is one PagerDuty hears of at once. */
export function pagesOnOpen(incident: Incident, policy: SchedulePolicy): boolean {
  const page = policy.pageOnOpen;
  return isOpen(incident) && page !== undefined && Boolean(page.pagerduty) && page.severities.includes(incident.severity);
}

/** The level a pager item (`pager:<action>:<level>`) pages for: the response deadline, the page at declaration, or an escalation level. */
export function pagingLevel(levelName: string, incident: Incident, policy: SchedulePolicy): EscalationLevel | null {
  if (levelName === OPEN_PAGE_LEVEL) return openPageLevel(policy);
  return levelOf(levelName === 'response' ? RESPONSE_DEADLINE : `${ESCALATION_PREFIX}${levelName}`, incident, policy);
}

/** The escalation level an item kind stands for, or null. */
export function levelOf(kind: string, incident: Incident, policy: SchedulePolicy): EscalationLevel | null {
  if (kind === RESPONSE_DEADLINE) return responseLevel(incident, policy);
  if (!kind.startsWith(ESCALATION_PREFIX)) return null;
  return policy.levels.find((l) => l.name === kind.slice(ESCALATION_PREFIX.length)) ?? null;
}

const latest = (...dates: Array<Date | null | undefined>): Date =>
  new Date(Math.max(...dates.filter((d): d is Date => d instanceof Date).map((d) => d.getTime())));

/**
 * When the next update reminder is due: an interval after the last update, or after the last
 * reminder (reminders repeat while nobody updates), and not before the end of a snooze.
 */
export function nextReminderDue(incident: Incident, policy: SchedulePolicy, lastReminderAt: Date | null = null): Date | null {
  if (!isOpen(incident)) return null;
  const interval = policy.updateIntervalMs(incident.severity);
  const fromUpdate = new Date(incident.lastUpdateAt.getTime() + interval);
  const fromReminder = lastReminderAt ? new Date(lastReminderAt.getTime() + interval) : null;
  return latest(fromUpdate, fromReminder, incident.reminderSnoozedUntil);
}

function levelDue(incident: Incident, level: EscalationLevel): Date | null {
  if (!isOpen(incident)) return null;
  if (level.until === 'acknowledged' && incident.acknowledgedAt) return null;
  // Follows the current severity: a change away cancels the level, a change to it plans it.
  if (level.severities && !level.severities.includes(incident.severity)) return null;
  return new Date(incident.declaredAt.getTime() + level.afterMs);
}

export interface PlanItem {
  kind: string;
  dueAt: Date | null;
  oneShot: boolean;
}

/**
 * Every item the incident should have, with its due time (null: nothing due). A level that does
 * not apply to the incident's current severity is listed with null, so that a stored one is cancelled.
 */
export function planFor(incident: Incident, policy: SchedulePolicy, lastReminderAt: Date | null = null): PlanItem[] {
  return [
    { kind: UPDATE_REMINDER, dueAt: nextReminderDue(incident, policy, lastReminderAt), oneShot: false },
    { kind: RESPONSE_DEADLINE, dueAt: levelDue(incident, responseLevel(incident, policy)), oneShot: true },
    ...policy.levels.map((l) => ({ kind: `${ESCALATION_PREFIX}${l.name}`, dueAt: levelDue(incident, l), oneShot: true })),
  ];
}

export type Decision =
  /** Send it now; `lateMs` says how long after its due time (a bot that was down fires late, once). */
  | { action: 'fire'; dueAt: Date; lateMs: number }
  /** Not (or no longer) due: the item becomes due at `next`, or never (null). */
  | { action: 'skip'; next: Date | null };

/** At fire time: is the item still due, given the incident as it is now? */
export function decide(kind: string, incident: Incident, policy: SchedulePolicy, now: Date, lastReminderAt: Date | null = null): Decision {
  const planned = planFor(incident, policy, lastReminderAt).find((p) => p.kind === kind);
  if (!planned || planned.dueAt === null) return { action: 'skip', next: null };
  if (planned.dueAt.getTime() > now.getTime()) return { action: 'skip', next: planned.dueAt };
  return { action: 'fire', dueAt: planned.dueAt, lateMs: now.getTime() - planned.dueAt.getTime() };
}

/** After firing at `firedAt`: when the same kind is due again (reminders repeat; the rest fire once). */
export function nextAfterFire(kind: string, incident: Incident, policy: SchedulePolicy, firedAt: Date): Date | null {
  return kind === UPDATE_REMINDER ? nextReminderDue(incident, policy, firedAt) : null;
}
