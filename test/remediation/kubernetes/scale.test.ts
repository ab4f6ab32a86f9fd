/** k8s.scale: the scale subresource, bounded replicas, the autoscaler warned about, ready replicas verified. */
import { describe, expect, it } from 'vitest';
import { kubernetesActions } from '../../../src/adapters/targets/kubernetes/actions/index.js';
import type { ScaleParams } from '../../../src/adapters/targets/kubernetes/actions/scale.js';
import { find } from './cluster.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const scale = action<ScaleParams>('k8s.scale');

describe('k8s.scale', () => {
  it('previews the change and the autoscaler that manages the deployment', async () => {
    const p = await scale.preview(h.target, paramsOf(scale, 'shop/cart', '4'), actionContext());
    expect(p.current).toEqual([
      'deployment shop/cart: 2 replicas wanted, 2 ready, 2 updated (generation 1)',
      'images: cart=registry.example.com/shop/cart:1.12.0',
      'HorizontalPodAutoscaler cart manages its replicas (2 to 10): it may change them back',
    ]);
    expect(p.change).toEqual(['scale deployment shop/cart from 2 to 4 replicas (scale subresource)']);
    expect(p.guard).toEqual({ uid: find(h.fixtures.deployments, 'cart').metadata.uid, replicas: 2 });
    const none = await scale.preview(h.target, paramsOf(scale, 'shop/notifier', '0'), actionContext());
    expect(none.current).toHaveLength(2);
    expect(none.change).toEqual(['scale deployment shop/notifier from 1 to 0 replicas (scale subresource): every pod stops']);
  });

  it('puts the Scale it read, with its resourceVersion, and nothing else', async () => {
    const rv = find(h.fixtures.deployments, 'cart').metadata['resourceVersion'];
    const { result } = await previewAndRun(scale, h, paramsOf(scale, 'shop/cart', '4'));
    expect(result).toEqual({ ok: true, summary: 'shop/cart scaled from 2 to 4 replicas', before: { replicas: 2 }, after: { replicas: 4 } });
    expect(h.server.requests.map((r) => `${r.method} ${r.path}`)).toContain('GET /apis/apps/v1/namespaces/shop/deployments/cart/scale');
    expect(writes(h.server)).toEqual([
      {
        method: 'PUT',
        path: '/apis/apps/v1/namespaces/shop/deployments/cart/scale',
        contentType: 'application/json',
        body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'cart', namespace: 'shop', resourceVersion: rv }, spec: { replicas: 4 } },
      },
    ]);
    expect(loose(find(h.fixtures.deployments, 'cart')).metadata.generation).toBe(2);
  });

  it('verifies when the ready replicas reach the count, and reports them when they do not', async () => {
    await previewAndRun(scale, h, paramsOf(scale, 'shop/cart', '4'));
    expect(await scale.verify(h.target, paramsOf(scale, 'shop/cart', '4'), actionContext(2000))).toEqual({ ok: true, summary: 'shop/cart: 4 of 4 replicas ready' });
    h.server.simulate({ rollout: 'stuck' });
    await previewAndRun(scale, h, paramsOf(scale, 'shop/cart', '6'));
    expect(await scale.verify(h.target, paramsOf(scale, 'shop/cart', '6'), actionContext(300))).toEqual({
      ok: false,
      summary: 'shop/cart did not reach 6 ready replicas by the deadline: 4 of 6 ready, 6 running',
    });
  });

  it('refuses the count it already has, a namespace outside the target, and a change since the preview', async () => {
    expect((await scale.preview(h.target, paramsOf(scale, 'shop/cart', '2'), actionContext())).refusal).toBe('shop/cart already has 2 replicas wanted');
    expect((await scale.preview(h.target, paramsOf(scale, 'payments/cart', '2'), actionContext())).refusal).toBe('deployment payments/cart not found');
    expect((await scale.preview(h.target, paramsOf(scale, 'prod/cart', '2'), actionContext())).refusal).toMatch(/^namespace "prod" is not one Firebreak may change on prod/);
    const params = paramsOf(scale, 'shop/cart', '5');
    const p = await scale.preview(h.target, params, actionContext());
    loose(find(h.fixtures.deployments, 'cart')).spec.replicas = 3;
    expect(await scale.execute(h.target, params, p.guard, actionContext())).toEqual({ ok: false, summary: 'shop/cart changed since the preview (replicas 2 → 3): preview again' });
    expect(writes(h.server)).toEqual([]);
  });

  it('takes 0 to maxReplicas and says the bound otherwise', () => {
    expect(paramsOf(scale, 'shop/cart', '0')).toEqual({ namespace: 'shop', name: 'cart', replicas: 0 });
    expect(paramsOf(scale, 'shop/cart', '20')).toMatchObject({ replicas: 20 });
    for (const bad of ['-1', 'abc', '21', '2.5', '1e1', ''])
      expect(paramError(scale, 'shop/cart', bad)).toBe(`replicas must be a whole number from 0 to 20, got ${JSON.stringify(bad)}`);
    const five = kubernetesActions({ maxReplicas: 5 }).find((a) => a.id === 'k8s.scale')!;
    expect(paramError(five, 'shop/cart', '6')).toBe('replicas must be a whole number from 0 to 5, got "6"');
    expect(paramError(scale, 'shop/cart')).toBe('expected <ns>/<deployment> <replicas>, got 1 argument');
    expect(() => kubernetesActions({ maxReplicas: 0 })).toThrow('maxReplicas must be a whole number ≥ 1, got 0');
  });
});
