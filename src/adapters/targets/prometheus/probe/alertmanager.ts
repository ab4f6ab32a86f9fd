/** The alerts firing in Alertmanager (`GET /api/v2/alerts`, active, neither silenced nor inhibited). */
import { z } from 'zod';
import { rank, worst, type Finding } from '../../../../core/diagnostics/finding.js';
import type { ProbeContext } from '../../../../core/diagnostics/probe.js';
import { boundedGet, excerpt } from '../../shared/bounded-get.js';
import { countByStatus, endpoint, type Outcome } from './endpoint.js';
import { formatLabels } from './promql.js';
import type { PrometheusTarget } from '../target.js';

/** Firing alerts listed one by one before the rest is summed up in one. */
export const MAX_ALERTS = 20;
const MAX_ALERTMANAGER_BYTES = 8 * 1024 * 1024;

const alertSchema = z.object({
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  status: z.object({ state: z.string().optional() }).optional(),
});
type Alert = z.infer<typeof alertSchema>;

function since(startsAt: string | undefined, now: Date): string | undefined {
  if (!startsAt) return undefined;
  const start = Date.parse(startsAt);
  if (!Number.isFinite(start)) return undefined;
  const minutes = Math.max(0, Math.round((now.getTime() - start) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

function alertFinding(alert: Alert, now: Date): Finding {
  const { labels, annotations } = alert;
  const alertname = labels['alertname'] ?? '(unnamed alert)';
  const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== 'alertname' && k !== 'severity'));
  const component = Object.keys(rest).length > 0 ? `${alertname} ${formatLabels(rest)}` : alertname;
  const critical = labels['severity']?.toLowerCase() === 'critical';
  const summary = annotations['summary'] ?? annotations['description'] ?? alertname;
  const duration = since(alert.startsAt, now);
  const evidence = [`labels: ${excerpt(formatLabels(labels), 200)}`];
  if (annotations['description'] && annotations['description'] !== summary) evidence.push(`description: ${excerpt(annotations['description'], 200)}`);
  if (alert.startsAt) evidence.push(`since ${alert.startsAt}`);
  if (alert.generatorURL) evidence.push(`rule: ${excerpt(alert.generatorURL, 200)}`);
  const runbook = annotations['runbook_url'] ?? annotations['runbook'];
  return {
    check: 'firing alert',
    component: excerpt(component, 160),
    status: critical ? 'critical' : 'warning',
    value: `${excerpt(summary, 200)}${duration ? ` (firing for ${duration})` : ''}`,
    threshold: 'critical when severity is "critical", warning otherwise',
    recommendation: runbook ? `Follow the runbook: ${runbook}` : 'Look at the alert and its rule in Alertmanager/Prometheus; silence it only once someone owns it.',
    evidence,
  };
}

export async function runAlerts(target: PrometheusTarget, alertmanager: string, ctx: ProbeContext): Promise<Outcome> {
  const url = endpoint(alertmanager, 'api/v2/alerts', { active: 'true', silenced: 'false', inhibited: 'false' });
  const component = `${target.name} alertmanager`;
  const answer = await boundedGet(url, ctx, { maxBytes: MAX_ALERTMANAGER_BYTES, accept: 'application/json' });
  if (!answer.ok) {
    if (answer.unreachable) return { unreachable: answer.why };
    return { findings: [{ check: 'firing alerts', component, status: 'unknown', value: answer.why }] };
  }
  let alerts: Alert[];
  try {
    if (answer.status !== 200) throw new Error('status');
    alerts = z.array(alertSchema).parse(JSON.parse(answer.body));
  } catch {
    return {
      findings: [
        {
          check: 'firing alerts',
          component,
          status: 'unknown',
          value: `not an Alertmanager v2 answer (HTTP ${answer.status})`,
          recommendation: 'Check the configured Alertmanager URL: it should be the server root, e.g. http://alertmanager:9093.',
          evidence: [`body: ${excerpt(answer.body) || '(empty)'}`],
        },
      ],
    };
  }
  const firing = alerts.filter((a) => (a.status?.state ?? 'active') === 'active');
  if (firing.length === 0) return { findings: [{ check: 'firing alerts', component, status: 'ok', value: 'none firing (active, not silenced or inhibited)' }] };
  const now = ctx.now();
  const startOf = (a: Alert): number => {
    const t = a.startsAt ? Date.parse(a.startsAt) : Number.NaN;
    return Number.isFinite(t) ? t : Number.POSITIVE_INFINITY;
  };
  const ordered = firing
    .map((a) => ({ a, f: alertFinding(a, now) }))
    .sort((x, y) => rank(x.f.status) - rank(y.f.status) || startOf(x.a) - startOf(y.a));
  const findings = ordered.slice(0, MAX_ALERTS).map((x) => x.f);
  const rest = ordered.slice(MAX_ALERTS);
  if (rest.length > 0) {
    const byName = new Map<string, number>();
    for (const { a } of rest) {
      const name = a.labels['alertname'] ?? '(unnamed alert)';
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    findings.push({
      check: 'firing alert',
      component,
      status: worst(rest.map((x) => x.f)),
      value: `+${rest.length} more firing alerts (${countByStatus(rest.map((x) => x.f))})`,
      recommendation: 'Open Alertmanager to see them all.',
      evidence: [...byName.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 10)
        .map(([name, n]) => `${name} ×${n}`),
    });
  }
  return { findings };
}

