/** The stats message whole, in each locale, and the period's edges: included bounds, skewed clocks, odd years, the cap on months. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import { computeStats, type IncidentStats, statsMessage } from '../../../src/core/incident/stats.js';
import { at, makeIncident } from './fixtures.js';

const plus = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);
const from = at('2026-11-01T00:00:00Z');
const to = at('2026-11-08T00:00:00Z');
const FROM_TOKEN = '<!date^1793491200^{date_short}|2026-11-01 00:00 UTC>';
const TO_TOKEN = '<!date^1794096000^{date_short}|2026-11-08 00:00 UTC>';

const incidents = [
  // Declared on the first instant of the period.
  makeIncident({ id: 'a', number: 1, severity: 'P0', declaredAt: from, detectedAt: plus(from, -60), acknowledgedAt: plus(from, 240), resolvedAt: plus(from, 1500), status: 'resolved' }),
  // Declared on its last instant, acknowledged by a clock a little behind: counts as at once.
  makeIncident({ id: 'b', number: 2, severity: 'P2', declaredAt: to, acknowledgedAt: plus(to, -30), status: 'monitoring' }),
  makeIncident({ id: 'c', number: 3, severity: 'P1', declaredAt: at('2026-11-03T12:00:00Z'), status: 'investigating' }),
  // One millisecond outside, on each side.
  makeIncident({ id: 'd', number: 4, severity: 'P0', declaredAt: new Date(from.getTime() - 1), acknowledgedAt: from }),
  makeIncident({ id: 'e', number: 5, severity: 'P0', declaredAt: new Date(to.getTime() + 1), acknowledgedAt: plus(to, 3600) }),
];

describe('computeStats at the edges of the period', () => {
  it('includes both bounds and counts an acknowledgement before the declaration as immediate', () => {
    expect(computeStats(incidents, { from, to })).toEqual({
      from, to, total: 3, open: 2,
      bySeverity: { P0: 1, P1: 1, P2: 1, P3: 0 },
      mttd: { meanSeconds: 60, count: 1, targetSeconds: 120, met: true },
      mtta: { meanSeconds: 120, count: 2, targetSeconds: 300, met: true },
      mttr: { meanSeconds: 1500, count: 1, targetSeconds: 1800, met: true },
      majorPerMonth: [{ month: '2026-11', count: 2, target: 2, met: false }],
    });
  });

  it('writes the months of years before 1000 with four digits', () => {
    const s = computeStats([], { from: at('0999-11-15T00:00:00Z'), to: at('1000-01-10T00:00:00Z') });
    expect(s.majorPerMonth.map((m) => m.month)).toEqual(['0999-11', '0999-12', '1000-01']);
  });

  it('stops at 1201 months, however long the period', () => {
    const s = computeStats([], { from: at('1900-01-01T00:00:00Z'), to: at('2026-11-01T00:00:00Z') });
    expect(s.majorPerMonth).toHaveLength(1201);
    expect(s.majorPerMonth[0]?.month).toBe('1900-01');
    expect(s.majorPerMonth.at(-1)?.month).toBe('2000-01');
  });
});

describe('statsMessage, whole', () => {
  // Computed in each test, not while the file is collected: a computeStats that throws fails these tests by name.
  const stats = () => computeStats(incidents, { from, to });

  it('in English', () => {
    expect(statsMessage(stats(), 'en', DEFAULT_SEVERITIES)).toEqual({
      text: 'Incident stats, last 7 days: 3 incidents declared, 2 still open · P0 1 · P1 1 · P2 1 · P3 0'
        + ' · MTTD: 1 min ✅ (target ≤ 2 min, over 1) · MTTA: 2 min ✅ (target ≤ 5 min, over 2) · MTTR: 25 min ✅ (target ≤ 30 min, over 1)'
        + ' · P0/P1 per month (target < 2): 0 of 1 months within target',
      blocks: [
        { type: 'header', text: 'Incident stats · last 7 days' },
        { type: 'context', items: [`Period: ${FROM_TOKEN} → ${TO_TOKEN}`] },
        { type: 'text', text: '3 incidents declared, 2 still open' },
        {
          type: 'fields',
          fields: [
            { label: ':red_circle: P0 Critical', value: '1' },
            { label: ':large_orange_circle: P1 Major', value: '1' },
            { label: ':large_yellow_circle: P2 Moderate', value: '1' },
            { label: ':large_blue_circle: P3 Minor', value: '0' },
          ],
        },
        {
          type: 'text',
          text: 'MTTD (time to detect: first alert or noticed → declared): 1 min ✅ (target ≤ 2 min, over 1)\n'
            + 'MTTA (time to acknowledge): 2 min ✅ (target ≤ 5 min, over 2)\n'
            + 'MTTR (time to resolve): 25 min ✅ (target ≤ 30 min, over 1)',
        },
        { type: 'text', text: 'P0/P1 per month (target < 2): 2026-11: 2 ⚠️' },
      ],
    });
  });

  it('in French', () => {
    expect(statsMessage(stats(), 'fr', DEFAULT_SEVERITIES)).toEqual({
      text: 'Statistiques des incidents, 7 derniers jours: 3 incidents déclarés, 2 encore ouverts · P0 1 · P1 1 · P2 1 · P3 0'
        + ' · MTTD: 1 min ✅ (objectif ≤ 2 min, sur 1) · MTTA: 2 min ✅ (objectif ≤ 5 min, sur 2) · MTTR: 25 min ✅ (objectif ≤ 30 min, sur 1)'
        + " · P0/P1 par mois (objectif < 2): 0 mois sur 1 dans l'objectif",
      blocks: [
        { type: 'header', text: 'Statistiques des incidents · 7 derniers jours' },
        { type: 'context', items: [`Période: ${FROM_TOKEN} → ${TO_TOKEN}`] },
        { type: 'text', text: '3 incidents déclarés, 2 encore ouverts' },
        {
          type: 'fields',
          fields: [
            { label: ':red_circle: P0 Critique', value: '1' },
            { label: ':large_orange_circle: P1 Majeur', value: '1' },
            { label: ':large_yellow_circle: P2 Modéré', value: '1' },
            { label: ':large_blue_circle: P3 Mineur', value: '0' },
          ],
        },
        {
          type: 'text',
          text: 'MTTD (délai de détection : première alerte ou constat → déclaration): 1 min ✅ (objectif ≤ 2 min, sur 1)\n'
            + 'MTTA (délai de prise en compte): 2 min ✅ (objectif ≤ 5 min, sur 2)\n'
            + 'MTTR (délai de résolution): 25 min ✅ (objectif ≤ 30 min, sur 1)',
        },
        { type: 'text', text: 'P0/P1 par mois (objectif < 2): 2026-11: 2 ⚠️' },
      ],
    });
  });

  it('says "no data" for each mean without one, in each locale', () => {
    const empty = computeStats([], { from, to });
    const en = statsMessage(empty, 'en', DEFAULT_SEVERITIES);
    expect(en.blocks[4]).toEqual({
      type: 'text',
      text: 'MTTD (time to detect: first alert or noticed → declared): no data (target ≤ 2 min)\nMTTA (time to acknowledge): no data (target ≤ 5 min)\nMTTR (time to resolve): no data (target ≤ 30 min)',
    });
    expect(en.text).toBe(
      'Incident stats, last 7 days: 0 incidents declared, 0 still open · P0 0 · P1 0 · P2 0 · P3 0 · MTTD: no data (target ≤ 2 min) · MTTA: no data (target ≤ 5 min) · MTTR: no data (target ≤ 30 min) · P0/P1 per month (target < 2): 1 of 1 months within target',
    );
    const fr = statsMessage(empty, 'fr', DEFAULT_SEVERITIES);
    expect(fr.blocks[4]).toEqual({
      type: 'text',
      text: 'MTTD (délai de détection : première alerte ou constat → déclaration): pas de données (objectif ≤ 2 min)\nMTTA (délai de prise en compte): pas de données (objectif ≤ 5 min)\nMTTR (délai de résolution): pas de données (objectif ≤ 30 min)',
    });
    expect(fr.blocks[2]).toEqual({ type: 'text', text: '0 incident déclaré, 0 encore ouvert' });
  });
});

describe('statsMessage, counts and lengths', () => {
  const withCounts = (total: number, open: number): IncidentStats => ({ ...computeStats([], { from, to }), total, open });
  const totalLine = (s: IncidentStats, locale: 'en' | 'fr') => statsMessage(s, locale, DEFAULT_SEVERITIES).blocks[2];

  it.each([
    [0, 0, '0 incidents declared, 0 still open', '0 incident déclaré, 0 encore ouvert'],
    [1, 0, '1 incident declared, 0 still open', '1 incident déclaré, 0 encore ouvert'],
    [1, 1, '1 incident declared, 1 still open', '1 incident déclaré, 1 encore ouvert'],
    [2, 1, '2 incidents declared, 1 still open', '2 incidents déclarés, 1 encore ouvert'],
    [2, 2, '2 incidents declared, 2 still open', '2 incidents déclarés, 2 encore ouverts'],
  ])('%i declared, %i open', (total, open, en, fr) => {
    expect(totalLine(withCounts(total, open), 'en')).toEqual({ type: 'text', text: en });
    expect(totalLine(withCounts(total, open), 'fr')).toEqual({ type: 'text', text: fr });
  });

  it.each([
    [6 * 3600, 'Incident stats · last day', 'Statistiques des incidents · dernier jour'],
    [12 * 3600, 'Incident stats · last day', 'Statistiques des incidents · dernier jour'],
    [36 * 3600, 'Incident stats · last 2 days', 'Statistiques des incidents · 2 derniers jours'],
    [30 * 86_400, 'Incident stats · last 30 days', 'Statistiques des incidents · 30 derniers jours'],
  ])('a period of %i s is headed %j', (seconds, en, fr) => {
    const s = computeStats([], { from, to: plus(from, seconds) });
    expect(statsMessage(s, 'en', DEFAULT_SEVERITIES).blocks[0]).toEqual({ type: 'header', text: en });
    expect(statsMessage(s, 'fr', DEFAULT_SEVERITIES).blocks[0]).toEqual({ type: 'header', text: fr });
    // The notification text opens with the same words.
    expect(statsMessage(s, 'en', DEFAULT_SEVERITIES).text).toMatch(new RegExp(`^${en.replace(' ·', ',')}: `));
    expect(statsMessage(s, 'fr', DEFAULT_SEVERITIES).text).toMatch(new RegExp(`^${fr.replace(' ·', ',')}: `));
  });

  it('shows a dash and no target for stats without months', () => {
    const s: IncidentStats = { ...computeStats([], { from, to }), majorPerMonth: [] };
    const m = statsMessage(s, 'en', DEFAULT_SEVERITIES);
    expect(m.blocks[5]).toEqual({ type: 'text', text: 'P0/P1 per month: —' });
    expect(m.text).toBe(
      'Incident stats, last 7 days: 0 incidents declared, 0 still open · P0 0 · P1 0 · P2 0 · P3 0 · MTTD: no data (target ≤ 2 min) · MTTA: no data (target ≤ 5 min) · MTTR: no data (target ≤ 30 min) · P0/P1 per month: 0 of 0 months within target',
    );
  });
});
