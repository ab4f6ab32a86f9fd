/**
 * k8s.rollout-undo <ns>/<deployment> [revision]: what `kubectl rollout undo` does. The ReplicaSets
 * the deployment controls are its history (annotation deployment.kubernetes.io/revision); the one
 * of the previous revision (or the one asked for) gives its pod template, without the
 * pod-template-hash label, which replaces the deployment's (a JSON patch, as kubectl sends, with a
 * test of the generation previewed). Refused when paused, without history, or when nothing would
 * change.
 */
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { ActionContext, ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { selectorString } from '../selectors.js';
import { awaitRollout, deploymentForChange, deploymentForPreview, describe, guardOf, images, refText } from './deployment.js';
import { call, failed, JSON_PATCH, listed, plain, refuse, writeFailed, type Kube, type Step } from './kube.js';
import { namespaced, positional, wholeNumber, type Ref } from './params.js';

const REVISION = 'deployment.kubernetes.io/revision';
/** Annotations of a ReplicaSet that are not copied to the deployment on a rollback (as kubectl). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface UndoParams extends Ref {
  revision?: number;
}

const revisionOf = (rs: V1ReplicaSet): number => Number.parseInt(rs.metadata?.annotations?.[REVISION] ?? '', 10);

/** The template as the deployment would hold it: wire form, without pod-template-hash. */
export function templateOf(rs: V1ReplicaSet): V1PodTemplateSpec {
  const t = plain(rs.spec?.template ?? {}) as V1PodTemplateSpec;
  if (t.metadata?.labels) delete t.metadata.labels['pod-template-hash'];
  return t;
}

/** JSON with sorted keys, to compare templates. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The paths where two templates differ (leaves, at most a few levels deep). */
function differences(a: unknown, b: unknown, path = '', depth = 0): string[] {
  if (canonical(a) === canonical(b)) return [];
  const objects = a && b && typeof a === 'object' && typeof b === 'object';
  if (!objects || depth >= 5) return [path || '(template)'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const at = (k: string) => (Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
  return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at(k), depth + 1));
}

async function history(k: Kube, ctx: ActionContext, d: V1Deployment, ref: Ref): Promise<Step<V1ReplicaSet[]>> {
  const list = await call(ctx, `listing the ReplicaSets of ${refText(ref)}`, (o) =>
    k.apps.listNamespacedReplicaSet({ namespace: ref.namespace, labelSelector: selectorString(d.spec?.selector) }, o),
  );
  if (!list.ok) return list;
  const owned = list.value.items.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === d.metadata?.uid));
  return { ok: true, value: owned.filter((rs) => Number.isInteger(revisionOf(rs))).sort((x, y) => revisionOf(y) - revisionOf(x)) };
}

/** The ReplicaSet to go back to, or why there is none. */
function pick(owned: V1ReplicaSet[], ref: Ref, revision: number | undefined): V1ReplicaSet | string {
  const known = owned.map(revisionOf);
  if (revision !== undefined) {
    return owned.find((rs) => revisionOf(rs) === revision) ?? `revision ${revision} is not in the history of ${refText(ref)} (revisions: ${listed(known.map(String)) || 'none'})`;
  }
  return owned[1] ?? `no previous revision of ${refText(ref)} to go back to (history: ${known.length ? `revision ${known.join(', ')}` : 'none'})`;
}

export function rolloutUndoAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, UndoParams> {
  return {
    id: 'k8s.rollout-undo',
    title: 'Roll a deployment back to a previous revision',
    risk: 'critical',
    targetKind: 'kubernetes',
    usage: '<ns>/<deployment> [revision]',
    namespaced: true,
    params: positional('<ns>/<deployment> [revision]', [namespaced('deployment')], [wholeNumber('revision', 1, 2 ** 31 - 1)]).transform(([ref, revision]) =>
      revision === undefined ? ref : { ...ref, revision },
    ),
    async preview(target, params, ctx) {
      const found = await deploymentForPreview(target, ctx, params);
      if (!('d' in found)) return found;
      const { k, d } = found;
      const current = describe(d, params);
      const owned = await history(k, ctx, d, params);
      if (!owned.ok) return refuse(owned.message, current);
      const rs = pick(owned.value, params, params.revision);
      if (typeof rs === 'string') return refuse(rs, current);
      const revision = revisionOf(rs);
      const diff = differences(plain(d.spec?.template), templateOf(rs));
      if (!diff.length) return refuse(`the pod template of ${refText(params)} already matches revision ${revision}: nothing to roll back`, current);
      const latest = owned.value[0] ? revisionOf(owned.value[0]) : '?';
      return {
        current: [...current, `at revision ${latest}`],
        change: [
          `replace the pod template of ${refText(params)} with revision ${revision}'s (ReplicaSet ${rs.metadata?.name ?? '?'}, without its pod-template-hash label)`,
          `images: ${images(d)} → ${images(rs)}`,
          `fields that change: ${listed(diff, 8)}`,
        ],
        guard: { ...guardOf(d), replicaSet: rs.metadata?.uid, revision },
      };
    },
    async execute(target, params, guard, ctx) {
      const found = await deploymentForChange(target, ctx, params, guard);
      if (!('d' in found)) return found;
      const { k, d } = found;
      const owned = await history(k, ctx, d, params);
      if (!owned.ok) return failed(owned.message);
      const rs = owned.value.find((r) => r.metadata?.uid === guard['replicaSet']);
      if (!rs) return failed(`the ReplicaSet of revision ${String(guard['revision'])} of ${refText(params)} is gone since the preview`);
      const annotations: Record<string, string> = { ...(d.metadata?.annotations ?? {}) };
      for (const [key, value] of Object.entries(rs.metadata?.annotations ?? {})) if (!NOT_COPIED.has(key)) annotations[key] = value;
      const body = [
        { op: 'test', path: '/metadata/generation', value: d.metadata?.generation },
        { op: 'replace', path: '/spec/template', value: templateOf(rs) },
        { op: 'add', path: '/metadata/annotations', value: annotations },
      ];
      const patch = await call(ctx, `patching deployment ${refText(params)}`, (o) => k.apps.patchNamespacedDeployment({ name: params.name, namespace: params.namespace, body }, JSON_PATCH(o)));
      if (!patch.ok) return failed(writeFailed(patch));
      return {
        ok: true,
        summary: `${refText(params)} rolled back to revision ${String(guard['revision'])} (${images(patch.value)}); rollout started`,
        before: { generation: d.metadata?.generation, images: images(d) },
        after: { generation: patch.value.metadata?.generation, images: images(patch.value), revision: guard['revision'] },
      };
    },
    verify: (target, params, ctx) => awaitRollout(target, ctx, params, options.pollMs),
  };
}
