/**
 * k8s.set-resources <ns>/<deployment> <container> [--cpu <q>] [--memory <q>]: sets the CPU and/or
 * memory limit of one container of a deployment, as seed 003's `kubectl patch` (1Gi, 1000m) and
 * seed 004's (8Gi, 4000m) do: a strategic merge patch of that container's resources.limits (the
 * containers list merges by name, the limits map by key, so the other container and the other
 * limit stay). Quantities are read strictly; a limit above the target's bounds
 * (`remediation.maxCpu`, `remediation.maxMemory`: 4000m and 8Gi by default) or below the
 * container's request is refused in the preview, which shows each limit current → new. Verified
 * when the rollout is complete and a new ReplicaSet of the deployment, its template carrying the
 * new limits, has every replica ready.
 */
import type { V1Container, V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ActionContext, ActionDefinition, ActionResult } from '../../../../core/remediation/action.js';
import { formatCpu, formatMemory, parseCpu, parseMemory, quantityValue } from '../quantity.js';
import { remediationBoundsOf, type KubernetesTarget } from '../target.js';
import { selectorString } from '../selectors.js';
import { awaitRollout, deploymentForChange, deploymentForPreview, describe, guardOf, refText } from './deployment.js';
import { call, failed, open, SMP, writeFailed } from './kube.js';
import { namespaced, shown, type Ref } from './params.js';

export interface SetResourcesParams extends Ref {
  container: string;
  /** The new CPU limit as typed, and in millicores. */
  cpu?: { text: string; milli: number };
  /** The new memory limit as typed, and in bytes. */
  memory?: { text: string; bytes: number };
}

const USAGE = '<ns>/<deployment> <container> [--cpu <quantity>] [--memory <quantity>]';
const CONTAINER = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const setResourcesParams = z.array(z.string()).transform((args, ctx): SetResourcesParams => {
  const problem = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const [first, container, ...flags] = args;
  if (first === undefined || container === undefined) return problem(`expected ${USAGE}, got ${args.length} argument${args.length === 1 ? '' : 's'}`);
  const ref = namespaced('deployment').safeParse(first);
  if (!ref.success) return problem(ref.error.issues[0]?.message ?? 'invalid deployment');
  if (container.length > 63 || !CONTAINER.test(container)) return problem(`${shown(container)} is not a valid container name (lowercase letters, digits and "-", at most 63)`);
  const out: SetResourcesParams = { ...ref.data, container };
  for (let i = 0; i < flags.length; i += 2) {
    const flag = flags[i] as string;
    const value = flags[i + 1];
    if (flag !== '--cpu' && flag !== '--memory') return problem(`unknown option ${shown(flag)}: expected --cpu <quantity> or --memory <quantity>`);
    const what = flag.slice(2) as 'cpu' | 'memory';
    if (out[what]) return problem(`${flag} is given twice`);
    if (value === undefined || value.startsWith('--')) return problem(`${flag} needs a quantity, like ${what === 'cpu' ? '1000m' : '1Gi'}`);
    if (what === 'cpu') {
      const q = parseCpu(value);
      if (!q.ok) return problem(`--cpu: ${q.message}`);
      out.cpu = { text: value, milli: q.value };
    } else {
      const q = parseMemory(value);
      if (!q.ok) return problem(`--memory: ${q.message}`);
      out.memory = { text: value, bytes: q.value };
    }
  }
  if (!out.cpu && !out.memory) return problem(`give --cpu, --memory or both: ${USAGE}`);
  return out;
});

const containerOf = (d: V1Deployment | V1ReplicaSet, name: string): V1Container | undefined => (d.spec?.template?.spec?.containers ?? []).find((c) => c.name === name);

/** "requests cpu 250m, memory 256Mi; limits cpu 1, memory 512Mi" of one container. */
function resourcesText(c: V1Container): string {
  const part = (what: string, q: Record<string, string> | undefined) =>
    q && Object.keys(q).length ? `${what} ${Object.entries(q).map(([k, v]) => `${k} ${v}`).join(', ')}` : `no ${what}`;
  return `${part('requests', c.resources?.requests)}; ${part('limits', c.resources?.limits)}`;
}

/** Base units of a quantity the API returned (it may be any valid form); NaN when absent. */
const valueOf = (q: string | undefined): number => (q === undefined ? Number.NaN : (quantityValue(q) ?? Number.NaN));

interface Change {
  resource: 'cpu' | 'memory';
  from: string | undefined;
  to: string;
}

/** The limits that change, or why the request cannot be made. */
function plan(target: KubernetesTarget, c: V1Container, p: SetResourcesParams): { changes: Change[] } | { refusal: string } {
  const bounds = remediationBoundsOf(target);
  const changes: Change[] = [];
  const wanted: Array<['cpu' | 'memory', string, number, number, (n: number) => string]> = [];
  if (p.cpu) wanted.push(['cpu', p.cpu.text, p.cpu.milli / 1000, bounds.maxCpu / 1000, (n) => formatCpu(Math.round(n * 1000))]);
  if (p.memory) wanted.push(['memory', p.memory.text, p.memory.bytes, bounds.maxMemory, formatMemory]);
  for (const [resource, text, value, max, show] of wanted) {
    if (value > max) {
      return { refusal: `${resource} limit ${text} is above the most Firebreak may set on ${target.name} (${show(max)}, remediation.max${resource === 'cpu' ? 'Cpu' : 'Memory'} of the target)` };
    }
    const request = c.resources?.requests?.[resource];
    if (request !== undefined && value < valueOf(request)) {
      return { refusal: `${resource} limit ${text} is below the container's ${resource} request ${request}: the API refuses a limit under the request (lower the request first, or choose at least ${request})` };
    }
    const from = c.resources?.limits?.[resource];
    if (from === undefined || Math.abs(valueOf(from) - value) > 1e-9 * Math.max(1, value)) changes.push({ resource, from, to: text });
  }
  if (changes.length === 0) return { refusal: `container ${p.container} already has ${wanted.map(([r, t]) => `${r} limit ${t}`).join(' and ')}` };
  return { changes };
}

export function setResourcesPatch(p: SetResourcesParams) {
  const limits: Record<string, string> = {};
  if (p.cpu) limits['cpu'] = p.cpu.text;
  if (p.memory) limits['memory'] = p.memory.text;
  return { spec: { template: { spec: { containers: [{ name: p.container, resources: { limits } }] } } } };
}

const hasLimits = (c: V1Container | undefined, p: SetResourcesParams): boolean =>
  !!c && (!p.cpu || Math.round(valueOf(c.resources?.limits?.['cpu']) * 1000) === p.cpu.milli) && (!p.memory || valueOf(c.resources?.limits?.['memory']) === p.memory.bytes);

/** The ReplicaSet of the deployment whose template has the new limits, with its replicas. */
async function newReplicaSet(target: KubernetesTarget, ctx: ActionContext, p: SetResourcesParams): Promise<ActionResult> {
  const k = open(target, p.namespace);
  if (typeof k === 'string') return failed(k);
  const d = await call(ctx, `reading deployment ${refText(p)}`, (o) => k.apps.readNamespacedDeployment({ name: p.name, namespace: p.namespace }, o));
  if (!d.ok) return failed(d.message);
  const labelSelector = selectorString(d.value.spec?.selector);
  const sets = await call(ctx, `listing the ReplicaSets of ${refText(p)}`, (o) => k.apps.listNamespacedReplicaSet({ namespace: p.namespace, labelSelector }, o));
  if (!sets.ok) return failed(sets.message);
  const uid = d.value.metadata?.uid;
  const owned = sets.value.items.filter((r) => (r.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === uid));
  const current = owned.find((r) => hasLimits(containerOf(r, p.container), p) && (r.spec?.replicas ?? 0) > 0);
  if (!current) return failed(`no ReplicaSet of ${refText(p)} runs the new limits of container ${p.container}`);
  return { ok: true, summary: `new ReplicaSet ${current.metadata?.name ?? '?'} (revision ${current.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '?'}): ${current.status?.readyReplicas ?? 0}/${current.spec?.replicas ?? 0} ready` };
}

export function setResourcesAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, SetResourcesParams> {
  return {
    id: 'k8s.set-resources',
    title: "Set a container's CPU or memory limit",
    risk: 'high',
    targetKind: 'kubernetes',
    usage: USAGE,
    namespaced: true,
    params: setResourcesParams,
    async preview(target, p, ctx) {
      const found = await deploymentForPreview(target, ctx, p);
      if (!('d' in found)) return found;
      const { d } = found;
      const c = containerOf(d, p.container);
      const current = [...describe(d, p)];
      if (!c) {
        const names = (d.spec?.template.spec?.containers ?? []).map((x) => x.name).join(', ');
        return { current, change: [], guard: {}, refusal: `deployment ${refText(p)} has no container ${p.container} (it has ${names || 'none'})` };
      }
      current.push(`container ${p.container}: ${resourcesText(c)}`);
      const planned = plan(target, c, p);
      if ('refusal' in planned) return { current, change: [], guard: {}, refusal: planned.refusal };
      const bounds = remediationBoundsOf(target);
      return {
        current,
        change: [
          ...planned.changes.map((x) => `limits.${x.resource} of container ${p.container} in ${refText(p)}: ${x.from ?? '(none)'} → ${x.to}`),
          `its ${d.spec?.replicas ?? 1} pods are replaced by a rollout (a new ReplicaSet); requests are left as they are`,
          `bounds on ${target.name}: cpu at most ${formatCpu(bounds.maxCpu)}, memory at most ${formatMemory(bounds.maxMemory)}`,
        ],
        guard: { ...guardOf(d), limits: c.resources?.limits ?? {} },
      };
    },
    async execute(target, p, guard, ctx) {
      const found = await deploymentForChange(target, ctx, p, guard);
      if (!('d' in found)) return found;
      const c = containerOf(found.d, p.container);
      if (!c) return failed(`deployment ${refText(p)} has no container ${p.container} any more`);
      const body = setResourcesPatch(p);
      const patch = await call(ctx, `patching deployment ${refText(p)}`, (o) => found.k.apps.patchNamespacedDeployment({ name: p.name, namespace: p.namespace, body }, SMP(o)));
      if (!patch.ok) return failed(writeFailed(patch));
      const after = containerOf(patch.value, p.container)?.resources?.limits ?? {};
      return {
        ok: true,
        summary: `limits of container ${p.container} in ${refText(p)} set to ${Object.entries(body.spec.template.spec.containers[0]!.resources.limits).map(([k, v]) => `${k} ${v}`).join(', ')}; rollout started (generation ${patch.value.metadata?.generation ?? '?'})`,
        before: { generation: found.d.metadata?.generation, limits: c.resources?.limits ?? {} },
        after: { generation: patch.value.metadata?.generation, limits: after },
      };
    },
    async verify(target, p, ctx) {
      const rollout = await awaitRollout(target, ctx, p, options.pollMs, (d) => (hasLimits(containerOf(d, p.container), p) ? undefined : `container ${p.container} does not have the new limits`));
      if (!rollout.ok) return rollout;
      const rs = await newReplicaSet(target, ctx, p);
      return { ok: rs.ok, summary: `${rollout.summary}; ${rs.summary}` };
    },
  };
}
