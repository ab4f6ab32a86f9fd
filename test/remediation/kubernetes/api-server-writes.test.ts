/** The write side of the test API server answers as a Kubernetes API server does, for what the actions send. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, TEST_TOKEN, type KubeApiServer } from '../../kube/api-server.js';
import type { KubeFixtures } from '../../kube/fixtures.js';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../kube/patch.js';
import { CART_PODS, find, remediationFixtures } from './cluster.js';
import { loose } from './helpers.js';

let server: KubeApiServer;
let f: KubeFixtures;
beforeAll(async () => {
  server = await startKubeApiServer(remediationFixtures(), { writes: true, simulation: { rolloutMs: 20 } });
});
beforeEach(() => {
  f = remediationFixtures();
  server.setFixtures(f);
});
afterAll(async () => {
  await server.close();
});

const send = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: loose(await res.json()) };
};
const DEPLOY = '/apis/apps/v1/namespaces/shop/deployments';
const SMP = 'application/strategic-merge-patch+json';

describe('patch formats', () => {
  it('strategic merge merges lists by their key, deletes with null and $patch: delete', () => {
    const doc = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'b', image: 'y' }], nodeSelector: { zone: 'a' } } };
    const out = loose(strategicMergePatch(doc, { spec: { containers: [{ name: 'a', env: [{ name: 'B', $patch: 'delete' }, { name: 'C', value: '3' }] }], nodeSelector: null } }));
    expect(out.spec.containers).toEqual([{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }] }, { name: 'b', image: 'y' }]);
    expect(out.spec).not.toHaveProperty('nodeSelector');
    expect(loose(mergePatch(doc, { spec: { containers: [{ name: 'c' }] } })).spec.containers).toEqual([{ name: 'c' }]);
    expect(jsonPatch({ a: { b: 1 } }, [{ op: 'replace', path: '/a/b', value: 2 }, { op: 'add', path: '/a/c~1d', value: 3 }])).toEqual({ a: { b: 2, 'c/d': 3 } });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow('testing value /a failed');
  });
});

describe('the test API server with writes', () => {
  it('bumps the generation for spec changes only and rolls out a new ReplicaSet', async () => {
    const meta = await send('PATCH', `${DEPLOY}/api`, { metadata: { annotations: { team: 'checkout' } } }, SMP);
    expect(meta.body.metadata).toMatchObject({ generation: 1, annotations: { team: 'checkout', 'deployment.kubernetes.io/revision': '7' } });
    const spec = await send('PATCH', `${DEPLOY}/api`, { spec: { template: { spec: { containers: [{ name: 'api', image: 'registry.example.com/shop/api:2.4.1' }] } } } }, SMP);
    expect(spec.body.metadata.generation).toBe(2);
    expect(spec.body.spec.template.spec.containers[0].resources.limits.memory).toBe('512Mi');
    const rs = f.replicasets.filter((r) => r.metadata.name.startsWith('api-'));
    expect(rs).toHaveLength(2);
    expect(rs[1]!.metadata).toMatchObject({ labels: { app: 'api', 'pod-template-hash': expect.stringMatching(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/) }, annotations: { 'deployment.kubernetes.io/revision': '8' } });
    await new Promise((r) => setTimeout(r, 60));
    expect(loose(find(f.deployments, 'api')).status).toMatchObject({ observedGeneration: 2, updatedReplicas: 3, readyReplicas: 3 });
  });

  it('refuses what a real API server refuses', async () => {
    expect((await send('PATCH', `${DEPLOY}/api`, { spec: {} }, 'application/apply-patch+yaml')).status).toBe(415);
    const test = await send('PATCH', `${DEPLOY}/api`, [{ op: 'test', path: '/metadata/generation', value: 9 }], 'application/json-patch+json');
    expect(test).toMatchObject({ status: 422, body: { reason: 'Invalid', message: 'testing value /metadata/generation failed' } });
    const both = { spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] } } } };
    expect((await send('PATCH', `${DEPLOY}/api`, both, SMP)).body.message).toContain('may not be specified when `value` is not empty');
    const stale = await send('PUT', `${DEPLOY}/api/scale`, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'api', resourceVersion: '1' }, spec: { replicas: 2 } });
    expect(stale).toMatchObject({ status: 409, body: { reason: 'Conflict' } });
    const uid = await send('DELETE', `/api/v1/namespaces/shop/pods/${CART_PODS[0]}`, { preconditions: { uid: 'other' } });
    expect(uid).toMatchObject({ status: 409, body: { message: expect.stringContaining('Precondition failed: UID in precondition: other') } });
    expect(loose(find(f.deployments, 'api')).metadata.generation).toBe(1);
  });

  it('serves the scale subresource, budgets with their status, and answers a blocked eviction 429', async () => {
    expect((await send('GET', `${DEPLOY}/cart/scale`)).body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=cart' } });
    const pdbs = await send('GET', '/apis/policy/v1/namespaces/shop/poddisruptionbudgets');
    expect(pdbs.body).toMatchObject({ kind: 'PodDisruptionBudgetList', items: [{ status: { expectedPods: 2, currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 } }] });
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: CART_PODS[0], namespace: 'shop' } };
    const blocked = await send('POST', `/api/v1/namespaces/shop/pods/${CART_PODS[0]}/eviction`, eviction);
    expect(blocked).toEqual({
      status: 429,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        reason: 'TooManyRequests',
        details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget cart needs 2 healthy pods and has 2 currently' }] },
        code: 429,
      },
    });
    expect((await send('POST', `/api/v1/namespaces/shop/pods/${CART_PODS[0]}/eviction`, { ...eviction, metadata: { name: 'x' } })).status).toBe(400);
    loose(f.pdbs![0]).spec = { maxUnavailable: '50%', selector: { matchLabels: { app: 'cart' } } };
    expect((await send('POST', `/api/v1/namespaces/shop/pods/${CART_PODS[0]}/eviction`, eviction)).body).toMatchObject({ status: 'Success', code: 201 });
    expect(f.pods.map((p) => p.metadata.name)).not.toContain(CART_PODS[0]);
    expect((await send('GET', '/apis')).body.groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['networking.k8s.io', 'policy']));
  });
});
