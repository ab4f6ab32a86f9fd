/** What a diagnostic probe is: given a deadline, it reads a target and returns findings. */
import type { Finding, TargetKind } from './finding.js';

export interface ProbeContext {
  /** Every check must be done (or given up with an "unknown"/"unreachable" finding) by then. */
  deadline: number;
  /** Aborted when the deadline passes; pass it to anything that accepts one. */
  signal: AbortSignal;
  now(): Date;
}

export interface Probe {
  kind: TargetKind;
  /** The configured target's name ("main", "cache", "prod"). */
  target: string;
  /**
   * Runs all its checks (in parallel where it can) and returns their findings. It never throws
   * for a target problem: a target it cannot reach gives one critical "unreachable" finding.
   */
  run(ctx: ProbeContext): Promise<Finding[]>;
}
