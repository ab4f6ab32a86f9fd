/**
 * k8s.delete-failed-pods <ns>: deletes the pods in phase Failed (evicted, OOM-killed Jobs…) that
 * the preview listed, each with its uid as a precondition, as
 * `kubectl delete pods --field-selector=status.phase=Failed` does. Pods in CrashLoopBackOff are in
 * phase Running and are not touched: the preview says so. Verified when none is left.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ActionContext, ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, failed, open, poll, refuse, writeFailed, type Kube, type Step } from './kube.js';
import { namespaceName, positional } from './params.js';
import { deletePod, eachLimited, podLine } from './pods.js';

const SHOWN = 20;
const ONLY_FAILED = 'only pods in phase Failed: pods in CrashLoopBackOff are in phase Running and are left alone';

async function failedPods(k: Kube, ctx: ActionContext, namespace: string): Promise<Step<V1Pod[]>> {
  const list = await call(ctx, `listing the failed pods of ${namespace}`, (o) => k.core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Failed' }, o));
  return list.ok ? { ok: true, value: list.value.items.filter((p) => p.status?.phase === 'Failed') } : list;
}

export function deleteFailedPodsAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, { namespace: string }> {
  return {
    id: 'k8s.delete-failed-pods',
    title: 'Delete the failed pods of a namespace',
    risk: 'high',
    targetKind: 'kubernetes',
    usage: '<ns>',
    namespaced: true,
    params: positional('<ns>', [namespaceName]).transform(([namespace]) => ({ namespace })),
    async preview(target, { namespace }, ctx) {
      const k = open(target, namespace);
      if (typeof k === 'string') return refuse(k);
      const pods = await failedPods(k, ctx, namespace);
      if (!pods.ok) return refuse(pods.message);
      if (!pods.value.length) return refuse(`no pod in phase Failed in ${namespace} (${ONLY_FAILED})`);
      const now = ctx.now();
      const lines = pods.value.slice(0, SHOWN).map((p) => podLine(p, now));
      const more = pods.value.length - lines.length;
      return {
        current: [`${pods.value.length} pods in phase Failed in ${namespace}:`, ...lines, ...(more > 0 ? [`and ${more} more`] : [])],
        change: [`delete these ${pods.value.length} pods`, ONLY_FAILED],
        guard: { pods: Object.fromEntries(pods.value.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? ''])) },
      };
    },
    async execute(target, { namespace }, guard, ctx) {
      const k = open(target, namespace);
      if (typeof k === 'string') return failed(k);
      const pods = Object.entries((guard['pods'] ?? {}) as Record<string, string>);
      const results = await eachLimited(pods, 8, async ([name, uid]) => ({ name, r: await deletePod(k, ctx, namespace, name, uid) }));
      const named = (v: string) => results.filter((x) => x.r.ok && x.r.value === v).map((x) => x.name);
      const errors = results.flatMap((x) => (x.r.ok ? [] : [writeFailed(x.r)]));
      const deleted = named('deleted');
      const skipped = [...named('gone'), ...named('replaced')];
      const summary = [
        `deleted ${deleted.length} of ${pods.length} failed pods in ${namespace}`,
        ...(skipped.length ? [`${skipped.length} already gone or replaced`] : []),
        ...(errors.length ? [`${errors.length} not deleted: ${errors[0]}${errors.length > 1 ? ' …' : ''}`] : []),
      ].join('; ');
      return { ok: errors.length === 0, summary, after: { deleted, skipped, errors } };
    },
    async verify(target, { namespace }, ctx) {
      const k = open(target, namespace);
      if (typeof k === 'string') return failed(k);
      const last = await poll(ctx, options.pollMs, async () => {
        const pods = await failedPods(k, ctx, namespace);
        if (!pods.ok) return { done: false, transient: true, value: pods.message };
        const names = pods.value.map((p) => p.metadata?.name ?? '?');
        return { done: names.length === 0, value: names.length ? `${names.length} failed pods in ${namespace}: ${names.slice(0, 5).join(', ')}` : `no failed pod left in ${namespace}` };
      });
      return { ok: last.done, summary: last.value };
    },
  };
}
