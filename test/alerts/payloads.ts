/**
 * Alertmanager webhook payloads (version 4) shaped as Alertmanager sends them: groupKey from the
 * route's matchers and the group labels, commonLabels and commonAnnotations the intersection of the
 * alerts', a fingerprint per label set, endsAt the zero time while an alert fires.
 */
import { createHash } from 'node:crypto';

export interface AlertSpec {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  status?: 'firing' | 'resolved';
}

export interface PayloadSpec {
  alerts: AlertSpec[];
  /** The labels the route groups by (default: alertname). */
  groupBy?: string[];
  receiver?: string;
  truncatedAlerts?: number;
  /** Overrides the group key Alertmanager would compute. */
  groupKey?: string;
}

/** The labels (or annotations) every one of the sets has with the same value. */
function intersection(sets: Array<Record<string, string>>): Record<string, string> {
  const [first, ...rest] = sets;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((s) => s[k] === v)));
}

const fingerprint = (labels: Record<string, string>) =>
  createHash('sha256').update(JSON.stringify(Object.entries(labels).sort())).digest('hex').slice(0, 16);

export function alertmanagerPayload(spec: PayloadSpec): Record<string, unknown> {
  const groupBy = spec.groupBy ?? ['alertname'];
  const alerts = spec.alerts.map((a, i) => {
    const status = a.status ?? 'firing';
    return {
      status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: new Date(Date.UTC(2025, 2, 4, 13, 50, i)).toISOString(),
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date(Date.UTC(2025, 2, 4, 14, 5, i)).toISOString(),
      generatorURL: `http://prometheus.example:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1`,
      fingerprint: fingerprint(a.labels),
    };
  });
  const commonLabels = intersection(spec.alerts.map((a) => a.labels));
  const groupLabels = Object.fromEntries(groupBy.filter((l) => commonLabels[l] !== undefined).map((l) => [l, commonLabels[l]!]));
  const groupKey = spec.groupKey ?? `{}/{severity=~"critical|warning"}:{${Object.entries(groupLabels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  return {
    receiver: spec.receiver ?? 'firebreak',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels,
    commonLabels,
    commonAnnotations: intersection(spec.alerts.map((a) => a.annotations ?? {})),
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey,
    truncatedAlerts: spec.truncatedAlerts ?? 0,
  };
}

/** One PostgresDown alert per instance, critical, with a runbook. */
export function postgresDown(instances: string[], status: 'firing' | 'resolved' = 'firing'): Record<string, unknown> {
  return alertmanagerPayload({
    alerts: instances.map((instance) => ({
      status,
      labels: { alertname: 'PostgresDown', severity: 'critical', instance, job: 'postgres' },
      annotations: {
        summary: 'PostgreSQL does not answer',
        description: `${instance} has not answered the exporter for 2 minutes.`,
        runbook_id: 'pg-down',
      },
    })),
  });
}
