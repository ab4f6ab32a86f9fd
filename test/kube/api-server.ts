/**
 * A local HTTP server speaking the part of the Kubernetes REST API the diagnostics read, from
 * fixtures: lists with `kind: PodList` and a resourceVersion (items without kind/apiVersion, as the
 * API server returns them), single objects, pod logs as text/plain, `Status` objects for errors,
 * label and field selectors, bearer-token authentication. It records every request (with its
 * body and content type), and can be made to hang or to answer 500 to everything. It also writes a
 * kubeconfig pointing at itself; client-node 1.x refuses a plain-http server unless the cluster
 * says insecure-skip-tls-verify. Started with `writes: true` it also takes the write verbs of the
 * remediation actions (writes.ts), applied to the fixtures it serves, with a simulated rollout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { defaultFixtures, type KubeFixtures, type KubeObject } from './fixtures.js';
import { matchesFields, matchesLabels } from './selectors.js';
import { notFound, status, type Answer } from './answers.js';
import { withStatus } from './disruption.js';
import type { Cluster, Simulation } from './rollout.js';
import { scaleOf, write } from './writes.js';
import { endpointSlicesOf, partialMetadata, statsSummary } from './objects.js';

export type ServerMode = 'ok' | 'hang' | 'error500';
export const TEST_TOKEN = 'firebreak-test-token';

/** A request as received: the body parsed when it is JSON (else the text), with its content type. */
export interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  /** The Accept header, when it asks for another representation (`as=PartialObjectMetadataList`). */
  accept?: string;
}

export interface KubeApiServerOptions {
  /** Accept the write verbs (PATCH, PUT, DELETE, POST evictions); otherwise they get 405. */
  writes?: boolean;
  simulation?: Partial<Simulation>;
}

export interface KubeApiServer {
  url: string;
  /** A kubeconfig whose context "test" (the current one) points here; "closed" points at a closed port. */
  kubeconfigPath: string;
  requests: RecordedRequest[];
  setFixtures(f: KubeFixtures): void;
  /** How rollouts and pod deletions play out (rolloutMs 50, rollout complete, terminationMs 0). */
  simulate(s: Partial<Simulation>): void;
  mode(m: ServerMode): void;
  /** Answer 403 Forbidden to the paths matching (RBAC without that permission); null to stop. */
  forbid(pattern: RegExp | null): void;
  close(): Promise<void>;
}

interface Route {
  pattern: RegExp;
  handle(m: RegExpExecArray, q: URLSearchParams, f: KubeFixtures, accept: string): Answer;
}

let resourceVersion = 1000;

/** A list as the API returns it: items without their kind and apiVersion. */
function list(kind: string, apiVersion: string, items: KubeObject[], q: URLSearchParams): Answer {
  const labels = q.get('labelSelector') ?? '';
  const fields = q.get('fieldSelector') ?? '';
  const selected = items.filter((o) => matchesLabels(o.metadata.labels ?? {}, labels) && matchesFields(o, fields));
  return {
    status: 200,
    json: { kind, apiVersion, metadata: { resourceVersion: String(++resourceVersion) }, items: selected.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) },
  };
}

const inNs = (items: KubeObject[], ns: string | undefined) => (ns === undefined ? items : items.filter((o) => o.metadata.namespace === ns));

const NO_RESOURCE = () => status(404, 'NotFound', 'the server could not find the requested resource');

/** List, list in a namespace, get; `pick` gives undefined when the fixtures lack the API (404). */
function collection(path: string, kind: string, apiVersion: string, resource: string, pick: (f: KubeFixtures) => KubeObject[] | undefined, group = ''): Route[] {
  return [
    {
      pattern: new RegExp(`^${path}/namespaces/([^/]+)/${resource}$`),
      handle: (m, q, f) => {
        const all = pick(f);
        return all ? list(kind, apiVersion, inNs(all, m[1]), q) : NO_RESOURCE();
      },
    },
    { pattern: new RegExp(`^${path}/${resource}$`), handle: (_m, q, f) => { const all = pick(f); return all ? list(kind, apiVersion, all, q) : NO_RESOURCE(); } },
    {
      pattern: new RegExp(`^${path}/namespaces/([^/]+)/${resource}/([^/]+)$`),
      handle: (m, _q, f) => {
        const all = pick(f);
        if (!all) return NO_RESOURCE();
        const found = inNs(all, m[1]).find((o) => o.metadata.name === m[2]);
        return found ? { status: 200, json: found } : notFound(resource, m[2] ?? '', group);
      },
    },
  ];
}

/**
 * Secrets: a list or a get asking for `as=PartialObjectMetadataList` (or `as=PartialObjectMetadata`)
 * in its Accept header gets only the metadata, as the API server answers it; otherwise the data too.
 */
function secrets(ns: string, name: string | undefined, q: URLSearchParams, f: KubeFixtures, accept: string): Answer {
  const all = inNs(f.secrets ?? [], ns);
  const metadataOnly = /;\s*as=PartialObjectMetadata(List)?\b/.test(accept);
  if (name !== undefined) {
    const found = all.find((o) => o.metadata.name === name);
    if (!found) return notFound('secrets', name);
    return { status: 200, json: metadataOnly ? partialMetadata(found) : found };
  }
  if (!metadataOnly) return list('SecretList', 'v1', all, q);
  const answer = list('PartialObjectMetadataList', 'meta.k8s.io/v1', all, q) as { status: number; json: { items: KubeObject[] } };
  answer.json.items = all.filter((o) => answer.json.items.some((i) => i.metadata.uid === o.metadata.uid)).map(partialMetadata);
  return answer;
}

/**
 * GET /api/v1/nodes/{node}/proxy/stats/summary: the kubelet's summary through the API server's
 * node proxy. A node whose kubelet stopped posting its status does not answer (503, as the proxy
 * says when it cannot dial the kubelet).
 */
function nodeStats(name: string, f: KubeFixtures): Answer {
  const n = f.nodes.find((o) => o.metadata.name === name);
  if (!n) return notFound('nodes', name);
  const ready = ((n.status as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).find((c) => c.type === 'Ready');
  const ip = ((n.status as { addresses?: Array<{ type: string; address: string }> }).addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '?';
  if (ready?.status !== 'True') return status(503, 'ServiceUnavailable', `error trying to reach service: dial tcp ${ip}:10250: connect: no route to host`);
  return { status: 200, json: statsSummary(name, f.pods, f.volumeUsage ?? {}) };
}

/** GET …/pods/{name}/log: container, previous, sinceSeconds, tailLines, timestamps, limitBytes. */
function podLog(ns: string, name: string, q: URLSearchParams, f: KubeFixtures): Answer {
  const pod = f.pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
  if (!pod) return notFound('pods', name);
  const containers = ((pod.spec as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map((c) => c.name);
  const container = q.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (!container) return status(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  if (!containers.includes(container)) return status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  const previous = q.get('previous') === 'true';
  const entries = f.logs[`${ns}/${name}/${container}${previous ? '#previous' : ''}`];
  if (!entries) {
    if (previous) return status(400, 'BadRequest', `previous terminated container "${container}" in pod "${name}" not found`);
    const waiting = waitingReason(pod, container);
    if (waiting) return status(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${waiting}`);
  }
  const now = Date.now();
  const since = q.has('sinceSeconds') ? Number(q.get('sinceSeconds')) : Infinity;
  let lines = (entries ?? []).filter((e) => previous || e.ageSeconds <= since);
  if (q.has('tailLines')) lines = lines.slice(-Number(q.get('tailLines')));
  const stamp = q.get('timestamps') === 'true';
  let text = lines.map((e) => `${stamp ? `${new Date(now - e.ageSeconds * 1000).toISOString()} ` : ''}${e.line}\n`).join('');
  if (q.has('limitBytes')) text = text.slice(0, Number(q.get('limitBytes')));
  return { status: 200, text };
}

function waitingReason(pod: KubeObject, container: string): string | undefined {
  const statuses = (pod.status as { containerStatuses?: Array<{ name: string; restartCount?: number; state?: { waiting?: { reason?: string } } }> } | undefined)?.containerStatuses;
  const cs = statuses?.find((c) => c.name === container);
  if (!cs) return 'ContainerCreating';
  return cs.state?.waiting && !cs.restartCount ? (cs.state.waiting.reason ?? 'ContainerCreating') : undefined;
}

/** events.k8s.io/v1 view of the core events. */
function eventsV1(f: KubeFixtures): KubeObject[] {
  return f.events.map((e) => {
    const { involvedObject, message, count, firstTimestamp, lastTimestamp, source, kind: _k, apiVersion: _a, ...rest } = e as KubeObject & Record<string, unknown>;
    return {
      ...rest,
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      regarding: involvedObject,
      note: message,
      deprecatedCount: count,
      deprecatedFirstTimestamp: firstTimestamp,
      deprecatedLastTimestamp: lastTimestamp,
      deprecatedSource: source,
    } as KubeObject;
  });
}

const ROUTES: Route[] = [
  { pattern: /^\/version$/, handle: () => ({ status: 200, json: { major: '1', minor: '31', gitVersion: 'v1.31.4', platform: 'linux/amd64' } }) },
  { pattern: /^\/api$/, handle: () => ({ status: 200, json: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }] } }) },
  {
    pattern: /^\/apis$/,
    handle: (_m, _q, f) => ({
      status: 200,
      json: {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          ['apps', 'v1'],
          ['autoscaling', 'v2'],
          ['events.k8s.io', 'v1'],
          ...(f.podMetrics ? [['metrics.k8s.io', 'v1beta1']] : []),
          ...(f.ingresses ? [['networking.k8s.io', 'v1']] : []),
          ...(f.pdbs ? [['policy', 'v1']] : []),
          ['batch', 'v1'],
          ['discovery.k8s.io', 'v1'],
          ...(f.certificates ? [['cert-manager.io', 'v1']] : []),
        ].map(([g, v]) => ({
          name: g,
          versions: [{ groupVersion: `${g}/${v}`, version: v }],
          preferredVersion: { groupVersion: `${g}/${v}`, version: v },
        })),
      },
    }),
  },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/, handle: (m, q, f) => podLog(m[1] ?? '', m[2] ?? '', q, f) },
  ...collection('/api/v1', 'PodList', 'v1', 'pods', (f) => f.pods),
  ...collection('/api/v1', 'EventList', 'v1', 'events', (f) => f.events),
  { pattern: /^\/api\/v1\/nodes$/, handle: (_m, q, f) => list('NodeList', 'v1', f.nodes, q) },
  { pattern: /^\/api\/v1\/nodes\/([^/]+)\/proxy\/stats\/summary$/, handle: (m, _q, f) => nodeStats(m[1] ?? '', f) },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/, handle: (m, q, f, accept) => secrets(m[1] ?? '', m[2], q, f, accept) },
  ...collection('/api/v1', 'ServiceList', 'v1', 'services', (f) => f.services ?? []),
  ...collection('/api/v1', 'PersistentVolumeClaimList', 'v1', 'persistentvolumeclaims', (f) => f.pvcs ?? []),
  ...collection('/apis/discovery.k8s.io/v1', 'EndpointSliceList', 'discovery.k8s.io/v1', 'endpointslices', (f) => f.endpointSlices ?? endpointSlicesOf(f.services ?? [], f.pods), 'discovery.k8s.io'),
  ...collection('/apis/batch/v1', 'JobList', 'batch/v1', 'jobs', (f) => f.jobs ?? [], 'batch'),
  ...collection('/apis/cert-manager.io/v1', 'CertificateList', 'cert-manager.io/v1', 'certificates', (f) => f.certificates, 'cert-manager.io'),
  { pattern: /^\/api\/v1\/nodes\/([^/]+)$/, handle: (m, _q, f) => { const n = f.nodes.find((o) => o.metadata.name === m[1]); return n ? { status: 200, json: n } : notFound('nodes', m[1] ?? ''); } },
  ...collection('/apis/events.k8s.io/v1', 'EventList', 'events.k8s.io/v1', 'events', eventsV1, 'events.k8s.io'),
  {
    pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/,
    handle: (m, _q, f) => {
      const d = f.deployments.find((o) => o.metadata.namespace === m[1] && o.metadata.name === m[2]);
      return d ? { status: 200, json: scaleOf(d) } : notFound('deployments', m[2] ?? '', 'apps');
    },
  },
  ...collection('/apis/apps/v1', 'DeploymentList', 'apps/v1', 'deployments', (f) => f.deployments, 'apps'),
  ...collection('/apis/apps/v1', 'ReplicaSetList', 'apps/v1', 'replicasets', (f) => f.replicasets, 'apps'),
  ...collection('/apis/networking.k8s.io/v1', 'IngressList', 'networking.k8s.io/v1', 'ingresses', (f) => f.ingresses, 'networking.k8s.io'),
  ...collection('/apis/policy/v1', 'PodDisruptionBudgetList', 'policy/v1', 'poddisruptionbudgets', (f) => (f.pdbs ? withStatus(f) : undefined), 'policy'),
  ...collection('/apis/autoscaling/v2', 'HorizontalPodAutoscalerList', 'autoscaling/v2', 'horizontalpodautoscalers', (f) => f.hpas, 'autoscaling'),
  {
    pattern: /^\/apis\/metrics\.k8s\.io\/v1beta1\/(?:namespaces\/([^/]+)\/)?pods$/,
    handle: (m, q, f) => {
      if (!f.podMetrics) return status(404, 'NotFound', 'the server could not find the requested resource');
      const items = inNs(f.podMetrics, m[1]).map((o) => ({ ...o, metadata: { ...o.metadata, creationTimestamp: new Date().toISOString() }, timestamp: new Date(Date.now() - 12_000).toISOString() }));
      const answer = list('PodMetricsList', 'metrics.k8s.io/v1beta1', items, q) as { status: number; json: { metadata: object } };
      answer.json.metadata = {};
      return answer;
    },
  },
];

function answer(req: IncomingMessage, fixtures: KubeFixtures, writes: ((path: string) => Answer) | undefined): Answer {
  if (req.headers.authorization !== `Bearer ${TEST_TOKEN}`) return status(401, 'Unauthorized', 'Unauthorized');
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') {
    if (writes) return writes(url.pathname);
    return status(405, 'MethodNotAllowed', `${req.method} is not allowed by this test server (diagnostics only read)`);
  }
  for (const r of ROUTES) {
    const m = r.pattern.exec(url.pathname);
    if (m) return r.handle(m, url.searchParams, fixtures, String(req.headers.accept ?? ''));
  }
  return status(404, 'NotFound', 'the server could not find the requested resource', { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] });
}

function send(res: ServerResponse, a: Answer): void {
  const body = 'json' in a ? JSON.stringify(a.json) : a.text;
  res.writeHead(a.status, { 'content-type': 'json' in a ? 'application/json' : 'text/plain', 'cache-control': 'no-cache, private' });
  res.end(body);
}

/** A port nothing listens on (bound then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export function kubeconfigYaml(server: string, closed: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
- name: closed
  cluster:
    server: ${closed}
    insecure-skip-tls-verify: true
users:
- name: firebreak
  user:
    token: ${TEST_TOKEN}
contexts:
- name: test
  context:
    cluster: test
    user: firebreak
    namespace: shop
- name: closed
  context:
    cluster: closed
    user: firebreak
current-context: test
`;
}

function parseBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export async function startKubeApiServer(fixtures: KubeFixtures = defaultFixtures(), options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  let mode: ServerMode = 'ok';
  let forbidden: RegExp | null = null;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const cluster: Cluster = {
    fixtures,
    sim: { rolloutMs: 50, rollout: 'complete', terminationMs: 0, ...options.simulation },
    later: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      t.unref();
      timers.add(t);
    },
  };
  const server = createServer((req, res) => {
    const record: RecordedRequest = { method: req.method ?? '?', path: req.url ?? '' };
    requests.push(record);
    if (mode === 'hang') return; // never answers; close() ends the socket
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw) Object.assign(record, { body: parseBody(raw), contentType: req.headers['content-type'] ?? '' });
      const accept = req.headers.accept ?? '';
      if (/;\s*as=/.test(accept)) record.accept = accept;
      if (mode === 'error500') return send(res, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'));
      let a: Answer;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const writes = options.writes
        ? (p: string) => write(cluster, { method: record.method, path: p, body: record.body, contentType: record.contentType ?? '' })
        : undefined;
      try {
        a = forbidden?.test(path)
          ? status(403, 'Forbidden', `${path} is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot get path "${path}"`)
          : answer(req, cluster.fixtures, writes);
      } catch (e) {
        a = status(400, 'BadRequest', e instanceof Error ? e.message : String(e));
      }
      send(res, a);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(url, `http://127.0.0.1:${await closedPort()}`), { mode: 0o600 });
  return {
    url,
    kubeconfigPath,
    requests,
    setFixtures: (f) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      cluster.fixtures = f;
    },
    simulate: (s) => void Object.assign(cluster.sim, s),
    mode: (m) => void (mode = m),
    forbid: (p) => void (forbidden = p),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
