/**
 * What an incident opened by an Alertmanager group says: its title (the alert name and a summary),
 * its symptoms (the alerts' summary and description annotations, several alerts listed, bounded),
 * the hints for the runbook suggestion, and the short messages posted when the group fires again
 * or resolves. Alert text comes from outside: it is cut to size here and escaped where it is shown.
 */
import { TITLE_MAX } from '../../core/incident/limits.js';
import type { Locale } from '../../core/render/templates-catalogue.js';
import { escapeMrkdwn, plural, toPlainLine, truncatePlain } from '../../core/render/text.js';
import { alertCounts, type Alert, type AlertNotification } from './notification.js';

/** The declaration form's limit on symptoms. */
export const SYMPTOMS_MAX = 2000;
/** Alerts listed one by one in the symptoms; the rest are counted. */
export const LISTED_ALERTS = 10;
const LINE_MAX = 300;
const LABELS_MAX = 120;
/** An alert name as shown (Prometheus allows any length). */
const NAME_MAX = 100;
/** Alert names handed to the runbook suggestion. */
const HINT_NAMES = 50;

const present = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);

/** The distinct alert names of the group, in the order the alerts come (the group's own first). */
export function alertnames(notification: Pick<AlertNotification, 'alerts' | 'commonLabels' | 'groupLabels'>): string[] {
  const names = [notification.commonLabels.alertname, notification.groupLabels.alertname, ...notification.alerts.map((a) => a.labels.alertname)];
  const found = names.map(present).filter((n): n is string => n !== undefined);
  return [...new Set(found)].map((n) => truncatePlain(toPlainLine(n), NAME_MAX));
}

/** How people call the group: its alert name, or the first names of its alerts. */
export function groupName(notification: Pick<AlertNotification, 'alerts' | 'commonLabels' | 'groupLabels'>): string {
  const names = alertnames(notification);
  if (names.length === 0) return 'Alertmanager alert';
  const shown = truncatePlain(names.slice(0, 3).join(', '), 2 * NAME_MAX);
  return names.length > 3 ? `${shown} +${names.length - 3}` : shown;
}

/** The one summary every firing alert shares, if there is one. */
function sharedSummary(notification: AlertNotification): string | undefined {
  const common = present(notification.commonAnnotations.summary);
  if (common) return common;
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  const summaries = new Set(firing.map((a) => present(a.annotations.summary)));
  const [only] = [...summaries];
  return summaries.size === 1 ? only : undefined;
}

/** "PostgresDown: Primary does not answer", or "HighLatency: 3 alerts firing"; one line, at most TITLE_MAX. */
export function incidentTitle(notification: AlertNotification): string {
  const name = groupName(notification);
  const { firing } = alertCounts(notification);
  const summary = sharedSummary(notification) ?? (firing > 1 ? `${firing} alerts firing` : undefined);
  const title = summary && summary !== name ? `${name}: ${summary}` : name;
  return truncatePlain(toPlainLine(title), TITLE_MAX);
}

/** The labels telling this alert from the others of its group (instance=db-1, pod=api-7); all of them when it is alone. */
function ownLabels(alert: Alert, notification: AlertNotification): string {
  const common = notification.alerts.length > 1 ? notification.commonLabels : {};
  const own = Object.entries(alert.labels)
    .filter(([k, v]) => k !== 'alertname' && common[k] !== v)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return truncatePlain(toPlainLine(own), LABELS_MAX);
}

function alertLine(alert: Alert, notification: AlertNotification): string {
  const common = notification.commonAnnotations;
  const labels = ownLabels(alert, notification);
  const name = truncatePlain(toPlainLine(present(alert.labels.alertname) ?? 'alert'), NAME_MAX);
  const texts = [alert.annotations.summary, alert.annotations.description]
    .map(present)
    .filter((t, i): t is string => t !== undefined && t !== present(i === 0 ? common.summary : common.description));
  const head = labels ? `${name} (${labels})` : name;
  return truncatePlain(toPlainLine(texts.length ? `• ${head}: ${texts.join(' — ')}` : `• ${head}`), LINE_MAX);
}

/**
 * The group's own summary and description once, then the firing alerts one per line (the first
 * LISTED_ALERTS), then what was not listed; at most SYMPTOMS_MAX characters.
 */
export function incidentSymptoms(notification: AlertNotification): string {
  const { firing, resolved } = alertCounts(notification);
  const lines: string[] = [];
  for (const key of ['summary', 'description'] as const) {
    const text = present(notification.commonAnnotations[key]);
    if (text) lines.push(truncatePlain(text, 600));
  }
  const receiver = present(notification.receiver);
  lines.push(`${plural(firing, 'alert')} firing, reported by Alertmanager${receiver ? ` (receiver ${truncatePlain(toPlainLine(receiver), NAME_MAX)})` : ''}:`);
  const listed = notification.alerts.filter((a) => a.status === 'firing');
  const budget = SYMPTOMS_MAX - 120;
  let used = lines.reduce((n, l) => n + l.length + 1, 0);
  let shown = 0;
  for (const alert of listed.slice(0, LISTED_ALERTS)) {
    const line = alertLine(alert, notification);
    if (used + line.length + 1 > budget) break;
    lines.push(line);
    used += line.length + 1;
    shown += 1;
  }
  const rest = [
    firing - shown > 0 ? `${firing - shown} more firing not listed` : '',
    resolved > 0 ? `${resolved} already resolved` : '',
    notification.truncatedAlerts > 0 ? `${notification.truncatedAlerts} left out of the notification by Alertmanager` : '',
  ].filter(Boolean);
  if (rest.length) lines.push(`(${rest.join('; ')})`);
  return truncatePlain(lines.join('\n'), SYMPTOMS_MAX);
}

/** The alert names and the runbook the `runbook_id` annotation names (the group's, else a firing alert's). */
export function runbookHints(notification: AlertNotification): { alertnames: string[]; runbookId?: string } {
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  const runbookId =
    present(notification.commonAnnotations.runbook_id) ??
    firing.map((a) => present(a.annotations.runbook_id)).find((id) => id !== undefined) ??
    notification.alerts.map((a) => present(a.annotations.runbook_id)).find((id) => id !== undefined);
  const names = alertnames(notification).slice(0, HINT_NAMES);
  return runbookId ? { alertnames: names, runbookId } : { alertnames: names };
}

/** Posted in the incident's home when its group fires again: "3 alerts of *HighLatency* now firing". */
export function firingAgainMessage(notification: AlertNotification, locale: Locale): string {
  const { firing } = alertCounts(notification);
  const name = escapeMrkdwn(groupName(notification));
  const left = notification.truncatedAlerts;
  if (locale === 'fr') {
    const more = left > 0 ? ` (et ${plural(left, 'autre')} hors de la notification)` : '';
    return `:rotating_light: Alertmanager : ${plural(firing, 'alerte')} de *${name}* en cours${more}.`;
  }
  const more = left > 0 ? ` (and ${left} more left out of the notification)` : '';
  return `:rotating_light: Alertmanager: ${plural(firing, 'alert')} of *${name}* now firing${more}.`;
}

/** Posted when every alert of the group is resolved: the incident stays open, people resolve it. */
export function resolvedMessage(notification: AlertNotification, locale: Locale): string {
  const name = escapeMrkdwn(groupName(notification));
  if (locale === 'fr') {
    return `:white_check_mark: Alertmanager : toutes les alertes de *${name}* sont résolues. L'incident reste ouvert : résolvez-le avec \`/incident resolve\` quand le service est rétabli.`;
  }
  return `:white_check_mark: Alertmanager: all alerts of the group *${name}* resolved. The incident stays open: resolve it with \`/incident resolve\` once the service is back.`;
}
