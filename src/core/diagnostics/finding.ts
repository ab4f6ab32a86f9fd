/**
 * The finding model every diagnostic check returns: what was checked, how it stands against its
 * threshold, and what to do. Probes (PostgreSQL, Redis, Kubernetes, HTTP, Prometheus, logs) only
 * read; they produce findings and never change anything on a target.
 */
export const STATUSES = ['critical', 'warning', 'unknown', 'ok'] as const;
/** Worst first: critical, warning, unknown, ok. */
export type Status = (typeof STATUSES)[number];

export type TargetKind = 'postgres' | 'redis' | 'kubernetes' | 'http' | 'prometheus' | 'logs' | 'docker' | 'host' | 'rabbitmq';

export interface Finding {
  /** The check, short and stable: "connections", "blocked sessions", "pod not ready". */
  check: string;
  /** What it is about: the target ("main"), or an object in it ("shop/api-7d9f…", "pid 12345"). */
  component: string;
  status: Status;
  /** The measured value, for people: "85 of 97 (88 %)", "3 sessions", "CrashLoopBackOff". */
  value: string;
  /** What it was compared with: "warning at 80 %, critical at 95 %". */
  threshold?: string;
  /** What to do about it (for anything not ok). */
  recommendation?: string;
  /** Supporting detail, a few lines each kept short: the blocking query, last log lines. */
  evidence?: string[];
  /** A remediation that would address it (an action of the remediation catalogue, not run here). */
  remediation?: { action: string; args: string[]; label: string };
}

export interface Report {
  kind: TargetKind;
  target: string;
  startedAt: Date;
  durationMs: number;
  findings: Finding[];
}

export const rank = (s: Status): number => STATUSES.indexOf(s);

export function worst(findings: readonly Pick<Finding, 'status'>[]): Status {
  return findings.reduce<Status>((w, f) => (rank(f.status) < rank(w) ? f.status : w), 'ok');
}

/** Worst first; ties keep their order. */
export function sortFindings<T extends Pick<Finding, 'status'>>(findings: readonly T[]): T[] {
  return findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f.status) - rank(b.f.status) || a.i - b.i).map(({ f }) => f);
}

/** The finding for a target that could not be reached or did not answer in time. */
export function unreachable(component: string, why: string, recommendation = 'Check that the target is up and reachable from Firebreak (address, port, firewall, credentials).'): Finding {
  return { check: 'reachable', component, status: 'critical', value: `unreachable: ${why}`, recommendation };
}

/** A threshold rule on one number: warning at `warn`, critical at `crit` (higher is worse unless `lowerIsWorse`). */
export function grade(value: number, warn: number, crit: number, lowerIsWorse = false): Status {
  if (!Number.isFinite(value)) return 'unknown';
  if (lowerIsWorse) return value <= crit ? 'critical' : value <= warn ? 'warning' : 'ok';
  return value >= crit ? 'critical' : value >= warn ? 'warning' : 'ok';
}
