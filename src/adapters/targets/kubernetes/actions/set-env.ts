/**
 * k8s.set-env <ns>/<deployment> KEY=VALUE: what `kubectl set env` does for one variable, a
 * strategic merge patch of the pod template setting KEY on every container (the env list merges by
 * name, so other variables stay; a `valueFrom` it replaces is removed). The preview shows the
 * current value per container (hidden for names that look secret). Verified when the rollout of
 * the new template is complete and every container has the value.
 */
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { awaitRollout, deploymentForChange, deploymentForPreview, describe, guardOf, refText } from './deployment.js';
import { call, failed, SMP, writeFailed } from './kube.js';
import { envAssignment, namespaced, positional, type EnvVar, type Ref } from './params.js';

export interface SetEnvParams extends Ref {
  env: EnvVar;
}

const SECRET_LIKE = /PASS|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE/i;
const cut = (s: string) => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s);

/** The variable's current value in one container, for people. */
export function currentValue(c: V1Container, key: string): string {
  const e = (c.env ?? []).find((v) => v.name === key);
  const from = (c.envFrom ?? []).map((f) => (f.configMapRef ? `ConfigMap ${f.configMapRef.name}` : `Secret ${f.secretRef?.name ?? '?'}`));
  const also = from.length ? ` (envFrom ${from.join(', ')} may also set it)` : '';
  if (!e) return `${c.name}: ${key} not set${also}`;
  const s = e.valueFrom;
  if (s) {
    const source = s.secretKeyRef
      ? `Secret ${s.secretKeyRef.name} key ${s.secretKeyRef.key}`
      : s.configMapKeyRef
        ? `ConfigMap ${s.configMapKeyRef.name} key ${s.configMapKeyRef.key}`
        : s.fieldRef
          ? `field ${s.fieldRef.fieldPath}`
          : 'a resource field';
    return `${c.name}: ${key} from ${source}`;
  }
  const value = e.value ?? '';
  return `${c.name}: ${key}=${SECRET_LIKE.test(key) ? `(hidden, ${value.length} characters)` : cut(value)}`;
}

const has = (c: V1Container, env: EnvVar) => (c.env ?? []).some((v) => v.name === env.key && (v.value ?? '') === env.value && !v.valueFrom);
const containersOf = (d: V1Deployment) => d.spec?.template.spec?.containers ?? [];

export function setEnvPatch(d: V1Deployment, env: EnvVar) {
  const containers = containersOf(d).map((c) => {
    const replacesFrom = (c.env ?? []).some((v) => v.name === env.key && v.valueFrom);
    return { name: c.name, env: [{ name: env.key, value: env.value, ...(replacesFrom ? { valueFrom: null } : {}) }] };
  });
  return { spec: { template: { spec: { containers } } } };
}

export function setEnvAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, SetEnvParams> {
  const usage = '<ns>/<deployment> KEY=VALUE';
  return {
    id: 'k8s.set-env',
    title: 'Set an environment variable on a deployment',
    risk: 'high',
    targetKind: 'kubernetes',
    usage,
    namespaced: true,
    params: positional(usage, [namespaced('deployment'), envAssignment]).transform(([ref, env]) => ({ ...ref, env })),
    async preview(target, p, ctx) {
      const found = await deploymentForPreview(target, ctx, p);
      if (!('d' in found)) return found;
      const { d } = found;
      const containers = containersOf(d);
      const current = [...describe(d, p), ...containers.map((c) => currentValue(c, p.env.key))];
      if (containers.every((c) => has(c, p.env))) return { current, change: [], guard: {}, refusal: `every container of ${refText(p)} already has ${p.env.key}=${cut(p.env.value)}` };
      const init = d.spec?.template.spec?.initContainers?.length ? ' (init containers are not changed)' : '';
      return {
        current,
        change: [
          `set ${p.env.key}=${cut(p.env.value)} on containers ${containers.map((c) => c.name).join(', ')} of ${refText(p)}${init}`,
          `its ${d.spec?.replicas ?? 1} pods are replaced by a rollout`,
        ],
        guard: guardOf(d),
      };
    },
    async execute(target, p, guard, ctx) {
      const found = await deploymentForChange(target, ctx, p, guard);
      if (!('d' in found)) return found;
      const body = setEnvPatch(found.d, p.env);
      const ref = { name: p.name, namespace: p.namespace };
      const patch = await call(ctx, `patching deployment ${refText(p)}`, (o) => found.k.apps.patchNamespacedDeployment({ ...ref, body }, SMP(o)));
      if (!patch.ok) return failed(writeFailed(patch));
      return {
        ok: true,
        summary: `${p.env.key} set on ${body.spec.template.spec.containers.length} containers of ${refText(p)}; rollout started (generation ${patch.value.metadata?.generation ?? '?'})`,
        before: { generation: found.d.metadata?.generation, values: containersOf(found.d).map((c) => currentValue(c, p.env.key)) },
        after: { generation: patch.value.metadata?.generation },
      };
    },
    verify: (target, p, ctx) =>
      awaitRollout(target, ctx, p, options.pollMs, (d) => {
        const missing = containersOf(d).filter((c) => !has(c, p.env));
        return missing.length ? `containers without ${p.env.key}=${cut(p.env.value)}: ${missing.map((c) => c.name).join(', ')}` : undefined;
      }),
  };
}
