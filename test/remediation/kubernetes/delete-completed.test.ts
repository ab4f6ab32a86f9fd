/**
 * k8s.delete-completed against the test API server: the finished Jobs (Complete or Failed) with
 * their pods, through propagationPolicy Background, and the Succeeded pods, exactly those the
 * preview listed; running Jobs and their pods are left; verified when none is left.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DELETED } from '../../../src/adapters/targets/kubernetes/actions/delete-completed.js';
import { pod, time } from '../../kube/builders.js';
import { extendedFixtures } from '../../kube/extras.js';
import { NS, POD } from '../../kube/fixtures.js';
import { job } from '../../kube/objects.js';
import { action, actionContext, NOW, paramError, paramsOf, previewAndRun, useCluster, writes } from './helpers.js';

const h = useCluster();
const a = action<{ namespace: string }>('k8s.delete-completed');

/** The remediation cluster with the Jobs of the extended one. */
function withJobs() {
  const extra = extendedFixtures(NOW.getTime());
  const jobs = extra.jobs!;
  const jobPods = extra.pods.filter((p) => /^(report|sync)-/.test(p.metadata.name));
  // The Succeeded db-migrate pod is in both: take the extended one, owned by its Job.
  h.fixtures.pods = [...h.fixtures.pods.filter((p) => p.metadata.name !== POD.job), extra.pods.find((p) => p.metadata.name === POD.job)!, ...jobPods];
  h.fixtures.jobs = jobs;
}

describe('k8s.delete-completed', () => {
  it('takes one namespace', () => {
    expect(paramsOf(a, 'shop')).toEqual({ namespace: 'shop' });
    expect(paramError(a, 'shop', 'extra')).toContain('expected <ns>');
  });

  it('lists the finished Jobs and the Succeeded pods, with a count, and writes nothing', async () => {
    withJobs();
    const p = await a.preview(h.target, paramsOf(a, NS), actionContext());
    expect(p.refusal).toBeUndefined();
    expect(p.current[0]).toBe('2 finished Jobs and 0 Succeeded pods in shop:');
    expect(p.current.some((l) => l.startsWith('job db-migrate-28931045: Complete'))).toBe(true);
    expect(p.current.some((l) => l.startsWith('job report-28931100: Failed'))).toBe(true);
    expect(p.current.join('\n')).not.toContain('sync-28931160'); // still running
    expect(p.change[0]).toContain('propagationPolicy Background');
    expect(p.guard).toEqual({ jobs: { 'db-migrate-28931045': expect.any(String), 'report-28931100': expect.any(String) }, pods: {} });
    expect(writes(h.server)).toEqual([]);
  });

  it('deletes exactly what was listed, Jobs with their pods, and verifies none is left', async () => {
    withJobs();
    // A Succeeded pod with no Job (a finished `kubectl run --restart=Never`).
    const oneOff = pod(NOW.getTime(), h.fixtures.replicasets[0]!, 'once1', { app: 'once', image: 'busybox:1.36', replicas: 1 }, {
      phase: 'Succeeded',
      container: { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: time(NOW.getTime(), 600), finishedAt: time(NOW.getTime(), 500) } }, ready: false, restartCount: 0 },
    });
    delete oneOff.metadata['ownerReferences'];
    h.fixtures.pods.push(oneOff);
    const { preview, result } = await previewAndRun(a, h, paramsOf(a, NS));
    expect(preview.current[0]).toBe('2 finished Jobs and 1 Succeeded pods in shop:');
    expect(result).toMatchObject({ ok: true, summary: 'deleted 2 of 2 finished Jobs and 1 of 1 Succeeded pods in shop' });
    const deletes = writes(h.server);
    expect(deletes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      `DELETE /api/v1/namespaces/shop/pods/${oneOff.metadata.name}`,
      'DELETE /apis/batch/v1/namespaces/shop/jobs/db-migrate-28931045',
      'DELETE /apis/batch/v1/namespaces/shop/jobs/report-28931100',
    ]);
    for (const r of deletes.filter((x) => x.path.includes('/jobs/'))) expect(r.body).toMatchObject({ propagationPolicy: 'Background', preconditions: { uid: expect.any(String) } });
    expect(h.fixtures.jobs!.map((j) => j.metadata.name)).toEqual(['sync-28931160']);
    const names = h.fixtures.pods.map((p) => p.metadata.name);
    expect(names).not.toContain(POD.job); // went with its Job
    expect(names.some((n) => n.startsWith('report-28931100'))).toBe(false);
    expect(names.some((n) => n.startsWith('sync-28931160'))).toBe(true); // the running Job's pod stays
    expect(await a.verify(h.target, paramsOf(a, NS), actionContext())).toMatchObject({ ok: true, summary: 'no finished Job or Succeeded pod left in shop' });
  });

  it('leaves alone a Job that finished after the preview, and a listed one recreated under its name', async () => {
    withJobs();
    const preview = await a.preview(h.target, paramsOf(a, NS), actionContext());
    const jobs = h.fixtures.jobs!;
    jobs.push(job(NOW.getTime(), NS, 'late-28931200', 'Complete', 10));
    const report = jobs.find((j) => j.metadata.name === 'report-28931100')!;
    report.metadata.uid = 'recreated-uid';
    const result = await a.execute(h.target, paramsOf(a, NS), preview.guard, actionContext());
    expect(result.summary).toBe('deleted 1 of 2 finished Jobs and 0 of 0 Succeeded pods in shop; 1 already gone or replaced');
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(['late-28931200', 'report-28931100', 'sync-28931160']);
    const verified = await a.verify(h.target, paramsOf(a, NS), actionContext(300));
    expect(verified.ok).toBe(false);
    expect(verified.summary).toContain('job report-28931100');
    expect(verified.summary).toContain('finished after the preview');
  });

  it('refuses when there is nothing finished, and bounds one request', async () => {
    h.fixtures.pods = h.fixtures.pods.filter((p) => p.metadata.name !== POD.job);
    expect((await a.preview(h.target, paramsOf(a, NS), actionContext())).refusal).toBe('no finished Job and no Succeeded pod in shop');
    h.fixtures.jobs = Array.from({ length: MAX_DELETED + 5 }, (_, i) => job(NOW.getTime(), NS, `batch-${String(i).padStart(4, '0')}`, 'Complete', 600));
    const p = await a.preview(h.target, paramsOf(a, NS), actionContext());
    expect(p.current[0]).toBe(`${MAX_DELETED} finished Jobs and 0 Succeeded pods in shop:`);
    expect(p.current).toContain(`and ${MAX_DELETED - 20} more`);
    expect(p.current.at(-1)).toContain('5 more finished objects are not in this request');
    expect(Object.keys(p.guard['jobs'] as object)).toHaveLength(MAX_DELETED);
  });
});
