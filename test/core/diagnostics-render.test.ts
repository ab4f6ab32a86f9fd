import { describe, expect, it } from 'vitest';
import { toBlockKit } from '../../src/adapters/slack/block-kit.js';
import { messageProblems, SLACK_LIMITS } from '../../src/adapters/local-slack/block-kit-rules.js';
import { propertyRuns } from '../property-runs.js';
import { STATUSES, type Finding, type Report } from '../../src/core/diagnostics/finding.js';
import { fullReport, renderReports, summaryLine } from '../../src/core/diagnostics/render.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const PIECES = ['pid 123', '<!channel>', '```', '*', 'é🔥', 'x'.repeat(300), '\n', '&', 'SELECT * FROM t WHERE a < 3'];
const text = (r: () => number, max: number) => {
  let out = '';
  const len = Math.floor(r() * max);
  while (out.length < len) out += PIECES[Math.floor(r() * PIECES.length)];
  return out;
};

function randomReports(r: () => number): Report[] {
  return Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => ({
    kind: 'postgres' as const,
    target: `t${i}`,
    startedAt: new Date(0),
    durationMs: Math.floor(r() * 5000),
    findings: Array.from({ length: Math.floor(r() * 1200) }, (): Finding => ({
      check: text(r, 40) || 'check',
      component: text(r, 200),
      status: STATUSES[Math.floor(r() * 4)]!,
      value: text(r, 2000),
      threshold: r() < 0.5 ? text(r, 300) : undefined,
      recommendation: r() < 0.5 ? text(r, 1000) : undefined,
      evidence: r() < 0.5 ? Array.from({ length: Math.floor(r() * 20) }, () => text(r, 500)) : undefined,
    })),
  }));
}

describe('diagnostic reports in Slack', () => {
  it('never break a Slack limit, whatever the findings (200 random reports, up to 6,000 findings)', () => {
    for (let seed = 1; seed <= propertyRuns(200); seed++) {
      // (The full text, written only when read, is the second test's business.)
      const { message, truncated } = renderReports(randomReports(rng(seed)));
      const out = toBlockKit(message);
      expect(messageProblems(out.blocks, out.text), `seed ${seed}`).toBeNull();
      expect(out.blocks.length, `seed ${seed}`).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
      const texts = out.blocks.flatMap((b: any) => [b.text?.text, ...(b.elements ?? []).map((e: any) => e.text)]).filter((t): t is string => typeof t === 'string');
      for (const t of texts) expect(t.length, `seed ${seed}`).toBeLessThanOrEqual(SLACK_LIMITS.textObject);
      expect(texts.reduce((n, t) => n + t.length, 0), `seed ${seed}`).toBeLessThan(13_000);
      expect(out.text.length).toBeLessThanOrEqual(4000); // Slack's advised text length
      if (truncated) expect(out.blocks.at(-1)).toMatchObject({ type: 'context' });
    }
    // Rendering up to 6,000 findings 200 times is CPU-bound: on a loaded 2-core machine it can take
    // half a minute. A limit on it would measure the machine, not the code.
  }, 120_000);

  it('leads with the worst status, counts what is hidden, and keeps hostile text inert', () => {
    const findings: Finding[] = Array.from({ length: 1000 }, (_, i) => ({ check: 'blocked sessions', component: `pid ${i}`, status: 'critical', value: `<!channel> blocked by ${i}`, evidence: ['SELECT 1 ``` <@U1>'] }));
    findings.push({ check: 'reachable', component: 'main', status: 'ok', value: 'up' });
    const report: Report = { kind: 'postgres', target: 'main', startedAt: new Date(0), durationMs: 12, findings };
    const { message, truncated, fullText } = renderReports([report]);
    expect(summaryLine([report])).toBe('CRITICAL: 1000 critical, 1 ok. Worst: main (postgres), blocked sessions: <!channel> blocked by 0');
    expect(message.blocks[0]).toEqual({ type: 'header', text: 'Diagnostics: CRITICAL' });
    expect(truncated).toBe(true);
    const last = message.blocks.at(-1) as { items: string[] };
    expect(last.items[0]).toMatch(/^\+\d+ more findings not shown: the full report is attached\.$/);
    const all = JSON.stringify(toBlockKit(message));
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U1>');
    expect(fullText.split('\n').filter((l) => l.startsWith('- [critical]'))).toHaveLength(1000);
    expect(fullText).toBe(fullReport([report], 'Diagnostics'));
  });
});
