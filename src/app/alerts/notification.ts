/**
 * What Alertmanager's webhook tells, once its payload (version 4) has been checked: one
 * notification for one alert group. The HTTP adapter validates the payload into this shape; the
 * use case (receive.ts) never sees raw JSON.
 */

export type AlertStatus = 'firing' | 'resolved';

export interface Alert {
  status: AlertStatus;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** When the alert started; null when Alertmanager gave no date that parses. */
  startsAt: Date | null;
  /** Alertmanager's identifier of the alert (a hash of its labels), or null when absent. */
  fingerprint: string | null;
  /** The Prometheus expression browser link, or null. */
  generatorURL: string | null;
}

export interface AlertNotification {
  /** Identifies the group across notifications: the same group always sends the same key. */
  groupKey: string;
  /** "firing" when at least one alert of the group fires, "resolved" when none does. */
  status: AlertStatus;
  receiver: string;
  groupLabels: Readonly<Record<string, string>>;
  commonLabels: Readonly<Record<string, string>>;
  commonAnnotations: Readonly<Record<string, string>>;
  externalURL: string | null;
  alerts: readonly Alert[];
  /** Alerts Alertmanager left out of the payload (its `max_alerts`). */
  truncatedAlerts: number;
}

/** When the group's problem was first seen: the earliest startsAt of its firing alerts (null when none says). */
export function firstFiringAt(notification: Pick<AlertNotification, 'alerts'>): Date | null {
  const starts = notification.alerts.filter((a) => a.status === 'firing' && a.startsAt !== null).map((a) => (a.startsAt as Date).getTime());
  return starts.length ? new Date(Math.min(...starts)) : null;
}

/** How many alerts of the notification fire and how many are resolved (left-out alerts are not counted). */
export function alertCounts(notification: Pick<AlertNotification, 'alerts'>): { firing: number; resolved: number } {
  const firing = notification.alerts.filter((a) => a.status === 'firing').length;
  return { firing, resolved: notification.alerts.length - firing };
}
