/** The reminder and escalation rules, from the configuration and the severity model. */
import type { Config } from '../../config.js';
import type { Severity, SeverityLevel } from '../../core/incident/severity.js';
import type { SchedulePolicy } from '../../core/reminders/plan.js';

export function schedulePolicy(config: Pick<Config, 'incidents' | 'escalation'>, severities: Readonly<Record<SeverityLevel, Severity>>): SchedulePolicy {
  return {
    updateIntervalMs: (level) => config.incidents.severities[level]?.updateReminder ?? config.incidents.updateReminder,
    responseMs: (level) => severities[level].responseSeconds * 1000,
    levels: config.escalation.levels.map((l) => ({ name: l.name, afterMs: l.after, until: l.until, notify: l.notify, pagerduty: l.pagerduty, severities: l.severities })),
    responseDeadline: { notify: config.escalation.responseDeadline.notify, pagerduty: config.escalation.responseDeadline.pagerduty },
    pageOnOpen: { severities: config.escalation.pageOnOpen, pagerduty: config.escalation.pagerduty.routingKey },
  };
}
