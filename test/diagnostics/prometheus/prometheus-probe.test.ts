import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import {
  MAX_ALERTS,
  MAX_SERIES_PER_CHECK,
  prometheusCheckSchema,
  prometheusProbe,
  prometheusTargetSchema,
  SEED_PROMQL_CHECKS,
  SLO_PROMQL_CHECKS,
  type PrometheusCheck,
  type PrometheusTarget,
} from '../../../src/adapters/targets/prometheus/index.js';
import { formatLabels, formatNumber, isFilteringQuery, parseSampleValue } from '../../../src/adapters/targets/prometheus/probe/promql.js';
import { closedPort, context, startHanging } from '../http/servers.js';
import { promError, scalar, startStandIn, vector, type StandIn } from './prometheus-stand-in.js';

const ERROR_RATIO = SEED_PROMQL_CHECKS.find((c) => c.name === '5xx ratio') as PrometheusCheck;
const P95 = SEED_PROMQL_CHECKS.find((c) => c.name === 'p95 latency') as PrometheusCheck;
const UP = SEED_PROMQL_CHECKS.find((c) => c.name === 'targets down') as PrometheusCheck;

let prom: StandIn;

beforeAll(async () => {
  prom = await startStandIn();
});
afterAll(async () => {
  await prom.close();
});
beforeEach(() => {
  prom.answers.clear();
  prom.alerts.length = 0;
  prom.seen.length = 0;
});

async function run(target: Partial<PrometheusTarget> & { checks: PrometheusCheck[] }, ms = 3000): Promise<Finding[]> {
  const ctx = context(ms);
  try {
    return await prometheusProbe({ name: 'prod', url: prom.url, ...target }).run(ctx);
  } finally {
    ctx.dispose();
  }
}

const answer = (query: string, body: unknown, status = 200, delayMs?: number) => prom.answers.set(query, { status, body, ...(delayMs ? { delayMs } : {}) });

describe('prometheusProbe: checks', () => {
  it('grades a single-series vector against warn and crit', async () => {
    for (const [value, status] of [
      ['0.001', 'ok'],
      ['0.07', 'warning'],
      ['0.1', 'critical'],
      ['0.25', 'critical'],
    ] as const) {
      answer(ERROR_RATIO.query, vector([{ metric: {}, value }]));
      const findings = await run({ checks: [ERROR_RATIO] });
      expect(findings).toEqual([
        expect.objectContaining({ check: '5xx ratio', component: 'prod', status, value, threshold: 'warning at ≥ 0.05, critical at ≥ 0.1' }),
      ]);
    }
    expect(prom.seen.at(-1)?.params.get('query')).toBe(ERROR_RATIO.query);
    expect(prom.seen.at(-1)?.params.get('timeout')).toMatch(/^\d+s$/);
  });

  it('grades lower-is-worse checks and shows the unit', async () => {
    const check: PrometheusCheck = { name: 'cache hit ratio', query: 'cache_hit_ratio * 100', warn: 90, crit: 80, lowerIsWorse: true, unit: '%' };
    answer(check.query, vector([{ metric: {}, value: '85.1234' }]));
    const [f] = await run({ checks: [check] });
    expect(f).toMatchObject({ status: 'warning', value: '85.12 %', threshold: 'warning at ≤ 90 %, critical at ≤ 80 %' });
  });

  it('gives one finding per series, labelled, worst first', async () => {
    answer(
      P95.query,
      vector([
        { metric: { job: 'api' }, value: '0.4' },
        { metric: { job: 'checkout' }, value: '2.5' },
        { metric: { job: 'search' }, value: '1.2' },
      ]),
    );
    const findings = await run({ checks: [P95] });
    expect(findings.map((f) => [f.component, f.status, f.value])).toEqual([
      ['{job="checkout"}', 'critical', '2.5 s'],
      ['{job="search"}', 'warning', '1.2 s'],
      ['{job="api"}', 'ok', '0.4 s'],
    ]);
    expect(findings[0]?.evidence).toEqual([`query: ${P95.query}`]);
  });

  it('caps the series of one check and sums up the rest in one finding', async () => {
    const series = Array.from({ length: 25 }, (_, i) => ({ metric: { __name__: 'queue_depth', queue: `q${String(i).padStart(2, '0')}` }, value: String(i * 10) }));
    const check: PrometheusCheck = { name: 'queue depth', query: 'queue_depth', warn: 100, crit: 200 };
    answer(check.query, vector(series));
    const findings = await run({ checks: [check] });
    expect(findings).toHaveLength(MAX_SERIES_PER_CHECK + 1);
    expect(findings[0]).toMatchObject({ component: 'queue_depth{queue="q24"}', status: 'critical', value: '240' });
    const summary = findings.at(-1);
    expect(summary).toMatchObject({ check: 'queue depth', component: 'prod', status: 'ok', value: '5 more series (5 ok)' });
    expect(summary?.evidence).toHaveLength(5);
    // Counts over all 25: 200..240 critical (5), 100..190 warning (10), the rest ok.
    expect(findings.filter((f) => f.status === 'critical')).toHaveLength(5);
    expect(findings.filter((f) => f.status === 'warning')).toHaveLength(10);
  });

  it('treats `up == 0` as alert-like: no data is ok, any series is critical', async () => {
    answer(UP.query, vector([]));
    const quiet = await run({ checks: [UP] });
    expect(quiet).toEqual([expect.objectContaining({ check: 'targets down', status: 'ok', value: 'no data: no series matches, so nothing is wrong by this query' })]);

    answer(
      UP.query,
      vector([
        { metric: { __name__: 'up', job: 'node', instance: '10.0.0.7:9100' }, value: '0' },
        { metric: { __name__: 'up', job: 'api', instance: '10.0.0.8:8000' }, value: '0' },
      ]),
    );
    const down = await run({ checks: [UP] });
    expect(down.map((f) => [f.component, f.status, f.value])).toEqual([
      ['up{instance="10.0.0.7:9100", job="node"}', 'critical', 'matches (value 0)'],
      ['up{instance="10.0.0.8:8000", job="api"}', 'critical', 'matches (value 0)'],
    ]);
    expect(down[0]?.threshold).toBe('any series the query returns is critical');
  });

  it('calls an empty answer to a threshold check "no data", unknown', async () => {
    answer(ERROR_RATIO.query, vector([]));
    const [f] = await run({ checks: [ERROR_RATIO] });
    expect(f).toMatchObject({ status: 'unknown', value: 'no data: the query returned no series' });
    expect(f?.recommendation).toMatch(/scraped/);
  });

  it('calls NaN (0/0, no traffic) unknown and +Inf critical', async () => {
    answer(ERROR_RATIO.query, vector([{ metric: {}, value: 'NaN' }]));
    answer(P95.query, vector([{ metric: { job: 'api' }, value: '+Inf' }]));
    const findings = await run({ checks: [ERROR_RATIO, P95] });
    expect(findings.find((f) => f.check === '5xx ratio')).toMatchObject({ status: 'unknown' });
    expect(findings.find((f) => f.check === '5xx ratio')?.value).toMatch(/^NaN \(nothing to compute/);
    expect(findings.find((f) => f.check === 'p95 latency')).toMatchObject({ status: 'critical', value: '+Inf s' });
  });

  it('grades scalar results', async () => {
    const check: PrometheusCheck = { name: 'ready replicas', query: 'scalar(sum(kube_deployment_status_replicas_ready))', warn: 2, crit: 1, lowerIsWorse: true };
    answer(check.query, scalar('1'));
    const [f] = await run({ checks: [check] });
    expect(f).toMatchObject({ check: 'ready replicas', component: 'prod', status: 'critical', value: '1' });
  });

  it('shows values for information when a check has no thresholds and does not filter', async () => {
    const memory = SEED_PROMQL_CHECKS.find((c) => c.name === 'memory used') as PrometheusCheck;
    answer(memory.query, vector([{ metric: { instance: 'node-1' }, value: '91.23456' }]));
    const [f] = await run({ checks: [memory] });
    expect(f).toMatchObject({ status: 'ok', value: '91.23 %', component: '{instance="node-1"}' });
    expect(f?.threshold).toBeUndefined();
  });

  it('reports a Prometheus error (status "error") as unknown, with its error', async () => {
    const check: PrometheusCheck = { name: 'broken', query: 'sum(rate(x[5m]', crit: 1 };
    answer(check.query, promError('bad_data', 'invalid parameter "query": 1:15: parse error: unclosed left parenthesis'), 400);
    const [f] = await run({ checks: [check] });
    expect(f).toMatchObject({ check: 'broken', status: 'unknown', value: 'query failed: bad_data: invalid parameter "query": 1:15: parse error: unclosed left parenthesis' });
    expect(f?.evidence).toEqual(['query: sum(rate(x[5m]']);

    answer(check.query, promError('timeout', 'query timed out in expression evaluation'), 503);
    const [t] = await run({ checks: [check] });
    expect(t).toMatchObject({ status: 'unknown', value: 'query failed: timeout: query timed out in expression evaluation' });
  });

  it('says when the URL does not lead to a Prometheus API', async () => {
    const findings = await run({ url: `${prom.url}/wrong`, checks: [ERROR_RATIO] });
    expect(findings).toEqual([expect.objectContaining({ status: 'unknown', value: 'not a Prometheus API answer (HTTP 404)' })]);
  });

  it('says a range vector is not an instant result', async () => {
    const check: PrometheusCheck = { name: 'raw', query: 'up[5m]', crit: 1 };
    answer(check.query, { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1']] }] } });
    const [f] = await run({ checks: [check] });
    expect(f).toMatchObject({ status: 'unknown', value: 'the query returns a range vector' });
  });

  it('keeps a path prefix of the configured URL', async () => {
    const prefixed = await startStandIn('/prometheus');
    try {
      prefixed.answers.set(UP.query, { status: 200, body: vector([]) });
      const ctx = context(3000);
      const findings = await prometheusProbe({ name: 'prod', url: prefixed.url, checks: [UP] }).run(ctx);
      ctx.dispose();
      expect(findings[0]?.status).toBe('ok');
      expect(prefixed.seen.map((s) => s.path)).toEqual(['/prometheus/api/v1/query']);
    } finally {
      await prefixed.close();
    }
  });

  it('runs the checks in parallel', async () => {
    const checks = [0, 1, 2, 3].map((i): PrometheusCheck => ({ name: `slow ${i}`, query: `slow_metric_${i}`, crit: 1 }));
    for (const c of checks) answer(c.query, vector([{ metric: {}, value: '0' }]), 200, 400);
    const findings = await run({ checks });
    // All four were asked before the first was answered: one after another, at most one would wait at a time.
    expect(prom.maxInFlight()).toBe(4);
    expect(findings.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});

describe('prometheusProbe: Alertmanager', () => {
  it('gives one finding per firing alert: critical by severity, warning otherwise, only active ones', async () => {
    prom.alerts.push(
      { labels: { alertname: 'HighLatency', severity: 'warning', service: 'search' }, annotations: { summary: 'p95 above 1 s on search' }, startsAt: new Date(Date.now() - 5 * 60_000).toISOString() },
      {
        labels: { alertname: 'ServiceDown', severity: 'critical', job: 'api', instance: '10.0.0.8:8000' },
        annotations: { summary: 'api is down', description: 'up == 0 for 2 minutes', runbook_url: 'https://runbooks.example/service-down' },
        startsAt: new Date(Date.now() - 90 * 60_000).toISOString(),
      },
      { labels: { alertname: 'DiskFilling', severity: 'critical' }, state: 'suppressed' },
      { labels: { alertname: 'Watchdog' } },
    );
    const findings = await run({ alertmanager: prom.url, checks: [] });
    expect(findings.map((f) => [f.check, f.component, f.status])).toEqual([
      ['firing alert', 'ServiceDown {instance="10.0.0.8:8000", job="api"}', 'critical'],
      ['firing alert', 'Watchdog', 'warning'], // firing for 10 min: oldest first among equals
      ['firing alert', 'HighLatency {service="search"}', 'warning'],
    ]);
    expect(findings[0]).toMatchObject({ value: 'api is down (firing for 1 h 30 min)', recommendation: 'Follow the runbook: https://runbooks.example/service-down' });
    expect(findings[0]?.evidence).toEqual(expect.arrayContaining(['description: up == 0 for 2 minutes']));
    expect(findings[2]?.value).toBe('p95 above 1 s on search (firing for 5 min)');
    expect(findings[1]?.value).toBe('Watchdog (firing for 10 min)');
    const asked = prom.seen.find((s) => s.path === '/api/v2/alerts');
    expect(Object.fromEntries(asked?.params ?? [])).toEqual({ active: 'true', silenced: 'false', inhibited: 'false' });
  });

  it('is ok when nothing fires', async () => {
    const findings = await run({ alertmanager: prom.url, checks: [] });
    expect(findings).toEqual([expect.objectContaining({ check: 'firing alerts', component: 'prod alertmanager', status: 'ok' })]);
  });

  it('caps the alerts and sums up the rest', async () => {
    for (let i = 0; i < MAX_ALERTS + 7; i++) prom.alerts.push({ labels: { alertname: i < 20 ? 'PodCrashLooping' : 'HighMemory', severity: i % 2 ? 'critical' : 'warning', pod: `pod-${i}` } });
    const findings = await run({ alertmanager: prom.url, checks: [] });
    expect(findings).toHaveLength(MAX_ALERTS + 1);
    const more = findings.at(-1);
    expect(more).toMatchObject({ component: 'prod alertmanager', status: 'warning', value: '+7 more firing alerts (7 warning)' });
    expect(more?.evidence).toEqual(['HighMemory ×4', 'PodCrashLooping ×3']);
    expect(findings.filter((f) => f.status === 'critical')).toHaveLength(13); // all critical ones are listed first
  });

  it('reports an unreachable Alertmanager on its own, the checks still run', async () => {
    const port = await closedPort();
    answer(UP.query, vector([]));
    const findings = await run({ alertmanager: `http://127.0.0.1:${port}`, checks: [UP] });
    expect(findings.map((f) => [f.check, f.component, f.status])).toEqual([
      ['targets down', 'prod', 'ok'],
      ['reachable', 'prod alertmanager', 'critical'],
    ]);
  });
});

describe('prometheusProbe: unreachable', () => {
  it('gives one critical unreachable finding however many checks', async () => {
    const port = await closedPort();
    const started = Date.now();
    const ctx = context(5000);
    const findings = await prometheusProbe({ name: 'prod', url: `http://127.0.0.1:${port}`, checks: [UP, ERROR_RATIO, P95] }).run(ctx);
    ctx.dispose();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', component: 'prod', status: 'critical', value: `unreachable: connection refused (127.0.0.1:${port})` })]);
  });

  it('gives up on a Prometheus that accepts and hangs within the deadline + 1 s', async () => {
    const hang = await startHanging();
    try {
      const started = Date.now();
      const ctx = context(1200);
      const findings = await prometheusProbe({ name: 'prod', url: hang.url, alertmanager: hang.url, checks: [UP, P95] }).run(ctx);
      ctx.dispose();
      const took = Date.now() - started;
      expect(took).toBeLessThan(2200);
      expect(findings.map((f) => [f.check, f.component, f.status])).toEqual([
        ['reachable', 'prod', 'critical'],
        ['reachable', 'prod alertmanager', 'critical'],
      ]);
      expect(findings[0]?.value).toMatch(/no answer from 127\.0\.0\.1:\d+ within \d+ ms/);
    } finally {
      await hang.close();
    }
  });

  it('refuses non-http URLs when built', () => {
    expect(() => prometheusProbe({ name: 'p', url: 'gopher://x', checks: [] })).toThrow(/only http and https/);
    expect(() => prometheusProbe({ name: 'p', url: 'http://x', alertmanager: 'file:///tmp', checks: [] })).toThrow(/Alertmanager/);
  });

  it('says when there is nothing to check', async () => {
    const findings = await run({ checks: [] });
    expect(findings).toEqual([expect.objectContaining({ status: 'unknown', value: 'no checks configured' })]);
  });
});

describe('PromQL helpers and configuration', () => {
  it('recognises filtering comparisons, not bool ones nor label matchers', () => {
    expect(isFilteringQuery('up == 0')).toBe(true);
    expect(isFilteringQuery('up{job=~"coach-.*"} == 0')).toBe(true);
    expect(isFilteringQuery('histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 1')).toBe(true);
    expect(isFilteringQuery('x >= 3')).toBe(true);
    expect(isFilteringQuery('x<3')).toBe(true);
    expect(isFilteringQuery('up == bool 0')).toBe(false);
    expect(isFilteringQuery('x >= bool 3')).toBe(false);
    expect(isFilteringQuery(ERROR_RATIO.query)).toBe(false);
    expect(isFilteringQuery('rate(http_requests_total{status!="200", path!~"/health"}[5m])')).toBe(false);
    expect(isFilteringQuery('count(up{job="a>b"})')).toBe(false);
  });

  it('reads and prints sample values and labels like Prometheus', () => {
    expect(parseSampleValue('0.05')).toBe(0.05);
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parseSampleValue('NaN')).toBeNaN();
    expect(parseSampleValue('1e3')).toBe(1000);
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(42)).toBe('42');
    expect(formatLabels({ __name__: 'up', job: 'api', instance: 'a:1' })).toBe('up{instance="a:1", job="api"}');
    expect(formatLabels({})).toBe('{}');
  });

  it('exports the seed queries with their thresholds, valid for the schema', () => {
    expect(SEED_PROMQL_CHECKS.map((c) => [c.name, c.warn, c.crit])).toEqual([
      ['targets down', undefined, undefined],
      ['5xx ratio', 0.05, 0.1],
      ['p95 latency', 1, 2],
      ['memory used', undefined, undefined],
    ]);
    expect(ERROR_RATIO.query).toBe('sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))');
    expect(P95.query).toMatch(/^histogram_quantile\(0\.95, /);
    const parsed = prometheusTargetSchema.safeParse({ name: 'prod', url: 'http://prometheus:9090', alertmanager: 'http://alertmanager:9093', checks: SEED_PROMQL_CHECKS });
    expect(parsed.success).toBe(true);
  });

  it('validates checks and targets strictly', () => {
    expect(prometheusCheckSchema.safeParse({ name: 'x', query: 'up', warn: 2, crit: 1 }).success).toBe(false);
    expect(prometheusCheckSchema.safeParse({ name: 'x', query: 'up', warn: 2, crit: 1, lowerIsWorse: true }).success).toBe(true);
    expect(prometheusCheckSchema.safeParse({ name: 'x', query: 'up', threshold: 1 }).success).toBe(false);
    expect(prometheusTargetSchema.safeParse({ name: 'p', url: 'http://p:9090', checks: [UP, UP] }).success).toBe(false);
    expect(prometheusTargetSchema.safeParse({ name: 'p', url: 'ftp://p', checks: [] }).success).toBe(false);
  });
});

describe("the playbook's SLO checks (seed 004)", () => {
  const slo = (name: string) => SLO_PROMQL_CHECKS.find((c) => c.name === name) as PrometheusCheck;

  it.each([
    ['SLO availability', '99.995', 'ok', 'warning at ≤ 99.99 %, critical at ≤ 99.9 %'],
    ['SLO availability', '99.95', 'warning', 'warning at ≤ 99.99 %, critical at ≤ 99.9 %'],
    ['SLO availability', '99.5', 'critical', 'warning at ≤ 99.99 %, critical at ≤ 99.9 %'],
    ['SLO p95 latency', '0.08', 'ok', 'warning at ≥ 0.1 s, critical at ≥ 0.3 s'],
    ['SLO p95 latency', '0.15', 'warning', 'warning at ≥ 0.1 s, critical at ≥ 0.3 s'],
    ['SLO p95 latency', '0.45', 'critical', 'warning at ≥ 0.1 s, critical at ≥ 0.3 s'],
    ['SLO error rate', '0.05', 'ok', 'warning at ≥ 0.1 %, critical at ≥ 1 %'],
    ['SLO error rate', '0.4', 'warning', 'warning at ≥ 0.1 %, critical at ≥ 1 %'],
    ['SLO error rate', '2', 'critical', 'warning at ≥ 0.1 %, critical at ≥ 1 %'],
  ] as const)('%s at %s is %s', async (name, value, status, threshold) => {
    const check = slo(name);
    answer(check.query, vector([{ metric: {}, value }]));
    const findings = await run({ checks: [check] });
    expect(findings).toEqual([expect.objectContaining({ check: name, status, threshold })]);
    expect(prom.seen.at(-1)?.params.get('query')).toBe(check.query);
  });

  it('are valid checks, with the objectives of the playbook as their warnings', () => {
    expect(SLO_PROMQL_CHECKS.map((c) => [c.name, c.warn, c.crit, c.lowerIsWorse ?? false])).toEqual([
      ['SLO availability', 99.99, 99.9, true],
      ['SLO p95 latency', 0.1, 0.3, false],
      ['SLO error rate', 0.1, 1, false],
    ]);
    expect(prometheusTargetSchema.safeParse({ name: 'prod', url: 'http://prometheus:9090', checks: SLO_PROMQL_CHECKS }).success).toBe(true);
  });
});
