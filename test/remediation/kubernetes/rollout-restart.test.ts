/** k8s.rollout-restart: the restartedAt annotation kubectl sets, guarded by the generation; verified by the rollout. */
import { describe, expect, it } from 'vitest';
import type { Ref } from '../../../src/adapters/targets/kubernetes/actions/params.js';
import { find } from './cluster.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const restart = action<Ref>('k8s.rollout-restart');

describe('k8s.rollout-restart', () => {
  it('previews replicas, readiness, images and what the restart does', async () => {
    const p = await restart.preview(h.target, paramsOf(restart, 'shop/api'), actionContext());
    expect(p.refusal).toBeUndefined();
    expect(p.current).toEqual([
      'deployment shop/api: 3 replicas wanted, 2 ready, 3 updated (generation 1)',
      'images: api=registry.example.com/shop/api:2.4.0',
    ]);
    expect(p.change).toEqual([
      'set pod template annotation kubectl.kubernetes.io/restartedAt to the time of execution on shop/api',
      'its 3 pods are replaced by RollingUpdate (maxUnavailable 25%, maxSurge 25%)',
    ]);
    expect(p.guard).toEqual({ uid: find(h.fixtures.deployments, 'api').metadata.uid, generation: 1 });
    expect(writes(h.server)).toEqual([]);
  });

  it('patches the pod template annotation with the time of execution, as a strategic merge patch', async () => {
    const { result } = await previewAndRun(restart, h, paramsOf(restart, 'shop/api'));
    expect(result).toMatchObject({ ok: true, summary: 'restart of shop/api started (kubectl.kubernetes.io/restartedAt=2025-03-14T09:26:53Z, generation 2)' });
    expect(writes(h.server)).toEqual([
      {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/deployments/api',
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-03-14T09:26:53Z' } } } } },
      },
    ]);
    const stored = loose(find(h.fixtures.deployments, 'api'));
    expect(stored.metadata.generation).toBe(2);
    expect(stored.spec.template.metadata.labels).toEqual({ app: 'api' });
    expect(stored.spec.template.spec.containers[0].image).toBe('registry.example.com/shop/api:2.4.0');
  });

  it('verifies once the simulated rollout of the new generation completes', async () => {
    await previewAndRun(restart, h, paramsOf(restart, 'shop/api'));
    const v = await restart.verify(h.target, paramsOf(restart, 'shop/api'), actionContext(2000));
    expect(v).toEqual({ ok: true, summary: 'rollout of shop/api complete: 3 of 3 updated, 3 ready, 3 available, 3 running (generation 2 of 2 observed)' });
  });

  it('reports the progress when the rollout does not complete by the deadline', async () => {
    h.server.simulate({ rollout: 'stuck' });
    await previewAndRun(restart, h, paramsOf(restart, 'shop/api'));
    const started = Date.now();
    const v = await restart.verify(h.target, paramsOf(restart, 'shop/api'), actionContext(400));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(v).toEqual({ ok: false, summary: 'rollout of shop/api not complete by the deadline: 1 of 3 updated, 2 ready, 2 available, 3 running (generation 2 of 2 observed)' });
  });

  it('says a rollout stalled (ProgressDeadlineExceeded) at once', async () => {
    const v = await restart.verify(h.target, paramsOf(restart, 'shop/web'), actionContext(2000));
    expect(v.ok).toBe(false);
    expect(v.summary).toBe('rollout of shop/web stalled: ReplicaSet "web-5c4b9f7d8" has timed out progressing; 2 of 4 updated, 3 ready, 3 available, 5 running (generation 1 of 1 observed)');
  });

  it('refuses a paused deployment, an unknown one and a namespace outside the target', async () => {
    loose(find(h.fixtures.deployments, 'cart')).spec.paused = true;
    const paused = await restart.preview(h.target, paramsOf(restart, 'shop/cart'), actionContext());
    expect(paused.refusal).toBe('rollouts of shop/cart are paused: resume it first (kubectl rollout resume deployment/cart -n shop)');
    expect(paused.current).toContain('rollouts are paused');
    expect((await restart.preview(h.target, paramsOf(restart, 'shop/nope'), actionContext())).refusal).toBe('deployment shop/nope not found');
    const outside = await restart.preview(h.target, paramsOf(restart, 'kube-system/coredns'), actionContext());
    expect(outside.refusal).toBe('namespace "kube-system" is not one Firebreak may change on prod (allowed: shop, payments)');
    expect(h.server.requests.filter((r) => r.path.includes('kube-system'))).toEqual([]);
  });

  it('does nothing when the deployment changed since the preview', async () => {
    const params = paramsOf(restart, 'shop/api');
    const p = await restart.preview(h.target, params, actionContext());
    loose(find(h.fixtures.deployments, 'api')).metadata.generation = 2;
    const r = await restart.execute(h.target, params, p.guard, actionContext());
    expect(r).toEqual({ ok: false, summary: 'deployment shop/api changed since the preview (generation 1 → 2): preview again' });
    expect(writes(h.server)).toEqual([]);
  });

  it('parses <ns>/<deployment> and nothing else', () => {
    expect(paramsOf(restart, 'shop/api')).toEqual({ namespace: 'shop', name: 'api' });
    expect(paramError(restart, 'api')).toBe('expected <namespace>/<deployment>, e.g. shop/api; got "api"');
    expect(paramError(restart, 'shop/API')).toContain('"API" is not a valid deployment name');
    expect(paramError(restart, 'shop/api', 'now')).toBe('expected <ns>/<deployment>, got 2 arguments');
    expect(paramError(restart)).toBe('expected <ns>/<deployment>, got 0 arguments');
  });
});
