/**
 * k8s.delete-completed <ns>: seed 003's cleanup, `kubectl delete pods
 * --field-selector=status.phase=Succeeded` and the deletion of finished Jobs, in one approved
 * request. Finished Jobs are those with a Complete or Failed condition; each is deleted with
 * propagationPolicy Background (the API's default for a Job is to orphan its pods), so its pods
 * go with it. Succeeded pods of a Job still running are left to it. Only what the preview listed
 * is deleted, each by its uid (a Job or pod recreated under the same name is not touched, one
 * that appeared since is left for the next run); at most 200 objects per request. Verified when
 * none of them is left.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ActionContext, ActionDefinition } from '../../../../core/remediation/action.js';
import type { KubernetesTarget } from '../target.js';
import { call, failed, open, poll, refuse, writeFailed, type Kube, type Step } from './kube.js';
import { namespaceName, positional } from './params.js';
import { controllerOf, deletePod, eachLimited, podLine, type Deleted } from './pods.js';

/** The most objects one request deletes; the preview says how many are left for another. */
export const MAX_DELETED = 200;
const SHOWN = 20;

const finished = (j: V1Job): 'Complete' | 'Failed' | undefined =>
  (j.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type as 'Complete' | 'Failed' | undefined;

interface Completed {
  jobs: V1Job[];
  pods: V1Pod[];
  /** Finished objects beyond MAX_DELETED, left for another request. */
  more: number;
}

/** The namespace's finished Jobs, and its Succeeded pods that are not a running Job's. */
async function completed(k: Kube, ctx: ActionContext, namespace: string): Promise<Step<Completed>> {
  const [jobs, pods] = await Promise.all([
    call(ctx, `listing the jobs of ${namespace}`, (o) => k.batch.listNamespacedJob({ namespace }, o)),
    call(ctx, `listing the succeeded pods of ${namespace}`, (o) => k.core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Succeeded' }, o)),
  ]);
  if (!jobs.ok) return jobs;
  if (!pods.ok) return pods;
  const done = jobs.value.items.filter((j) => finished(j) && !j.metadata?.deletionTimestamp);
  const running = new Set(jobs.value.items.filter((j) => !finished(j)).map((j) => j.metadata?.uid));
  const doneUids = new Set(done.map((j) => j.metadata?.uid));
  const succeeded = pods.value.items.filter((p) => {
    if (p.status?.phase !== 'Succeeded' || p.metadata?.deletionTimestamp) return false;
    const owner = controllerOf(p);
    // A running Job's pods are its own business; a finished Job's go with it.
    return !(owner?.kind === 'Job' && (running.has(owner.uid) || doneUids.has(owner.uid)));
  });
  const keptJobs = done.slice(0, MAX_DELETED);
  const keptPods = succeeded.slice(0, Math.max(0, MAX_DELETED - keptJobs.length));
  return { ok: true, value: { jobs: keptJobs, pods: keptPods, more: done.length + succeeded.length - keptJobs.length - keptPods.length } };
}

function jobLine(j: V1Job, now: Date): string {
  const end = j.status?.completionTime ?? (j.status?.conditions ?? []).find((c) => c.type === finished(j))?.lastTransitionTime;
  const ago = end ? Math.round((now.getTime() - new Date(end).getTime()) / 60_000) : undefined;
  const pods = `${j.status?.succeeded ?? 0} succeeded, ${j.status?.failed ?? 0} failed pods`;
  const owner = (j.metadata?.ownerReferences ?? []).find((o) => o.controller);
  return `job ${j.metadata?.name ?? '?'}: ${finished(j) ?? '?'}${ago !== undefined ? ` ${ago < 120 ? `${ago} min` : `${Math.round(ago / 60)} h`} ago` : ''}, ${pods}${owner ? `, ${owner.kind} ${owner.name}` : ''}`;
}

const uidsOf = (items: Array<{ metadata?: { name?: string; uid?: string } }>) => Object.fromEntries(items.map((o) => [o.metadata?.name ?? '', o.metadata?.uid ?? '']));

async function deleteJob(k: Kube, ctx: ActionContext, namespace: string, name: string, uid: string): Promise<Step<Deleted>> {
  const r = await call(ctx, `deleting job ${namespace}/${name}`, (o) =>
    k.batch.deleteNamespacedJob({ name, namespace, body: { propagationPolicy: 'Background', preconditions: { uid } } }, o),
  );
  if (r.ok) return { ok: true, value: 'deleted' };
  if (r.status === 404) return { ok: true, value: 'gone' };
  if (r.status === 409) return { ok: true, value: 'replaced' };
  return r;
}

export function deleteCompletedAction(options: { pollMs: number }): ActionDefinition<KubernetesTarget, { namespace: string }> {
  return {
    id: 'k8s.delete-completed',
    title: 'Delete the succeeded pods and finished Jobs of a namespace',
    risk: 'high',
    targetKind: 'kubernetes',
    usage: '<ns>',
    namespaced: true,
    params: positional('<ns>', [namespaceName]).transform(([namespace]) => ({ namespace })),
    async preview(target, { namespace }, ctx) {
      const k = open(target, namespace);
      if (typeof k === 'string') return refuse(k);
      const found = await completed(k, ctx, namespace);
      if (!found.ok) return refuse(found.message);
      const { jobs, pods, more } = found.value;
      const total = jobs.length + pods.length;
      if (total === 0) return refuse(`no finished Job and no Succeeded pod in ${namespace}`);
      const now = ctx.now();
      const lines = [...jobs.map((j) => jobLine(j, now)), ...pods.map((p) => podLine(p, now))];
      const shown = lines.slice(0, SHOWN);
      return {
        current: [
          `${jobs.length} finished Jobs and ${pods.length} Succeeded pods in ${namespace}:`,
          ...shown,
          ...(lines.length > shown.length ? [`and ${lines.length - shown.length} more`] : []),
          ...(more > 0 ? [`${more} more finished objects are not in this request (at most ${MAX_DELETED} at a time): ask again afterwards`] : []),
        ],
        change: [
          `delete these ${total} objects: ${jobs.length} Jobs with propagationPolicy Background (their pods go with them) and ${pods.length} pods`,
          'only these, each by its uid: a Job or pod that appears or is recreated meanwhile is left alone; running Jobs and their pods are never touched',
        ],
        guard: { jobs: uidsOf(jobs), pods: uidsOf(pods) },
      };
    },
    async execute(target, { namespace }, guard, ctx) {
      const k = open(target, namespace);
      if (typeof k === 'string') return failed(k);
      const jobs = Object.entries((guard['jobs'] ?? {}) as Record<string, string>);
      const pods = Object.entries((guard['pods'] ?? {}) as Record<string, string>);
      const items = [...jobs.map(([name, uid]) => ({ kind: 'job' as const, name, uid })), ...pods.map(([name, uid]) => ({ kind: 'pod' as const, name, uid }))];
      const results = await eachLimited(items, 8, async (i) => ({ ...i, r: await (i.kind === 'job' ? deleteJob(k, ctx, namespace, i.name, i.uid) : deletePod(k, ctx, namespace, i.name, i.uid)) }));
      const count = (kind: 'job' | 'pod', v: Deleted) => results.filter((x) => x.kind === kind && x.r.ok && x.r.value === v).length;
      const errors = results.flatMap((x) => (x.r.ok ? [] : [writeFailed(x.r)]));
      const skipped = results.filter((x) => x.r.ok && x.r.value !== 'deleted').map((x) => `${x.kind} ${x.name}`);
      const summary = [
        `deleted ${count('job', 'deleted')} of ${jobs.length} finished Jobs and ${count('pod', 'deleted')} of ${pods.length} Succeeded pods in ${namespace}`,
        ...(skipped.length ? [`${skipped.length} already gone or replaced`] : []),
        ...(errors.length ? [`${errors.length} not deleted: ${errors[0]}${errors.length > 1 ? ' …' : ''}`] : []),
      ].join('; ');
      return { ok: errors.length === 0, summary, after: { deleted: results.filter((x) => x.r.ok && x.r.value === 'deleted').map((x) => `${x.kind} ${x.name}`), skipped, errors } };
    },
    async verify(target, { namespace }, ctx) {
      const k = open(target, namespace);
      if (typeof k === 'string') return failed(k);
      const last = await poll(ctx, options.pollMs, async () => {
        const [jobs, pods] = await Promise.all([
          call(ctx, `listing the jobs of ${namespace}`, (o) => k.batch.listNamespacedJob({ namespace }, o)),
          call(ctx, `listing the succeeded pods of ${namespace}`, (o) => k.core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Succeeded' }, o)),
        ]);
        if (!jobs.ok) return { done: false, transient: true, value: jobs.message };
        if (!pods.ok) return { done: false, transient: true, value: pods.message };
        const byUid = new Map(jobs.value.items.map((j) => [j.metadata?.uid, j]));
        const left = [
          ...jobs.value.items.filter((j) => finished(j) && !j.metadata?.deletionTimestamp).map((j) => `job ${j.metadata?.name ?? '?'}`),
          ...pods.value.items
            .filter((p) => {
              if (p.metadata?.deletionTimestamp) return false;
              const owner = controllerOf(p);
              if (owner?.kind !== 'Job') return true;
              // A running Job's pod is not ours; one whose Job is gone is being collected with it.
              const j = byUid.get(owner.uid);
              return j !== undefined && finished(j) !== undefined;
            })
            .map((p) => `pod ${p.metadata?.name ?? '?'}`),
        ];
        return {
          done: left.length === 0,
          value: left.length
            ? `${left.length} finished objects still in ${namespace}: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ' …' : ''} (one that finished after the preview was not in the request)`
            : `no finished Job or Succeeded pod left in ${namespace}`,
        };
      });
      return { ok: last.done, summary: last.value };
    },
  };
}
