import { describe, expect, it } from 'vitest';
import { runProbes } from '../../src/app/diagnostics/run.js';
import type { Probe } from '../../src/core/diagnostics/probe.js';
import { systemClock } from '../../src/ports.js';

const probe = (target: string, run: Probe['run']): Probe => ({ kind: 'http', target, run });

describe('running probes', () => {
  it('runs them in parallel, and cuts off one that ignores its deadline', async () => {
    const started = Date.now();
    const reports = await runProbes(
      [
        probe('fast', async () => [{ check: 'reachable', component: 'fast', status: 'ok', value: 'up' }]),
        probe('slow', () => new Promise(() => undefined)),
        probe('broken', async () => {
          throw new Error('socket hang up');
        }),
        probe('polite', async (ctx) => {
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
          return [{ check: 'reachable', component: 'polite', status: 'unknown', value: 'gave up at the deadline' }];
        }),
      ],
      500,
      systemClock,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(500 + 1000);
    expect(reports.map((r) => [r.target, r.findings[0]!.status, r.findings[0]!.value])).toEqual([
      ['fast', 'ok', 'up'],
      ['slow', 'critical', 'unreachable: no answer within 500 ms'],
      ['broken', 'critical', 'unreachable: socket hang up'],
      ['polite', 'unknown', 'gave up at the deadline'],
    ]);
  });
});
