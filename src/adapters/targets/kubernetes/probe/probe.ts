/**
 * The Kubernetes probe: the playbook's quick diagnosis of a namespace in one read-only pass, all
 * requests in parallel and bounded by the deadline. Pods not running or not ready with their
 * reason, restarts, deployments, autoscalers, recent Warning events, nodes, and top pods. It only
 * lists (GET); remediations are suggested as data and never run here.
 */
import { sortFindings, unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { formatDuration } from '../../../../core/duration.js';
import { bounded, makeClients, type KubeClients, type Read } from '../client.js';
import { eventFindings, nodeFindings } from './events.js';
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
  ]);
}

type NamespaceReads = Awaited<ReturnType<typeof readNamespace>>;

function namespaceFindings(ns: string, reads: NamespaceReads, now: Date, th: KubeThresholds): Finding[] {
  const [pods, deployments, hpas, events] = reads;
  const out: Finding[] = [];
  const failed = (what: string, r: Read<unknown>): void => {
    if (!r.ok) out.push({ check: 'read', component: `${ns}/${what}`, status: 'unknown', value: `could not list ${what}: ${r.error.message}` });
  };
  if (pods.ok) {
    const found = podFindings(ns, pods.value.items, th);
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
      if (nodes.ok) findings.push(...nodeFindings(nodes.value.items));
      else {
        const recommendation = 'Reading nodes needs a ClusterRole (get/list nodes).';
        findings.push({ check: 'read', component: 'nodes', status: 'unknown', value: `could not list nodes: ${nodes.error.message}`, recommendation });
      }
      return sortFindings(findings);
    },
  };
}
