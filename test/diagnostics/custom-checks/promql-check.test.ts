/**
 * Runbook PromQL checks against a stand-in speaking Prometheus' /api/v1/query: series graded worst
 * first, the cap, scalars, empty answers, NaN, Prometheus' errors and an unreachable server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { promqlCheckProbe } from '../../../src/adapters/targets/prometheus/probe/promql-check.js';
import { MAX_SERIES_PER_CHECK } from '../../../src/adapters/targets/prometheus/index.js';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { closedPort, context } from '../http/servers.js';
import { promError, scalar, startStandIn, vector, type StandIn } from '../prometheus/prometheus-stand-in.js';
import { promqlCheck } from './checks.js';

let prom: StandIn;

beforeAll(async () => {
  prom = await startStandIn();
});
afterAll(async () => {
  await prom.close();
});
beforeEach(() => {
  prom.answers.clear();
  prom.seen.length = 0;
});

async function run(spec: Record<string, unknown>, url = prom.url, ms = 3000): Promise<Finding[]> {
  const ctx = context(ms);
  try {
    return await promqlCheckProbe({ name: 'prom', url, checks: [] }, promqlCheck(spec)).run(ctx);
  } finally {
    ctx.dispose();
  }
}

describe('PromQL check', () => {
  it('grades each series, worst first, with its labels as the component and the runbook’s recommendation', async () => {
    const query = 'sum by (job) (rate(errors_total[5m])) / sum by (job) (rate(requests_total[5m]))';
    prom.answers.set(query, {
      status: 200,
      body: vector([
        { metric: { job: 'web' }, value: '0.002' },
        { metric: { job: 'api' }, value: '0.2' },
        { metric: { job: 'worker' }, value: '0.03' },
      ]),
    });
    const findings = await run({ promql: query, warn: 0.01, critical: 0.05, meaning: 'Share of failed requests', recommendation: 'Roll back the last deploy.' });
    expect(prom.seen[0]!.params.get('query')).toBe(query);
    expect(findings.map((f) => [f.component, f.status, f.value])).toEqual([
      ['{job="api"}', 'critical', '0.2'],
      ['{job="worker"}', 'warning', '0.03'],
      ['{job="web"}', 'ok', '0.002'],
    ]);
    expect(findings[0]).toMatchObject({ check: 'Share of failed requests', threshold: 'warning at ≥ 0.01, critical at ≥ 0.05', recommendation: 'Roll back the last deploy.' });
    expect(findings[2]!.recommendation).toBeUndefined();
  });

  it('lowerIsWorse grades low values as the problem', async () => {
    prom.answers.set('free_ratio', { status: 200, body: vector([{ metric: { instance: 'db1' }, value: '0.05' }, { metric: { instance: 'db2' }, value: '0.5' }]) });
    const findings = await run({ promql: 'free_ratio', warn: 0.2, critical: 0.1, lowerIsWorse: true });
    expect(findings.map((f) => [f.component, f.status])).toEqual([
      ['{instance="db1"}', 'critical'],
      ['{instance="db2"}', 'ok'],
    ]);
    expect(findings[0]!.threshold).toBe('warning at ≤ 0.2, critical at ≤ 0.1');
  });

  it('caps the series shown and sums up the rest in one finding', async () => {
    const series = Array.from({ length: MAX_SERIES_PER_CHECK + 7 }, (_, i) => ({ metric: { pod: `pod-${String(i).padStart(2, '0')}` }, value: String(i) }));
    prom.answers.set('restarts', { status: 200, body: vector(series) });
    const findings = await run({ promql: 'restarts', warn: 5, critical: 10 });
    expect(findings).toHaveLength(MAX_SERIES_PER_CHECK + 1);
    expect(findings[0]).toMatchObject({ component: `{pod="pod-${MAX_SERIES_PER_CHECK + 6}"}`, status: 'critical' });
    const summary = findings[MAX_SERIES_PER_CHECK]!;
    expect(summary.component).toBe('prom');
    expect(summary.value).toBe('7 more series (2 warning, 5 ok)');
    expect(summary.recommendation).toMatch(/Run the query in Prometheus/);
  });

  it('a scalar is one finding on the target', async () => {
    prom.answers.set('scalar(up)', { status: 200, body: scalar('3') });
    expect(await run({ promql: 'scalar(up)', warn: 2, critical: 5 })).toEqual([expect.objectContaining({ component: 'prom', status: 'warning', value: '3' })]);
  });

  it('an empty vector: ok for a filtering query (nothing matches, nothing is wrong), unknown otherwise', async () => {
    prom.answers.set('up == 0', { status: 200, body: vector([]) });
    const ok = await run({ promql: 'up == 0', warn: 1, critical: 1, meaning: 'Targets down' });
    expect(ok).toEqual([expect.objectContaining({ check: 'Targets down', status: 'ok' })]);
    expect(ok[0]!.value).toMatch(/^no data: no series matches/);

    prom.answers.set('sum(rate(http_requests_totl[5m]))', { status: 200, body: vector([]) });
    const unknown = await run({ promql: 'sum(rate(http_requests_totl[5m]))', warn: 1, critical: 2 });
    expect(unknown).toEqual([expect.objectContaining({ status: 'unknown', value: 'no data: the query returned no series' })]);
  });

  it('NaN is unknown', async () => {
    prom.answers.set('ratio', { status: 200, body: scalar('NaN') });
    const findings = await run({ promql: 'ratio', warn: 0.1, critical: 0.2 });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.status).toBe('unknown');
    expect(findings[0]!.value).toMatch(/^NaN/);
  });

  it('a query Prometheus refuses is unknown, with its message, and says to fix the runbook’s query', async () => {
    prom.answers.set('sum(rate(x[5m])', { status: 400, body: promError('bad_data', 'invalid parameter "query": 1:16: parse error: unclosed left parenthesis') });
    const findings = await run({ promql: 'sum(rate(x[5m])', warn: 1, critical: 2 });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'unknown', value: 'query failed: bad_data: invalid parameter "query": 1:16: parse error: unclosed left parenthesis' });
    expect(findings[0]!.recommendation).toMatch(/^Fix the PromQL of this runbook step/);
    expect(findings[0]!.evidence).toContain('query: sum(rate(x[5m])');
  });

  it('long labels are cut in the component', async () => {
    prom.answers.set('long', { status: 200, body: vector([{ metric: { path: 'x'.repeat(1000) }, value: '1' }]) });
    const [f] = await run({ promql: 'long', warn: 5, critical: 10 });
    expect(f!.component.length).toBeLessThanOrEqual(200);
    expect(f!.component.endsWith('…')).toBe(true);
  });

  it('an unreachable Prometheus is one "unreachable" finding', async () => {
    const port = await closedPort();
    const findings = await run({ promql: 'up', warn: 1, critical: 2 }, `http://127.0.0.1:${port}`);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', component: 'prom', status: 'critical' })]);
    expect(findings[0]!.value).toMatch(/connection refused/);
  });

  it('a slow Prometheus: unreachable by the deadline', async () => {
    prom.answers.set('slow', { status: 200, body: scalar('1'), delayMs: 3000 });
    const started = Date.now();
    const findings = await run({ promql: 'slow', warn: 1, critical: 2 }, prom.url, 800);
    expect(Date.now() - started).toBeLessThan(800 + 500);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
  });
});
