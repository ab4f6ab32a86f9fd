/**
 * k8s.set-resources against the test API server: strict quantities, the target's bounds, the
 * preview's current → new, a strategic merge patch of the one container's limits, and a verify
 * that waits for the rollout and names the new ReplicaSet.
 */
import { describe, expect, it } from 'vitest';
import { kubernetesTargetSchema } from '../../../src/adapters/targets/kubernetes/target.js';
import { parseCpu, parseMemory } from '../../../src/adapters/targets/kubernetes/quantity.js';
import type { SetResourcesParams } from '../../../src/adapters/targets/kubernetes/actions/set-resources.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';
import { find } from './cluster.js';

const h = useCluster();
const a = action<SetResourcesParams>('k8s.set-resources');

describe('k8s.set-resources arguments', () => {
  it('reads the deployment, the container and the quantities', () => {
    expect(paramsOf(a, 'shop/api', 'api', '--memory', '1Gi', '--cpu', '1000m')).toEqual({
      namespace: 'shop', name: 'api', container: 'api', memory: { text: '1Gi', bytes: 2 ** 30 }, cpu: { text: '1000m', milli: 1000 },
    });
    expect(paramsOf(a, 'shop/api', 'api', '--cpu', '1.5').cpu).toEqual({ text: '1.5', milli: 1500 });
  });

  it.each([
    [['shop/api', 'api'], 'give --cpu, --memory or both'],
    [['shop/api'], 'expected <ns>/<deployment> <container>'],
    [['shop/api', 'api', '--memory'], '--memory needs a quantity'],
    [['shop/api', 'api', '--memory', '1gi'], '"1gi" is not a memory quantity'],
    [['shop/api', 'api', '--memory', '1GB'], 'is not a memory quantity'],
    [['shop/api', 'api', '--memory', '1000m'], 'thousandths of a byte'],
    [['shop/api', 'api', '--memory', '-1Gi'], 'is not a memory quantity'],
    [['shop/api', 'api', '--cpu', '0.0001'], 'less than 1m'],
    [['shop/api', 'api', '--cpu', '1.0005'], 'finer than 1m'],
    [['shop/api', 'api', '--cpu', '1', '--cpu', '2'], '--cpu is given twice'],
    [['shop/api', 'api', '--disk', '1Gi'], 'unknown option "--disk"'],
    [['shop/api', 'API', '--cpu', '1'], 'not a valid container name'],
  ])('refuses %j', (args, message) => {
    expect(paramError(a, ...args)).toContain(message);
  });

  it('parses quantities strictly', () => {
    expect(parseMemory('1.5Gi')).toMatchObject({ ok: true, value: 1.5 * 2 ** 30 });
    expect(parseMemory('1e9')).toMatchObject({ ok: true, value: 1e9 });
    expect(parseMemory(' 1Gi').ok).toBe(false);
    expect(parseMemory('0.5').ok).toBe(false);
    expect(parseCpu('4')).toMatchObject({ ok: true, value: 4000 });
    expect(parseCpu('1Ki').ok).toBe(true); // valid Kubernetes, if odd: 1024 cores, then refused by the bounds
  });
});

describe('k8s.set-resources preview', () => {
  it('shows each limit current → new, and the bounds', async () => {
    const p = await a.preview(h.target, paramsOf(a, 'shop/api', 'api', '--memory', '1Gi', '--cpu', '1000m'), actionContext());
    expect(p.refusal).toBeUndefined();
    expect(p.current).toContain('container api: requests cpu 250m, memory 256Mi; limits cpu 1, memory 512Mi');
    expect(p.change[0]).toBe('limits.memory of container api in shop/api: 512Mi → 1Gi');
    expect(p.change).toContain('bounds on prod: cpu at most 4, memory at most 8Gi');
    // cpu 1000m is the current 1: not a change.
    expect(p.change.some((c) => c.startsWith('limits.cpu'))).toBe(false);
    expect(writes(h.server)).toEqual([]);
  });

  it('refuses above the default bounds (seed 004: 8Gi and 4000m), and within raised ones allows it', async () => {
    const over = await a.preview(h.target, paramsOf(a, 'shop/api', 'api', '--memory', '9Gi'), actionContext());
    expect(over.refusal).toContain('memory limit 9Gi is above the most Firebreak may set on prod (8Gi');
    const cpu = await a.preview(h.target, paramsOf(a, 'shop/api', 'api', '--cpu', '4001m'), actionContext());
    expect(cpu.refusal).toContain('cpu limit 4001m is above the most Firebreak may set on prod (4');
    const raised = kubernetesTargetSchema.parse({ ...h.target, remediation: { maxMemory: '16Gi', maxCpu: 8 } });
    expect((await a.preview(raised, paramsOf(a, 'shop/api', 'api', '--memory', '9Gi'), actionContext())).refusal).toBeUndefined();
  });

  it('refuses a limit below the request, an unknown container, and no change', async () => {
    expect((await a.preview(h.target, paramsOf(a, 'shop/api', 'api', '--memory', '128Mi'), actionContext())).refusal).toContain('below the container\'s memory request 256Mi');
    expect((await a.preview(h.target, paramsOf(a, 'shop/api', 'sidecar', '--memory', '1Gi'), actionContext())).refusal).toBe('deployment shop/api has no container sidecar (it has api)');
    expect((await a.preview(h.target, paramsOf(a, 'shop/api', 'api', '--memory', '512Mi'), actionContext())).refusal).toBe('container api already has memory limit 512Mi');
    expect((await a.preview(h.target, paramsOf(a, 'kube-system/coredns', 'coredns', '--memory', '1Gi'), actionContext())).refusal).toContain('not one Firebreak may change');
  });

  it('refuses a bound in the configuration that is not a quantity', () => {
    const r = kubernetesTargetSchema.safeParse({ name: 'p', kubeconfig: '/k', namespaces: ['shop'], remediation: { maxMemory: '8 GB' } });
    expect(r.error?.issues[0]?.message).toContain('"8 GB" is not a memory quantity');
  });
});

describe('k8s.set-resources execute and verify', () => {
  it("patches only that container's limits (strategic merge), rolls out a new ReplicaSet, and verifies it", async () => {
    const params = paramsOf(a, 'shop/api', 'api', '--memory', '1Gi');
    const { result } = await previewAndRun(a, h, params);
    expect(result.ok).toBe(true);
    const [patch] = writes(h.server);
    expect(patch?.method).toBe('PATCH');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch?.body).toEqual({ spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '1Gi' } } }] } } } });
    const d = loose(find(h.fixtures.deployments, 'api'));
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    const verified = await a.verify(h.target, params, actionContext());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(/rollout of shop\/api complete.*; new ReplicaSet api-\w+ \(revision 8\): 3\/3 ready/);
  });

  it('sets a limit on a container that had none', async () => {
    const d = loose(find(h.fixtures.deployments, 'cart'));
    delete d.spec.template.spec.containers[0].resources;
    const params = paramsOf(a, 'shop/cart', 'cart', '--memory', '1Gi', '--cpu', '1000m');
    const { preview, result } = await previewAndRun(a, h, params);
    expect(preview.change.slice(0, 2)).toEqual(['limits.cpu of container cart in shop/cart: (none) → 1000m', 'limits.memory of container cart in shop/cart: (none) → 1Gi']);
    expect(result.ok).toBe(true);
    expect(loose(find(h.fixtures.deployments, 'cart')).spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1000m', memory: '1Gi' } });
  });

  it('does nothing when the deployment changed since the preview', async () => {
    const params = paramsOf(a, 'shop/api', 'api', '--memory', '1Gi');
    const preview = await a.preview(h.target, params, actionContext());
    loose(find(h.fixtures.deployments, 'api')).metadata.generation = 9;
    const result = await a.execute(h.target, params, preview.guard, actionContext());
    expect(result).toMatchObject({ ok: false });
    expect(result.summary).toContain('changed since the preview');
    expect(writes(h.server)).toEqual([]);
  });

  it('reports a rollout that does not complete', async () => {
    h.server.simulate({ rollout: 'stuck' });
    const params = paramsOf(a, 'shop/api', 'api', '--memory', '1Gi');
    await previewAndRun(a, h, params);
    const verified = await a.verify(h.target, params, actionContext(400));
    expect(verified.ok).toBe(false);
    expect(verified.summary).toContain('not complete by the deadline');
  });
});
