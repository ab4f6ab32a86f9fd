/**
 * CPU and memory of a running container from GET /containers/{id}/stats?stream=false, computed
 * the way the `docker stats` command does on Linux, and graded against the target's thresholds:
 *
 * - CPU % = (container CPU time delta / host CPU time delta) × online CPUs × 100, between the
 *   sample (cpu_stats) and the one before it (precpu_stats, which the daemon fills when the stats
 *   are not one-shot). 100 % is one whole CPU, so it may go past 100 on several CPUs.
 * - Memory = usage minus the inactive page cache (total_inactive_file on cgroup v1,
 *   inactive_file on cgroup v2), as `docker stats` shows it since Docker 19.03.
 */
import { formatSize } from '../../../../core/size.js';
import type { Finding, Status } from '../../../../core/diagnostics/finding.js';
import type { DockerThresholds } from '../target.js';

/** The fields of a stats answer Firebreak reads. */
export interface ContainerStats {
  read?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/**
 * CPU % as `docker stats` shows it, from the two samples of one answer (an empty previous sample,
 * as one-shot stats give, counts as zero there too); undefined when the answer has no CPU figures.
 */
export function cpuPercent(s: ContainerStats): number | undefined {
  const now = s.cpu_stats;
  const total = now?.cpu_usage?.total_usage;
  const system = now?.system_cpu_usage;
  if (total === undefined || system === undefined) return undefined;
  const cpuDelta = total - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = system - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Memory in use without the page cache, as `docker stats` shows it; undefined without a sample. */
export function memoryInUse(s: ContainerStats): number | undefined {
  const m = s.memory_stats;
  if (!m || typeof m.usage !== 'number') return undefined;
  const v1 = m.stats?.['total_inactive_file'];
  if (v1 !== undefined && v1 < m.usage) return m.usage - v1;
  const v2 = m.stats?.['inactive_file'];
  if (v2 !== undefined && v2 < m.usage) return m.usage - v2;
  return m.usage;
}

const pct = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} %`;

export function cpuFinding(component: string, percent: number, th: DockerThresholds): Finding {
  const status: Status = percent >= th.cpuCritPct ? 'critical' : percent >= th.cpuWarnPct ? 'warning' : 'ok';
  return {
    check: 'cpu',
    component,
    status,
    value: `${pct(percent)} CPU (as docker stats: 100 % is one CPU)`,
    threshold: `warning at ${th.cpuWarnPct} %, critical at ${th.cpuCritPct} %`,
    ...(status === 'ok' ? {} : { recommendation: 'Find what keeps it busy (a hot loop, a traffic spike, a slow dependency retried): its logs and `docker top`. Scale it out, or give it more CPU if the load is legitimate.' }),
  };
}

/**
 * Memory graded against the target's sizes and, when the container has a memory limit of its
 * own (HostConfig.Memory), against that limit: close to it, the kernel kills it (OOMKilled).
 */
export function memoryFinding(component: string, used: number, limitBytes: number | undefined, th: DockerThresholds): Finding {
  const bySize: Status = used >= th.memoryCritBytes ? 'critical' : used >= th.memoryWarnBytes ? 'warning' : 'ok';
  const share = limitBytes ? used / limitBytes : undefined;
  const byLimit: Status = share !== undefined && share >= th.memoryLimitWarn ? 'warning' : 'ok';
  const status: Status = bySize === 'critical' ? 'critical' : bySize === 'warning' || byLimit === 'warning' ? 'warning' : 'ok';
  const limit = limitBytes ? ` of its ${formatSize(limitBytes)} limit (${Math.round((share ?? 0) * 100)} %)` : ' (no memory limit)';
  return {
    check: 'memory',
    component,
    status,
    value: `${formatSize(used)}${limit}`,
    threshold: `warning at ${formatSize(th.memoryWarnBytes)}, critical at ${formatSize(th.memoryCritBytes)}; warning at ${Math.round(th.memoryLimitWarn * 100)} % of a limit`,
    ...(status === 'ok'
      ? {}
      : {
          recommendation:
            byLimit === 'warning'
              ? 'It is close to its memory limit: the kernel will kill it (OOMKilled). Look for a leak (memory growing since the start) or raise the limit.'
              : 'Memory above what this service should use: look for a leak (memory growing since the start, `docker stats`), caches without bounds, or too many workers.',
        }),
  };
}
