/**
 * k8s.scale <ns>/<deployment> <replicas>: sets the replica count through the scale subresource
 * (a PUT of the Scale read just before, so its resourceVersion makes a concurrent change a
 * conflict rather than a silent overwrite). 0 to maxReplicas. The preview says when an autoscaler
 * manages the deployment (it may undo the change). Verified when the ready replicas reach the count.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import type { ActionContext, ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { deploymentForPreview, describe, readDeployment, refText } from './deployment.js';
import { call, failed, open, poll, writeFailed, type Kube } from './kube.js';
import { namespaced, positional, wholeNumber, type Ref } from './params.js';

export interface ScaleParams extends Ref {
  replicas: number;
}

async function autoscalerLine(k: Kube, ctx: ActionContext, ref: Ref): Promise<string[]> {
  const list = await call(ctx, 'listing autoscalers', (o) => k.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: ref.namespace }, o));
  if (!list.ok) return [`could not check for an autoscaler (${list.message})`];
  const hpa = list.value.items.find((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === ref.name);
  if (!hpa) return [];
  const range = `${hpa.spec?.minReplicas ?? 1} to ${hpa.spec?.maxReplicas ?? '?'}`;
  return [`HorizontalPodAutoscaler ${hpa.metadata?.name ?? '?'} manages its replicas (${range}): it may change them back`];
}

function reached(d: V1Deployment, replicas: number): string | undefined {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  if (want !== replicas) return `spec.replicas is now ${want}, not ${replicas} (changed since: an autoscaler?)`;
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0) || (s.readyReplicas ?? 0) !== replicas || (s.replicas ?? 0) !== replicas) {
    return `${s.readyReplicas ?? 0} of ${replicas} ready, ${s.replicas ?? 0} running`;
  }
  return undefined;
}

export function scaleAction(options: { maxReplicas: number; pollMs: number }): ActionDefinition<KubernetesTarget, ScaleParams> {
  const usage = '<ns>/<deployment> <replicas>';
  return {
    id: 'k8s.scale',
    title: 'Scale a deployment',
    risk: 'high',
    targetKind: 'kubernetes',
    usage,
    namespaced: true,
    params: positional(usage, [namespaced('deployment'), wholeNumber('replicas', 0, options.maxReplicas)]).transform(([ref, replicas]) => ({ ...ref, replicas })),
    async preview(target, p, ctx) {
      const found = await deploymentForPreview(target, ctx, p);
      if (!('d' in found)) return found;
      const { k, d } = found;
      const from = d.spec?.replicas ?? 1;
      const current = [...describe(d, p), ...(await autoscalerLine(k, ctx, p))];
      if (from === p.replicas) return { current, change: [], guard: {}, refusal: `${refText(p)} already has ${from} replicas wanted` };
      return {
        current,
        change: [`scale deployment ${refText(p)} from ${from} to ${p.replicas} replicas (scale subresource)${p.replicas === 0 ? ': every pod stops' : ''}`],
        guard: { uid: d.metadata?.uid, replicas: from },
      };
    },
    async execute(target, p, guard, ctx) {
      const k = open(target, p.namespace);
      if (typeof k === 'string') return failed(k);
      const ref = { name: p.name, namespace: p.namespace };
      const read = await call(ctx, `reading the scale of ${refText(p)}`, (o) => k.apps.readNamespacedDeploymentScale(ref, o));
      if (!read.ok) return failed(read.message);
      const scale = read.value;
      if (scale.metadata?.uid !== guard['uid']) return failed(`deployment ${refText(p)} was replaced since the preview: preview again`);
      const from = scale.spec?.replicas ?? 0;
      if (from !== guard['replicas']) return failed(`${refText(p)} changed since the preview (replicas ${String(guard['replicas'])} → ${from}): preview again`);
      const body = {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: p.name, namespace: p.namespace, resourceVersion: scale.metadata?.resourceVersion },
        spec: { replicas: p.replicas },
      };
      const put = await call(ctx, `scaling ${refText(p)}`, (o) => k.apps.replaceNamespacedDeploymentScale({ ...ref, body }, o));
      if (!put.ok) return failed(put.status === 409 ? `${refText(p)} changed while scaling it: preview again` : writeFailed(put));
      return { ok: true, summary: `${refText(p)} scaled from ${from} to ${p.replicas} replicas`, before: { replicas: from }, after: { replicas: put.value.spec?.replicas } };
    },
    async verify(target, p, ctx) {
      const k = open(target, p.namespace);
      if (typeof k === 'string') return failed(k);
      const last = await poll(ctx, options.pollMs, async () => {
        const read = await readDeployment(k, ctx, p);
        if (!read.ok) return { done: false, final: read.status === 404, transient: read.status !== 404, value: read.message };
        const problem = reached(read.value, p.replicas);
        return { done: !problem, value: problem ?? `${refText(p)}: ${p.replicas} of ${p.replicas} replicas ready` };
      });
      return { ok: last.done, summary: last.done ? last.value : `${refText(p)} did not reach ${p.replicas} ready replicas by the deadline: ${last.value}` };
    },
  };
}
