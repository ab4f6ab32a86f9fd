/**
 * Warning events of the last minutes (15 by default), grouped by reason and object with their
 * counts and their distinct messages, and node conditions (NotReady, memory, disk and PID
 * pressure). Pure.
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
  /** Each distinct message with when it was last seen. */
  messages: Map<string, number>;
}

/** How many distinct messages a group shows. */
const MESSAGES_SHOWN = 3;

/**
 * A message that only restates a container's state ("Error: ImagePullBackOff", "Error:
 * ErrImagePull"): the kubelet sends one after each real one, under the same reason, so the latest
 * message of a group is often this and not the registry's or the runtime's answer.
 */
export const restatesState = (message: string): boolean => /^Error: [A-Za-z]+$/.test(message.trim());

/** The distinct messages, those that say why first, each by when it was last seen (latest first). */
function messagesOf(g: Group): string[] {
  return [...g.messages.entries()]
    .sort(([a, at], [b, bt]) => Number(restatesState(a)) - Number(restatesState(b)) || bt - at)
    .map(([m]) => m)
    .filter((m) => m.length > 0);
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
    const message = (e.message ?? '').trim();
    const g = groups.get(key) ?? { reason, kind, name, count: 0, last: at, messages: new Map<string, number>() };
    groups.set(key, g);
    g.count += count;
    g.last = Math.max(g.last, at);
    g.messages.set(message, Math.max(g.messages.get(message) ?? 0, at));
  }
  const window = formatDuration(windowMs);
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || b.last - a.last)
    .map((g) => ({ g, said: messagesOf(g) }))
    .map(({ g, said }) => ({
      check: 'warning events',
      component: g.kind === 'Pod' ? `${ns}/${g.name}` : `${ns}/${g.kind.toLowerCase()}/${g.name}`,
      status: 'warning' as const,
      value: `${g.reason} ×${g.count} in the last ${window}`,
      evidence: [
        ...said.slice(0, MESSAGES_SHOWN).map((m) => m.slice(0, 300)),
        ...(said.length > MESSAGES_SHOWN ? [`and ${said.length - MESSAGES_SHOWN} other messages`] : []),
        `last seen ${formatDuration(now.getTime() - g.last)} ago`,
      ],
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
