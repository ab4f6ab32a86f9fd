/**
 * The Kubernetes probe: the playbook's quick diagnosis of a namespace in one read-only pass, all
 * requests in parallel and bounded by the deadline. Pods not running or not ready with their
 * reason, restarts, deployments, autoscalers, recent Warning events, nodes, top pods; Services
 * without ready endpoints, Ingresses to missing Services or TLS Secrets, cert-manager
 * Certificates, Pending claims and nearly full volumes (the kubelets' stats summaries, read in a
 * second step for the nodes that mount a bound claim). It only reads (GET; Secrets as metadata
 * only); remediations are suggested as data and never run here.
 */
import { sortFindings, unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { formatDuration } from '../../../../core/duration.js';
import type { CoreV1Event } from '@kubernetes/client-node';
import { bounded, makeClients, metadataOnly, plainProxyPath, type KubeClients, type Read } from '../client.js';
import { eventFindings, nodeFindings } from './events.js';
import { certificateFindings, certificateOf, ingressFindings, serviceFindings, type CertificateLike } from './network.js';
import { claimUsage, nodesWithClaims, pvcFindings, volumeUsageFindings, type ClaimUsage } from './storage.js';
import { topFindings, type PodMetricsItem } from './metrics.js';
import { podFindings } from './pods.js';
import { chooseNamespaces, loadKubeConfig, thresholdsOf, type KubernetesTarget, type KubeThresholds } from '../target.js';
import { deploymentFindings, hpaFindings } from './workloads.js';

export interface KubernetesProbeOptions {
  /** Read only this namespace (one of the target's). */
  namespace?: string;
}

/** The configured target, its kubeconfig loaded; or the finding saying why it could not be. */
export function connect(target: KubernetesTarget): KubeClients | Finding {
  try {
    return makeClients(loadKubeConfig(target));
  } catch (e) {
    return unreachable(
      target.name,
      e instanceof Error ? e.message : String(e),
      'Check the kubeconfig file, context or in-cluster service account configured for this target.',
    );
  }
}

function readNamespace(ctx: ProbeContext, k: KubeClients, namespace: string) {
  return Promise.all([
    bounded(ctx, (o) => k.core.listNamespacedPod({ namespace }, o)),
    bounded(ctx, (o) => k.apps.listNamespacedDeployment({ namespace }, o)),
    bounded(ctx, (o) => k.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, o)),
    bounded(ctx, (o) => k.core.listNamespacedEvent({ namespace, fieldSelector: 'type=Warning' }, o)),
    bounded(ctx, (o): Promise<{ items?: PodMetricsItem[] }> =>
      k.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods' }, o),
    ),
    bounded(ctx, (o) => k.core.listNamespacedService({ namespace }, o)),
    bounded(ctx, (o) => k.discovery.listNamespacedEndpointSlice({ namespace }, o)),
    bounded(ctx, (o) => k.networking.listNamespacedIngress({ namespace }, o)),
    bounded(ctx, (o) => k.core.listNamespacedSecret({ namespace }, metadataOnly(o))),
    bounded(ctx, (o): Promise<{ items?: unknown[] }> => k.custom.listNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace, plural: 'certificates' }, o)),
    bounded(ctx, (o) => k.core.listNamespacedPersistentVolumeClaim({ namespace }, o)),
  ]);
}

/** The most nodes whose stats summary one run reads. */
const MAX_STATS_NODES = 20;

type NamespaceReads = Awaited<ReturnType<typeof readNamespace>>;

function namespaceFindings(ns: string, reads: NamespaceReads, now: Date, th: KubeThresholds): Finding[] {
  const [pods, deployments, hpas, events, , services, slices, ingresses, secrets, certificates, claims] = reads;
  const out: Finding[] = [];
  const failed = (what: string, r: Read<unknown>): void => {
    if (!r.ok) out.push({ check: 'read', component: `${ns}/${what}`, status: 'unknown', value: `could not list ${what}: ${r.error.message}` });
  };
  const warnings: CoreV1Event[] = events.ok ? events.value.items : [];
  const podList = pods.ok ? pods.value.items : undefined;
  if (pods.ok) {
    const names = deployments.ok ? new Set(deployments.value.items.map((d) => d.metadata?.name ?? '')) : undefined;
    const found = podFindings(ns, pods.value.items, th, { events: warnings, ...(names ? { deployments: names } : {}) });
    const live = pods.value.items.filter((p) => p.status?.phase !== 'Succeeded').length;
    out.push(...(found.length ? found : [{ check: 'pods', component: ns, status: 'ok' as const, value: live ? `${live} pods running and ready` : 'no pods' }]));
  } else failed('pods', pods);
  if (deployments.ok) {
    const found = deploymentFindings(ns, deployments.value.items);
    const n = deployments.value.items.length;
    out.push(...(found.length ? found : [{ check: 'deployments', component: ns, status: 'ok' as const, value: n ? `${n} deployments available` : 'no deployments' }]));
  } else failed('deployments', deployments);
  if (hpas.ok) out.push(...hpaFindings(ns, hpas.value.items));
  else failed('horizontalpodautoscalers', hpas);
  if (events.ok) {
    const found = eventFindings(ns, events.value.items, now, th.eventWindowMs);
    out.push(...(found.length ? found : [{ check: 'warning events', component: ns, status: 'ok' as const, value: `none in the last ${formatDuration(th.eventWindowMs)}` }]));
  } else failed('events', events);

  if (services.ok && slices.ok) out.push(...serviceFindings(ns, services.value.items, slices.value.items, podList));
  else if (!services.ok) failed('services', services);
  else failed('endpointslices', slices);

  // cert-manager absent: its group answers 404, which is not a problem of the cluster.
  const certs: CertificateLike[] | undefined = certificates.ok ? (certificates.value.items ?? []).map(certificateOf).filter((c): c is CertificateLike => c !== undefined) : undefined;
  if (certs) out.push(...certificateFindings(ns, certs, now, th));
  else if (!certificates.ok && certificates.error.status !== 404) failed('certificates.cert-manager.io', certificates);

  if (ingresses.ok && services.ok) {
    const secretNames = secrets.ok ? new Set(secrets.value.items.map((s) => s.metadata?.name ?? '')) : undefined;
    const bySecret = certs ? new Map(certs.filter((c) => c.secretName).map((c) => [c.secretName as string, c])) : undefined;
    out.push(...ingressFindings(ns, ingresses.value.items, services.value.items, { ...(secretNames ? { secrets: secretNames } : {}), ...(bySecret ? { certificates: bySecret } : {}) }));
    const withTls = ingresses.value.items.some((i) => (i.spec?.tls ?? []).some((t) => t.secretName));
    if (!secrets.ok && withTls) {
      out.push({
        check: 'ingress TLS secret',
        component: ns,
        status: secrets.error.status === 403 ? 'ok' : 'unknown',
        value: `TLS Secrets not checked: could not list secrets (${secrets.error.message})`,
        threshold: 'informational',
        recommendation: 'Grant list on secrets in this namespace to check that every Ingress TLS Secret exists (Firebreak asks for their metadata only, never their data).',
      });
    }
  } else if (!ingresses.ok && ingresses.error.status !== 404) failed('ingresses', ingresses);

  if (claims.ok) out.push(...pvcFindings(ns, claims.value.items, podList, warnings, now, th));
  else failed('persistentvolumeclaims', claims);
  return out;
}

type StatsRead = { node: string; read: Read<unknown> };

/**
 * The volume usage of the namespaces' bound claims, from the stats summary of each node that
 * mounts one. Reading it needs `nodes/proxy` get, which is broad (the whole kubelet API): without
 * it, one informational finding says so.
 */
async function volumeFindings(ctx: ProbeContext, k: KubeClients, target: KubernetesTarget, namespaces: string[], perNamespace: NamespaceReads[], th: KubeThresholds): Promise<Finding[]> {
  const wanted = new Map<string, string[]>();
  perNamespace.forEach((reads, i) => {
    const [pods, , , , , , , , , , claims] = reads;
    if (!pods.ok || !claims.ok) return;
    const ns = namespaces[i] ?? '?';
    for (const node of nodesWithClaims(pods.value.items, claims.value.items)) wanted.set(node, [...(wanted.get(node) ?? []), ns]);
  });
  if (wanted.size === 0) return [];
  const nodes = [...wanted.keys()].slice(0, MAX_STATS_NODES);
  const reads: StatsRead[] = await Promise.all(
    nodes.map(async (node) => ({ node, read: await bounded(ctx, (o): Promise<unknown> => k.core.connectGetNodeProxyWithPath({ name: node, path: 'stats/summary' }, plainProxyPath(o))) })),
  );
  if (reads.some((r) => !r.read.ok && r.read.error.status === 403)) {
    return [
      {
        check: 'volume usage',
        component: target.name,
        status: 'ok',
        value: 'volume usage not readable: grant nodes/proxy get',
        threshold: 'informational',
        recommendation:
          'The kubelet reports how full each mounted claim is in its stats summary, read through the node proxy. nodes/proxy get opens the whole kubelet API of every node (logs, and exec through a WebSocket upgrade), so it is optional: see the commented rule in the RBAC manifest.',
      },
    ];
  }
  const out: Finding[] = [];
  const usage: ClaimUsage[] = [];
  for (const { node, read } of reads) {
    if (!read.ok) {
      out.push({ check: 'volume usage', component: `node/${node}`, status: 'unknown', value: `could not read the stats summary of ${node}: ${read.error.message}`, recommendation: 'The node\'s kubelet did not answer through the API server: see the node findings.' });
      continue;
    }
    for (const ns of wanted.get(node) ?? []) usage.push(...claimUsage(ns, node, read.value));
  }
  for (const ns of namespaces) out.push(...volumeUsageFindings(ns, usage.filter((u) => u.namespace === ns), th));
  if (wanted.size > nodes.length) out.push({ check: 'volume usage', component: target.name, status: 'unknown', value: `read the stats of ${nodes.length} of ${wanted.size} nodes mounting claims` });
  return out;
}


export function kubernetesProbe(target: KubernetesTarget, options: KubernetesProbeOptions = {}): Probe {
  return {
    kind: 'kubernetes',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      const namespaces = chooseNamespaces(target, options.namespace);
      if (!Array.isArray(namespaces)) return [namespaces];
      const k = connect(target);
      if (!('core' in k)) return [k];
      const th = thresholdsOf(target);
      const [nodes, ...perNamespace] = await Promise.all([
        bounded(ctx, (o) => k.core.listNode({}, o)),
        ...namespaces.map((ns) => readNamespace(ctx, k, ns)),
      ] as const);
      const all: Read<unknown>[] = [nodes, ...perNamespace.flat()];
      const firstFailure = all.find((r) => !r.ok);
      if (all.every((r) => !r.ok) && firstFailure && !firstFailure.ok) {
        return [unreachable(target.name, `${firstFailure.error.message} (${k.server})`)];
      }

      const now = ctx.now();
      const findings: Finding[] = [];
      const metricsDown: string[] = [];
      let metricsError = '';
      perNamespace.forEach((reads, i) => {
        const ns = namespaces[i] ?? '?';
        findings.push(...namespaceFindings(ns, reads, now, th));
        const [pods, , , , metrics] = reads;
        if (metrics.ok) findings.push(...topFindings(ns, metrics.value.items ?? [], pods.ok ? pods.value.items : [], th));
        else {
          metricsDown.push(ns);
          metricsError ||= metrics.error.message;
        }
      });
      if (metricsDown.length > 0) {
        findings.push({
          check: 'top pods',
          component: metricsDown.length === namespaces.length ? target.name : metricsDown.join(', '),
          status: 'unknown',
          value: `metrics-server is not available (metrics.k8s.io: ${metricsError})`,
          recommendation: 'Install metrics-server (or check its APIService) to see CPU and memory per pod.',
        });
      }
      findings.push(...(await volumeFindings(ctx, k, target, namespaces, perNamespace, th)));
      if (nodes.ok) findings.push(...nodeFindings(nodes.value.items));
      else {
        const recommendation = 'Reading nodes needs a ClusterRole (get/list nodes).';
        findings.push({ check: 'read', component: 'nodes', status: 'unknown', value: `could not list nodes: ${nodes.error.message}`, recommendation });
      }
      return sortFindings(findings);
    },
  };
}
