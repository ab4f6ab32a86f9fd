/**
 * The logs probe: the error lines of a deployment's pods over the last minutes (5 by default),
 * counted by category and grouped by normalised message, plus the last lines of the previous
 * container of crash-looping pods (why it crashed). Read-only, bounded by the deadline.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { unreachable, type Finding } from '../../../../core/diagnostics/finding.js';
import type { Probe, ProbeContext } from '../../../../core/diagnostics/probe.js';
import { formatDuration } from '../../../../core/duration.js';
import { bounded, type KubeClients, type Read } from '../client.js';
import { analyseLines, gradeLogAnalysis, LOG_CATEGORIES, logThresholdText, type LogAnalysis, type LogCategory } from '../../shared/log-analysis.js';
import { connect } from './probe.js';
import { chooseNamespaces, thresholdsOf, type KubernetesTarget, type KubeThresholds } from '../target.js';
import { selectorString } from '../selectors.js';

export interface LogsProbeOptions {
  deployment: string;
  /** One of the target's namespaces; default its first. */
  namespace?: string;
  /** How far back to read; default 300 (5 min), at most a day. */
  sinceSeconds?: number;
}

const DNS_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

const ADVICE: Record<LogCategory, string> = {
  database: 'Database errors: check that the database is up and accepts connections, the pool size against max_connections, slow queries and locks (pg_stat_activity).',
  timeout: 'Timeouts: find the slow dependency (database, upstream service) and its latency; check the timeouts and retries configured.',
  memory: 'Memory errors: compare memory use with the limit (kubectl top pod), look for OOMKilled containers and leaks.',
  connection: 'Connection errors: check that what it connects to is up, its Service and Endpoints, DNS and network policies.',
  other: 'Read the full error lines (kubectl logs --since=5m | grep -E "ERROR|FATAL").',
};

interface LogRead {
  pod: string;
  container: string;
  previous: boolean;
  /** The container is in CrashLoopBackOff. */
  crashLoop: boolean;
  exit?: string;
  result: Read<string>;
}

const fail = (target: KubernetesTarget, component: string, r: Read<unknown>, what: string): Finding =>
  !r.ok && r.error.kind !== 'http'
    ? unreachable(target.name, r.error.message)
    : { check: 'read', component, status: 'unknown', value: `could not read ${what}: ${r.ok ? '?' : r.error.message}` };

/** Which logs to read: each started container, and the previous one when it crash-loops or just restarted. */
function plan(pods: V1Pod[], sinceMs: number): Array<Omit<LogRead, 'result'>> {
  const out: Array<Omit<LogRead, 'result'>> = [];
  for (const p of pods) {
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
      const pod = p.metadata?.name ?? '?';
      const crashLoop = cs.state?.waiting?.reason === 'CrashLoopBackOff';
      const started = !!cs.state?.running || !!cs.state?.terminated || cs.restartCount > 0;
      if (started) out.push({ pod, container: cs.name, previous: false, crashLoop });
      const last = cs.lastState?.terminated;
      const recent = last?.finishedAt && new Date(last.finishedAt).getTime() >= sinceMs;
      if (last && (crashLoop || recent)) {
        out.push({ pod, container: cs.name, previous: true, crashLoop, exit: `${last.reason ?? 'exited'} (code ${last.exitCode})` });
      }
    }
  }
  return out;
}


function analysisFindings(component: string, a: LogAnalysis, reads: LogRead[], window: string, th: KubeThresholds, capped: boolean): Finding[] {
  const pods = new Set(reads.map((r) => r.pod)).size;
  const previous = reads.filter((r) => r.previous).length;
  const from =
    `${pods} pod${pods === 1 ? '' : 's'}${previous ? `, with ${previous} previous container${previous === 1 ? '' : 's'}` : ''}` +
    (capped ? ` (the last ${th.logTailLines} lines of a container at most)` : '');
  const rate = a.lines ? Math.round((a.errors / a.lines) * 100) : 0;
  const top = [...LOG_CATEGORIES].sort((x, y) => a.byCategory[y] - a.byCategory[x])[0] ?? 'other';
  const counts = LOG_CATEGORIES.filter((c) => a.byCategory[c] > 0).map((c) => `${c} ${a.byCategory[c]}`);
  const out: Finding[] = [
    {
      check: 'log errors',
      component,
      status: gradeLogAnalysis(a, th),
      value: a.errors
        ? `${a.errors} error lines of ${a.lines} (${rate} %) in the last ${window} from ${from}${a.fatal ? `; ${a.fatal} fatal` : ''}: ${counts.join(', ')}`
        : `no error lines in ${a.lines} lines of the last ${window} from ${from}`,
      threshold: logThresholdText(th),
      ...(a.errors ? { recommendation: ADVICE[top], evidence: a.groups.slice(0, 10).map((g) => `${g.count}× ${g.message}`) } : {}),
    },
  ];
  for (const c of LOG_CATEGORIES) {
    if (a.byCategory[c] === 0) continue;
    const groups = a.groups.filter((g) => g.category === c);
    out.push({
      check: `log errors: ${c}`,
      component,
      status: groups.some((g) => g.fatal) ? 'critical' : 'warning',
      value: `${a.byCategory[c]} error lines`,
      recommendation: ADVICE[c],
      evidence: groups.slice(0, 3).map((g) => `${g.count}× ${g.message}`),
    });
  }
  return out;
}

async function findPods(ctx: ProbeContext, k: KubeClients, ns: string, deployment: string): Promise<{ pods: V1Pod[] } | { failed: Read<unknown> }> {
  const dep = await bounded(ctx, (o) => k.apps.readNamespacedDeployment({ name: deployment, namespace: ns }, o));
  if (!dep.ok) return { failed: dep };
  const labelSelector = selectorString(dep.value.spec?.selector);
  const [pods, sets] = await Promise.all([
    bounded(ctx, (o) => k.core.listNamespacedPod({ namespace: ns, labelSelector }, o)),
    bounded(ctx, (o) => k.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector }, o)),
  ]);
  if (!pods.ok) return { failed: pods };
  // Keep the pods of this deployment's ReplicaSets: another workload may share the labels.
  const uid = dep.value.metadata?.uid;
  const mine = new Set(sets.ok ? sets.value.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid)).map((rs) => rs.metadata?.name) : []);
  const owned = pods.value.items.filter((p) => p.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && mine.has(o.name)));
  return { pods: mine.size > 0 ? owned : pods.value.items };
}

export function logsProbe(target: KubernetesTarget, options: LogsProbeOptions): Probe {
  return {
    kind: 'logs',
    target: target.name,
    async run(ctx: ProbeContext): Promise<Finding[]> {
      const chosen = chooseNamespaces(target, options.namespace ?? target.namespaces[0] ?? '');
      if (!Array.isArray(chosen)) return [chosen];
      const ns = chosen[0] ?? '';
      const component = `${ns}/${options.deployment.slice(0, 63)}`;
      if (!DNS_NAME.test(options.deployment)) {
        const recommendation = 'A deployment name is lower-case letters, digits, "-" and ".".';
        return [{ check: 'deployment', component, status: 'unknown', value: 'not a valid deployment name', recommendation }];
      }
      const k = connect(target);
      if (!('core' in k)) return [k];
      const th = thresholdsOf(target);
      const since = Math.min(Math.max(Math.round(options.sinceSeconds ?? 300), 1), 86_400);
      const window = formatDuration(since * 1000);

      const found = await findPods(ctx, k, ns, options.deployment);
      if ('failed' in found) {
        const r = found.failed;
        if (!r.ok && r.error.status === 404) {
          return [{ check: 'deployment', component, status: 'unknown', value: `deployment "${options.deployment}" not found in namespace ${ns}` }];
        }
        return [fail(target, component, r, 'the deployment and its pods')];
      }
      if (found.pods.length === 0) {
        const recommendation = `kubectl describe deployment -n ${ns} ${options.deployment}`;
        return [{ check: 'pods', component, status: 'warning', value: 'the deployment has no pods', recommendation }];
      }
      const crashing = (p: V1Pod) => (p.status?.containerStatuses ?? []).some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff');
      const pods = [...found.pods].sort((a, b) => Number(crashing(b)) - Number(crashing(a))).slice(0, th.logMaxPods);

      const planned = plan(pods, ctx.now().getTime() - since * 1000);
      if (planned.length === 0) {
        return [{ check: 'logs', component, status: 'unknown', value: `none of its ${pods.length} pods has a started container: no log to read` }];
      }
      const reads: LogRead[] = await Promise.all(
        planned.map(async (r) => ({
          ...r,
          result: await bounded(ctx, (o) =>
            k.core.readNamespacedPodLog(
              r.previous
                ? { name: r.pod, namespace: ns, container: r.container, previous: true, tailLines: th.logTailLines }
                : { name: r.pod, namespace: ns, container: r.container, sinceSeconds: since, tailLines: th.logTailLines },
              o,
            ),
          ),
        })),
      );
      const first = reads[0]?.result;
      if (first && reads.every((r) => !r.result.ok && r.result.error.kind !== 'http')) return [fail(target, component, first, 'logs')];
      const text = (r: LogRead): string[] => (r.result.ok && typeof r.result.value === 'string' ? r.result.value.split(/\r?\n/).filter((l) => l.trim() !== '') : []);
      const capped = reads.some((r) => text(r).length >= th.logTailLines);
      const analysis = analyseLines(reads.flatMap(text));
      const findings = analysisFindings(component, analysis, reads.filter((r) => r.result.ok), window, th, capped);
      for (const r of reads) {
        if (!r.result.ok) {
          const which = `the ${r.previous ? 'previous ' : ''}log of container ${r.container}`;
          findings.push({ check: 'logs', component: `${ns}/${r.pod}`, status: 'unknown', value: `could not read ${which}: ${r.result.error.message}` });
        } else if (r.previous) {
          const last = text(r).slice(-5);
          findings.push({
            check: 'crash logs',
            component: `${ns}/${r.pod}`,
            status: r.crashLoop ? 'critical' : 'warning',
            value: `previous container ${r.container} ended: ${r.exit ?? '?'}`,
            recommendation: 'The last lines before the container stopped usually say why.',
            evidence: last.length ? last.map((l) => l.slice(0, 300)) : ['(no output)'],
          });
        }
      }
      return findings;
    },
  };
}
