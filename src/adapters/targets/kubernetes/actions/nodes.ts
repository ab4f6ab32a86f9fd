/**
 * k8s.cordon <node> and k8s.uncordon <node>: what `kubectl cordon` / `uncordon` send, a strategic
 * merge patch of spec.unschedulable (true, or null to clear it). Refused when the node is already
 * in that state. Nodes have no namespace: the target's namespaces do not apply.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ActionContext, ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, connect, failed, refuse, SMP, writeFailed, type Kube, type Step } from './kube.js';
import { objectName, positional } from './params.js';

export interface NodeParams {
  node: string;
}

export const nodeParams = positional('<node>', [objectName('node')]).transform(([node]) => ({ node }));

export async function readNode(k: Kube, ctx: ActionContext, node: string): Promise<Step<V1Node>> {
  const r = await call(ctx, `reading node ${node}`, (o) => k.core.readNode({ name: node }, o));
  return !r.ok && r.status === 404 ? { ...r, message: `node ${node} not found` } : r;
}

export async function podsOnNode(k: Kube, ctx: ActionContext, node: string): Promise<Step<V1Pod[]>> {
  const r = await call(ctx, `listing the pods of node ${node}`, (o) => k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }, o));
  return r.ok ? { ok: true, value: r.value.items } : r;
}

/** "node node-a: Ready, schedulable, 9 pods". */
export function nodeLine(n: V1Node, pods?: number): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : `NotReady (${ready?.reason ?? 'no Ready condition'})`;
  return `node ${n.metadata?.name ?? '?'}: ${state}, ${n.spec?.unschedulable ? 'cordoned (unschedulable)' : 'schedulable'}${pods === undefined ? '' : `, ${pods} pods`}`;
}

/** Sets spec.unschedulable as kubectl does (null clears it). */
export async function setUnschedulable(k: Kube, ctx: ActionContext, node: string, on: boolean): Promise<Step<V1Node>> {
  const body = { spec: { unschedulable: on ? true : null } };
  return call(ctx, `${on ? 'cordoning' : 'uncordoning'} node ${node}`, (o) => k.core.patchNode({ name: node, body }, SMP(o)));
}

function cordonAction(on: boolean): ActionDefinition<KubernetesTarget, NodeParams> {
  const verb = on ? 'cordon' : 'uncordon';
  return {
    id: `k8s.${verb}`,
    title: on ? 'Cordon a node (no new pods)' : 'Uncordon a node (schedulable again)',
    risk: 'high',
    targetKind: 'kubernetes',
    usage: '<node>',
    params: nodeParams,
    async preview(target, { node }, ctx) {
      const k = connect(target);
      if (typeof k === 'string') return refuse(k);
      const [n, pods] = await Promise.all([readNode(k, ctx, node), podsOnNode(k, ctx, node)]);
      if (!n.ok) return refuse(n.message);
      const current = [nodeLine(n.value, pods.ok ? pods.value.length : undefined)];
      if (Boolean(n.value.spec?.unschedulable) === on) return refuse(`node ${node} is already ${on ? 'cordoned' : 'schedulable'}`, current);
      return {
        current,
        change: [on ? `mark node ${node} unschedulable: no new pod is placed on it; the pods on it keep running` : `mark node ${node} schedulable again`],
        guard: { uid: n.value.metadata?.uid },
      };
    },
    async execute(target, { node }, guard, ctx) {
      const k = connect(target);
      if (typeof k === 'string') return failed(k);
      const n = await readNode(k, ctx, node);
      if (!n.ok) return failed(n.message);
      if (n.value.metadata?.uid !== guard['uid']) return failed(`node ${node} was replaced since the preview: preview again`);
      if (Boolean(n.value.spec?.unschedulable) === on) return failed(`node ${node} is already ${on ? 'cordoned' : 'schedulable'}`);
      const patched = await setUnschedulable(k, ctx, node, on);
      if (!patched.ok) return failed(writeFailed(patched));
      return { ok: true, summary: `node ${node} ${on ? 'cordoned' : 'uncordoned'}`, before: { unschedulable: !on }, after: { unschedulable: Boolean(patched.value.spec?.unschedulable) } };
    },
    async verify(target, { node }, ctx) {
      const k = connect(target);
      if (typeof k === 'string') return failed(k);
      const n = await readNode(k, ctx, node);
      if (!n.ok) return failed(n.message);
      const ok = Boolean(n.value.spec?.unschedulable) === on;
      return { ok, summary: ok ? nodeLine(n.value) : `node ${node} is not ${on ? 'cordoned' : 'schedulable'}: ${nodeLine(n.value)}` };
    },
  };
}

export const CORDON_ACTIONS = [cordonAction(true), cordonAction(false)];
