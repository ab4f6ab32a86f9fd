/**
 * Prometheus probe: the configured PromQL checks as instant queries (`GET /api/v1/query`), in
 * parallel, graded against their thresholds; and, when an Alertmanager is configured, the alerts
 * firing there (`GET /api/v2/alerts`, active and neither silenced nor inhibited). Read-only.
 *
 * How a check's answer is judged:
 * - with `warn` and/or `crit`: each series (or the scalar) is graded; NaN is "unknown";
 * - without thresholds, when the query filters with a comparison (`up == 0`): every series it
 *   returns is critical, and an empty answer is ok (nothing matches, nothing is wrong);
 * - without thresholds otherwise: the values are shown for information (ok).
 * An empty vector is "no data": ok for a filtering query, unknown otherwise.
 */
import { z } from 'zod';
import { grade, rank, unreachable, worst, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { boundedGet, checkHttpUrl, excerpt } from '../../shared/bounded-get.js';
import { formatLabels, isFilteringQuery, parseSampleValue, withUnit } from './promql.js';
import { countByStatus, endpoint, type Outcome } from './endpoint.js';
import { runAlerts } from './alertmanager.js';
import type { PrometheusCheck, PrometheusTarget } from '../target.js';

export { MAX_ALERTS } from './alertmanager.js';

/** Findings per check before the rest is summed up in one. */
export const MAX_SERIES_PER_CHECK = 20;
const MAX_PROMETHEUS_BYTES = 16 * 1024 * 1024;

const sampleSchema = z.tuple([z.number(), z.string()]);
const resultSchema = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()).default({}), value: sampleSchema.optional() })),
  }),
  z.object({ resultType: z.literal('scalar'), result: sampleSchema }),
  z.object({ resultType: z.literal('string'), result: sampleSchema }),
  z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
]);
const envelopeSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

type Mode = 'graded' | 'alert' | 'info';

function modeOf(check: PrometheusCheck): Mode {
  if (check.warn !== undefined || check.crit !== undefined) return 'graded';
  return isFilteringQuery(check.query) ? 'alert' : 'info';
}

function gradeValue(check: PrometheusCheck, value: number): Status {
  if (Number.isNaN(value)) return 'unknown';
  const lower = check.lowerIsWorse ?? false;
  // `grade` calls infinities unknown; +Inf latency is as bad as it gets, so compare them as huge numbers.
  const v = Number.isFinite(value) ? value : value > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  const crit = check.crit ?? (lower ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
  const warn = check.warn ?? crit;
  return grade(v, warn, crit, lower);
}

function thresholdText(check: PrometheusCheck, mode: Mode): string | undefined {
  if (mode === 'alert') return 'any series the query returns is critical';
  if (mode === 'info') return undefined;
  const op = check.lowerIsWorse ? '≤' : '≥';
  const parts: string[] = [];
  if (check.warn !== undefined) parts.push(`warning at ${op} ${withUnit(check.warn, check.unit)}`);
  if (check.crit !== undefined) parts.push(`critical at ${op} ${withUnit(check.crit, check.unit)}`);
  return parts.join(', ');
}

function sampleFinding(target: PrometheusTarget, check: PrometheusCheck, mode: Mode, metric: Record<string, string>, value: number, warnings: string[]): Finding {
  const status: Status = mode === 'graded' ? gradeValue(check, value) : mode === 'alert' ? 'critical' : Number.isNaN(value) ? 'unknown' : 'ok';
  let shown = withUnit(value, check.unit);
  if (Number.isNaN(value)) shown += ' (nothing to compute it from in the window, e.g. no requests)';
  const finding: Finding = {
    check: check.name,
    component: Object.keys(metric).length > 0 ? formatLabels(metric) : target.name,
    status,
    value: mode === 'alert' ? `matches (value ${shown})` : shown,
  };
  const threshold = thresholdText(check, mode);
  if (threshold) finding.threshold = threshold;
  if (status !== 'ok') {
    finding.recommendation =
      status === 'unknown'
        ? 'Check that the metric is scraped (Prometheus targets page) and that there was traffic in the window.'
        : `Look at "${check.name}" in Prometheus or Grafana over the last hour, then at the service's logs, its dependencies and recent deploys.`;
    finding.evidence = [`query: ${check.query}`, ...warnings.map((w) => `Prometheus warning: ${excerpt(w, 200)}`)];
  }
  return finding;
}

function unknownFinding(target: PrometheusTarget, check: PrometheusCheck, value: string, recommendation: string, evidence: string[] = []): Finding {
  return { check: check.name, component: target.name, status: 'unknown', value, recommendation, evidence: [`query: ${check.query}`, ...evidence] };
}


function vectorFindings(target: PrometheusTarget, check: PrometheusCheck, mode: Mode, series: Array<{ metric: Record<string, string>; value?: [number, string] | undefined }>, warnings: string[]): Finding[] {
  if (series.length === 0) {
    if (mode === 'alert' || isFilteringQuery(check.query)) {
      return [{ check: check.name, component: target.name, status: 'ok', value: 'no data: no series matches, so nothing is wrong by this query', threshold: thresholdText(check, mode) ?? 'any series the query returns is critical' }];
    }
    return [unknownFinding(target, check, 'no data: the query returned no series', 'Check that the metric exists and is scraped (job, label names), or that the service had traffic.', warnings.map((w) => `Prometheus warning: ${w}`))];
  }
  const lower = check.lowerIsWorse ?? false;
  const scored = series.map((s) => {
    const value = s.value ? parseSampleValue(s.value[1]) : Number.NaN;
    return { value, finding: s.value ? sampleFinding(target, check, mode, s.metric, value, warnings) : { ...unknownFinding(target, check, 'no plain sample (a native histogram?): use histogram_quantile or a function that returns numbers', 'Rewrite the query so that it returns numbers.'), component: formatLabels(s.metric) } };
  });
  const badness = (v: number): number => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : lower ? -v : v);
  scored.sort((a, b) => rank(a.finding.status) - rank(b.finding.status) || badness(b.value) - badness(a.value) || 0);
  const shown = scored.slice(0, MAX_SERIES_PER_CHECK).map((s) => s.finding);
  const rest = scored.slice(MAX_SERIES_PER_CHECK).map((s) => s.finding);
  if (rest.length === 0) return shown;
  const summary: Finding = {
    check: check.name,
    component: target.name,
    status: worst(rest),
    value: `${rest.length} more series (${countByStatus(rest)})`,
    evidence: rest.slice(0, 5).map((f) => `${excerpt(f.component, 120)}: ${f.value}`),
  };
  const threshold = thresholdText(check, mode);
  if (threshold) summary.threshold = threshold;
  if (summary.status !== 'ok') summary.recommendation = `Run the query in Prometheus to see all ${series.length} series.`;
  return [...shown, summary];
}

export async function runCheck(target: PrometheusTarget, check: PrometheusCheck, ctx: ProbeContext): Promise<Outcome> {
  const seconds = Math.max(1, Math.floor((ctx.deadline - Date.now()) / 1000));
  const url = endpoint(target.url, 'api/v1/query', { query: check.query, timeout: `${seconds}s` });
  const answer = await boundedGet(url, ctx, { maxBytes: MAX_PROMETHEUS_BYTES, accept: 'application/json' });
  if (!answer.ok) {
    if (answer.unreachable) return { unreachable: answer.why };
    return { findings: [unknownFinding(target, check, answer.why, 'Narrow the query (aggregate with sum/max by a few labels).')] };
  }
  let envelope: z.infer<typeof envelopeSchema>;
  try {
    envelope = envelopeSchema.parse(JSON.parse(answer.body));
  } catch {
    return {
      findings: [unknownFinding(target, check, `not a Prometheus API answer (HTTP ${answer.status})`, 'Check the configured Prometheus URL: it should be the server root, e.g. http://prometheus:9090.', [`body: ${excerpt(answer.body) || '(empty)'}`])],
    };
  }
  const warnings = envelope.warnings ?? [];
  if (envelope.status === 'error') {
    const what = [envelope.errorType, envelope.error].filter(Boolean).join(': ') || `HTTP ${answer.status}`;
    return { findings: [unknownFinding(target, check, `query failed: ${excerpt(what, 300)}`, 'Check the query in the Prometheus UI (syntax, metric and label names) and the server load.')] };
  }
  const parsed = resultSchema.safeParse(envelope.data);
  if (!parsed.success) {
    return { findings: [unknownFinding(target, check, 'unexpected result shape from Prometheus', 'Check the Prometheus version and URL.', [`body: ${excerpt(answer.body)}`])] };
  }
  const data = parsed.data;
  const mode = modeOf(check);
  switch (data.resultType) {
    case 'vector':
      return { findings: vectorFindings(target, check, mode, data.result, warnings) };
    case 'scalar':
      return { findings: [sampleFinding(target, check, mode === 'alert' ? 'info' : mode, {}, parseSampleValue(data.result[1]), warnings)] };
    case 'string':
      return { findings: [{ check: check.name, component: target.name, status: mode === 'graded' ? 'unknown' : 'ok', value: `string: ${excerpt(data.result[1], 120)}` }] };
    case 'matrix':
      return { findings: [unknownFinding(target, check, 'the query returns a range vector', 'Use an instant expression: wrap the range selector in rate(), max_over_time() or similar.')] };
  }
}

/**
 * The probe for one configured Prometheus (and optional Alertmanager). Throws at once
 * (configuration error) when a URL is not http(s); once built, `run` never throws.
 */
export function prometheusProbe(target: PrometheusTarget): Probe {
  const fixed: PrometheusTarget = structuredClone({
    ...target,
    url: checkHttpUrl(target.url, `Prometheus target "${target.name}"`),
    ...(target.alertmanager !== undefined ? { alertmanager: checkHttpUrl(target.alertmanager, `Alertmanager of "${target.name}"`) } : {}),
  });
  return {
    kind: 'prometheus',
    target: fixed.name,
    async run(ctx) {
      try {
        const am = fixed.alertmanager;
        const [checks, alerts] = await Promise.all([
          Promise.all(fixed.checks.map((c) => runCheck(fixed, c, ctx))),
          am === undefined ? Promise.resolve(undefined) : runAlerts(fixed, am, ctx),
        ]);
        const findings: Finding[] = [];
        let down: string | undefined;
        for (const outcome of checks) {
          if ('unreachable' in outcome) down ??= outcome.unreachable;
          else findings.push(...outcome.findings);
        }
        // However many checks could not reach the server, it is one finding.
        if (down !== undefined) findings.unshift(unreachable(fixed.name, down, 'Check that Prometheus is up and reachable from Firebreak (address, port, firewall).'));
        if (alerts !== undefined) {
          if ('unreachable' in alerts) findings.push(unreachable(`${fixed.name} alertmanager`, alerts.unreachable, 'Check that Alertmanager is up and reachable from Firebreak (address, port, firewall).'));
          else findings.push(...alerts.findings);
        }
        if (fixed.checks.length === 0 && am === undefined) {
          findings.push({ check: 'checks', component: fixed.name, status: 'unknown', value: 'no checks configured', recommendation: 'Add PromQL checks (see the example configuration).' });
        }
        return findings;
      } catch (err) {
        return [{ check: 'probe', component: fixed.name, status: 'unknown', value: `the check failed: ${err instanceof Error ? err.message : String(err)}` }];
      }
    },
  };
}

