/** k8s.cordon, k8s.uncordon and k8s.drain: spec.unschedulable as kubectl patches it; evictions that honour budgets. */
import { describe, expect, it } from 'vitest';
import type { NodeParams } from '../../../src/adapters/targets/kubernetes/actions/nodes.js';
import { CART_PODS, WEB_ON_C, barePod, find } from './cluster.js';
import { NOW, action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const cordon = action<NodeParams>('k8s.cordon');
const uncordon = action<NodeParams>('k8s.uncordon');
const drain = action<NodeParams>('k8s.drain');
const node = (name: string) => loose(find(h.fixtures.nodes, name));
const evictionsOf = (pod: string) => writes(h.server).filter((r) => r.path.endsWith(`/pods/${pod}/eviction`));
const BUDGET = 'The disruption budget cart needs 2 healthy pods and has 2 currently';

describe('k8s.cordon and k8s.uncordon', () => {
  it('cordons with a strategic merge patch of spec.unschedulable, then uncordons with null', async () => {
    const p = await cordon.preview(h.target, paramsOf(cordon, 'node-c'), actionContext());
    expect(p.current).toEqual(['node node-c: Ready, schedulable, 2 pods']);
    expect(p.change).toEqual(['mark node node-c unschedulable: no new pod is placed on it; the pods on it keep running']);
    const { result } = await previewAndRun(cordon, h, paramsOf(cordon, 'node-c'));
    expect(result).toEqual({ ok: true, summary: 'node node-c cordoned', before: { unschedulable: false }, after: { unschedulable: true } });
    expect(node('node-c').spec.taints).toEqual([expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })]);
    expect(await cordon.verify(h.target, paramsOf(cordon, 'node-c'), actionContext())).toEqual({ ok: true, summary: 'node node-c: Ready, cordoned (unschedulable)' });
    expect((await cordon.preview(h.target, paramsOf(cordon, 'node-c'), actionContext())).refusal).toBe('node node-c is already cordoned');

    await previewAndRun(uncordon, h, paramsOf(uncordon, 'node-c'));
    expect(writes(h.server).map(({ method, path, contentType, body }) => ({ method, path, contentType, body }))).toEqual([
      { method: 'PATCH', path: '/api/v1/nodes/node-c', contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: true } } },
      { method: 'PATCH', path: '/api/v1/nodes/node-c', contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: null } } },
    ]);
    expect(node('node-c').spec).not.toHaveProperty('unschedulable');
    expect(node('node-c').spec).not.toHaveProperty('taints');
    expect(await uncordon.verify(h.target, paramsOf(uncordon, 'node-c'), actionContext())).toEqual({ ok: true, summary: 'node node-c: Ready, schedulable' });
  });

  it('refuses a node already in that state, an unknown node and a bad name', async () => {
    expect((await uncordon.preview(h.target, paramsOf(uncordon, 'node-b'), actionContext())).refusal).toBe('node node-b is already schedulable');
    expect((await uncordon.preview(h.target, paramsOf(uncordon, 'node-b'), actionContext())).current).toEqual(['node node-b: NotReady (NodeStatusUnknown), schedulable, 4 pods']);
    expect((await cordon.preview(h.target, paramsOf(cordon, 'node-z'), actionContext())).refusal).toBe('node node-z not found');
    expect(paramError(cordon, 'Node_A')).toContain('"Node_A" is not a valid node name');
    expect(writes(h.server)).toEqual([]);
  });
});

describe('k8s.drain', () => {
  it('previews the pods it evicts and those that stay', async () => {
    const p = await drain.preview(h.target, paramsOf(drain, 'node-c'), actionContext());
    expect(p.current).toEqual(['node node-c: Ready, schedulable, 2 pods', '1 DaemonSet or static pods stay: monitoring/node-exporter-c5v8n']);
    expect(p.change).toEqual([
      'cordon node node-c (no new pods)',
      `evict 1 pods, honouring PodDisruptionBudgets (a refused eviction is retried until the deadline, never forced): shop/${WEB_ON_C}`,
    ]);
  });

  it('cordons, then evicts each pod with a policy/v1 Eviction carrying its uid; verify sees the node empty', async () => {
    const uid = find(h.fixtures.pods, WEB_ON_C).metadata.uid;
    const params = paramsOf(drain, 'node-c');
    const p = await drain.preview(h.target, params, actionContext());
    h.fixtures.pods.push(barePod(NOW.getTime(), 'arrived-later', 'node-c'));
    const r = await drain.execute(h.target, params, p.guard, actionContext());
    expect(r).toMatchObject({ ok: true, summary: 'node node-c cordoned; 1 of 1 pods evicted', after: { evicted: [`shop/${WEB_ON_C}`], blocked: [] } });
    expect(writes(h.server)).toEqual([
      { method: 'PATCH', path: '/api/v1/nodes/node-c', contentType: 'application/strategic-merge-patch+json', body: { spec: { unschedulable: true } } },
      {
        method: 'POST',
        path: `/api/v1/namespaces/shop/pods/${WEB_ON_C}/eviction`,
        contentType: 'application/json',
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: WEB_ON_C, namespace: 'shop' }, deleteOptions: { preconditions: { uid } } },
      },
    ]);
    expect((await drain.verify(h.target, params, actionContext(100))).summary).toBe('1 pods still on node node-c: shop/arrived-later');
    h.fixtures.pods.splice(h.fixtures.pods.findIndex((x) => x.metadata.name === 'arrived-later'), 1);
    expect(await drain.verify(h.target, params, actionContext())).toEqual({ ok: true, summary: 'node node-c drained: cordoned, only 1 DaemonSet or static pods left' });
    expect((await drain.preview(h.target, params, actionContext())).refusal).toBe('node node-c is cordoned and has no pod to evict: nothing to drain');
  });

  it('stops at a PodDisruptionBudget: retries until the deadline, then reports the blocked pods', async () => {
    const params = paramsOf(drain, 'node-a');
    const p = await drain.preview(h.target, params, actionContext());
    expect(p.current).toContain(
      `PodDisruptionBudget shop/cart (2 healthy needed, 2 healthy, 0 disruptions allowed) covers shop/${CART_PODS[0]}, shop/${CART_PODS[1]}: some evictions will wait for replacements, until the deadline`,
    );
    expect(p.current[1]).toBe('2 DaemonSet or static pods stay: monitoring/node-exporter-x7d2k, kube-system/kube-proxy-node-a');
    // The deadline comes once the first cart pod has been refused four times, however fast or slow
    // the machine: the drain must have retried, and must stop at its next refusal after it.
    const ctx = actionContext(20_000);
    const reach = setInterval(() => {
      if (evictionsOf(CART_PODS[0]).length >= 4) ctx.deadline = Date.now();
    }, 5);
    const r = await drain.execute(h.target, params, p.guard, ctx).finally(() => clearInterval(reach));
    expect(r.ok).toBe(false);
    expect(r.summary).toBe(
      `node node-a cordoned; 10 of 12 pods evicted; 2 blocked by a PodDisruptionBudget until the deadline, not forced: shop/${CART_PODS[0]} (${BUDGET}), shop/${CART_PODS[1]} (${BUDGET})`,
    );
    expect(loose(r.after).blocked).toEqual(CART_PODS.map((c) => ({ pod: `shop/${c}`, reason: BUDGET })));
    expect(evictionsOf(CART_PODS[0]).length).toBeGreaterThanOrEqual(4);
    // Retrying every 20 ms until the 20-second abort would be hundreds of attempts.
    expect(evictionsOf(CART_PODS[0]).length).toBeLessThanOrEqual(6);
    expect(writes(h.server).filter((w) => w.method === 'DELETE')).toEqual([]);
    expect(h.fixtures.pods.filter((x) => x.metadata.name.startsWith('cart-') && (x.spec as { nodeName?: string }).nodeName === 'node-a')).toHaveLength(2);
    const v = await drain.verify(h.target, params, actionContext(100));
    expect(v).toEqual({ ok: false, summary: `2 pods still on node node-a: shop/${CART_PODS[0]}, shop/${CART_PODS[1]}` });
  });

  it('evicts a pod once its budget allows it within the deadline', async () => {
    const params = paramsOf(drain, 'node-a');
    const p = await drain.preview(h.target, params, actionContext());
    // The budget allows it only once the pod's eviction has been refused at least once, however
    // fast or slow the machine: the drain must have retried to get it.
    const relax = setInterval(() => {
      if (evictionsOf(CART_PODS[1]).length >= 1) loose(h.fixtures.pdbs![0]).spec.minAvailable = 0;
    }, 5);
    const r = await drain.execute(h.target, params, p.guard, actionContext(3000)).finally(() => clearInterval(relax));
    expect(r).toMatchObject({ ok: true, summary: 'node node-a cordoned; 12 of 12 pods evicted' });
    expect(evictionsOf(CART_PODS[1]).length).toBeGreaterThan(1);
  });

  it('refuses a node with pods of namespaces outside the target, or pods without a controller', async () => {
    expect((await drain.preview(h.target, paramsOf(drain, 'node-b'), actionContext())).refusal).toBe(
      'node node-b runs pods in namespaces Firebreak may not change on prod (allowed: shop, payments): kube-system/coredns-5d78c9869d-q8w2e; drain it with kubectl',
    );
    h.fixtures.pods.push(barePod(NOW.getTime(), 'debug-shell', 'node-c'));
    expect((await drain.preview(h.target, paramsOf(drain, 'node-c'), actionContext())).refusal).toBe(
      'node node-c runs pods without a controller, which nothing would recreate: shop/debug-shell (kubectl drain refuses them too without --force); move or delete them first',
    );
    expect(writes(h.server)).toEqual([]);
  });
});
