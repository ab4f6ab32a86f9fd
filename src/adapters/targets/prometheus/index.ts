/** Prometheus targets: the configured PromQL checks and the alerts firing in Alertmanager (`/diag prom`). */
import { defineTargetKind, urlPassword } from '../kind.js';
import { promqlCheckProbe } from './probe/promql-check.js';
import { prometheusProbe } from './probe/prometheus-probe.js';
import { prometheusTargetSchema } from './target.js';

export { MAX_ALERTS, MAX_SERIES_PER_CHECK, prometheusProbe } from './probe/prometheus-probe.js';
export { prometheusCheckSchema, prometheusTargetSchema, SEED_PROMQL_CHECKS, SLO_PROMQL_CHECKS, type PrometheusCheck, type PrometheusTarget } from './target.js';

export const prometheusKind = defineTargetKind({
  key: 'prometheus',
  label: 'Prometheus',
  schema: prometheusTargetSchema,
  diagnostics: [{ word: 'prom', probe: (target) => prometheusProbe(target), inAll: true }],
  custom: { check: 'promql', probe: promqlCheckProbe },
  secrets: (target) => [...urlPassword(target.url), ...urlPassword(target.alertmanager)],
});
