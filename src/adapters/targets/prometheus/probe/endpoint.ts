/** What the Prometheus and Alertmanager reads share: the URL of an API path, and a read's outcome. */
import { rank, type Finding, type Status } from '../../../../core/diagnostics/finding.js';

export type Outcome = { findings: Finding[] } | { unreachable: string };

/** `<base>/<path>`, keeping a path prefix of the base (Prometheus behind /prometheus/). */
export function endpoint(base: string, path: string, params: Record<string, string>): string {
  const u = new URL(base);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  const out = new URL(path, u);
  out.search = new URLSearchParams(params).toString();
  return out.href;
}

/** "3 critical, 2 ok": how many findings of each status, worst first. */
export function countByStatus(findings: readonly Finding[]): string {
  const counts = new Map<Status, number>();
  for (const f of findings) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}
