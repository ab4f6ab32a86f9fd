/** Golden Block Kit for a diagnostic report: what Slack receives for a typical bad day. */
import { describe, expect, it } from 'vitest';
import { toBlockKit } from '../../src/adapters/slack/block-kit.js';
import type { Report } from '../../src/core/diagnostics/finding.js';
import { renderReports } from '../../src/core/diagnostics/render.js';

const reports: Report[] = [
  {
    kind: 'postgres', target: 'main', startedAt: new Date('2026-11-22T09:30:00Z'), durationMs: 41,
    findings: [
      { check: 'reachable', component: 'main', status: 'ok', value: 'answered in 2 ms' },
      { check: 'connections', component: 'main', status: 'warning', value: '82 of 97 client connections (85 %)', threshold: 'warning at 80 %, critical at 95 %', recommendation: 'Look for a connection leak or raise the pool limits.' },
      {
        check: 'blocked sessions', component: 'pid 4242', status: 'critical', value: '3 sessions blocked for 2 min by pid 4242 (AccessExclusiveLock)', threshold: 'any blocked session; critical after 60 s',
        recommendation: 'Find out what pid 4242 is doing; terminate it if it is stuck.', evidence: ['blocker 4242 app: ALTER TABLE orders ADD COLUMN note text', 'blocked 4243 app: SELECT * FROM orders WHERE id < 10'],
        remediation: { action: 'pg.terminate', args: ['4242'], label: 'Terminate blocker 4242' },
      },
    ],
  },
  {
    kind: 'redis', target: 'cache', startedAt: new Date('2026-11-22T09:30:00Z'), durationMs: 6,
    findings: [
      { check: 'memory', component: 'cache', status: 'critical', value: '1.9 GB of 2 GB (95 %), policy noeviction', threshold: 'warning at 85 %, critical at 90 %', recommendation: 'Raise maxmemory or free keys; FLUSHDB only as a last resort.' },
      { check: 'hit ratio', component: 'cache', status: 'unknown', value: 'no lookups yet' },
    ],
  },
];

describe('diagnostic report', () => {
  it('matches its golden Block Kit', async () => {
    const { message, truncated } = renderReports(reports, 'Diagnostics all');
    expect(truncated).toBe(false);
    await expect(JSON.stringify(toBlockKit(message), null, 2)).toMatchFileSnapshot('../golden/diagnostics-report.json');
  });
});
