/**
 * A local HTTP server speaking the part of the Kubernetes REST API the diagnostics read, from
 * fixtures: lists with `kind: PodList` and a resourceVersion (items without kind/apiVersion, as the
 * API server returns them), single objects, pod logs as text/plain, `Status` objects for errors,
 * label and field selectors, bearer-token authentication. It records every request, and can be
 * made to hang or to answer 500 to everything. It also writes a kubeconfig pointing at itself;
 * client-node 1.x refuses a plain-http server unless the cluster says insecure-skip-tls-verify.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { defaultFixtures, type KubeFixtures, type KubeObject } from './fixtures.js';
import { matchesFields, matchesLabels } from './selectors.js';

export type ServerMode = 'ok' | 'hang' | 'error500';
export const TEST_TOKEN = 'firebreak-test-token';

export interface KubeApiServer {
  url: string;
  /** A kubeconfig whose context "test" (the current one) points here; "closed" points at a closed port. */
  kubeconfigPath: string;
  requests: Array<{ method: string; path: string }>;
  setFixtures(f: KubeFixtures): void;
  mode(m: ServerMode): void;
  /** Answer 403 Forbidden to the paths matching (RBAC without that permission); null to stop. */
  forbid(pattern: RegExp | null): void;
  close(): Promise<void>;
}

interface Route {
  pattern: RegExp;
  handle(m: RegExpExecArray, q: URLSearchParams, f: KubeFixtures): Answer;
}
type Answer = { status: number; json: unknown } | { status: number; text: string };

let resourceVersion = 1000;

function status(code: number, reason: string, message: string, details?: object): Answer {
  return { status: code, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}
const notFound = (resource: string, name: string, group = ''): Answer =>
  status(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });

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

function collection(path: string, kind: string, apiVersion: string, resource: string, pick: (f: KubeFixtures) => KubeObject[], group = ''): Route[] {
  return [
    {
      pattern: new RegExp(`^${path}/namespaces/([^/]+)/${resource}$`),
      handle: (m, q, f) => list(kind, apiVersion, inNs(pick(f), m[1]), q),
    },
    { pattern: new RegExp(`^${path}/${resource}$`), handle: (_m, q, f) => list(kind, apiVersion, pick(f), q) },
    {
      pattern: new RegExp(`^${path}/namespaces/([^/]+)/${resource}/([^/]+)$`),
      handle: (m, _q, f) => {
        const found = inNs(pick(f), m[1]).find((o) => o.metadata.name === m[2]);
        return found ? { status: 200, json: found } : notFound(resource, m[2] ?? '', group);
      },
    },
  ];
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
        groups: [['apps', 'v1'], ['autoscaling', 'v2'], ['events.k8s.io', 'v1'], ...(f.podMetrics ? [['metrics.k8s.io', 'v1beta1']] : [])].map(([g, v]) => ({
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
  { pattern: /^\/api\/v1\/nodes\/([^/]+)$/, handle: (m, _q, f) => { const n = f.nodes.find((o) => o.metadata.name === m[1]); return n ? { status: 200, json: n } : notFound('nodes', m[1] ?? ''); } },
  ...collection('/apis/events.k8s.io/v1', 'EventList', 'events.k8s.io/v1', 'events', eventsV1, 'events.k8s.io'),
  ...collection('/apis/apps/v1', 'DeploymentList', 'apps/v1', 'deployments', (f) => f.deployments, 'apps'),
  ...collection('/apis/apps/v1', 'ReplicaSetList', 'apps/v1', 'replicasets', (f) => f.replicasets, 'apps'),
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

function answer(req: IncomingMessage, fixtures: KubeFixtures): Answer {
  if (req.headers.authorization !== `Bearer ${TEST_TOKEN}`) return status(401, 'Unauthorized', 'Unauthorized');
  if (req.method !== 'GET') return status(405, 'MethodNotAllowed', `${req.method} is not allowed by this test server (diagnostics only read)`);
  const url = new URL(req.url ?? '/', 'http://localhost');
  for (const r of ROUTES) {
    const m = r.pattern.exec(url.pathname);
    if (m) return r.handle(m, url.searchParams, fixtures);
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

export async function startKubeApiServer(fixtures: KubeFixtures = defaultFixtures()): Promise<KubeApiServer> {
  let current = fixtures;
  let mode: ServerMode = 'ok';
  let forbidden: RegExp | null = null;
  const requests: Array<{ method: string; path: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '?', path: req.url ?? '' });
    if (mode === 'hang') return; // never answers; close() ends the socket
    if (mode === 'error500') return send(res, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'));
    let a: Answer;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      a = forbidden?.test(path)
        ? status(403, 'Forbidden', `${path} is forbidden: User "system:serviceaccount:firebreak:firebreak" cannot get path "${path}"`)
        : answer(req, current);
    } catch (e) {
      a = status(400, 'BadRequest', e instanceof Error ? e.message : String(e));
    }
    send(res, a);
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
    setFixtures: (f) => void (current = f),
    mode: (m) => void (mode = m),
    forbid: (p) => void (forbidden = p),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
