/**
 * The Kubernetes probe through the real @kubernetes/client-node against the local API server, via
 * a kubeconfig: every failure state of the fixtures becomes a finding with the right status and
 * reason, the cluster is only read, and an unreachable cluster gives one finding in time.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubernetesProbe, kubeThresholdsSchema } from '../../../src/adapters/targets/kubernetes/probe/index.js';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { kubeconfigYaml, startKubeApiServer, type KubeApiServer } from '../../kube/api-server.js';
import { defaultFixtures, manyFailingPods, NS, POD, SCHEDULER_MESSAGE } from '../../kube/fixtures.js';
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
  server.forbid(null);
  server.requests.length = 0;
});

const run = (options: { namespace?: string } = {}, extra = {}, ms = 5000): Promise<Finding[]> =>
  kubernetesProbe(targetOf(server, extra), options).run(probeContext(ms));
const pod = (name: string) => `${NS}/${name}`;

describe('kubernetesProbe on the shop namespace', () => {
  let findings: Finding[];
  beforeAll(async () => {
    server.setFixtures(defaultFixtures());
    findings = await run({ namespace: NS });
  });

  it('reports the crash-looping pod as critical with its restarts and a delete-pod suggestion', () => {
    const f = one(findings, 'crash loop', pod(POD.crash));
    expect(f.status).toBe('critical');
    expect(f.value).toContain('CrashLoopBackOff');
    expect(f.value).toContain('12 restarts');
    expect(f.value).toContain('Error (code 1)');
    expect(f.remediation).toEqual({ action: 'k8s.delete-pod', args: [pod(POD.crash)], label: `Delete pod ${pod(POD.crash)}` });
    const restarts = one(findings, 'restarts', pod(POD.crash));
    expect(restarts.status).toBe('warning');
    expect(restarts.threshold).toBe('warning at 5, critical at 20');
  });

  it('reports ImagePullBackOff and ErrImagePull with the image', () => {
    const backOff = one(findings, 'image pull', pod(POD.pullBackOff));
    expect(backOff).toMatchObject({ status: 'critical' });
    expect(backOff.value).toMatch(/^ImagePullBackOff: registry\.example\.com\/shop\/web:2\.5\.0/);
    expect(one(findings, 'image pull', pod(POD.errPull)).value).toMatch(/^ErrImagePull/);
  });

  it('names the missing ConfigMap of a CreateContainerConfigError', () => {
    const f = one(findings, 'container config', pod(POD.config));
    expect(f.status).toBe('critical');
    expect(f.value).toContain('configmap "api-config" not found');
    expect(f.recommendation).toContain('ConfigMap "api-config"');
    expect(f.recommendation).toContain('namespace shop');
  });

  it('detects OOMKilled from the last termination of a running container', () => {
    const f = one(findings, 'OOMKilled', pod(POD.oom));
    expect(f.status).toBe('warning');
    expect(f.value).toContain('exit 137');
    expect(f.threshold).toContain('memory 512Mi');
    expect(having(findings, 'crash loop', pod(POD.oom))).toHaveLength(0);
    expect(having(findings, 'restarts', pod(POD.oom))).toHaveLength(0); // 3 < 5
  });

  it('shows the scheduler message of an unschedulable pod', () => {
    const f = one(findings, 'unschedulable', pod(POD.pending));
    expect(f.status).toBe('critical');
    expect(f.value).toBe('Pending: Unschedulable');
    expect(f.evidence).toEqual([SCHEDULER_MESSAGE]);
    expect(f.evidence?.[0]).toContain('0/3 nodes are available: 3 Insufficient memory');
  });

  it('reports a running pod whose readiness fails', () => {
    const f = one(findings, 'pod not ready', pod(POD.unready));
    expect(f.status).toBe('warning');
    expect(f.evidence?.join('\n')).toContain('readiness GET /healthz/ready on port 8080');
  });

  it('says nothing of the healthy pods and of completed ones', () => {
    const podChecks = new Set(['crash loop', 'image pull', 'container config', 'OOMKilled', 'unschedulable', 'pod not ready', 'pod not running', 'restarts']);
    const flagged = new Set(findings.filter((f) => podChecks.has(f.check)).map((f) => f.component));
    expect([...flagged].sort()).toEqual([POD.crash, POD.oom, POD.pullBackOff, POD.errPull, POD.config, POD.pending, POD.unready].map(pod).sort());
  });

  it('reports deployments with unavailable replicas (restart) and a stuck rollout (undo)', () => {
    const api = one(findings, 'deployment unavailable', `${NS}/deployment/api`);
    expect(api.status).toBe('warning');
    expect(api.value).toContain('2 of 3 replicas available');
    expect(api.remediation).toEqual({ action: 'k8s.rollout-restart', args: ['shop/api'], label: 'Restart deployment shop/api' });
    const web = one(findings, 'rollout stuck', `${NS}/deployment/web`);
    expect(web.status).toBe('critical');
    expect(web.value).toContain('ProgressDeadlineExceeded');
    expect(web.remediation?.action).toBe('k8s.rollout-undo');
    expect(web.remediation?.args).toEqual(['shop/web']);
    expect(having(findings, 'deployment unavailable', `${NS}/deployment/web`)).toHaveLength(0);
    expect(one(findings, 'deployment unavailable', `${NS}/deployment/search`).status).toBe('critical');
    expect(findings.filter((f) => f.component === `${NS}/deployment/cart`)).toHaveLength(0);
  });

  it('reports the autoscaler at its maximum and the one without metrics', () => {
    const atMax = one(findings, 'hpa at max', `${NS}/hpa/api`);
    expect(atMax.value).toContain('3 of at most 3');
    expect(atMax.evidence).toContain('cpu: 92 % (target 70 %)');
    const noMetrics = one(findings, 'hpa metrics', `${NS}/hpa/search`);
    expect(noMetrics.value).toContain('FailedGetResourceMetric');
    expect(findings.filter((f) => f.component === `${NS}/hpa/cart`)).toHaveLength(0);
  });

  it('groups the Warning events of the last 15 minutes by reason and object, ignoring old and Normal ones', () => {
    const events = having(findings, 'warning events');
    const summary = events.map((f) => `${f.component} ${f.value}`).sort();
    expect(summary).toEqual(
      [
        `${pod(POD.crash)} BackOff ×17 in the last 15 min`,
        `${pod(POD.pending)} FailedScheduling ×6 in the last 15 min`,
        `${pod(POD.unready)} Unhealthy ×42 in the last 15 min`,
        `${pod(POD.config)} FailedMount ×5 in the last 15 min`,
        `${pod(POD.errPull)} Failed ×4 in the last 15 min`,
      ].sort(),
    );
    expect(events.every((f) => f.status === 'warning')).toBe(true);
    expect(events[0]?.value).toContain('Unhealthy ×42'); // most repeated first
  });

  it('reports the NotReady node and the node under memory pressure', () => {
    const notReady = one(findings, 'node not ready', 'node/node-b');
    expect(notReady.status).toBe('critical');
    expect(notReady.evidence).toEqual(['Kubelet stopped posting node status.']);
    expect(one(findings, 'node pressure', 'node/node-c')).toMatchObject({ status: 'warning', value: 'MemoryPressure' });
    expect(findings.filter((f) => f.component === 'node/node-a')).toHaveLength(0);
  });

  it('lists the top pods by CPU and by memory, and the pod near its memory limit', () => {
    const cpu = one(findings, 'top cpu', NS);
    expect(cpu.value).toMatch(new RegExp(`^${POD.apiOk} 850m`));
    expect(cpu.evidence?.[0]).toBe(`${POD.apiOk}: 850m (85 % of limit 1000m)`);
    expect(cpu.evidence).toHaveLength(5);
    const memory = one(findings, 'top memory', NS);
    expect(memory.value).toMatch(new RegExp(`^${POD.oom} 486Mi, ${POD.apiOk} 410Mi`));
    expect(one(findings, 'memory near limit', pod(POD.oom)).value).toBe('486Mi of 512Mi (95 %)');
  });

  it('puts the worst first', () => {
    expect(findings[0]?.status).toBe('critical');
    expect(findings.at(-1)?.status).toBe('ok');
  });
});

describe('kubernetesProbe, other situations', () => {
  it('makes only GET requests, all of them in the allowed namespaces or cluster-wide reads', async () => {
    await run();
    expect(server.requests.length).toBeGreaterThanOrEqual(11);
    expect(server.requests.every((r) => r.method === 'GET')).toBe(true);
    for (const r of server.requests) expect(r.path).toMatch(/^\/(?:api\/v1\/nodes$|apis?\/[^?]*namespaces\/(?:shop|payments)\/)/);
    expect(server.requests.map((r) => r.path)).toContain('/api/v1/namespaces/shop/events?fieldSelector=type%3DWarning');
  });

  it('says when metrics-server is absent, once', async () => {
    server.setFixtures({ ...defaultFixtures(), podMetrics: null });
    const findings = await run();
    const top = having(findings, 'top pods');
    expect(top).toHaveLength(1);
    expect(top[0]).toMatchObject({ status: 'unknown', component: 'prod' });
    expect(top[0]?.value).toContain('metrics-server is not available');
    expect(top[0]?.value).toContain('HTTP 404');
    expect(having(findings, 'top cpu')).toHaveLength(0);
    expect(having(findings, 'crash loop')).toHaveLength(1); // the rest is still read
  });

  it('refuses a namespace outside the allowed list, saying which are allowed, without a request', async () => {
    const findings = await run({ namespace: 'kube-system' });
    expect(findings).toEqual([
      expect.objectContaining({ check: 'namespace', status: 'unknown', value: 'namespace "kube-system" is not allowed' }),
    ]);
    expect(findings[0]?.recommendation).toContain('shop, payments');
    expect(server.requests).toHaveLength(0);
  });

  it('reads only the namespace asked for', async () => {
    const findings = await run({ namespace: 'payments' });
    expect(server.requests.some((r) => r.path.includes('/namespaces/shop/'))).toBe(false);
    expect(one(findings, 'pods', 'payments').value).toBe('no pods');
  });

  it('gives one critical unreachable finding within the deadline + 1 s when the API server hangs', async () => {
    server.mode('hang');
    const started = Date.now();
    const findings = await run({}, {}, 1500);
    const elapsed = Date.now() - started;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'reachable', component: 'prod', status: 'critical' });
    expect(findings[0]?.value).toContain('no answer before the deadline');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
  });

  it('gives one unreachable finding at once when the port is closed', async () => {
    const started = Date.now();
    const findings = await run({}, { context: 'closed' }, 10_000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
    expect(findings[0]?.value).toContain('connection refused (ECONNREFUSED)');
  });

  it('gives one unreachable finding when the API server answers 500 to everything', async () => {
    server.mode('error500');
    const findings = await run();
    expect(findings).toHaveLength(1);
    expect(findings[0]?.value).toContain('HTTP 500: Internal error occurred: etcdserver: request timed out');
  });

  it('gives one unreachable finding when the token is refused', async () => {
    const file = join(dirname(server.kubeconfigPath), 'wrong-token');
    writeFileSync(file, kubeconfigYaml(server.url, server.url).replace('firebreak-test-token', 'wrong'));
    const findings = await run({}, { kubeconfig: file });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.value).toContain('HTTP 401');
  });

  it('reports a read it is not allowed (RBAC) as unknown and keeps the rest', async () => {
    server.forbid(/^\/api\/v1\/nodes/);
    const findings = await run({ namespace: NS });
    const nodes = one(findings, 'read', 'nodes');
    expect(nodes.status).toBe('unknown');
    expect(nodes.value).toContain('HTTP 403');
    expect(having(findings, 'crash loop')).toHaveLength(1);
  });

  it('reports a kubeconfig problem (unknown context, missing file) as unreachable with the reason', async () => {
    const context = await run({}, { context: 'nope' });
    expect(context).toHaveLength(1);
    expect(context[0]?.value).toContain('context "nope" is not in');
    expect(context[0]?.value).toContain('(it has: test, closed)');
    const missing = await run({}, { kubeconfig: '/nonexistent/kubeconfig' });
    expect(missing[0]?.value).toContain('cannot read kubeconfig /nonexistent/kubeconfig');
    expect(server.requests).toHaveLength(0);
  });

  it('applies configured thresholds (restarts, event window written as a duration)', async () => {
    const thresholds = kubeThresholdsSchema.parse({ restartsWarn: 3, restartsCritical: 10, eventWindowMs: '3h' });
    const findings = await run({ namespace: NS }, { thresholds });
    expect(one(findings, 'restarts', pod(POD.oom)).status).toBe('warning');
    expect(one(findings, 'restarts', pod(POD.crash)).status).toBe('critical');
    expect(having(findings, 'warning events').map((f) => f.value)).toContain('BackOff ×9 in the last 3 h');
  });

  it('turns 200 failing pods into 200+ findings without error', async () => {
    server.setFixtures(manyFailingPods(200));
    const findings = await run({ namespace: NS }, {}, 10_000);
    expect(having(findings, 'crash loop')).toHaveLength(200);
    expect(findings.length).toBeGreaterThanOrEqual(400);
    expect(new Set(having(findings, 'crash loop').map((f) => f.component)).size).toBe(200);
  });
});
