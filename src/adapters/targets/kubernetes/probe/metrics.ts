/**
 * Top pods by CPU and memory from metrics-server (metrics.k8s.io PodMetrics), with their use
 * against their limits: the `kubectl top pods --sort-by` of the playbook. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Finding } from '../../../../core/diagnostics/finding.js';
import type { KubeThresholds } from '../target.js';

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("250m", "1.5", "512Mi", "1e3", "12345678n") in base units; NaN if malformed. */
export function parseQuantity(q: string | number | undefined): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec((q ?? '').trim());
  if (!m) return Number.NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIX[m[3] ?? ''] ?? Number.NaN);
}

export const formatCpu = (cores: number): string => (cores >= 10 ? `${cores.toFixed(1)} cores` : `${Math.round(cores * 1000)}m`);
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)}Gi`;
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}

/** The shape metrics-server returns (read through the custom objects API, so untyped). */
export interface PodMetricsItem {
  metadata?: { name?: string };
  containers?: Array<{ name?: string; usage?: { cpu?: string; memory?: string } }>;
}

interface Usage {
  pod: string;
  cpu: number;
  memory: number;
  cpuLimit?: number;
  memoryLimit?: number;
}

/** The pod's limit: the sum over its containers, or none if one container has none. */
function limit(pod: V1Pod | undefined, resource: 'cpu' | 'memory'): number | undefined {
  const containers = pod?.spec?.containers ?? [];
  if (containers.length === 0) return undefined;
  let sum = 0;
  for (const c of containers) {
    const v = parseQuantity(c.resources?.limits?.[resource]);
    if (!Number.isFinite(v) || v <= 0) return undefined;
    sum += v;
  }
  return sum;
}

export function usages(items: readonly PodMetricsItem[], pods: readonly V1Pod[]): Usage[] {
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  return items.map((item) => {
    const pod = item.metadata?.name ?? '?';
    const sum = (r: 'cpu' | 'memory') => (item.containers ?? []).reduce((s, c) => s + (parseQuantity(c.usage?.[r]) || 0), 0);
    const spec = byName.get(pod);
    return { pod, cpu: sum('cpu'), memory: sum('memory'), cpuLimit: limit(spec, 'cpu'), memoryLimit: limit(spec, 'memory') };
  });
}

const pct = (v: number, of: number | undefined, format: (n: number) => string): string =>
  of ? ` (${Math.round((v / of) * 100)} % of limit ${format(of)})` : '';

export function topFindings(ns: string, items: readonly PodMetricsItem[], pods: readonly V1Pod[], th: KubeThresholds): Finding[] {
  const all = usages(items, pods);
  if (all.length === 0) return [{ check: 'top pods', component: ns, status: 'ok', value: 'no pod metrics (no running pods)' }];
  const top = (key: 'cpu' | 'memory') => [...all].sort((a, b) => b[key] - a[key]).slice(0, th.topPods);
  const byCpu = top('cpu');
  const byMemory = top('memory');
  const out: Finding[] = [
    {
      check: 'top cpu',
      component: ns,
      status: 'ok',
      value: byCpu.slice(0, 3).map((u) => `${u.pod} ${formatCpu(u.cpu)}`).join(', '),
      evidence: byCpu.map((u) => `${u.pod}: ${formatCpu(u.cpu)}${pct(u.cpu, u.cpuLimit, formatCpu)}`),
    },
    {
      check: 'top memory',
      component: ns,
      status: 'ok',
      value: byMemory.slice(0, 3).map((u) => `${u.pod} ${formatBytes(u.memory)}`).join(', '),
      evidence: byMemory.map((u) => `${u.pod}: ${formatBytes(u.memory)}${pct(u.memory, u.memoryLimit, formatBytes)}`),
    },
  ];
  for (const u of all) {
    if (u.memoryLimit && u.memory >= th.memoryLimitWarn * u.memoryLimit) {
      out.push({
        check: 'memory near limit',
        component: `${ns}/${u.pod}`,
        status: 'warning',
        value: `${formatBytes(u.memory)} of ${formatBytes(u.memoryLimit)} (${Math.round((u.memory / u.memoryLimit) * 100)} %)`,
        threshold: `warning at ${Math.round(th.memoryLimitWarn * 100)} % of the memory limit`,
        recommendation: 'The pod will be OOMKilled at its limit: raise the limit or find what holds the memory.',
      });
    }
  }
  return out;
}
