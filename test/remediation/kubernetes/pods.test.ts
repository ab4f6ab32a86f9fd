/** k8s.delete-pod and k8s.delete-failed-pods: deletes guarded by uid, only what the preview listed. */
import { describe, expect, it } from 'vitest';
import type { Ref } from '../../../src/adapters/targets/kubernetes/actions/params.js';
import { POD } from '../../kube/fixtures.js';
import { EVICTED, find } from './cluster.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const deletePod = action<Ref>('k8s.delete-pod');
const deleteFailed = action<{ namespace: string }>('k8s.delete-failed-pods');
const names = () => h.fixtures.pods.map((p) => p.metadata.name);

describe('k8s.delete-pod', () => {
  it('previews the pod and what replaces it', async () => {
    const p = await deletePod.preview(h.target, paramsOf(deletePod, `shop/${POD.crash}`), actionContext());
    expect(p.current).toEqual([`shop/${POD.crash}: Running (CrashLoopBackOff), 0/1 ready, 12 restarts, node node-a, ReplicaSet api-7d9f8c6b5d, 3h old`]);
    expect(p.change).toEqual([`delete pod shop/${POD.crash} (its containers get 30s to stop)`, 'ReplicaSet api-7d9f8c6b5d replaces it with a new pod under another name']);
    expect(p.guard).toEqual({ uid: find(h.fixtures.pods, POD.crash).metadata.uid });
  });

  it('deletes it with its uid as a precondition; its ReplicaSet makes another; verify sees it gone', async () => {
    const uid = find(h.fixtures.pods, POD.crash).metadata.uid;
    const { result } = await previewAndRun(deletePod, h, paramsOf(deletePod, `shop/${POD.crash}`));
    expect(result).toEqual({ ok: true, summary: `pod shop/${POD.crash} deleted`, before: { uid } });
    expect(writes(h.server)).toEqual([
      { method: 'DELETE', path: `/api/v1/namespaces/shop/pods/${POD.crash}`, contentType: 'application/json', body: { preconditions: { uid } } },
    ]);
    expect(names()).not.toContain(POD.crash);
    expect(names().filter((n) => n.startsWith('api-7d9f8c6b5d-'))).toHaveLength(3);
    expect(await deletePod.verify(h.target, paramsOf(deletePod, `shop/${POD.crash}`), actionContext())).toEqual({ ok: true, summary: `pod shop/${POD.crash} is gone` });
  });

  it('reports a pod still terminating at the deadline', async () => {
    h.server.simulate({ terminationMs: 5000 });
    await previewAndRun(deletePod, h, paramsOf(deletePod, `shop/${POD.apiOk}`));
    expect(await deletePod.verify(h.target, paramsOf(deletePod, `shop/${POD.apiOk}`), actionContext(200))).toEqual({
      ok: false,
      summary: `not confirmed by the deadline: pod shop/${POD.apiOk} is still terminating`,
    });
    expect((await deletePod.preview(h.target, paramsOf(deletePod, `shop/${POD.apiOk}`), actionContext())).refusal).toMatch(/is already being deleted \(since 20/);
  });

  it('deletes nothing when a pod of the same name replaced the previewed one', async () => {
    const params = paramsOf(deletePod, `shop/${POD.oom}`);
    const p = await deletePod.preview(h.target, params, actionContext());
    find(h.fixtures.pods, POD.oom).metadata.uid = 'recreated';
    const r = await deletePod.execute(h.target, params, p.guard, actionContext());
    expect(r).toEqual({ ok: false, summary: `pod shop/${POD.oom} is another pod than the one previewed (recreated under the same name): nothing deleted` });
    expect(names()).toContain(POD.oom);
  });

  it('refuses an unknown pod, a static pod and a namespace outside the target', async () => {
    expect((await deletePod.preview(h.target, paramsOf(deletePod, 'shop/nope'), actionContext())).refusal).toBe('pod shop/nope not found');
    expect((await deletePod.preview(h.target, paramsOf(deletePod, 'kube-system/kube-proxy-node-a'), actionContext())).refusal).toMatch(/^namespace "kube-system" is not one/);
    const withSystem = { ...h.target, namespaces: ['shop', 'kube-system'] };
    expect((await deletePod.preview(withSystem, paramsOf(deletePod, 'kube-system/kube-proxy-node-a'), actionContext())).refusal).toBe(
      'kube-system/kube-proxy-node-a is a static pod of node node-a: the kubelet recreates it, deleting it does nothing',
    );
    expect(paramError(deletePod, `shop/${POD.crash}/x`)).toBe(`expected <namespace>/<pod>, e.g. shop/api; got "shop/${POD.crash}/x"`);
    expect(writes(h.server)).toEqual([]);
  });
});

describe('k8s.delete-failed-pods', () => {
  it('lists the pods in phase Failed, and says CrashLoopBackOff pods are not among them', async () => {
    const p = await deleteFailed.preview(h.target, paramsOf(deleteFailed, 'shop'), actionContext());
    const why = 'Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: 85432Ki.';
    expect(p.current).toEqual([
      '2 pods in phase Failed in shop:',
      ...EVICTED.map((n) => `shop/${n}: Failed (${why}), 0/1 ready, node node-b, ReplicaSet web-6f8d7c9b4, 5h old`),
    ]);
    expect(p.change).toEqual(['delete these 2 pods', 'only pods in phase Failed: pods in CrashLoopBackOff are in phase Running and are left alone']);
    expect(h.server.requests[0]?.path).toBe('/api/v1/namespaces/shop/pods?fieldSelector=status.phase%3DFailed');
  });

  it('deletes exactly those, each with its uid, even if another pod fails meanwhile', async () => {
    const params = paramsOf(deleteFailed, 'shop');
    const p = await deleteFailed.preview(h.target, params, actionContext());
    const late = structuredClone(find(h.fixtures.pods, EVICTED[0]));
    late.metadata = { ...late.metadata, name: 'web-6f8d7c9b4-l4t3r', uid: 'late' };
    h.fixtures.pods.push(late);
    const r = await deleteFailed.execute(h.target, params, p.guard, actionContext());
    expect(r).toMatchObject({ ok: true, summary: 'deleted 2 of 2 failed pods in shop' });
    expect(writes(h.server).sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      EVICTED.map((n) => ({ method: 'DELETE', path: `/api/v1/namespaces/shop/pods/${n}`, contentType: 'application/json', body: { preconditions: { uid: loose(p.guard).pods[n] } } })),
    );
    expect(names()).toContain(POD.crash);
    expect(await deleteFailed.verify(h.target, params, actionContext(100))).toEqual({ ok: false, summary: '1 failed pods in shop: web-6f8d7c9b4-l4t3r' });
    h.fixtures.pods.splice(h.fixtures.pods.indexOf(late), 1);
    expect(await deleteFailed.verify(h.target, params, actionContext())).toEqual({ ok: true, summary: 'no failed pod left in shop' });
  });

  it('refuses a namespace without failed pods and one outside the target', async () => {
    expect((await deleteFailed.preview(h.target, paramsOf(deleteFailed, 'payments'), actionContext())).refusal).toBe(
      'no pod in phase Failed in payments (only pods in phase Failed: pods in CrashLoopBackOff are in phase Running and are left alone)',
    );
    expect((await deleteFailed.preview(h.target, paramsOf(deleteFailed, 'kube-system'), actionContext())).refusal).toMatch(/^namespace "kube-system" is not one/);
    expect(paramError(deleteFailed, 'shop/api')).toContain('"shop/api" is not a valid namespace');
  });
});
