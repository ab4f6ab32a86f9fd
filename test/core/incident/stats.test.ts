import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import { computeStats, DEFAULT_KPI_TARGETS, parsePeriod, statsMessage } from '../../../src/core/incident/stats.js';
import type { Block } from '../../../src/core/render/message.js';
import { at, makeIncident } from './fixtures.js';

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000);
const inc = (n: number, severity: 'P0' | 'P1' | 'P2' | 'P3', declared: string, ackS: number | null, resolveS: number | null, detectedBeforeS: number | null = null) =>
  makeIncident({
    id: `id-${n}`, number: n, severity, declaredAt: at(declared),
    detectedAt: detectedBeforeS === null ? null : plus(declared, -detectedBeforeS),
    acknowledgedAt: ackS === null ? null : plus(declared, ackS),
    resolvedAt: resolveS === null ? null : plus(declared, resolveS),
    status: resolveS === null ? 'identified' : 'resolved',
  });

const period = { from: at('2026-10-15T00:00:00Z'), to: at('2027-01-10T00:00:00Z') };
const incidents = [
  inc(1, 'P0', '2026-10-20T10:00:00Z', 120, 2400, 90),
  inc(2, 'P1', '2026-12-31T23:50:00Z', 600, 1200, 210),
  inc(3, 'P1', '2027-01-01T00:10:00Z', 180, null),
  inc(4, 'P2', '2026-12-05T12:00:00Z', null, 3600),
  inc(5, 'P3', '2026-11-11T11:00:00Z', 60, 600),
  inc(6, 'P0', '2026-12-15T08:00:00Z', 300, 1800),
  // Outside the period: ignored.
  inc(7, 'P0', '2026-10-14T23:59:59Z', 1, 1, 5000),
  inc(8, 'P0', '2027-01-10T00:00:01Z', 1, 1),
];

describe('computeStats', () => {
  const stats = computeStats(incidents, period);

  it('counts incidents declared in the period, open ones and by severity', () => {
    expect(stats.from).toEqual(period.from);
    expect(stats.to).toEqual(period.to);
    expect(stats.total).toBe(6);
    expect(stats.open).toBe(1);
    expect(stats.bySeverity).toEqual({ P0: 2, P1: 2, P2: 1, P3: 1 });
  });

  it('computes MTTD over the incidents whose detection time is known, in the period only', () => {
    // (90 + 210) / 2 = 150 s > 120 s; incident 7 (outside the period) would have weighed 5000 s.
    expect(stats.mttd).toEqual({ meanSeconds: 150, count: 2, targetSeconds: 120, met: false });
    const quick = computeStats([inc(1, 'P1', '2026-11-01T00:00:00Z', null, null, 120)], period);
    expect(quick.mttd).toEqual({ meanSeconds: 120, count: 1, targetSeconds: 120, met: true });
    expect(computeStats([inc(1, 'P1', '2026-11-01T00:00:00Z', null, null)], period).mttd).toEqual({ meanSeconds: null, count: 0, targetSeconds: 120, met: null });
  });

  it('computes MTTA and MTTR by hand-checked means', () => {
    // (120 + 600 + 180 + 60 + 300) / 5 = 252 s ≤ 300 s.
    expect(stats.mtta).toEqual({ meanSeconds: 252, count: 5, targetSeconds: 300, met: true });
    // (2400 + 1200 + 3600 + 600 + 1800) / 5 = 1920 s > 1800 s.
    expect(stats.mttr).toEqual({ meanSeconds: 1920, count: 5, targetSeconds: 1800, met: false });
  });

  it('buckets P0/P1 by UTC month across the year boundary, empty months included', () => {
    expect(stats.majorPerMonth).toEqual([
      { month: '2026-10', count: 1, target: 2, met: true },
      { month: '2026-11', count: 0, target: 2, met: true },
      { month: '2026-12', count: 2, target: 2, met: false },
      { month: '2027-01', count: 1, target: 2, met: true },
    ]);
  });

  it('meets a target exactly on it, and uses the targets given', () => {
    const one = [inc(1, 'P2', '2026-11-01T00:00:00Z', 300, 1800)];
    const s = computeStats(one, period);
    expect(s.mtta.met).toBe(true);
    expect(s.mttr.met).toBe(true);
    const strict = computeStats(one, period, { mttdSeconds: 60, mttaSeconds: 299, mttrSeconds: 1799, maxMajorPerMonth: 1 });
    expect(strict.mttd).toMatchObject({ targetSeconds: 60 });
    expect(strict.mtta).toMatchObject({ met: false, targetSeconds: 299 });
    expect(strict.mttr).toMatchObject({ met: false, targetSeconds: 1799 });
    expect(strict.majorPerMonth.every((m) => m.target === 1 && m.met)).toBe(true);
  });

  it('has no means and every month at zero for no incidents', () => {
    const s = computeStats([], { from: at('2026-12-20T00:00:00Z'), to: at('2027-02-01T00:00:00Z') });
    expect(s.total).toBe(0);
    expect(s.open).toBe(0);
    expect(s.bySeverity).toEqual({ P0: 0, P1: 0, P2: 0, P3: 0 });
    expect(s.mtta).toEqual({ meanSeconds: null, count: 0, targetSeconds: 300, met: null });
    expect(s.mttr).toEqual({ meanSeconds: null, count: 0, targetSeconds: 1800, met: null });
    expect(s.majorPerMonth.map((m) => [m.month, m.count, m.met])).toEqual([['2026-12', 0, true], ['2027-01', 0, true], ['2027-02', 0, true]]);
  });

  it('gives one month for a period inside a month', () => {
    const s = computeStats([], { from: at('2026-02-03T00:00:00Z'), to: at('2026-02-10T00:00:00Z') });
    expect(s.majorPerMonth.map((m) => m.month)).toEqual(['2026-02']);
  });

  it('uses the playbook targets by default', () => {
    expect(DEFAULT_KPI_TARGETS).toEqual({ mttdSeconds: 120, mttaSeconds: 300, mttrSeconds: 1800, maxMajorPerMonth: 2 });
  });
});

describe('parsePeriod', () => {
  const now = at('2026-11-22T09:30:00Z');
  const DAY = 86_400_000;

  it.each([
    ['', 30], ['  ', 30], ['30d', 30], ['7d', 7], ['90d', 90], ['12w', 84], ['3m', 90], ['7j', 7], [' 7D ', 7], ['1d', 1],
    ['3650d', 3650], ['121m', 3630], ['521w', 3647],
  ] as const)('%j → %i days back from now', (text, days) => {
    expect(parsePeriod(text, now)).toEqual({ from: new Date(now.getTime() - days * DAY), to: now });
  });

  it.each(['0d', '0w', '0m', '3651d', '522w', '122m', '99999d', 'abc', '-5d', '1.5d', '7', 'd', '7y', '7 days', '30dd'])('%j → null', (text) => {
    expect(parsePeriod(text, now)).toBeNull();
  });

  it('does not share the Date it was given', () => {
    const p = parsePeriod('', now);
    expect(p?.to).not.toBe(now);
  });
});

const textOf = (blocks: Block[]) =>
  blocks.map((b) => (b.type === 'text' || b.type === 'header' ? b.text : b.type === 'fields' ? b.fields.map((f) => `${f.label} ${f.value}`).join('\n') : b.type === 'context' ? b.items.join('\n') : '')).join('\n');

describe('statsMessage', () => {
  const stats = computeStats(incidents, period);

  it('shows counts, MTTA/MTTR against targets and P0/P1 per month (en)', () => {
    const m = statsMessage(stats, 'en', DEFAULT_SEVERITIES);
    expect(m.blocks[0]).toEqual({ type: 'header', text: 'Incident stats · last 87 days' });
    const fields = m.blocks.find((b) => b.type === 'fields');
    expect(fields).toEqual({
      type: 'fields',
      fields: [
        { label: ':red_circle: P0 Critical', value: '2' },
        { label: ':large_orange_circle: P1 Major', value: '2' },
        { label: ':large_yellow_circle: P2 Moderate', value: '1' },
        { label: ':large_blue_circle: P3 Minor', value: '1' },
      ],
    });
    const body = textOf(m.blocks);
    expect(body).toContain('6 incidents declared, 1 still open');
    expect(body).toContain('MTTD (time to detect: first alert or noticed → declared): 2 min 30 s ⚠️ (target ≤ 2 min, over 2)');
    expect(body).toContain('MTTA (time to acknowledge): 4 min 12 s ✅ (target ≤ 5 min, over 5)');
    expect(body).toContain('MTTR (time to resolve): 32 min ⚠️ (target ≤ 30 min, over 5)');
    expect(body).toContain('P0/P1 per month (target < 2): 2026-10: 1 ✅ · 2026-11: 0 ✅ · 2026-12: 2 ⚠️ · 2027-01: 1 ✅');
    expect(body).toContain('<!date^');
    expect(m.text).toBe(
      'Incident stats, last 87 days: 6 incidents declared, 1 still open · P0 2 · P1 2 · P2 1 · P3 1 · MTTD: 2 min 30 s ⚠️ (target ≤ 2 min, over 2) · MTTA: 4 min 12 s ✅ (target ≤ 5 min, over 5) · MTTR: 32 min ⚠️ (target ≤ 30 min, over 5) · P0/P1 per month (target < 2): 3 of 4 months within target',
    );
  });

  it('says "no data" when there is none, in French too', () => {
    const empty = computeStats([], { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-08T00:00:00Z') });
    const en = statsMessage(empty, 'en', DEFAULT_SEVERITIES);
    expect(textOf(en.blocks)).toContain('MTTA (time to acknowledge): no data (target ≤ 5 min)');
    expect(en.text).toContain('0 incidents declared, 0 still open');
    const fr = statsMessage(empty, 'fr', DEFAULT_SEVERITIES);
    expect(fr.blocks[0]).toEqual({ type: 'header', text: 'Statistiques des incidents · 7 derniers jours' });
    const body = textOf(fr.blocks);
    expect(body).toContain('MTTR (délai de résolution): pas de données (objectif ≤ 30 min)');
    expect(body).toContain(':red_circle: P0 Critique');
    expect(body).toContain('P0/P1 par mois (objectif < 2): 2026-11: 0 ✅');
    for (const m of [en, fr]) expect(`${m.text}\n${textOf(m.blocks)}`).not.toMatch(/undefined|null|NaN/);
  });

  it('uses configured names without letting them inject markup', () => {
    const severities = { ...DEFAULT_SEVERITIES, P0: { ...DEFAULT_SEVERITIES.P0, name: '<!channel> *SEV1*' } };
    const m = statsMessage(stats, 'fr', severities);
    const body = textOf(m.blocks);
    expect(body).toContain('P0 !channel SEV1');
    expect(body).not.toContain('<!channel>');
  });

  it('keeps a ten-year period readable', () => {
    const long = computeStats([], parsePeriod('3650d', at('2026-11-22T00:00:00Z')) ?? period);
    expect(long.majorPerMonth.length).toBeGreaterThanOrEqual(120);
    const m = statsMessage(long, 'en', DEFAULT_SEVERITIES);
    for (const b of m.blocks) if (b.type === 'text') expect(b.text.length).toBeLessThanOrEqual(3000);
    expect(m.text.length).toBeLessThan(1000);
  });
});
