/**
 * Warning events of the last minutes (15 by default), grouped by reason and object with their
 * counts, and node conditions (NotReady, memory, disk and PID pressure). Pure.
 */
import type { CoreV1Event, V1Node } from '@kubernetes/client-node';
import { formatDuration } from '../../../../core/duration.js';
import type { Finding } from '../../../../core/diagnostics/finding.js';

/** A time field as the client gives it: a Date, or a string for the MicroTime fields it leaves undecoded. */
function time(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** When the event was last seen: lastTimestamp, else the series' last observation, else eventTime. */
export function lastSeen(e: CoreV1Event): number | undefined {
  return time(e.lastTimestamp) ?? time(e.series?.lastObservedTime) ?? time(e.eventTime) ?? time(e.firstTimestamp) ?? time(e.metadata?.creationTimestamp);
}

interface Group {
  reason: string;
  kind: string;
  name: string;
  count: number;
  last: number;
  message: string;
}

export function eventFindings(ns: string, events: readonly CoreV1Event[], now: Date, windowMs: number): Finding[] {
  const since = now.getTime() - windowMs;
  const groups = new Map<string, Group>();
  for (const e of events) {
    if (e.type !== 'Warning') continue;
    const at = lastSeen(e);
    if (at === undefined || at < since) continue;
    const reason = e.reason ?? 'Unknown';
    const kind = e.involvedObject.kind ?? 'Object';
    const name = e.involvedObject.name ?? '?';
    const key = `${reason}\u0000${kind}\u0000${name}`;
    const count = e.series?.count ?? e.count ?? 1;
    const g = groups.get(key);
    if (!g) groups.set(key, { reason, kind, name, count, last: at, message: e.message ?? '' });
    else {
      g.count += count;
      if (at >= g.last) Object.assign(g, { last: at, message: e.message ?? g.message });
    }
  }
  const window = formatDuration(windowMs);
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || b.last - a.last)
    .map((g) => ({
      check: 'warning events',
      component: g.kind === 'Pod' ? `${ns}/${g.name}` : `${ns}/${g.kind.toLowerCase()}/${g.name}`,
      status: 'warning' as const,
      value: `${g.reason} ×${g.count} in the last ${window}`,
      evidence: [g.message.slice(0, 300), `last seen ${formatDuration(now.getTime() - g.last)} ago`].filter((s) => s.length > 0),
      recommendation: `kubectl get events -n ${ns} --field-selector involvedObject.name=${g.name}`,
    }));
}

const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

export function nodeFindings(nodes: readonly V1Node[]): Finding[] {
  const out: Finding[] = [];
  for (const n of nodes) {
    const name = n.metadata?.name ?? '?';
    const component = `node/${name}`;
    const conditions = n.status?.conditions ?? [];
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') {
      out.push({
        check: 'node not ready',
        component,
        status: 'critical',
        value: `NotReady (Ready=${ready?.status ?? 'missing'}${ready?.reason ? `, ${ready.reason}` : ''})`,
        recommendation: `Its pods are not served and get evicted: kubectl describe node ${name}; check the kubelet and the machine.`,
        evidence: [ready?.message].filter((m): m is string => !!m),
      });
    }
    const pressed = conditions.filter((c) => PRESSURE.includes(c.type) && c.status === 'True');
    if (pressed.length > 0) {
      out.push({
        check: 'node pressure',
        component,
        status: 'warning',
        value: pressed.map((c) => c.type).join(', '),
        recommendation: 'The kubelet evicts pods and refuses new ones under pressure: free memory or disk, or move workloads.',
        evidence: pressed.map((c) => c.message).filter((m): m is string => !!m),
      });
    }
  }
  if (nodes.length > 0 && out.length === 0) {
    out.push({ check: 'nodes', component: 'nodes', status: 'ok', value: `${nodes.length} nodes ready, no pressure` });
  }
  return out;
}
