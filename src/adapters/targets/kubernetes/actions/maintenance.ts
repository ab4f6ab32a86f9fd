/**
 * k8s.maintenance <ns>/<ingress> on|off: the playbook's maintenance mode for an ingress-nginx
 * Ingress, a merge patch of two annotations: on sets custom-http-errors "503" and default-backend
 * "maintenance-page" (503 answers of the backends, and requests when they have no ready endpoint,
 * get the maintenance-page Service's answer); off removes both. Refused when already in that state.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, failed, MERGE, open, refuse, writeFailed } from './kube.js';
import { namespaced, onOff, positional, type Ref } from './params.js';

export const MAINTENANCE_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({
  'nginx.ingress.kubernetes.io/custom-http-errors': '503',
  'nginx.ingress.kubernetes.io/default-backend': 'maintenance-page',
});

export interface MaintenanceParams extends Ref {
  mode: 'on' | 'off';
}

const text = (r: Ref) => `${r.namespace}/${r.name}`;
const keys = Object.keys(MAINTENANCE_ANNOTATIONS);
const annotationsOf = (i: V1Ingress) => i.metadata?.annotations ?? {};

/** on: both annotations as maintenance wants them; off: neither. */
function isIn(i: V1Ingress, mode: 'on' | 'off'): boolean {
  const a = annotationsOf(i);
  return mode === 'on' ? keys.every((k) => a[k] === MAINTENANCE_ANNOTATIONS[k]) : keys.every((k) => !(k in a));
}

function hosts(i: V1Ingress): string {
  return [...new Set((i.spec?.rules ?? []).map((r) => r.host ?? '*'))].join(', ') || '(any host)';
}

export function maintenancePatch(mode: 'on' | 'off') {
  return { metadata: { annotations: mode === 'on' ? { ...MAINTENANCE_ANNOTATIONS } : Object.fromEntries(keys.map((k) => [k, null])) } };
}

export function maintenanceAction(): ActionDefinition<KubernetesTarget, MaintenanceParams> {
  const usage = '<ns>/<ingress> on|off';
  return {
    id: 'k8s.maintenance',
    title: 'Maintenance page on an ingress (ingress-nginx)',
    risk: 'critical',
    targetKind: 'kubernetes',
    usage,
    namespaced: true,
    params: positional(usage, [namespaced('ingress'), onOff]).transform(([ref, mode]) => ({ ...ref, mode })),
    async preview(target, p, ctx) {
      const k = open(target, p.namespace);
      if (typeof k === 'string') return refuse(k);
      const read = await call(ctx, `reading ingress ${text(p)}`, (o) => k.networking.readNamespacedIngress({ name: p.name, namespace: p.namespace }, o));
      if (!read.ok) return refuse(read.status === 404 ? `ingress ${text(p)} not found` : read.message);
      const i = read.value;
      const a = annotationsOf(i);
      const current = [
        `ingress ${text(p)} (class ${i.spec?.ingressClassName ?? a['kubernetes.io/ingress.class'] ?? 'default'}) serves ${hosts(i)}`,
        ...keys.map((key) => `${key}: ${key in a ? JSON.stringify(a[key]) : 'not set'}`),
      ];
      if (isIn(i, p.mode)) return refuse(`maintenance is already ${p.mode} on ingress ${text(p)}`, current);
      const change =
        p.mode === 'on'
          ? [
              ...keys.map((key) => `set ${key}: ${JSON.stringify(MAINTENANCE_ANNOTATIONS[key])}`),
              `503 answers of ${hosts(i)} (and requests while no backend pod is ready) are served by the Service maintenance-page of ${p.namespace}`,
            ]
          : [...keys.filter((key) => key in a).map((key) => `remove ${key}`), `${hosts(i)} is served by its backends again`];
      return { current, change, guard: { uid: i.metadata?.uid, annotations: Object.fromEntries(keys.map((key) => [key, a[key] ?? null])) } };
    },
    async execute(target, p, guard, ctx) {
      const k = open(target, p.namespace);
      if (typeof k === 'string') return failed(k);
      const ref = { name: p.name, namespace: p.namespace };
      const read = await call(ctx, `reading ingress ${text(p)}`, (o) => k.networking.readNamespacedIngress(ref, o));
      if (!read.ok) return failed(read.message);
      const a = annotationsOf(read.value);
      const now = Object.fromEntries(keys.map((key) => [key, a[key] ?? null]));
      if (read.value.metadata?.uid !== guard['uid'] || JSON.stringify(now) !== JSON.stringify(guard['annotations'])) {
        return failed(`ingress ${text(p)} changed since the preview: preview again`);
      }
      const body = maintenancePatch(p.mode);
      const patch = await call(ctx, `patching ingress ${text(p)}`, (o) => k.networking.patchNamespacedIngress({ ...ref, body }, MERGE(o)));
      if (!patch.ok) return failed(writeFailed(patch));
      const after = Object.fromEntries(keys.map((key) => [key, annotationsOf(patch.value)[key] ?? null]));
      return { ok: true, summary: `maintenance ${p.mode} on ingress ${text(p)} (${hosts(patch.value)})`, before: now, after };
    },
    async verify(target, p, ctx) {
      const k = open(target, p.namespace);
      if (typeof k === 'string') return failed(k);
      const read = await call(ctx, `reading ingress ${text(p)}`, (o) => k.networking.readNamespacedIngress({ name: p.name, namespace: p.namespace }, o));
      if (!read.ok) return failed(read.message);
      const ok = isIn(read.value, p.mode);
      return { ok, summary: ok ? `maintenance is ${p.mode} on ingress ${text(p)}` : `ingress ${text(p)} does not have maintenance ${p.mode}: its annotations changed` };
    },
  };
}
