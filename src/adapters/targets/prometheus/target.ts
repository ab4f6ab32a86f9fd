/**
 * A configured Prometheus (and optional Alertmanager) target and its PromQL checks. A check's
 * thresholds are in the unit its query returns: Prometheus reports time in seconds and memory in
 * bytes, so "2s" and "2gb" may be written for those.
 */
import { z } from 'zod';
import { httpUrl, measureThreshold } from '../shared/schema.js';

export interface PrometheusCheck {
  /** Short and stable, used as the finding's check: "5xx ratio", "p95 latency". */
  name: string;
  /** An instant PromQL expression. */
  query: string;
  warn?: number;
  crit?: number;
  /** Lower values are worse (free disk, cache hit ratio). */
  lowerIsWorse?: boolean;
  /** Shown after values: "s", "%", "req/s". */
  unit?: string;
}

export interface PrometheusTarget {
  name: string;
  /** The Prometheus server root, e.g. http://prometheus:9090 (a path prefix is kept). */
  url: string;
  /** The Alertmanager root, e.g. http://alertmanager:9093. */
  alertmanager?: string;
  checks: PrometheusCheck[];
}

/**
 * The queries of the seed runbooks, for the example configuration (nothing uses them by default):
 * targets down (any is critical), the 5xx share (warning at 5 %, critical at 10 %, the playbook's
 * P1), the p95 latency (warning at 1 s as in the Grafana query, critical at 2 s, the playbook's P1),
 * and memory use, shown for information (the seeds give no threshold for it).
 */
export const SEED_PROMQL_CHECKS: readonly PrometheusCheck[] = Object.freeze([
  { name: 'targets down', query: 'up == 0' },
  {
    name: '5xx ratio',
    query: 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    warn: 0.05,
    crit: 0.1,
  },
  {
    name: 'p95 latency',
    query: 'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))',
    warn: 1,
    crit: 2,
    unit: 's',
  },
  { name: 'memory used', query: '(1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)) * 100', unit: '%' },
]);

/**
 * The playbook's SLOs (seed 004) as checks, for the example configuration: availability 99.99 %,
 * p95 latency under 100 ms, error rate under 0.1 %. Each warns at its objective and is critical
 * where the objective is missed by a factor that pages: availability below 99.9 % (ten times the
 * error budget), p95 at 300 ms (three times the objective, still under the P1 line of 1 s), errors
 * at 1 % (ten times the budget, well under the P1 line of 5 %). Windows: an hour for availability
 * (a five-minute blip does not break 99.99 % on its own), five minutes for latency and errors.
 * Ratios are in percent, so that 99.995 shows as such rather than rounded to 1.
 */
export const SLO_PROMQL_CHECKS: readonly PrometheusCheck[] = Object.freeze([
  {
    name: 'SLO availability',
    query: '100 * sum(rate(http_requests_total{status!~"5.."}[1h])) / sum(rate(http_requests_total[1h]))',
    warn: 99.99,
    crit: 99.9,
    lowerIsWorse: true,
    unit: '%',
  },
  {
    name: 'SLO p95 latency',
    query: 'histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))',
    warn: 0.1,
    crit: 0.3,
    unit: 's',
  },
  {
    name: 'SLO error rate',
    query: '100 * sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    warn: 0.1,
    crit: 1,
    unit: '%',
  },
]);

const text = (what: string) => z.string({ error: `expected ${what}` }).trim().min(1, `expected ${what}`);

export const prometheusCheckSchema = z
  .strictObject({
    name: text('a short name for the check, like "5xx ratio"'),
    query: text('a PromQL expression, like "up == 0"'),
    warn: measureThreshold().optional(),
    crit: measureThreshold().optional(),
    lowerIsWorse: z.boolean({ error: 'expected true or false' }).optional(),
    unit: text('the unit shown after values, like "s" or "%"').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.warn === undefined || c.crit === undefined) return;
    if (c.lowerIsWorse ? c.warn < c.crit : c.warn > c.crit) {
      const message = c.lowerIsWorse
        ? `with lowerIsWorse, warn (${c.warn}) must not be below crit (${c.crit})`
        : `warn (${c.warn}) must not be above crit (${c.crit})`;
      ctx.addIssue({ code: 'custom', path: ['warn'], message });
    }
  });

export const prometheusTargetSchema = z
  .strictObject({
    name: text('a short name for the target, like "prom"'),
    url: httpUrl(),
    alertmanager: httpUrl().optional(),
    checks: z.array(prometheusCheckSchema, { error: 'expected a list of checks, each with a name and a query' }),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.checks.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'name'], message: `check names must be unique within a target, got "${c.name}" more than once` });
      seen.add(c.name);
    });
  });
