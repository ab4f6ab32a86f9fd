/**
 * k8s.delete-pod <ns>/<pod>: deletes one pod (its controller, if any, makes a new one), with the
 * previewed uid as a precondition so that a pod recreated under the same name is not deleted in
 * its place. Verified when the pod is gone (a replacement under another name is another pod).
 */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, failed, open, poll, refuse, writeFailed } from './kube.js';
import { namespaced, positional, type Ref } from './params.js';
import { afterDelete, controllerOf, deletePod, isMirror, podLine } from './pods.js';

const text = (r: Ref) => `${r.namespace}/${r.name}`;

export function deletePodAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, Ref> {
  return {
    id: 'k8s.delete-pod',
    title: 'Delete a pod',
    risk: 'high',
    targetKind: 'kubernetes',
    usage: '<ns>/<pod>',
    namespaced: true,
    params: positional('<ns>/<pod>', [namespaced('pod')]).transform(([ref]) => ref),
    async preview(target, ref, ctx) {
      const k = open(target, ref.namespace);
      if (typeof k === 'string') return refuse(k);
      const read = await call(ctx, `reading pod ${text(ref)}`, (o) => k.core.readNamespacedPod({ name: ref.name, namespace: ref.namespace }, o));
      if (!read.ok) return refuse(read.status === 404 ? `pod ${text(ref)} not found` : read.message);
      const p = read.value;
      const current = [podLine(p, ctx.now())];
      if (isMirror(p)) return refuse(`${text(ref)} is a static pod of node ${p.spec?.nodeName ?? '?'}: the kubelet recreates it, deleting it does nothing`, current);
      if (p.metadata?.deletionTimestamp) return refuse(`${text(ref)} is already being deleted (since ${new Date(p.metadata.deletionTimestamp).toISOString()})`, current);
      const grace = p.spec?.terminationGracePeriodSeconds ?? 30;
      return {
        current,
        change: [`delete pod ${text(ref)} (its containers get ${grace}s to stop)`, afterDelete(p)],
        guard: { uid: p.metadata?.uid },
      };
    },
    async execute(target, ref, guard, ctx) {
      const k = open(target, ref.namespace);
      if (typeof k === 'string') return failed(k);
      const deleted = await deletePod(k, ctx, ref.namespace, ref.name, String(guard['uid']));
      if (!deleted.ok) return failed(writeFailed(deleted));
      if (deleted.value === 'gone') return failed(`pod ${text(ref)} was already gone`);
      if (deleted.value === 'replaced') return failed(`pod ${text(ref)} is another pod than the one previewed (recreated under the same name): nothing deleted`);
      return { ok: true, summary: `pod ${text(ref)} deleted`, before: { uid: guard['uid'] } };
    },
    async verify(target, ref, ctx) {
      const k = open(target, ref.namespace);
      if (typeof k === 'string') return failed(k);
      const last = await poll(ctx, options.pollMs, async () => {
        const read = await call(ctx, `reading pod ${text(ref)}`, (o) => k.core.readNamespacedPod({ name: ref.name, namespace: ref.namespace }, o));
        if (!read.ok) return read.status === 404 ? { done: true, value: `pod ${text(ref)} is gone` } : { done: false, transient: true, value: read.message };
        const p = read.value;
        if (p.metadata?.deletionTimestamp) return { done: false, value: `pod ${text(ref)} is still terminating` };
        if (controllerOf(p)?.kind === 'StatefulSet') return { done: true, value: `pod ${text(ref)} was recreated by its StatefulSet (${p.status?.phase ?? '?'})` };
        return { done: false, value: `pod ${text(ref)} still exists (${p.status?.phase ?? '?'})` };
      });
      return { ok: last.done, summary: last.done ? last.value : `not confirmed by the deadline: ${last.value}` };
    },
  };
}
