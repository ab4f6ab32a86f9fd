/**
 * The logs probe through the real client against the local API server: it finds the deployment's
 * pods, reads their last 5 minutes and the previous container of the crash-looping one, counts the
 * error lines by category and groups them by normalised message.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logsProbe, type LogsProbeOptions } from '../../../src/adapters/targets/kubernetes/probe/index.js';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { startKubeApiServer, type KubeApiServer } from '../../kube/api-server.js';
import { API_LOG_EXPECTED, defaultFixtures, NS, POD } from '../../kube/fixtures.js';
import { having, one, probeContext, targetOf } from './context.js';

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.setFixtures(defaultFixtures());
  server.mode('ok');
  server.requests.length = 0;
});

const run = (options: LogsProbeOptions, extra = {}, ms = 5000): Promise<Finding[]> => logsProbe(targetOf(server, extra), options).run(probeContext(ms));
const logPaths = (requests = server.requests) => requests.map((r) => r.path).filter((p) => p.includes('/log?'));

describe('logsProbe on the api deployment', () => {
  let findings: Finding[];
  /** The requests of this run (the outer beforeEach clears the server's list before each test). */
  let requests: KubeApiServer['requests'];
  beforeAll(async () => {
    server.setFixtures(defaultFixtures());
    server.requests.length = 0;
    findings = await run({ deployment: 'api' });
    requests = [...server.requests];
  });

  it('counts the error lines of the last 5 minutes by category', () => {
    const summary = one(findings, 'log errors', 'shop/api');
    expect(summary.status).toBe('critical'); // FATAL lines
    const errors = API_LOG_EXPECTED.database + API_LOG_EXPECTED.timeout + API_LOG_EXPECTED.memory + API_LOG_EXPECTED.connection + API_LOG_EXPECTED.other;
    expect(summary.value).toContain(`${errors} error lines of `);
    expect(summary.value).toContain('from 3 pods, with 1 previous container; 3 fatal');
    expect(summary.value).toContain(
      `database ${API_LOG_EXPECTED.database}, timeout ${API_LOG_EXPECTED.timeout}, memory ${API_LOG_EXPECTED.memory}, connection ${API_LOG_EXPECTED.connection}, other ${API_LOG_EXPECTED.other}`,
    );
    for (const category of ['database', 'timeout', 'memory', 'connection', 'other'] as const) {
      expect(one(findings, `log errors: ${category}`, 'shop/api').value).toBe(`${API_LOG_EXPECTED[category]} error lines`);
    }
    expect(one(findings, 'log errors: database', 'shop/api').status).toBe('critical'); // a FATAL among them
    expect(one(findings, 'log errors: timeout', 'shop/api').status).toBe('warning');
  });

  it('groups the messages with their variable parts normalised, most repeated first, top 10', () => {
    const evidence = one(findings, 'log errors', 'shop/api').evidence ?? [];
    expect(evidence.length).toBeLessThanOrEqual(10);
    expect(evidence.slice(0, 4)).toEqual([
      '17× ERROR [db] query failed after <n>ms: canceling statement due to statement timeout (order <n>, req <uuid>)',
      '11× ERROR [inventory] upstream request to http://<ip>/v1/stock/<n> timed out after <n>ms',
      '10× ERROR [db] connection to database at <ip> failed: connection refused (attempt <n>/<n>)',
      '6× ERROR [cache] redis connect ECONNREFUSED <ip> (attempt <n>/<n>, trace <hex>)',
    ]);
    expect(evidence).toContain('1× FATAL [worker] out of memory: reached heap limit (rss <n>MB), process exiting');
    expect(evidence.join('\n')).not.toContain('nightly export'); // older than 5 minutes
  });

  it('reads the previous container of the crash-looping pod, and shows its last lines', () => {
    const paths = logPaths(requests);
    expect(paths).toContain(`/api/v1/namespaces/shop/pods/${POD.crash}/log?container=api&previous=true&tailLines=500`);
    expect(paths.filter((p) => p.includes('previous=true'))).toHaveLength(1); // not the OOMKilled one of 20 min ago
    for (const name of [POD.crash, POD.oom, POD.apiOk]) {
      expect(paths).toContain(`/api/v1/namespaces/shop/pods/${name}/log?container=api&sinceSeconds=300&tailLines=500`);
    }
    const crash = one(findings, 'crash logs', `${NS}/${POD.crash}`);
    expect(crash.status).toBe('critical');
    expect(crash.value).toBe('previous container api ended: Error (code 1)');
    expect(crash.evidence).toHaveLength(5);
    expect(crash.evidence?.at(-1)).toContain('FATAL [db] could not connect to database after 5 attempts');
  });

  it('reads only the api pods, with GET only', () => {
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.every((r) => r.method === 'GET')).toBe(true);
    expect(requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/apis/apps/v1/namespaces/shop/deployments/api', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dapi']),
    );
    expect(logPaths(requests)).toHaveLength(4);
    expect(logPaths(requests).every((p) => p.includes('/pods/api-'))).toBe(true);
  });
});

describe('logsProbe, other situations', () => {
  it('reads further back when asked', async () => {
    const findings = await run({ deployment: 'api', sinceSeconds: 1200 });
    const current = logPaths().filter((p) => !p.includes('previous=true'));
    expect(current).toHaveLength(3);
    expect(current.every((p) => p.includes('sinceSeconds=1200'))).toBe(true);
    expect(one(findings, 'log errors', 'shop/api').evidence?.join('\n')).toContain('5× ERROR [batch] nightly export job <n> failed: disk quota exceeded');
    expect(one(findings, 'log errors', 'shop/api').value).toContain('in the last 20 min');
  });

  it('is ok when there is no error line, warning for a few errors', async () => {
    expect(one(await run({ deployment: 'cart' }), 'log errors', 'shop/cart')).toMatchObject({ status: 'ok', value: 'no error lines in 0 lines of the last 5 min from 2 pods' });
    const fixtures = defaultFixtures();
    const info = Array.from({ length: 99 }, (_, i) => ({ ageSeconds: 100 + i, line: `INFO request ${i} served` }));
    fixtures.logs['shop/cart-84f6d5c7b9-g5l2v/cart'] = [...info, { ageSeconds: 5, line: 'ERROR payment 4411 declined by provider' }];
    server.setFixtures(fixtures);
    const findings = await run({ deployment: 'cart' });
    expect(one(findings, 'log errors', 'shop/cart')).toMatchObject({ status: 'warning' });
    expect(one(findings, 'log errors: other', 'shop/cart').evidence).toEqual(['1× ERROR payment <n> declined by provider']);
  });

  it('is critical on a high error rate (configurable)', async () => {
    const fixtures = defaultFixtures();
    fixtures.logs['shop/cart-84f6d5c7b9-g5l2v/cart'] = Array.from({ length: 40 }, (_, i) => ({ ageSeconds: 10 + i, line: i % 4 === 0 ? `ERROR request ${i} failed` : `INFO request ${i} served` }));
    server.setFixtures(fixtures);
    expect(one(await run({ deployment: 'cart' }), 'log errors', 'shop/cart').status).toBe('critical'); // 25 % ≥ 20 %
    const relaxed = await run({ deployment: 'cart' }, { thresholds: { logErrorRateCritical: 0.5 } });
    expect(one(relaxed, 'log errors', 'shop/cart').status).toBe('warning');
  });

  it('says when the lines were capped, and when no container has started', async () => {
    const capped = await run({ deployment: 'api' }, { thresholds: { logTailLines: 50 } });
    expect(one(capped, 'log errors', 'shop/api').value).toContain('(the last 50 lines of a container at most)');
    expect(logPaths().every((p) => p.includes('tailLines=50'))).toBe(true);
    const notifier = await run({ deployment: 'notifier' });
    expect(notifier).toEqual([expect.objectContaining({ check: 'logs', status: 'unknown', value: 'none of its 1 pods has a started container: no log to read' })]);
  });

  it('says when the deployment does not exist', async () => {
    const findings = await run({ deployment: 'nope' });
    expect(findings).toEqual([expect.objectContaining({ check: 'deployment', status: 'unknown', value: 'deployment "nope" not found in namespace shop' })]);
  });

  it('refuses a namespace outside the allowed list and a malformed name, without a request', async () => {
    const ns = await run({ deployment: 'api', namespace: 'kube-system' });
    expect(ns).toEqual([expect.objectContaining({ check: 'namespace', status: 'unknown' })]);
    expect(ns[0]?.recommendation).toContain('shop, payments');
    const bad = await run({ deployment: '../../nodes' });
    expect(bad).toEqual([expect.objectContaining({ check: 'deployment', status: 'unknown', value: 'not a valid deployment name' })]);
    expect(server.requests).toHaveLength(0);
  });

  it('gives one unreachable finding within the deadline + 1 s when the API server hangs', async () => {
    server.mode('hang');
    const started = Date.now();
    const findings = await run({ deployment: 'api' }, {}, 1200);
    expect(Date.now() - started).toBeLessThan(2200);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
  });

  it('reports a log it cannot read as unknown and analyses the others', async () => {
    const fixtures = defaultFixtures();
    delete fixtures.logs[`shop/${POD.crash}/api#previous`];
    server.setFixtures(fixtures);
    const findings = await run({ deployment: 'api' });
    const unreadable = having(findings, 'logs');
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]?.value).toContain('previous terminated container "api"');
    expect(one(findings, 'log errors', 'shop/api').status).toBe('critical');
  });
});
