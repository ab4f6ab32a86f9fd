/**
 * The RBAC manifest grants exactly what the code asks for: every probe and every k8s.* action is
 * run against the test API server, each request it sent is turned into the (API group, resource,
 * verb) the API server's authorizer would check, and the Role and ClusterRole of
 * deploy/kubernetes/base/rbac.yaml must allow each one and hold no rule none of them used. The one
 * request left out on purpose is the kubelet's stats summary (nodes/proxy get, broad): it is in the
 * manifest as a commented rule, and without it the probe says so.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesActions } from '../../src/adapters/targets/kubernetes/actions/index.js';
import { kubernetesProbe, logsProbe } from '../../src/adapters/targets/kubernetes/probe/index.js';
import { listDeployments } from '../../src/adapters/targets/kubernetes/probe/deployments.js';
import type { KubernetesTarget } from '../../src/adapters/targets/kubernetes/target.js';
import type { ActionContext } from '../../src/core/remediation/action.js';
import { startKubeApiServer, type KubeApiServer, type RecordedRequest } from '../kube/api-server.js';
import { extendedFixtures } from '../kube/extras.js';
import { POD, type KubeFixtures } from '../kube/fixtures.js';
import { EVICTED, remediationFixtures } from '../remediation/kubernetes/cluster.js';
import { readManifests, type Manifest } from './kustomize.js';

const RBAC = path.resolve(__dirname, '../../deploy/kubernetes/base/rbac.yaml');
const OPTIONAL = ['/nodes/proxy get'];

interface Access {
  group: string;
  resource: string;
  verb: string;
  /** The namespace of a namespaced request; undefined for a cluster-scoped one or a list across namespaces. */
  namespace?: string;
}

/** What the authorizer checks for a request path and method, as kube-apiserver's RequestInfo resolves it. */
export function accessOf(r: RecordedRequest): Access {
  const url = new URL(r.path, 'http://x');
  const parts = url.pathname.split('/').filter(Boolean);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api') rest = parts.slice(2);
  else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else throw new Error(`not a resource path: ${r.path}`);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  const verb = { GET: name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' }[r.method] ?? r.method;
  return { group, resource: subresource ? `${resource}/${subresource}` : resource, verb, ...(namespace ? { namespace } : {}) };
}

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
const rulesOf = (m: Manifest | undefined): Rule[] => ((m?.['rules'] ?? []) as Rule[]);
const allows = (rules: Rule[], a: Access) => rules.some((r) => r.apiGroups.includes(a.group) && r.resources.includes(a.resource) && r.verbs.includes(a.verb));
const key = (a: Pick<Access, 'group' | 'resource' | 'verb'>) => `${a.group}/${a.resource} ${a.verb}`;

function context(ms = 3000): ActionContext {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms).unref();
  return { deadline: Date.now() + ms, signal: controller.signal, now: () => new Date() };
}

/** The remediation cluster with the extended one's Jobs and claims: every action finds something to act on. */
function cluster(): KubeFixtures {
  const extra = extendedFixtures();
  const base = remediationFixtures();
  return { ...base, jobs: extra.jobs!, pods: [...base.pods.filter((p) => p.metadata.name !== POD.job), ...extra.pods.filter((p) => p.metadata.name === POD.job || /^(report|sync)-/.test(p.metadata.name))] };
}

let server: KubeApiServer;
let target: KubernetesTarget;
const seen: RecordedRequest[] = [];
const actionFailures: string[] = [];

beforeAll(async () => {
  server = await startKubeApiServer(extendedFixtures(), { writes: true, simulation: { rolloutMs: 20, rollout: 'complete', terminationMs: 0 } });
  target = { name: 'prod', kubeconfig: server.kubeconfigPath, context: 'test', namespaces: ['shop'] };
  const probeContext = { deadline: Date.now() + 5000, signal: new AbortController().signal, now: () => new Date() };
  await kubernetesProbe(target).run(probeContext);
  await logsProbe(target, { deployment: 'api' }).run(probeContext);
  await listDeployments(target, 3000);
  const collect = () => seen.push(...server.requests.splice(0));
  collect();

  const runs: Array<[string, string[]]> = [
    ['k8s.rollout-restart', ['shop/api']],
    ['k8s.rollout-undo', ['shop/web']],
    ['k8s.scale', ['shop/cart', '3']],
    ['k8s.delete-pod', [`shop/${POD.crash}`]],
    ['k8s.delete-failed-pods', ['shop']],
    ['k8s.delete-completed', ['shop']],
    ['k8s.set-env', ['shop/api', 'LOG_LEVEL=debug']],
    ['k8s.set-resources', ['shop/api', 'api', '--memory', '1Gi']],
    ['k8s.cordon', ['node-a']],
    ['k8s.uncordon', ['node-a']],
    ['k8s.drain', ['node-c']],
    ['k8s.maintenance', ['shop/storefront', 'on']],
  ];
  const actions = kubernetesActions({ pollMs: 10, evictionRetryMs: 20 });
  for (const [id, args] of runs) {
    server.setFixtures(cluster());
    const a = actions.find((x) => x.id === id)!;
    const params = a.params.parse(args);
    if (id === 'k8s.uncordon') {
      const cordon = actions.find((x) => x.id === 'k8s.cordon')!;
      const p = await cordon.preview(target, params, context());
      await cordon.execute(target, params, p.guard, context());
    }
    const preview = await a.preview(target, params, context());
    if (preview.refusal) {
      actionFailures.push(`${id}: ${preview.refusal}`);
      continue;
    }
    const result = await a.execute(target, params, preview.guard, context());
    if (!result.ok) actionFailures.push(`${id}: ${result.summary}`);
    const verified = await a.verify(target, params, context());
    if (!verified.ok) actionFailures.push(`${id} verify: ${verified.summary}`);
    collect();
  }
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('deploy/kubernetes/base/rbac.yaml against what the code sends', () => {
  const manifests = readManifests(RBAC);
  const role = manifests.find((m) => m.kind === 'Role');
  const clusterRole = manifests.find((m) => m.kind === 'ClusterRole');

  it('ran every action to its end (so their requests are all counted)', () => {
    expect(actionFailures).toEqual([]);
    expect(seen.some((r) => r.path.includes(EVICTED[0]))).toBe(true);
  });

  it('allows every request of the probes and actions (the Role in its namespace, the ClusterRole anywhere), but the optional one', () => {
    const denied = new Set<string>();
    for (const r of seen) {
      if (r.path === '/version' || r.path.startsWith('/apis?') || r.path === '/apis') continue;
      const a = accessOf(r);
      const ok = allows(rulesOf(clusterRole), a) || (a.namespace !== undefined && a.namespace === role?.metadata.namespace && allows(rulesOf(role), a));
      if (!ok) denied.add(key(a));
    }
    expect([...denied].sort()).toEqual(OPTIONAL);
  });

  it('grants nothing the code does not use', () => {
    const used = new Set(seen.map((r) => key(accessOf(r))));
    const unused: string[] = [];
    for (const [kind, m] of [['Role', role], ['ClusterRole', clusterRole]] as const) {
      for (const rule of rulesOf(m)) {
        for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) if (!used.has(key({ group: g, resource: res, verb: v }))) unused.push(`${kind}: ${key({ group: g, resource: res, verb: v })}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('keeps nodes/proxy as a commented rule that says what it opens', () => {
    const text = readFileSync(RBAC, 'utf8');
    expect(text).toMatch(/^\s*#\s+- apiGroups: \[""\]\n\s*#\s+resources: \[nodes\/proxy\]\n\s*#\s+verbs: \[get\]$/m);
    expect(text).toContain('exec');
  });

  it('reads Secrets as metadata only', () => {
    const secrets = seen.filter((r) => r.path.includes('/secrets'));
    expect(secrets.length).toBeGreaterThan(0);
    for (const r of secrets) expect(r.accept).toContain('as=PartialObjectMetadataList');
  });
});
