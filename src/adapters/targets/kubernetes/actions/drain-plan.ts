/**
 * What draining a node would do, as `kubectl drain --ignore-daemonsets --delete-emptydir-data`
 * decides it: DaemonSet pods and static (mirror) pods stay, every other pod is evicted; pods
 * without a controller block the drain (nothing would recreate them: kubectl wants --force), and so
 * do pods in namespaces the target does not allow. The PodDisruptionBudgets covering the pods to
 * evict are shown, since they may hold evictions back.
 */
import type { V1LabelSelector, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { ActionContext } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, listed, type Kube } from './kube.js';
import { controllerOf, isDaemonSetPod, isFinished, isMirror, podRef } from './pods.js';

export interface DrainPlan {
  evict: V1Pod[];
  daemonSet: V1Pod[];
  mirror: V1Pod[];
  terminating: V1Pod[];
  /** Pods no controller would recreate. */
  bare: V1Pod[];
  /** Pods in namespaces the target does not allow. */
  outside: V1Pod[];
}

export function drainPlan(pods: V1Pod[], target: KubernetesTarget): DrainPlan {
  const plan: DrainPlan = { evict: [], daemonSet: [], mirror: [], terminating: [], bare: [], outside: [] };
  for (const p of pods) {
    if (isMirror(p)) plan.mirror.push(p);
    else if (isDaemonSetPod(p)) plan.daemonSet.push(p);
    else if (p.metadata?.deletionTimestamp) plan.terminating.push(p);
    else if (!target.namespaces.includes(p.metadata?.namespace ?? '')) plan.outside.push(p);
    else if (!controllerOf(p) && !isFinished(p)) plan.bare.push(p);
    else plan.evict.push(p);
  }
  return plan;
}

/** Why the node cannot be drained by Firebreak, if it cannot. */
export function drainRefusal(plan: DrainPlan, target: KubernetesTarget, node: string): string | undefined {
  if (plan.outside.length) {
    const allowed = target.namespaces.join(', ') || 'none';
    return `node ${node} runs pods in namespaces Firebreak may not change on ${target.name} (allowed: ${allowed}): ${listed(plan.outside.map(podRef), 5)}; drain it with kubectl`;
  }
  if (plan.bare.length) {
    return `node ${node} runs pods without a controller, which nothing would recreate: ${listed(plan.bare.map(podRef), 5)} (kubectl drain refuses them too without --force); move or delete them first`;
  }
  return undefined;
}

/** Whether a label selector selects these labels (an empty selector selects everything). */
export function selects(selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = e.key in labels;
      const among = (e.values ?? []).includes(labels[e.key] ?? '');
      if (e.operator === 'In') return has && among;
      if (e.operator === 'NotIn') return !has || !among;
      return e.operator === 'Exists' ? has : !has;
    })
  );
}

/** One line per PodDisruptionBudget covering pods to evict (or why they could not be read). */
export async function budgetLines(k: Kube, ctx: ActionContext, pods: V1Pod[]): Promise<string[]> {
  const namespaces = [...new Set(pods.map((p) => p.metadata?.namespace ?? ''))];
  const lines: string[] = [];
  for (const namespace of namespaces) {
    const list = await call(ctx, `listing the PodDisruptionBudgets of ${namespace}`, (o) => k.policy.listNamespacedPodDisruptionBudget({ namespace }, o));
    if (!list.ok) {
      lines.push(`${list.message} (evictions respect them anyway)`);
      continue;
    }
    for (const b of list.value.items) lines.push(...budgetLine(b, pods));
  }
  return lines;
}

function budgetLine(b: V1PodDisruptionBudget, pods: V1Pod[]): string[] {
  const covered = pods.filter((p) => p.metadata?.namespace === b.metadata?.namespace && selects(b.spec?.selector, p.metadata?.labels ?? {}));
  if (!covered.length) return [];
  const s = b.status;
  const counts = s ? `${s.desiredHealthy} healthy needed, ${s.currentHealthy} healthy, ${s.disruptionsAllowed} disruptions allowed` : 'no status yet';
  const wait = s && s.disruptionsAllowed < covered.length ? ': some evictions will wait for replacements, until the deadline' : '';
  return [`PodDisruptionBudget ${b.metadata?.namespace ?? '?'}/${b.metadata?.name ?? '?'} (${counts}) covers ${listed(covered.map(podRef), 5)}${wait}`];
}
