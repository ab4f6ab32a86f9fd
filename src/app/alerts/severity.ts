/**
 * An alert group's severity, from a label (alertmanager.severityLabel, default `severity`) mapped
 * by alertmanager.severities (default critical → P1, warning → P2); anything else is
 * alertmanager.defaultSeverity (default P3). Label values are compared without regard to case.
 */
import { SEVERITY_LEVELS, type SeverityLevel } from '../../core/incident/severity.js';
import type { AlertNotification } from './notification.js';

export interface SeverityRules {
  severityLabel: string;
  severities: Readonly<Record<string, SeverityLevel>>;
  defaultSeverity: SeverityLevel;
}

/** The level one label value maps to, or null when the value is absent or not in the map. */
export function levelOfLabel(value: string | undefined, rules: SeverityRules): SeverityLevel | null {
  if (value === undefined) return null;
  const wanted = value.trim().toLowerCase();
  for (const [key, level] of Object.entries(rules.severities)) if (key.trim().toLowerCase() === wanted) return level;
  return null;
}

const rank = (level: SeverityLevel) => SEVERITY_LEVELS.indexOf(level);

/**
 * The group's label when all its alerts share it (commonLabels); otherwise the most severe level
 * among the firing alerts (all the alerts when none fires); the default when nothing maps.
 */
export function severityOf(notification: Pick<AlertNotification, 'commonLabels' | 'alerts'>, rules: SeverityRules): SeverityLevel {
  const common = levelOfLabel(notification.commonLabels[rules.severityLabel], rules);
  if (common) return common;
  const firing = notification.alerts.filter((a) => a.status === 'firing');
  let best: SeverityLevel | null = null;
  for (const alert of firing.length > 0 ? firing : notification.alerts) {
    const level = levelOfLabel(alert.labels[rules.severityLabel], rules);
    if (level && (best === null || rank(level) < rank(best))) best = level;
  }
  return best ?? rules.defaultSeverity;
}
