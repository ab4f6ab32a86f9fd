/** Pods as the pod actions show and delete them: one line each, the controller, a guarded delete. */
import type { V1Pod } from '@kubernetes/client-node';
import type { ActionContext } from '../../../../core/remediation/action.js';
import { call, type Kube, type Step } from './kube.js';

export const MIRROR = 'kubernetes.io/config.mirror';

export const podRef = (p: V1Pod): string => `${p.metadata?.namespace ?? '?'}/${p.metadata?.name ?? '?'}`;
export const controllerOf = (p: V1Pod) => (p.metadata?.ownerReferences ?? []).find((r) => r.controller);
export const isMirror = (p: V1Pod): boolean => MIRROR in (p.metadata?.annotations ?? {});
export const isDaemonSetPod = (p: V1Pod): boolean => controllerOf(p)?.kind === 'DaemonSet';
export const isFinished = (p: V1Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function age(from: Date | undefined, now: Date): string {
  if (!from) return '?';
  const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
}

/** "shop/api-…: Running, 0/1 ready, 12 restarts (CrashLoopBackOff), node node-a, ReplicaSet api-…, 3h old". */
export function podLine(p: V1Pod, now: Date): string {
  const statuses = p.status?.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const waiting = statuses.map((c) => c.state?.waiting?.reason).find(Boolean);
  const why = p.status?.reason ? ` (${p.status.reason}${p.status.message ? `: ${p.status.message.slice(0, 120)}` : ''})` : waiting ? ` (${waiting})` : '';
  const owner = controllerOf(p);
  return [
    `${podRef(p)}: ${p.status?.phase ?? 'Unknown'}${why}`,
    `${ready}/${statuses.length || p.spec?.containers.length || 0} ready`,
    ...(restarts ? [`${restarts} restarts`] : []),
    `node ${p.spec?.nodeName ?? '(none)'}`,
    owner ? `${owner.kind} ${owner.name}` : 'no controller',
    `${age(p.metadata?.creationTimestamp, now)} old`,
  ].join(', ');
}

/** What happens after the pod is deleted. */
export function afterDelete(p: V1Pod): string {
  const owner = controllerOf(p);
  if (!owner) return 'it has no controller: nothing recreates it';
  if (owner.kind === 'StatefulSet') return `StatefulSet ${owner.name} recreates it under the same name`;
  if (owner.kind === 'Job') return `Job ${owner.name} decides whether to run it again`;
  return `${owner.kind} ${owner.name} replaces it with a new pod under another name`;
}

export type Deleted = 'deleted' | 'gone' | 'replaced';

/** Deletes the pod only if it is still the one with that uid; "gone" when it no longer exists. */
export async function deletePod(k: Kube, ctx: ActionContext, namespace: string, name: string, uid: string): Promise<Step<Deleted>> {
  const r = await call(ctx, `deleting pod ${namespace}/${name}`, (o) => k.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } }, o));
  if (r.ok) return { ok: true, value: 'deleted' };
  if (r.status === 404) return { ok: true, value: 'gone' };
  if (r.status === 409) return { ok: true, value: 'replaced' };
  return r;
}

/** Runs `fn` over the items, at most `width` at a time. */
export async function eachLimited<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}
