/** The test API server itself answers like a Kubernetes API server for what the probes read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, TEST_TOKEN, type KubeApiServer } from '../../kube/api-server.js';
import { NS, POD } from '../../kube/fixtures.js';

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer();
});
afterAll(async () => {
  await server.close();
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.headers ?? {}) } });

/** A JSON body, loosely typed: these tests check the wire shape itself. */
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

describe('the test Kubernetes API server', () => {
  it('lists with a List kind, a resourceVersion, and items without kind/apiVersion', async () => {
    const body = await json(get(`/api/v1/namespaces/${NS}/pods`));
    expect(body).toMatchObject({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    expect(body.items[0]).not.toHaveProperty('kind');
    expect(body.items[0].metadata).toMatchObject({ namespace: NS, uid: expect.any(String), creationTimestamp: expect.stringMatching(/Z$/), ownerReferences: [expect.objectContaining({ kind: 'ReplicaSet', controller: true })] });
  });

  it('applies label and field selectors', async () => {
    const api = await json(get(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent('app in (api,cart),!job-name')}`));
    expect(api.items.map((p: { metadata: { name: string } }) => p.metadata.name.split('-')[0]).sort()).toEqual(['api', 'api', 'api', 'cart', 'cart']);
    const pending = await json(get(`/api/v1/namespaces/${NS}/pods?fieldSelector=status.phase%3DPending`));
    expect(pending.items).toHaveLength(4);
    const warnings = await json(get(`/api/v1/namespaces/${NS}/events?fieldSelector=type%3DWarning`));
    expect(warnings.items.every((e: { type: string }) => e.type === 'Warning')).toBe(true);
  });

  it('serves logs as text with container, previous, sinceSeconds, tailLines and timestamps', async () => {
    const res = await get(`/api/v1/namespaces/${NS}/pods/${POD.crash}/log?container=api&previous=true&tailLines=2&timestamps=true`);
    expect(res.headers.get('content-type')).toBe('text/plain');
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z \S+ FATAL \[db\]/);
    const recent = await (await get(`/api/v1/namespaces/${NS}/pods/${POD.apiOk}/log?sinceSeconds=300`)).text();
    expect(recent).not.toContain('nightly export');
    const waiting = await get(`/api/v1/namespaces/${NS}/pods/${POD.config}/log`);
    expect(waiting.status).toBe(400);
    expect((await json(waiting)).message).toContain('is waiting to start: CreateContainerConfigError');
  });

  it('serves events.k8s.io/v1 events, discovery and the version', async () => {
    const events = await json(get(`/apis/events.k8s.io/v1/namespaces/${NS}/events`));
    expect(events.kind).toBe('EventList');
    expect(events.items[0]).toHaveProperty('regarding.name');
    expect((await json(get('/version'))).gitVersion).toMatch(/^v1\./);
    expect((await json(get('/apis'))).groups.map((g: { name: string }) => g.name)).toContain('metrics.k8s.io');
  });

  it('answers unknown paths and objects with a 404 Status, bad tokens with 401, writes with 405', async () => {
    const unknown = await get('/apis/networking.k8s.io/v1/namespaces/shop/ingresses');
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    expect(await json(get(`/apis/apps/v1/namespaces/${NS}/deployments/nope`))).toMatchObject({ message: 'deployments.apps "nope" not found' });
    expect((await get('/api/v1/nodes', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await get(`/api/v1/namespaces/${NS}/pods/${POD.crash}`, { method: 'DELETE' })).status).toBe(405);
    expect(server.requests.at(-1)).toEqual({ method: 'DELETE', path: `/api/v1/namespaces/${NS}/pods/${POD.crash}` });
  });
});
