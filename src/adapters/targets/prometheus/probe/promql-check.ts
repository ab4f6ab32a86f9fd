/**
 * A runbook's custom PromQL check as a probe: the step's instant query on a configured Prometheus,
 * each series (or the scalar) graded against the step's thresholds, worst first. It is run exactly
 * as a configured check of `/diag prom` is (same request, same reading of the answer):
 * - a vector: one finding per series (the component is its labels), the worst first, at most
 *   MAX_SERIES_PER_CHECK, the rest summed up in one finding;
 * - a scalar: one finding; NaN (e.g. a ratio with no traffic) is "unknown";
 * - an empty vector: "ok", value "no data…", when the query filters with a comparison
 *   (`up == 0`, `rate(x[5m]) > 1`): such a query returns only what is wrong, so nothing returned
 *   means nothing is wrong. Any other query that returns no series is "unknown": a misspelt metric
 *   or label also returns nothing, and must not read as all well;
 * - Prometheus refusing the query (status "error") is "unknown" with its message, and says to fix
 *   the query in the runbook; a server that cannot be reached is the usual "unreachable".
 */
import { unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import type { CustomCheck } from '../../../../core/runbook/model.js';
import { excerpt } from '../../shared/bounded-get.js';
import type { PrometheusCheck, PrometheusTarget } from '../target.js';
import { runCheck } from './prometheus-probe.js';

export type PromqlCustomCheck = Extract<CustomCheck, { kind: 'promql' }>;

/** Longest component (a series' labels) and value kept in a finding. */
const MAX_COMPONENT_CHARS = 200;
const MAX_VALUE_CHARS = 400;

/** Answers that mean the query itself is wrong, not the system it looks at. */
const QUERY_PROBLEM = /^(query failed|the query returns a range vector|no plain sample)/;
/** The finding that sums up the series past the cap keeps its own advice (run the query to see them all). */
const SUMMARY = /^\d+ more series/;

function fixQuery(recommendation: string | undefined): string {
  return `Fix the PromQL of this runbook step (try it in the Prometheus UI first).${recommendation ? ` ${recommendation}` : ''}`;
}

/** The probe running one PromQL check on one target. `run` never throws. */
export function promqlCheckProbe(target: PrometheusTarget, check: PromqlCustomCheck): Probe {
  const name = excerpt(check.meaning, 200) || 'custom check';
  const asConfigured: PrometheusCheck = { name, query: check.promql, warn: check.warn, crit: check.critical, lowerIsWorse: check.lowerIsWorse };
  const fixed = structuredClone({ target: { name: target.name, url: target.url, checks: [] } satisfies PrometheusTarget, check: asConfigured, recommendation: check.recommendation });
  return {
    kind: 'prometheus',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      try {
        const outcome = await runCheck(fixed.target, fixed.check, ctx);
        if ('unreachable' in outcome) return [unreachable(fixed.target.name, outcome.unreachable, 'Check that Prometheus is up and reachable from Firebreak (address, port, firewall).')];
        return outcome.findings.map((f) => reword(f, fixed.recommendation));
      } catch (err) {
        return [{ check: name, component: target.name, status: 'unknown', value: excerpt(`the check failed: ${err instanceof Error ? err.message : String(err)}`, MAX_VALUE_CHARS) }];
      }
    },
  };
}

/** The runbook's recommendation on a graded problem; "fix the query" when the query is at fault; sizes bounded. */
function reword(f: Finding, recommendation: string | undefined): Finding {
  const out: Finding = { ...f, component: excerpt(f.component, MAX_COMPONENT_CHARS), value: excerpt(f.value, MAX_VALUE_CHARS) };
  if (f.status === 'unknown' && QUERY_PROBLEM.test(f.value)) out.recommendation = fixQuery(f.recommendation);
  else if ((f.status === 'critical' || f.status === 'warning') && recommendation && !SUMMARY.test(f.value)) out.recommendation = recommendation;
  if (out.evidence) out.evidence = out.evidence.slice(0, 6).map((e) => excerpt(e, 300));
  return out;
}
