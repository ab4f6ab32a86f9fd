/**
 * k8s.rollout-restart <ns>/<deployment>: what `kubectl rollout restart` does, a strategic merge
 * patch setting the pod template annotation kubectl.kubernetes.io/restartedAt to now (RFC 3339),
 * so the deployment replaces its pods by its rollout strategy. Verified when the rollout of the new
 * generation is complete.
 */
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { awaitRollout, deploymentForChange, deploymentForPreview, describe, guardOf, refText } from './deployment.js';
import { call, failed, SMP, writeFailed } from './kube.js';
import { namespaced, positional, type Ref } from './params.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** RFC 3339 in UTC, whole seconds, as kubectl writes it. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function restartPatch(at: Date) {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: rfc3339(at) } } } } };
}

function strategyText(strategy: { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } } | undefined): string {
  if (strategy?.type === 'Recreate') return 'Recreate: every pod stops before the new ones start';
  const r = strategy?.rollingUpdate;
  return `RollingUpdate (maxUnavailable ${String(r?.maxUnavailable ?? '25%')}, maxSurge ${String(r?.maxSurge ?? '25%')})`;
}

export function rolloutRestartAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, Ref> {
  return {
    id: 'k8s.rollout-restart',
    title: 'Restart a deployment (rolling)',
    risk: 'high',
    targetKind: 'kubernetes',
    usage: '<ns>/<deployment>',
    namespaced: true,
    params: positional('<ns>/<deployment>', [namespaced('deployment')]).transform(([ref]) => ref),
    async preview(target, ref, ctx) {
      const found = await deploymentForPreview(target, ctx, ref);
      if (!('d' in found)) return found;
      const { d } = found;
      const previous = d.spec?.template.metadata?.annotations?.[RESTARTED_AT];
      return {
        current: [...describe(d, ref), ...(previous ? [`last restarted at ${previous}`] : [])],
        change: [
          `set pod template annotation ${RESTARTED_AT} to the time of execution on ${refText(ref)}`,
          `its ${d.spec?.replicas ?? 1} pods are replaced by ${strategyText(d.spec?.strategy)}`,
        ],
        guard: guardOf(d),
      };
    },
    async execute(target, ref, guard, ctx) {
      const found = await deploymentForChange(target, ctx, ref, guard);
      if (!('d' in found)) return found;
      const body = restartPatch(ctx.now());
      const patch = await call(ctx, `patching deployment ${refText(ref)}`, (o) => found.k.apps.patchNamespacedDeployment({ ...ref, body }, SMP(o)));
      if (!patch.ok) return failed(writeFailed(patch));
      const at = body.spec.template.metadata.annotations[RESTARTED_AT];
      return {
        ok: true,
        summary: `restart of ${refText(ref)} started (${RESTARTED_AT}=${at}, generation ${patch.value.metadata?.generation ?? '?'})`,
        before: { generation: found.d.metadata?.generation, restartedAt: found.d.spec?.template.metadata?.annotations?.[RESTARTED_AT] ?? null },
        after: { generation: patch.value.metadata?.generation, restartedAt: at },
      };
    },
    verify: (target, ref, ctx) => awaitRollout(target, ctx, ref, options.pollMs),
  };
}
