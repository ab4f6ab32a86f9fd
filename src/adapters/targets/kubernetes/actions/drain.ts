/**
 * k8s.drain <node>: cordons the node, then evicts (policy/v1 Eviction) every pod the preview
 * listed, each with its uid as a precondition, as `kubectl drain --ignore-daemonsets` does. An
 * eviction a PodDisruptionBudget refuses (429) is retried every `evictionRetryMs` until the
 * deadline, then reported as blocked, never forced. Verified when only DaemonSet and static pods
 * are left on the cordoned node.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { clientNode } from '../lib.js';
import type { ActionContext, ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { budgetLines, drainPlan, drainRefusal } from './drain-plan.js';
import { call, connect, failed, listed, poll, refuse, sleep, writeFailed, type Kube } from './kube.js';
import { eachLimited, podRef } from './pods.js';
import { nodeLine, nodeParams, podsOnNode, readNode, setUnschedulable, type NodeParams } from './nodes.js';

export interface DrainOptions {
  pollMs: number;
  evictionRetryMs: number;
}

type Outcome = { pod: string; result: 'evicted' | 'gone' | 'replaced' } | { pod: string; result: 'blocked' | 'failed'; reason: string };

/** The message of a Status body's first cause (the budget's own words), or its message. */
function causeOf(body: unknown): string {
  try {
    const b = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string; details?: { causes?: Array<{ message?: string }> } };
    return b.details?.causes?.[0]?.message ?? b.message ?? 'refused by a PodDisruptionBudget';
  } catch {
    return 'refused by a PodDisruptionBudget';
  }
}

async function evict(k: Kube, ctx: ActionContext, ref: string, uid: string, retryMs: number): Promise<Outcome> {
  const [namespace = '', name = ''] = ref.split('/');
  const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions: { preconditions: { uid } } };
  let refused: string | undefined;
  for (;;) {
    const r = await call(ctx, `evicting pod ${ref}`, async (o) => {
      try {
        await k.core.createNamespacedPodEviction({ name, namespace, body }, o);
        return undefined;
      } catch (e) {
        if (e instanceof clientNode().ApiException && Number(e.code) === 429) return causeOf(e.body);
        throw e;
      }
    });
    if (!r.ok) {
      // A retry cut by the deadline: the budget's refusal is the news.
      if (r.timeout && refused) return { pod: ref, result: 'blocked', reason: refused };
      if (r.status === 404) return { pod: ref, result: 'gone' };
      if (r.status === 409) return { pod: ref, result: 'replaced' };
      return { pod: ref, result: 'failed', reason: writeFailed(r) };
    }
    if (r.value === undefined) return { pod: ref, result: 'evicted' };
    refused = r.value;
    if (ctx.signal.aborted || Date.now() + retryMs >= ctx.deadline) return { pod: ref, result: 'blocked', reason: r.value };
    await sleep(retryMs, ctx.signal);
  }
}

function summaryOf(node: string, outcomes: Outcome[]): string {
  const of = (r: Outcome['result']) => outcomes.filter((o) => o.result === r);
  const evicted = of('evicted').length;
  const parts = [`node ${node} cordoned`, `${evicted} of ${outcomes.length} pods evicted`];
  const skipped = of('gone').length + of('replaced').length;
  if (skipped) parts.push(`${skipped} already gone`);
  const blocked = of('blocked').map((o) => `${o.pod} (${'reason' in o ? o.reason : ''})`);
  if (blocked.length) parts.push(`${blocked.length} blocked by a PodDisruptionBudget until the deadline, not forced: ${listed(blocked, 5)}`);
  const errors = of('failed').map((o) => `${o.pod}: ${'reason' in o ? o.reason : ''}`);
  if (errors.length) parts.push(`${errors.length} failed: ${listed(errors, 3)}`);
  return parts.join('; ');
}

export function drainAction(options: DrainOptions): ActionDefinition<KubernetesTarget, NodeParams> {
  return {
    id: 'k8s.drain',
    title: 'Drain a node (cordon, then evict its pods)',
    risk: 'critical',
    targetKind: 'kubernetes',
    usage: '<node>',
    params: nodeParams,
    async preview(target, { node }, ctx) {
      const k = connect(target);
      if (typeof k === 'string') return refuse(k);
      const [n, pods] = await Promise.all([readNode(k, ctx, node), podsOnNode(k, ctx, node)]);
      if (!n.ok) return refuse(n.message);
      if (!pods.ok) return refuse(pods.message, [nodeLine(n.value)]);
      const plan = drainPlan(pods.value, target);
      const stay = [...plan.daemonSet, ...plan.mirror];
      const current = [
        nodeLine(n.value, pods.value.length),
        ...(stay.length ? [`${stay.length} DaemonSet or static pods stay: ${listed(stay.map(podRef), 5)}`] : []),
        ...(plan.terminating.length ? [`${plan.terminating.length} pods already terminating: ${listed(plan.terminating.map(podRef), 5)}`] : []),
      ];
      const refusal = drainRefusal(plan, target, node);
      if (refusal) return refuse(refusal, current);
      if (!plan.evict.length && n.value.spec?.unschedulable) return refuse(`node ${node} is cordoned and has no pod to evict: nothing to drain`, current);
      current.push(...(await budgetLines(k, ctx, plan.evict)));
      const emptyDir = plan.evict.filter((p: V1Pod) => (p.spec?.volumes ?? []).some((v) => v.emptyDir));
      return {
        current,
        change: [
          ...(n.value.spec?.unschedulable ? [] : [`cordon node ${node} (no new pods)`]),
          `evict ${plan.evict.length} pods, honouring PodDisruptionBudgets (a refused eviction is retried until the deadline, never forced): ${listed(plan.evict.map(podRef), 20)}`,
          ...(emptyDir.length ? [`the emptyDir data of ${listed(emptyDir.map(podRef), 5)} is lost`] : []),
        ],
        guard: { uid: n.value.metadata?.uid, pods: Object.fromEntries(plan.evict.map((p) => [podRef(p), p.metadata?.uid ?? ''])) },
      };
    },
    async execute(target, { node }, guard, ctx) {
      const k = connect(target);
      if (typeof k === 'string') return failed(k);
      const n = await readNode(k, ctx, node);
      if (!n.ok) return failed(n.message);
      if (n.value.metadata?.uid !== guard['uid']) return failed(`node ${node} was replaced since the preview: preview again`);
      if (!n.value.spec?.unschedulable) {
        const cordoned = await setUnschedulable(k, ctx, node, true);
        if (!cordoned.ok) return failed(writeFailed(cordoned));
      }
      const pods = Object.entries((guard['pods'] ?? {}) as Record<string, string>);
      const outcomes = await eachLimited(pods, 16, ([ref, uid]) => evict(k, ctx, ref, uid, options.evictionRetryMs));
      const names = (...rs: Outcome['result'][]) => outcomes.filter((o) => rs.includes(o.result)).map((o) => o.pod);
      return {
        ok: outcomes.every((o) => o.result !== 'blocked' && o.result !== 'failed'),
        summary: summaryOf(node, outcomes),
        before: { unschedulable: Boolean(n.value.spec?.unschedulable), pods: pods.map(([ref]) => ref) },
        after: {
          unschedulable: true,
          evicted: names('evicted'),
          gone: names('gone', 'replaced'),
          blocked: outcomes.flatMap((o) => (o.result === 'blocked' ? [{ pod: o.pod, reason: o.reason }] : [])),
          failed: outcomes.flatMap((o) => (o.result === 'failed' ? [{ pod: o.pod, reason: o.reason }] : [])),
        },
      };
    },
    async verify(target, { node }, ctx) {
      const k = connect(target);
      if (typeof k === 'string') return failed(k);
      const last = await poll(ctx, options.pollMs, async () => {
        const [n, pods] = await Promise.all([readNode(k, ctx, node), podsOnNode(k, ctx, node)]);
        if (!n.ok || !pods.ok) return { done: false, transient: true, value: n.ok ? (pods.ok ? '' : pods.message) : n.message };
        if (!n.value.spec?.unschedulable) return { done: false, final: true, value: `node ${node} is not cordoned` };
        const plan = drainPlan(pods.value, target);
        const left = [...plan.evict, ...plan.terminating, ...plan.bare, ...plan.outside].map(podRef);
        const stay = plan.daemonSet.length + plan.mirror.length;
        return left.length
          ? { done: false, value: `${left.length} pods still on node ${node}: ${listed(left, 10)}` }
          : { done: true, value: `node ${node} drained: cordoned, only ${stay} DaemonSet or static pods left` };
      });
      return { ok: last.done, summary: last.value };
    },
  };
}
