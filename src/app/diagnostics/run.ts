/**
 * Runs probes in parallel, each with its deadline. Whatever a probe does, its report is in by the
 * deadline plus a short grace: a target that does not answer is a critical "unreachable" finding,
 * and a probe that overruns is cut off with one. Nothing here writes to any target.
 */
import { unreachable, worst, type Report } from '../../core/diagnostics/finding.js';
import type { Probe } from '../../core/diagnostics/probe.js';
import { noMetrics, type Clock, type Metrics } from '../../ports.js';

/** Extra time after the deadline before a probe is cut off (sockets closing, last parse). */
export const GRACE_MS = 750;

/** `metrics` is told each probe's kind, worst status and duration. */
export async function runProbe(probe: Probe, timeoutMs: number, clock: Clock, metrics: Metrics = noMetrics): Promise<Report> {
  const startedAt = clock.now();
  const realStart = Date.now();
  const deadline = realStart + timeoutMs;
  const controller = new AbortController();
  const abort = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  let cutoff: NodeJS.Timeout | undefined;
  const overrun = new Promise<'overrun'>((resolve) => {
    cutoff = setTimeout(() => resolve('overrun'), timeoutMs + GRACE_MS);
  });
  try {
    const result = await Promise.race([
      probe.run({ deadline, signal: controller.signal, now: () => clock.now() }).catch((err: unknown) => [unreachable(probe.target, err instanceof Error ? err.message : String(err))]),
      overrun,
    ]);
    const findings = result === 'overrun' ? [unreachable(probe.target, `no answer within ${timeoutMs} ms`)] : result;
    const durationMs = Date.now() - startedAt.getTime();
    // Real time, whatever the context's clock says.
    metrics.probe(probe.kind, worst(findings), (Date.now() - realStart) / 1000);
    return { kind: probe.kind, target: probe.target, startedAt, durationMs, findings };
  } finally {
    clearTimeout(abort);
    clearTimeout(cutoff);
    controller.abort();
  }
}

export function runProbes(probes: readonly Probe[], timeoutMs: number, clock: Clock, metrics: Metrics = noMetrics): Promise<Report[]> {
  return Promise.all(probes.map((p) => runProbe(p, timeoutMs, clock, metrics)));
}
