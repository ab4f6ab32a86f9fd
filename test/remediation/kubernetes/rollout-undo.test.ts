/** k8s.rollout-undo: kubectl's rollback from the ReplicaSet history, as a JSON patch of the pod template. */
import { describe, expect, it } from 'vitest';
import type { UndoParams } from '../../../src/adapters/targets/kubernetes/actions/rollout-undo.js';
import { podTemplate } from '../../kube/builders.js';
import { find } from './cluster.js';
import { action, actionContext, loose, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const undo = action<UndoParams>('k8s.rollout-undo');
const WEB_OLD = { app: 'web', image: 'registry.example.com/shop/web:2.4.3', replicas: 4 };

describe('k8s.rollout-undo', () => {
  it('previews the revision it goes back to and what changes in the template', async () => {
    const p = await undo.preview(h.target, paramsOf(undo, 'shop/web'), actionContext());
    expect(p.refusal).toBeUndefined();
    expect(p.current).toEqual([
      'deployment shop/web: 4 replicas wanted, 3 ready, 2 updated (generation 1)',
      'images: web=registry.example.com/shop/web:2.5.0',
      'at revision 7',
    ]);
    expect(p.change).toEqual([
      "replace the pod template of shop/web with revision 6's (ReplicaSet web-6f8d7c9b4, without its pod-template-hash label)",
      'images: web=registry.example.com/shop/web:2.5.0 → web=registry.example.com/shop/web:2.4.3',
      'fields that change: spec.containers[0].image',
    ]);
    expect(p.guard).toMatchObject({ generation: 1, revision: 6, replicaSet: find(h.fixtures.replicasets, 'web-6f8d7c9b4').metadata.uid });
  });

  it("sends the old ReplicaSet's template without pod-template-hash, as kubectl's JSON patch", async () => {
    const { result } = await previewAndRun(undo, h, paramsOf(undo, 'shop/web'));
    expect(result).toMatchObject({ ok: true, summary: 'shop/web rolled back to revision 6 (web=registry.example.com/shop/web:2.4.3); rollout started' });
    const sent = writes(h.server);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/shop/deployments/web', contentType: 'application/json-patch+json' });
    expect(sent[0]!.body).toEqual([
      { op: 'test', path: '/metadata/generation', value: 1 },
      { op: 'replace', path: '/spec/template', value: podTemplate(WEB_OLD) },
      { op: 'add', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '7' } },
    ]);
    expect(JSON.stringify(sent[0]!.body)).not.toContain('pod-template-hash');
  });

  it('lets the controller reuse the old ReplicaSet at a new revision, and verifies the rollout', async () => {
    await previewAndRun(undo, h, paramsOf(undo, 'shop/web'));
    const v = await undo.verify(h.target, paramsOf(undo, 'shop/web'), actionContext(2000));
    expect(v).toEqual({ ok: true, summary: 'rollout of shop/web complete: 4 of 4 updated, 4 ready, 4 available, 4 running (generation 2 of 2 observed)' });
    const d = loose(find(h.fixtures.deployments, 'web'));
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('8');
    const old = loose(find(h.fixtures.replicasets, 'web-6f8d7c9b4'));
    expect(old.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '8', 'deployment.kubernetes.io/revision-history': '6' });
    expect(old.spec.replicas).toBe(4);
    expect(loose(find(h.fixtures.replicasets, 'web-5c4b9f7d8')).spec.replicas).toBe(0);
    expect(h.fixtures.replicasets.filter((r) => r.metadata.name.startsWith('web-'))).toHaveLength(2);
  });

  it('goes to the revision asked for, and refuses one that is not in the history or is the current template', async () => {
    const six = await undo.preview(h.target, paramsOf(undo, 'shop/web', '6'), actionContext());
    expect(six.guard).toMatchObject({ revision: 6 });
    expect((await undo.preview(h.target, paramsOf(undo, 'shop/web', '5'), actionContext())).refusal).toBe('revision 5 is not in the history of shop/web (revisions: 7, 6)');
    expect((await undo.preview(h.target, paramsOf(undo, 'shop/web', '7'), actionContext())).refusal).toBe(
      'the pod template of shop/web already matches revision 7: nothing to roll back',
    );
  });

  it('refuses a deployment without a previous revision, a paused one and a namespace outside the target', async () => {
    expect((await undo.preview(h.target, paramsOf(undo, 'shop/api'), actionContext())).refusal).toBe('no previous revision of shop/api to go back to (history: revision 7)');
    loose(find(h.fixtures.deployments, 'web')).spec.paused = true;
    expect((await undo.preview(h.target, paramsOf(undo, 'shop/web'), actionContext())).refusal).toMatch(/^rollouts of shop\/web are paused/);
    expect((await undo.preview(h.target, paramsOf(undo, 'default/web'), actionContext())).refusal).toMatch(/^namespace "default" is not one Firebreak may change/);
    expect(writes(h.server)).toEqual([]);
  });

  it('only counts the ReplicaSets the deployment controls', async () => {
    const stray = structuredClone(find(h.fixtures.replicasets, 'web-6f8d7c9b4'));
    stray.metadata = { ...stray.metadata, name: 'web-stray', uid: 'another', ownerReferences: [] };
    h.fixtures.replicasets.push(stray);
    const rsWebOld = find(h.fixtures.replicasets, 'web-6f8d7c9b4');
    h.fixtures.replicasets.splice(h.fixtures.replicasets.indexOf(rsWebOld), 1);
    expect((await undo.preview(h.target, paramsOf(undo, 'shop/web'), actionContext())).refusal).toBe('no previous revision of shop/web to go back to (history: revision 7)');
  });

  it('parses an optional revision', () => {
    expect(paramsOf(undo, 'shop/web')).toEqual({ namespace: 'shop', name: 'web' });
    expect(paramsOf(undo, 'shop/web', '6')).toEqual({ namespace: 'shop', name: 'web', revision: 6 });
    expect(paramError(undo, 'shop/web', '0')).toBe('revision must be a whole number from 1 to 2147483647, got "0"');
    expect(paramError(undo, 'shop/web', 'last')).toBe('revision must be a whole number from 1 to 2147483647, got "last"');
    expect(paramError(undo, 'shop/web', '6', '7')).toBe('expected <ns>/<deployment> [revision], got 3 arguments');
  });
});
