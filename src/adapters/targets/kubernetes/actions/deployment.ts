/**
 * Deployments as the rollout actions see them: read one (namespace allowed, found), describe it for
 * a preview, the guard (uid and generation) and its check before a change, and the wait for the
 * rollout to complete, judged as `kubectl rollout status` does.
 */
import type { V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { ActionContext, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, failed, open, poll, refuse, type Kube } from './kube.js';
import type { Ref } from './params.js';

export const refText = (r: Ref): string => `${r.namespace}/${r.name}`;

/** "container=image, …" of a deployment's or ReplicaSet's pod template. */
export function images(d: { spec?: { template?: V1PodTemplateSpec } }): string {
  return (d.spec?.template?.spec?.containers ?? []).map((c) => `${c.name}=${c.image ?? '?'}`).join(', ');
}

/** The deployment as it is, in a few lines. */
export function describe(d: V1Deployment, ref: Ref): string[] {
  const s = d.status ?? {};
  const lines = [
    `deployment ${refText(ref)}: ${d.spec?.replicas ?? 1} replicas wanted, ${s.readyReplicas ?? 0} ready, ${s.updatedReplicas ?? 0} updated (generation ${d.metadata?.generation ?? '?'})`,
    `images: ${images(d) || 'none'}`,
  ];
  if (d.spec?.paused) lines.push('rollouts are paused');
  return lines;
}

export const guardOf = (d: V1Deployment): Record<string, unknown> => ({ uid: d.metadata?.uid, generation: d.metadata?.generation });

/** What changed since the preview, if anything. */
export function guardProblem(d: V1Deployment, ref: Ref, guard: Record<string, unknown>): string | undefined {
  if (d.metadata?.uid !== guard['uid']) return `deployment ${refText(ref)} was replaced since the preview (another uid): preview again`;
  if (d.metadata?.generation !== guard['generation']) {
    return `deployment ${refText(ref)} changed since the preview (generation ${String(guard['generation'])} → ${d.metadata?.generation ?? '?'}): preview again`;
  }
  return undefined;
}

export const pausedRefusal = (ref: Ref): string =>
  `rollouts of ${refText(ref)} are paused: resume it first (kubectl rollout resume deployment/${ref.name} -n ${ref.namespace})`;

export async function readDeployment(k: Kube, ctx: ActionContext, ref: Ref) {
  return call(ctx, `reading deployment ${refText(ref)}`, (o) => k.apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }, o));
}

/** For a preview: the clients and the deployment, or the refusal (namespace, not found, paused). */
export async function deploymentForPreview(target: KubernetesTarget, ctx: ActionContext, ref: Ref): Promise<{ k: Kube; d: V1Deployment } | Preview> {
  const k = open(target, ref.namespace);
  if (typeof k === 'string') return refuse(k);
  const read = await readDeployment(k, ctx, ref);
  if (!read.ok) return refuse(read.status === 404 ? `deployment ${refText(ref)} not found` : read.message);
  if (read.value.spec?.paused) return refuse(pausedRefusal(ref), describe(read.value, ref));
  return { k, d: read.value };
}

/** For execute: the clients and the deployment still as previewed, or the failed result. */
export async function deploymentForChange(target: KubernetesTarget, ctx: ActionContext, ref: Ref, guard: Record<string, unknown>): Promise<{ k: Kube; d: V1Deployment } | ActionResult> {
  const k = open(target, ref.namespace);
  if (typeof k === 'string') return failed(k);
  const read = await readDeployment(k, ctx, ref);
  if (!read.ok) return failed(read.message);
  const problem = guardProblem(read.value, ref, guard) ?? (read.value.spec?.paused ? pausedRefusal(ref) : undefined);
  return problem ? failed(problem) : { k, d: read.value };
}

export interface Progress {
  complete: boolean;
  /** The rollout will not complete by itself (ProgressDeadlineExceeded). */
  stalled?: string;
  line: string;
}

/** Whether the rollout of the current generation is complete, and where it stands. */
export function progress(d: V1Deployment): Progress {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const generation = d.metadata?.generation ?? 0;
  const observed = s.observedGeneration ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const current = s.replicas ?? 0;
  const line = `${updated} of ${want} updated, ${ready} ready, ${available} available, ${current} running (generation ${observed} of ${generation} observed)`;
  // As kubectl rollout status: the conditions speak for the current generation only once it is observed.
  const deadline = observed >= generation ? s.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') : undefined;
  const complete = observed >= generation && updated === want && ready === want && available === want && current === want;
  return { complete, line, ...(deadline && !complete ? { stalled: (deadline.message ?? 'progress deadline exceeded').replace(/\.$/, '') } : {}) };
}

/**
 * Waits for the rollout of the deployment's current generation to complete (and for `also`, a
 * further check, to hold) until the deadline.
 */
export async function awaitRollout(
  target: KubernetesTarget,
  ctx: ActionContext,
  ref: Ref,
  pollMs: number,
  also?: (d: V1Deployment) => string | undefined,
): Promise<ActionResult> {
  const k = open(target, ref.namespace);
  if (typeof k === 'string') return failed(k);
  const last = await poll(ctx, pollMs, async () => {
    const read = await readDeployment(k, ctx, ref);
    if (!read.ok) return { done: false, final: read.status === 404, transient: read.status !== 404, value: read.message };
    const p = progress(read.value);
    const problem = also?.(read.value);
    if (p.stalled) return { done: false, final: true, value: `rollout of ${refText(ref)} stalled: ${p.stalled}; ${p.line}` };
    if (p.complete && !problem) return { done: true, value: `rollout of ${refText(ref)} complete: ${p.line}` };
    return { done: false, value: `rollout of ${refText(ref)} not complete by the deadline: ${problem ? `${problem}; ` : ''}${p.line}` };
  });
  return { ok: last.done, summary: last.value };
}
