/**
 * The write verbs of the test API server, applied to the stored objects: PATCH deployments, their
 * scale subresource (also PUT), nodes and ingresses; DELETE pods and jobs; POST pod evictions. Like the API
 * server it keeps identity fields and ignores status on the main resource, bumps
 * `metadata.generation` when the spec changes and `resourceVersion` on every write, honours
 * resourceVersion and UID preconditions (409), and validates what the actions could get wrong.
 */
import { createHash } from 'node:crypto';
import { conflict, notFound, status, success, type Answer } from './answers.js';
import { evictionRefusal, isTerminal } from './disruption.js';
import type { KubeObject } from './fixtures.js';
import { applyPatch, PatchError } from './patch.js';
import { afterSpecChange, bump, type Cluster } from './rollout.js';

export interface WriteRequest {
  method: string;
  path: string;
  body: unknown;
  contentType: string;
}

const IDENTITY = ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'resourceVersion', 'ownerReferences'] as const;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isAnswer = (x: KubeObject | Answer): x is Answer => typeof x.status === 'number';

/** The object after the patch, identity and status kept; a conflict when the patch names another resourceVersion. */
function patched(o: KubeObject, req: WriteRequest, resource: string): KubeObject | Answer {
  const next = applyPatch(o, req.body, req.contentType) as KubeObject;
  const rv = next.metadata?.['resourceVersion'];
  if (rv !== o.metadata['resourceVersion']) return conflict(resource, o.metadata.name, 'the object has been modified; please apply your changes to the latest version and try again');
  for (const k of IDENTITY) if (o.metadata[k] !== undefined) (next.metadata as Record<string, unknown>)[k] = o.metadata[k];
  return { ...next, apiVersion: o.apiVersion, kind: o.kind, status: o.status };
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

/** A quantity as the API server reads it, in base units; NaN when it is not one. */
function quantity(q: unknown): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(String(q));
  if (!m) return Number.NaN;
  const units: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const suffix = m[2] ?? '';
  return Number(m[1]) * (/^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : (units[suffix] ?? 1));
}

/** The API server's validation of a container's resources: valid quantities, requests within limits. */
function invalidResources(r: Resources | undefined, at: string): string | undefined {
  for (const [kind, values] of [['requests', r?.requests], ['limits', r?.limits]] as const) {
    for (const [name, v] of Object.entries(values ?? {})) {
      if (!Number.isFinite(quantity(v))) return `${at}.resources.${kind}[${name}]: Invalid value: ${JSON.stringify(v)}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;
    }
  }
  for (const name of ['cpu', 'memory']) {
    const request = r?.requests?.[name];
    const limit = r?.limits?.[name];
    if (request !== undefined && limit !== undefined && quantity(request) > quantity(limit)) {
      return `${at}.resources.requests: Invalid value: ${JSON.stringify(request)}: must be less than or equal to ${name} limit of ${String(limit)}`;
    }
  }
  return undefined;
}

function invalidDeployment(d: KubeObject): string | undefined {
  const spec = d.spec as { replicas?: number; template?: { spec?: { containers?: Array<{ name: string; env?: Array<{ name: string; value?: string; valueFrom?: unknown }>; resources?: Resources }> } } };
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) return 'spec.replicas: Invalid value: must be greater than or equal to 0';
  for (const [i, c] of (spec.template?.spec?.containers ?? []).entries()) {
    for (const [j, e] of (c.env ?? []).entries()) {
      if (e.value && e.valueFrom) return `spec.template.spec.containers[${i}].env[${j}].valueFrom: Invalid value: "": may not be specified when \`value\` is not empty`;
    }
    const resources = invalidResources(c.resources, `spec.template.spec.containers[${i}]`);
    if (resources) return resources;
  }
  return undefined;
}

/**
 * Deletes a Job. Like the API server for batch/v1 Jobs, the default (no propagationPolicy) is
 * Orphan: the Job goes and its pods stay, without their owner reference; Background or Foreground
 * deletes its pods too.
 */
function deleteJob(c: Cluster, j: KubeObject, options: unknown): Answer {
  const o = options as { propagationPolicy?: string; preconditions?: { uid?: string } } | undefined;
  const uid = o?.preconditions?.uid;
  if (uid !== undefined && uid !== j.metadata.uid) return conflict('jobs.batch', j.metadata.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${j.metadata.uid}`);
  const policy = o?.propagationPolicy ?? 'Orphan';
  if (!['Orphan', 'Background', 'Foreground'].includes(policy)) return status(400, 'BadRequest', `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  const jobs = c.fixtures.jobs ?? [];
  jobs.splice(jobs.indexOf(j), 1);
  const owned = (p: KubeObject) => ((p.metadata['ownerReferences'] ?? []) as Array<{ uid?: string }>).some((r) => r.uid === j.metadata.uid);
  for (const p of c.fixtures.pods.filter(owned)) {
    if (policy === 'Orphan') p.metadata['ownerReferences'] = ((p.metadata['ownerReferences'] ?? []) as Array<{ uid?: string }>).filter((r) => r.uid !== j.metadata.uid);
    else c.fixtures.pods.splice(c.fixtures.pods.indexOf(p), 1);
  }
  return { status: 200, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: j.metadata.name, group: 'batch', kind: 'jobs', uid: j.metadata.uid } } };
}

/** Stores a deployment's new version, with the generation bump and the rollout its spec change starts. */
function storeDeployment(c: Cluster, before: KubeObject, next: KubeObject): Answer {
  const invalid = invalidDeployment(next);
  if (invalid) return status(422, 'Invalid', `Deployment.apps "${before.metadata.name}" is invalid: ${invalid}`, { name: before.metadata.name, group: 'apps', kind: 'Deployment' });
  const changed = !same(before.spec, next.spec);
  if (changed) next.metadata['generation'] = Number(before.metadata['generation'] ?? 1) + 1;
  bump(next);
  const list = c.fixtures.deployments;
  list[list.indexOf(before)] = next;
  if (changed) afterSpecChange(c, next);
  return { status: 200, json: next };
}

export function scaleOf(d: KubeObject): KubeObject {
  const m = d.metadata;
  const labels = ((d.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {}) as Record<string, string>;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m['resourceVersion'], creationTimestamp: m['creationTimestamp'] },
    spec: { replicas: (d.spec as { replicas?: number }).replicas ?? 1 },
    status: { replicas: (d.status as { replicas?: number } | undefined)?.replicas ?? 0, selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') },
  };
}

function scale(c: Cluster, d: KubeObject, req: WriteRequest): Answer {
  const current = scaleOf(d);
  const next = (req.method === 'PUT' ? req.body : applyPatch(current, req.body, req.contentType)) as KubeObject | null;
  const rv = next?.metadata?.['resourceVersion'];
  if (rv !== undefined && rv !== d.metadata['resourceVersion']) return conflict('deployments.apps', d.metadata.name, 'the object has been modified; please apply your changes to the latest version and try again');
  const replicas = (next?.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    return status(422, 'Invalid', `Scale.autoscaling "${d.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const answer = storeDeployment(c, d, JSON.parse(JSON.stringify({ ...d, spec: { ...(d.spec as object), replicas } })));
  return answer.status === 200 ? { status: 200, json: scaleOf((answer as { json: KubeObject }).json) } : answer;
}

function patchNode(n: KubeObject, req: WriteRequest, list: KubeObject[]): Answer {
  const node = patched(n, req, 'nodes');
  if (isAnswer(node)) return node;
  const spec = (node.spec ?? {}) as { unschedulable?: boolean; taints?: Array<{ key: string; effect: string; timeAdded?: string }> };
  const taints = (spec.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/unschedulable');
  if (spec.unschedulable) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
  if (spec.unschedulable === false) delete spec.unschedulable;
  if (taints.length) spec.taints = taints;
  else delete spec.taints;
  node.spec = spec;
  bump(node);
  list[list.indexOf(n)] = node;
  return { status: 200, json: node };
}

/** Removes a pod (after its grace period when terminationMs > 0); its ReplicaSet makes a new one. */
function removePod(c: Cluster, pod: KubeObject): KubeObject {
  const pods = c.fixtures.pods;
  const drop = () => pods.includes(pod) && pods.splice(pods.indexOf(pod), 1);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  pod.metadata['deletionTimestamp'] = now;
  pod.metadata['deletionGracePeriodSeconds'] = 30;
  bump(pod);
  if (c.sim.terminationMs > 0 && !isTerminal(pod)) c.later(c.sim.terminationMs, drop);
  else drop();
  const owner = ((pod.metadata['ownerReferences'] ?? []) as Array<{ kind: string; name: string; controller?: boolean }>).find((r) => r.controller);
  if (owner?.kind === 'ReplicaSet' && !isTerminal(pod)) {
    const suffix = createHash('sha256').update(`${pod.metadata.uid}${Date.now()}`).digest('hex').replace(/[aeiou01]/g, '').slice(0, 5);
    const name = `${owner.name}-${suffix}`;
    const { nodeName: _n, ...spec } = pod.spec as Record<string, unknown>;
    const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, ...rest } = pod.metadata;
    pods.push({ ...pod, metadata: { ...rest, name, uid: createHash('sha256').update(name).digest('hex').slice(0, 32), creationTimestamp: now }, spec, status: { phase: 'Pending', qosClass: 'Burstable' } });
  }
  return pod;
}

/** A failed UID precondition of a delete, as a 409. */
function precondition(pod: KubeObject, options: unknown): Answer | undefined {
  const uid = (options as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
  if (uid === undefined || uid === pod.metadata.uid) return undefined;
  return conflict('pods', pod.metadata.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
}

function evict(c: Cluster, pod: KubeObject, body: unknown): Answer {
  const e = body as { kind?: string; metadata?: { name?: string }; deleteOptions?: unknown } | null;
  if (e?.kind !== 'Eviction') return status(400, 'BadRequest', `expected an Eviction, got ${JSON.stringify(e?.kind)}`);
  if (e.metadata?.name !== pod.metadata.name) return status(400, 'BadRequest', 'name in URL does not match name in Eviction object');
  const failed = precondition(pod, e.deleteOptions);
  if (failed) return failed;
  if (pod.metadata['deletionTimestamp']) return success(201);
  const refusal = evictionRefusal(pod, c.fixtures);
  if (refusal) {
    const [code, message, cause] = refusal;
    return status(code, code === 429 ? 'TooManyRequests' : 'InternalError', message, cause ? { causes: [{ reason: 'DisruptionBudget', message: cause }] } : undefined);
  }
  removePod(c, pod);
  return success(201);
}

const ROUTES: Array<[string, RegExp, (c: Cluster, req: WriteRequest, m: string[]) => Answer]> = [
  ['PATCH', /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/, (c, req, [ns, name]) => {
    const d = c.fixtures.deployments.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    if (!d) return notFound('deployments', name ?? '', 'apps');
    const next = patched(d, req, 'deployments.apps');
    return isAnswer(next) ? next : storeDeployment(c, d, next);
  }],
  ['PUT|PATCH', /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)\/scale$/, (c, req, [ns, name]) => {
    const d = c.fixtures.deployments.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    return d ? scale(c, d, req) : notFound('deployments', name ?? '', 'apps');
  }],
  ['PATCH', /^\/api\/v1\/nodes\/([^/]+)$/, (c, req, [name]) => {
    const n = c.fixtures.nodes.find((o) => o.metadata.name === name);
    return n ? patchNode(n, req, c.fixtures.nodes) : notFound('nodes', name ?? '');
  }],
  ['PATCH', /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/ingresses\/([^/]+)$/, (c, req, [ns, name]) => {
    const list = c.fixtures.ingresses ?? [];
    const i = list.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    if (!i) return notFound('ingresses', name ?? '', 'networking.k8s.io');
    const ing = patched(i, req, 'ingresses.networking.k8s.io');
    if (isAnswer(ing)) return ing;
    if (!same(i.spec, ing.spec)) ing.metadata['generation'] = Number(i.metadata['generation'] ?? 1) + 1;
    bump(ing);
    list[list.indexOf(i)] = ing;
    return { status: 200, json: ing };
  }],
  ['DELETE', /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/, (c, req, [ns, name]) => {
    const pod = c.fixtures.pods.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    if (!pod) return notFound('pods', name ?? '');
    return precondition(pod, req.body) ?? { status: 200, json: removePod(c, pod) };
  }],
  ['DELETE', /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/, (c, req, [ns, name]) => {
    const j = (c.fixtures.jobs ?? []).find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    return j ? deleteJob(c, j, req.body) : notFound('jobs', name ?? '', 'batch');
  }],
  ['POST', /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/, (c, req, [ns, name]) => {
    const pod = c.fixtures.pods.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
    return pod ? evict(c, pod, req.body) : notFound('pods', name ?? '');
  }],
];

export function write(c: Cluster, req: WriteRequest): Answer {
  for (const [methods, pattern, handle] of ROUTES) {
    const m = pattern.exec(req.path);
    if (!m) continue;
    if (!methods.split('|').includes(req.method)) return status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    try {
      return handle(c, req, m.slice(1).map(decodeURIComponent));
    } catch (e) {
      if (e instanceof PatchError) return status(e.code, e.reason, e.message);
      throw e;
    }
  }
  return status(405, 'MethodNotAllowed', `${req.method} ${req.path} is not supported by this test server`);
}
