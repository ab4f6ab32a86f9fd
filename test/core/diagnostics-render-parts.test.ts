/**
 * Each part of a diagnostic report on its own: the count line, the summary, a finding's block (which
 * optional lines appear and when), the remediation buttons, the passing checks' line, the "+N more"
 * line, the budget of blocks and characters, and the full text report, every one compared whole.
 */
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/core/diagnostics/finding.js';
import { codeText, counts, fullReport, renderReports, statusEmoji, summaryLine } from '../../src/core/diagnostics/render.js';

const ZWSP = '\u200B';
const report = (findings: Finding[], over: Partial<Report> = {}): Report => ({ kind: 'postgres', target: 'main', startedAt: new Date(0), durationMs: 7, findings, ...over });
const f = (status: Finding['status'], over: Partial<Finding> = {}): Finding => ({ check: 'c', component: 'main', status, value: 'v', ...over });
type TextBlock = { type: 'text'; text: string };
type ContextBlock = { type: 'context'; items: string[] };
const texts = (r: Report[], options?: Parameters<typeof renderReports>[2]) =>
  // The findings' blocks: every text block after the summary.
  renderReports(r, 'Diagnostics', options).message.blocks.filter((b): b is TextBlock => b.type === 'text').slice(1).map((b) => b.text);
const contexts = (r: Report[]) =>
  renderReports(r).message.blocks.filter((b): b is ContextBlock => b.type === 'context').map((b) => b.items.join(' | '));

describe('the count line and the summary', () => {
  it('names each status present, worst first, "warnings" in the plural only', () => {
    expect(summaryLine([report([f('ok'), f('unknown'), f('warning'), f('critical'), f('critical')])]))
      .toBe('CRITICAL: 2 critical, 1 warning, 1 unknown, 1 ok. Worst: main (postgres), c: v');
    expect(summaryLine([report([f('warning'), f('warning')])])).toBe('WARNING: 2 warnings. Worst: main (postgres), c: v');
    expect(summaryLine([report([f('unknown')])])).toBe('UNKNOWN: 1 unknown. Worst: main (postgres), c: v');
  });

  it('says "no checks" for reports without findings, and names no worst finding when all pass', () => {
    expect(summaryLine([])).toBe('OK: no checks');
    expect(summaryLine([report([])])).toBe('OK: no checks');
    expect(summaryLine([report([f('ok'), f('ok')])])).toBe('OK: 2 ok');
  });

  it('names the worst finding across reports, on one line', () => {
    const a = report([f('warning', { check: 'connections', value: '82 of 97' })]);
    const b = report([f('critical', { check: 'memory', value: '95 %\n  of  2 GB' })], { kind: 'redis', target: 'cache' });
    expect(summaryLine([a, b])).toBe('CRITICAL: 1 critical, 1 warning. Worst: cache (redis), memory: 95 % of 2 GB');
  });

  it('counts each status', () => {
    expect(counts([f('ok'), f('critical'), f('ok')])).toEqual({ critical: 1, warning: 0, unknown: 0, ok: 2 });
    expect(counts([])).toEqual({ critical: 0, warning: 0, unknown: 0, ok: 0 });
  });

  it('has one emoji per status', () => {
    expect([statusEmoji('critical'), statusEmoji('warning'), statusEmoji('unknown'), statusEmoji('ok')])
      .toEqual([':red_circle:', ':warning:', ':grey_question:', ':white_check_mark:']);
  });
});

describe('code text', () => {
  it('escapes the three entities and cannot close a code block', () => {
    expect(codeText('a < b && c > d ``` e')).toBe("a &lt; b &amp;&amp; c &gt; d ''' e");
    expect(codeText('````')).toBe("'''`");
  });
});

describe("a finding's block", () => {
  it('is the check, where, the value: nothing more when nothing more is given', () => {
    expect(texts([report([f('critical', { check: 'locks', value: 'held\nfor  2 min' })])]))
      .toEqual([':red_circle: *locks* · main (postgres)\nheld for 2 min']);
  });

  it('shows the component only when it is more than the target', () => {
    expect(texts([report([f('warning', { component: 'pid 42' })])])).toEqual([':warning: *c* · main (postgres) · pid 42\nv']);
    expect(texts([report([f('warning', { component: '' })])])).toEqual([':warning: *c* · main (postgres)\nv']);
  });

  it('adds the threshold, and the recommendation for what is not ok', () => {
    expect(texts([report([f('unknown', { threshold: 'at 80 %', recommendation: 'Look.' })])]))
      .toEqual([':grey_question: *c* · main (postgres)\nv\n_threshold: at 80 %_\n:point_right: Look.']);
  });

  it('shows six lines of evidence, counts the rest, and keeps them inert', () => {
    const evidence = Array.from({ length: 9 }, (_, i) => `line ${i} <@U1>`);
    const [text] = texts([report([f('critical', { evidence })])]);
    const lines = Array.from({ length: 6 }, (_, i) => `line ${i} &lt;@U1&gt;`).join('\n');
    expect(text).toBe(`:red_circle: *c* · main (postgres)\nv\n\`\`\`${lines}\n… +3 more lines\`\`\``);
    const [exactlySix] = texts([report([f('critical', { evidence: evidence.slice(0, 6) })])]);
    expect(exactlySix).toBe(`:red_circle: *c* · main (postgres)\nv\n\`\`\`${lines}\`\`\``);
    expect(texts([report([f('critical', { evidence: [] })])])).toEqual([':red_circle: *c* · main (postgres)\nv']);
  });

  it('escapes markup in the check, the place, the component, the value, the threshold and the advice', () => {
    const [text] = texts([report([f('critical', { check: '*c*', component: '_p_', value: '<!here>', threshold: '~t~', recommendation: '`r`' })], { target: 'a&b' })]);
    expect(text).toBe(`:red_circle: *${ZWSP}*c${ZWSP}** · a&amp;b (postgres) · ${ZWSP}_p${ZWSP}_\n&lt;!here&gt;\n_threshold: ${ZWSP}~t${ZWSP}~_\n:point_right: ${ZWSP}\`r${ZWSP}\``);
  });

  it('cuts each part to its length: component 120, value 600, threshold 200, advice 600, evidence lines 300, block 2,900', () => {
    const [text] = texts([report([f('critical', {
      component: 'p'.repeat(200), value: 'v'.repeat(700), threshold: 't'.repeat(300), recommendation: 'r'.repeat(700), evidence: ['e'.repeat(400)],
    })])]);
    const [head, value, threshold, advice, evidence] = text!.split('\n');
    expect(head).toBe(`:red_circle: *c* · main (postgres) · ${'p'.repeat(119)}…`);
    expect(value).toBe(`${'v'.repeat(599)}…`);
    expect(threshold).toBe(`_threshold: ${'t'.repeat(199)}…_`);
    expect(advice).toBe(`:point_right: ${'r'.repeat(599)}…`);
    expect(evidence).toBe(`\`\`\`${'e'.repeat(299)}…\`\`\``);
    const [long] = texts([report([f('critical', { evidence: Array.from({ length: 6 }, () => 'e'.repeat(300)), value: 'v'.repeat(600), recommendation: 'r'.repeat(600) })])]);
    expect(long!.length).toBe(2900);
    expect(long!.endsWith('…')).toBe(true);
  });
});

describe('the message around the findings', () => {
  it('has a header, the summary and one context line per target with its status and time', () => {
    const { message, truncated } = renderReports([report([f('warning')]), report([f('ok')], { target: 'b*', kind: 'redis', durationMs: 3 })], 'Diagnostics all');
    expect(message.text).toBe('Diagnostics all: WARNING: 1 warning, 1 ok. Worst: main (postgres), c: v');
    expect(message.blocks.slice(0, 3)).toEqual([
      { type: 'header', text: 'Diagnostics all: WARNING' },
      { type: 'text', text: ':warning: WARNING: 1 warning, 1 ok. Worst: main (postgres), c: v' },
      { type: 'context', items: [`main (postgres) :warning: 7 ms · b${ZWSP}* (redis) :white_check_mark: 3 ms`] },
    ]);
    expect(truncated).toBe(false);
  });

  it('shows problems worst first and the passing checks as one line, each name once', () => {
    const r = report([f('ok', { check: 'reachable' }), f('warning', { check: 'w' }), f('ok', { check: 'reachable' }), f('ok', { check: 'lag' }), f('critical', { check: 'k' })]);
    expect(texts([r]).map((t) => t.split('\n')[0])).toEqual([':red_circle: *k* · main (postgres)', ':warning: *w* · main (postgres)']);
    expect(contexts([r]).at(-1)).toBe(':white_check_mark: 3 checks ok: reachable, lag');
    expect(contexts([report([f('ok', { check: 'reachable' })])]).at(-1)).toBe(':white_check_mark: 1 check ok: reachable');
    expect(contexts([report([f('critical')])])).toHaveLength(1); // only the targets' line
  });

  it('shows no recommendation on a passing check, in the message or the file', () => {
    const r = report([f('ok', { recommendation: 'Nothing to do.' })]);
    expect(JSON.stringify(renderReports([r]).message)).not.toContain('Nothing to do');
    expect(fullReport([r])).not.toContain('Nothing to do');
  });

  it('stops at 45 blocks and counts what it did not show, in the singular too', () => {
    const many = renderReports([report(Array.from({ length: 43 }, (_, i) => f('critical', { check: `k${i}` })))]);
    expect(many.message.blocks).toHaveLength(45 + 1);
    expect(many.message.blocks.filter((b) => b.type === 'text')).toHaveLength(1 + 42);
    expect(many.message.blocks.at(-1)).toEqual({ type: 'context', items: ['+1 more finding not shown: the full report is attached.'] });
    expect(many.truncated).toBe(true);
    const fits = renderReports([report(Array.from({ length: 42 }, (_, i) => f('critical', { check: `k${i}` })))]);
    expect(fits.message.blocks).toHaveLength(45);
    expect(fits.truncated).toBe(false);
    const two = renderReports([report(Array.from({ length: 44 }, () => f('critical')))]);
    expect(two.message.blocks.at(-1)).toEqual({ type: 'context', items: ['+2 more findings not shown: the full report is attached.'] });
  });

  it('stops before the blocks add up to 11,000 characters', () => {
    // Each block is 2,900 characters: three fit beside the header, summary and targets' line, a fourth does not.
    const big = () => f('critical', { value: 'v'.repeat(600), recommendation: 'r'.repeat(600), evidence: Array.from({ length: 6 }, () => 'e'.repeat(300)) });
    const out = renderReports([report([big(), big(), big(), big(), big()])]);
    expect(out.message.blocks.filter((b) => b.type === 'text')).toHaveLength(1 + 3);
    expect(out.message.blocks.at(-1)).toEqual({ type: 'context', items: ['+2 more findings not shown: the full report is attached.'] });
    const total = out.message.blocks.reduce((n, b) => n + ('text' in b ? b.text.length : 'items' in b ? b.items.join('').length : 0), 0);
    expect(total).toBeLessThanOrEqual(11_000 + 200);
  });

  it('takes a problem that brings the blocks to 11,000 characters exactly, and not one more', () => {
    const big = () => f('critical', { value: 'v'.repeat(600), recommendation: 'r'.repeat(600), evidence: Array.from({ length: 6 }, () => 'e'.repeat(300)) });
    // The header, summary and targets' line (counted as 200) and three large problems.
    const base = renderReports([report([big(), big(), big()])]).message.blocks.filter((b) => b.type !== 'context').reduce((sum, b) => sum + ('text' in b ? b.text.length : 0), 0) + 200;
    const fixed = ':red_circle: *filler* · main (postgres)\n'.length + 600 + '\n:point_right: '.length + 600 + '\n_threshold: _'.length;
    const filler = (threshold: number) => f('critical', { check: 'filler', value: 'v'.repeat(600), recommendation: 'r'.repeat(600), threshold: 't'.repeat(threshold) });
    const shown = (threshold: number) => renderReports([report([big(), big(), big(), filler(threshold)])]).message.blocks.some((b) => 'text' in b && b.text.includes('*filler*'));
    const room = 11_000 - base - fixed;
    expect(room).toBeGreaterThan(0);
    expect(room).toBeLessThan(200);
    expect(shown(room)).toBe(true);
    expect(shown(room + 1)).toBe(false);
  });

  it('adds the passing checks only while the message stays under 12,500 characters', () => {
    const big = () => f('critical', { value: 'v'.repeat(600), recommendation: 'r'.repeat(600), evidence: Array.from({ length: 6 }, () => 'e'.repeat(300)) });
    const oks = Array.from({ length: 100 }, (_, i) => f('ok', { check: `check number ${i}` }));
    const line = `:white_check_mark: 100 checks ok: ${oks.map((o) => o.check).join(', ').slice(0, 1499)}…`;
    // Three large problems (8,700 characters) leave room for it.
    expect(contexts([report([big(), big(), big(), ...oks])])).toContain(line);
    // A fourth problem of growing size: the line is there until the blocks (a context line counted
    // as 200) plus the line pass 12,500, and absent after.
    const seen = new Set<boolean>();
    for (let n = 0; n <= 600; n += 1) {
      const { message } = renderReports([report([big(), big(), big(), f('critical', { value: 'v'.repeat(600), recommendation: 'r'.repeat(600), evidence: ['e'.repeat(Math.max(1, Math.floor(n / 2))), 'e'.repeat(Math.max(1, n - Math.floor(n / 2)))] }), ...oks])]);
      const used = message.blocks.filter((b) => b.type !== 'context').reduce((sum, b) => sum + ('text' in b ? b.text.length : 0), 0) + 200;
      const present = message.blocks.some((b) => b.type === 'context' && b.items[0] === line);
      expect(present, `filler ${n}: ${used} used`).toBe(used + line.length <= 12_500);
      seen.add(present);
    }
    expect([...seen].sort()).toEqual([false, true]);
  });
});

describe('remediation buttons', () => {
  const fix = (action: string, args: string[], label = `Fix ${args.join(' ')}`): Finding['remediation'] => ({ action, args, label });

  it('offers the remediations the caller allows, as danger buttons carrying action, args and target', () => {
    const r = report([f('critical', { remediation: fix('pg.terminate', ['42']) }), f('critical', { remediation: fix('redis.flushdb', ['0']) }), f('warning')]);
    const { message } = renderReports([r], 'Diagnostics', { canRemediate: (a) => a === 'pg.terminate' });
    expect(message.blocks.filter((b) => b.type === 'actions')).toEqual([
      { type: 'actions', buttons: [{ action: 'diag_remediate:pg.terminate:42', label: 'Fix 42', value: '{"a":"pg.terminate","x":["42"],"t":"main"}', style: 'danger' }] },
    ]);
  });

  it('offers none without a caller that allows them', () => {
    const r = report([f('critical', { remediation: fix('pg.terminate', ['42']) })]);
    expect(renderReports([r]).message.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(renderReports([r], 'D', { canRemediate: () => false }).message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('shows at most five, each proposal once, only for findings shown, with ids and values within Slack limits', () => {
    const all = () => true;
    const seven = report(Array.from({ length: 7 }, (_, i) => f('critical', { remediation: fix('pg.terminate', [String(i)]) })));
    const actions = (r: Report) => (renderReports([r], 'D', { canRemediate: all }).message.blocks.find((b) => b.type === 'actions') as { buttons: { action: string; value: string }[] } | undefined)?.buttons;
    expect(actions(seven)?.map((b) => b.action)).toEqual([0, 1, 2, 3, 4].map((i) => `diag_remediate:pg.terminate:${i}`));
    const twice = report([f('critical', { remediation: fix('pg.terminate', ['1']) }), f('critical', { remediation: fix('pg.terminate', ['1']) }), f('critical', { remediation: fix('pg.terminate', ['2']) })]);
    expect(actions(twice)?.map((b) => b.action)).toEqual(['diag_remediate:pg.terminate:1', 'diag_remediate:pg.terminate:2']);
    const longArgs = report([f('critical', { remediation: fix('pg.terminate', ['x'.repeat(300)], 'Fix') })]);
    expect(actions(longArgs)?.[0]?.action).toBe(`diag_remediate:pg.terminate:${'x'.repeat(300)}`.slice(0, 255));
    const hugeValue = report([f('critical', { remediation: fix('pg.terminate', ['x'.repeat(1990)], 'Fix') }), f('critical', { remediation: fix('pg.terminate', ['9']) })]);
    expect(actions(hugeValue)?.map((b) => b.action)).toEqual(['diag_remediate:pg.terminate:9']);
    const twoArgs = report([f('critical', { remediation: fix('k8s.scale', ['shop/api', '3']) })]);
    expect(actions(twoArgs)?.[0]?.action).toBe('diag_remediate:k8s.scale:shop/api 3');
    // A value of 2,000 characters exactly is kept (Slack's limit), one more is not.
    const valueOf = (arg: string) => JSON.stringify({ a: 'pg.terminate', x: [arg], t: 'main' });
    const at2000 = 'x'.repeat(2000 - valueOf('').length);
    expect(valueOf(at2000)).toHaveLength(2000);
    expect(actions(report([f('critical', { remediation: fix('pg.terminate', [at2000], 'Fix') })]))?.[0]?.value).toHaveLength(2000);
    expect(actions(report([f('critical', { remediation: fix('pg.terminate', [`${at2000}x`], 'Fix') })]))).toBeUndefined();
    // A proposal of a finding left out for room is not offered: 43 findings, the last one hidden.
    const hidden = report([...Array.from({ length: 42 }, () => f('critical')), f('critical', { remediation: fix('pg.terminate', ['7']) })]);
    expect(actions(hidden)).toBeUndefined();
  });
});

describe('the full report', () => {
  it('lists every finding of every target, worst first, with its threshold, advice and evidence', () => {
    const a = report([
      f('ok', { check: 'reachable', value: 'up', recommendation: 'none' }),
      f('warning', { check: 'connections', component: 'main', value: '82\nof 97', threshold: 'at 80 %', recommendation: 'Look.', evidence: ['one\n two', 'three'] }),
    ], { durationMs: 41 });
    const b = report([], { kind: 'redis', target: 'cache', durationMs: 3 });
    expect(fullReport([a, b], 'Diagnostics all')).toBe([
      '# Diagnostics all', '',
      'WARNING: 1 warning, 1 ok. Worst: main (postgres), connections: 82 of 97', '',
      '## main (postgres): warning, 41 ms', '',
      '- [warning] connections · main: 82 of 97',
      '  - threshold: at 80 %',
      '  - do: Look.',
      '  - one two',
      '  - three',
      '- [ok] reachable · main: up',
      '',
      '## cache (redis): ok, 3 ms', '',
      '',
    ].join('\n'));
    expect(renderReports([a, b], 'Diagnostics all').fullText).toBe(fullReport([a, b], 'Diagnostics all'));
    expect(fullReport([]).split('\n')[0]).toBe('# Diagnostics');
  });
});
