/**
 * The test API server's networking, storage and cleanup APIs answer as a real cluster's would:
 * EndpointSlices derived from the pods, metadata-only Secrets, a CRD that may be absent, the node
 * proxy's stats summary, and Jobs deleted with or without their pods.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, TEST_TOKEN, type KubeApiServer } from '../../kube/api-server.js';
import { extendedFixtures } from '../../kube/extras.js';
import { NS, POD, type KubeFixtures } from '../../kube/fixtures.js';

let server: KubeApiServer;
let fixtures: KubeFixtures;
beforeAll(async () => {
  server = await startKubeApiServer(extendedFixtures(), { writes: true });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  fixtures = extendedFixtures();
  server.setFixtures(fixtures);
  server.forbid(null);
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.headers ?? {}) } });
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

describe('the test API server, networking and storage', () => {
  it('derives EndpointSlices from the pods: ready only when the pod is Ready, none for a Service without selector', async () => {
    const body = await json(call(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=${encodeURIComponent('kubernetes.io/service-name=search')}`));
    expect(body.kind).toBe('EndpointSliceList');
    expect(body.items).toHaveLength(1);
    // The Pending search pod has no IP: only the running, unready one is an endpoint.
    expect(body.items[0].endpoints.map((e: any) => e.conditions.ready)).toEqual([false]);
    const api = await json(call(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=${encodeURIComponent('kubernetes.io/service-name=api')}`));
    expect(api.items[0].endpoints.filter((e: any) => e.conditions.ready)).toHaveLength(2);
    const legacy = await json(call(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=${encodeURIComponent('kubernetes.io/service-name=legacy-db')}`));
    expect(legacy.items).toEqual([]);
  });

  it('gives Secrets with their data, or only their metadata when asked for PartialObjectMetadataList', async () => {
    const full = await json(call(`/api/v1/namespaces/${NS}/secrets`));
    expect(JSON.stringify(full)).toContain(Buffer.from('do-not-leak-this-value').toString('base64'));
    const res = await call(`/api/v1/namespaces/${NS}/secrets`, { headers: { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' } });
    const meta: any = await res.json();
    expect(meta.kind).toBe('PartialObjectMetadataList');
    expect(meta.items.map((i: any) => i.metadata.name).sort()).toEqual(['api-secrets', 'storefront-tls']);
    expect(meta.items[0]).not.toHaveProperty('data');
    expect(JSON.stringify(meta)).not.toContain(Buffer.from('do-not-leak-this-value').toString('base64'));
  });

  it('answers 404 for Certificates when cert-manager is not installed', async () => {
    expect((await json(call(`/apis/cert-manager.io/v1/namespaces/${NS}/certificates`))).items).toHaveLength(4);
    server.setFixtures({ ...fixtures, certificates: undefined });
    const res = await call(`/apis/cert-manager.io/v1/namespaces/${NS}/certificates`);
    expect(res.status).toBe(404);
    const groups = await json(call('/apis'));
    expect(groups.groups.map((g: any) => g.name)).not.toContain('cert-manager.io');
  });

  it("serves a node's stats summary with the claims' usage, 503 for a node that does not answer", async () => {
    const summary = await json(call('/api/v1/nodes/node-a/proxy/stats/summary'));
    expect(summary.node.nodeName).toBe('node-a');
    const volumes = summary.pods.flatMap((p: any) => p.volume.filter((v: any) => v.pvcRef));
    expect(volumes.map((v: any) => v.pvcRef.name).sort()).toEqual(['api-cache', 'cart-data']);
    expect((await call('/api/v1/nodes/node-b/proxy/stats/summary')).status).toBe(503);
    expect((await call('/api/v1/nodes/nope/proxy/stats/summary')).status).toBe(404);
  });

  it('deletes a Job leaving its pods by default (Orphan), and with them with propagationPolicy Background', async () => {
    const del = (name: string, body?: object) =>
      call(`/apis/batch/v1/namespaces/${NS}/jobs/${name}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect((await del('db-migrate-28931045')).status).toBe(200);
    const orphan = fixtures.pods.find((p) => p.metadata.name === POD.job)!;
    expect(orphan.metadata['ownerReferences']).toEqual([]);
    expect((await del('report-28931100', { propagationPolicy: 'Background' })).status).toBe(200);
    expect(fixtures.pods.some((p) => p.metadata.name.startsWith('report-28931100'))).toBe(false);
    expect((await del('report-28931100')).status).toBe(404);
    expect((await del('sync-28931160', { preconditions: { uid: 'other' } })).status).toBe(409);
  });

  it('refuses a deployment whose memory request is above its limit, as the API server validates it', async () => {
    const res = await call(`/apis/apps/v1/namespaces/${NS}/deployments/api`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '128Mi' } } }] } } } }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toContain('must be less than or equal to memory limit of 128Mi');
  });
});
