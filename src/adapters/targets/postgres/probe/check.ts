/** What a check is: a name (for the "unknown" finding when it fails) and a function of a query runner. */
import type { Finding, Status } from '../../../../core/diagnostics/finding.js';
import { fmtMs } from '../format.js';
import type { PostgresThresholds } from '../thresholds.js';

export interface CheckEnv {
  /** The target's name: the component of server-wide findings. */
  target: string;
  t: PostgresThresholds;
  /** Runs one read-only statement on a pooled session; rows as pg decodes them. */
  query<T>(sql: string): Promise<T[]>;
}

export interface Check {
  name: string;
  run(env: CheckEnv): Promise<Finding[]>;
}

/** A finding with only the defined optional fields (no `undefined` anywhere). */
export function finding(
  check: string,
  component: string,
  status: Status,
  value: string,
  more: Partial<Pick<Finding, 'threshold' | 'recommendation' | 'evidence' | 'remediation'>> = {},
): Finding {
  const f: Finding = { check, component, status, value };
  if (more.threshold) f.threshold = more.threshold;
  if (more.recommendation && status !== 'ok') f.recommendation = more.recommendation;
  if (more.evidence?.length) f.evidence = more.evidence;
  if (more.remediation && status !== 'ok') f.remediation = more.remediation;
  return f;
}

export const pctThreshold = (warn: number, crit: number, of: string): string => `warning at ${warn} %, critical at ${crit} % of ${of}`;
export const msThreshold = (warn: number, crit: number): string => `warning at ${fmtMs(warn)}, critical at ${fmtMs(crit)}`;

/** At most `max` findings; the rest summed up in one more of the same status as the last shown. */
export function capped(findings: Finding[], max: number, check: string, component: string, what: string): Finding[] {
  if (findings.length <= max) return findings;
  const rest = findings.slice(max);
  const last = findings[max - 1];
  return [
    ...findings.slice(0, max),
    finding(check, component, last?.status ?? 'warning', `${rest.length} more ${what}`, {
      evidence: rest.slice(0, 10).map((f) => `${f.component}: ${f.value}`),
    }),
  ];
}
