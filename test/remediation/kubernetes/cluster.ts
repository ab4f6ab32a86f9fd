/**
 * The cluster of the remediation tests: the diagnostics' default one (namespace shop, nodes a, b,
 * c) plus what the actions act on. Evicted (Failed) pods of web on node-b, with a coredns pod of
 * kube-system; a node-exporter DaemonSet pod on every node and a static kube-proxy pod on node-a;
 * a PodDisruptionBudget keeping 2 cart pods (both on node-a) available; the storefront Ingress.
 * Node-c holds one web pod and a DaemonSet pod: the node that drains cleanly.
 */
import { ingress, pod, podDisruptionBudget, time, uid, type KubeObject } from '../../kube/builders.js';
import { defaultFixtures, NS, type KubeFixtures } from '../../kube/fixtures.js';

export const EVICTED = ['web-6f8d7c9b4-ev1ct', 'web-6f8d7c9b4-ev2ct'] as const;
export const CART_PODS = ['cart-84f6d5c7b9-g5l2v', 'cart-84f6d5c7b9-z7x4c'] as const;
export const WEB_ON_C = 'web-5c4b9f7d8-t9v4c';

function owner(kind: string, apiVersion: string, ns: string | undefined, name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}), uid: uid(`${kind}/${ns ?? ''}/${name}`) }, spec: { selector: { matchLabels: labels } } };
}

const running = (now: number) => ({ phase: 'Running' as const, container: { state: { running: { startedAt: time(now, 7200) } }, ready: true, restartCount: 0 } });

export function remediationFixtures(now = Date.now()): KubeFixtures {
  const f = defaultFixtures(now);
  const rsWebOld = f.replicasets.find((r) => r.metadata.name === 'web-6f8d7c9b4')!;
  const webOld = { app: 'web', image: 'registry.example.com/shop/web:2.4.3', replicas: 4 };
  const evicted = EVICTED.map((name) => {
    const p = pod(now, rsWebOld, name.split('-').at(-1)!, webOld, { phase: 'Failed', node: 'node-b' }, 5 * 3600);
    const reason = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 85432Ki.';
    p.status = { ...(p.status as object), phase: 'Failed', reason: 'Evicted', message: reason, conditions: [] };
    return p;
  });

  const dns = owner('ReplicaSet', 'apps/v1', 'kube-system', 'coredns-5d78c9869d', { 'k8s-app': 'kube-dns' });
  const coredns = pod(now, dns, 'q8w2e', { app: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3', replicas: 2 }, { ...running(now), node: 'node-b' });

  const ds = owner('DaemonSet', 'apps/v1', 'monitoring', 'node-exporter', { app: 'node-exporter' });
  const exporter = { app: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2', replicas: 3 };
  const exporters = ['node-a', 'node-b', 'node-c'].map((node, i) => pod(now, ds, ['x7d2k', 'm3p9q', 'c5v8n'][i]!, exporter, { ...running(now), node }, 40 * 86_400));

  const nodeA = f.nodes.find((n) => n.metadata.name === 'node-a')!;
  const proxy = pod(now, owner('Node', 'v1', undefined, 'node-a', { component: 'kube-proxy' }), 'x', { app: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.31.4', replicas: 1 }, running(now));
  proxy.metadata = { ...proxy.metadata, name: 'kube-proxy-node-a', namespace: 'kube-system', uid: uid('kube-system/kube-proxy-node-a'), annotations: { 'kubernetes.io/config.mirror': 'f3a9c1d2e4b5a6c7d8e9f0a1b2c3d4e5' } };
  (proxy.metadata['ownerReferences'] as Array<Record<string, unknown>>)[0]!['uid'] = nodeA.metadata.uid;

  return {
    ...f,
    pods: [...f.pods, ...evicted, coredns, ...exporters, proxy],
    ingresses: [
      ingress(now, NS, 'storefront', 'shop.example.com', [['/', 'web', 80], ['/api', 'api', 8080]], { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' }),
    ],
    pdbs: [podDisruptionBudget(now, NS, 'cart', { app: 'cart' }, { minAvailable: 2 })],
  };
}

/** A pod with no controller on `node` (as `kubectl run` makes). */
export function barePod(now: number, name: string, node: string): KubeObject {
  const p = pod(now, owner('None', 'v1', NS, name, { run: name }), 'x', { app: name, image: 'busybox:1.36', replicas: 1 }, { ...running(now), node });
  const { ownerReferences: _o, ...metadata } = p.metadata;
  return { ...p, metadata: { ...metadata, name, uid: uid(`${NS}/${name}`) } };
}

export const find = (list: KubeObject[], name: string): KubeObject => {
  const o = list.find((x) => x.metadata.name === name);
  if (!o) throw new Error(`no ${name} in the fixtures`);
  return o;
};
