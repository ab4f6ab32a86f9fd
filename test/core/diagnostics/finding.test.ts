/** The finding model's helpers: the order of statuses, the worst of them, a threshold's grade, and the finding of a target that did not answer. */
import { describe, expect, it } from 'vitest';
import { grade, rank, sortFindings, STATUSES, unreachable, worst } from '../../../src/core/diagnostics/finding.js';

describe('statuses', () => {
  it('rank worst first: critical, warning, unknown, ok', () => {
    expect(STATUSES).toEqual(['critical', 'warning', 'unknown', 'ok']);
    expect(STATUSES.map(rank)).toEqual([0, 1, 2, 3]);
  });

  it('the worst of no findings is ok; otherwise the worst one found', () => {
    expect(worst([])).toBe('ok');
    expect(worst([{ status: 'ok' }, { status: 'unknown' }, { status: 'ok' }])).toBe('unknown');
    expect(worst([{ status: 'warning' }, { status: 'critical' }, { status: 'unknown' }])).toBe('critical');
  });

  it('sort worst first, ties in their order', () => {
    const found = [
      { status: 'ok', n: 1 },
      { status: 'warning', n: 2 },
      { status: 'ok', n: 3 },
      { status: 'critical', n: 4 },
      { status: 'warning', n: 5 },
    ] as const;
    expect(sortFindings(found).map((f) => f.n)).toEqual([4, 2, 5, 1, 3]);
  });
});

describe('a threshold on one number', () => {
  it('higher is worse: warning from warn, critical from crit, both included', () => {
    expect([79, 80, 94, 95, 120].map((v) => grade(v, 80, 95))).toEqual(['ok', 'warning', 'warning', 'critical', 'critical']);
    expect([79, 80, 94, 95].map((v) => grade(v, 80, 95, false))).toEqual(['ok', 'warning', 'warning', 'critical']);
  });

  it('lower is worse: warning at warn or below, critical at crit or below', () => {
    expect([21, 20, 11, 10, -5].map((v) => grade(v, 20, 10, true))).toEqual(['ok', 'warning', 'warning', 'critical', 'critical']);
  });

  it('equal thresholds have no warning band', () => {
    expect([4, 5, 6].map((v) => grade(v, 5, 5))).toEqual(['ok', 'critical', 'critical']);
    expect([6, 5, 4].map((v) => grade(v, 5, 5, true))).toEqual(['ok', 'critical', 'critical']);
  });

  it('a value that is not a finite number is unknown, either way', () => {
    for (const lowerIsWorse of [false, true]) {
      expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map((v) => grade(v, 1, 2, lowerIsWorse))).toEqual(['unknown', 'unknown', 'unknown']);
    }
  });
});

describe('an unreachable target', () => {
  it('is a critical finding of its own, with the default advice', () => {
    expect(unreachable('main', 'connection refused')).toEqual({
      check: 'reachable',
      component: 'main',
      status: 'critical',
      value: 'unreachable: connection refused',
      recommendation: 'Check that the target is up and reachable from Firebreak (address, port, firewall, credentials).',
    });
  });

  it('or with the advice given', () => {
    expect(unreachable('cache', 'wrong password', 'Check the credentials.')).toEqual({
      check: 'reachable',
      component: 'cache',
      status: 'critical',
      value: 'unreachable: wrong password',
      recommendation: 'Check the credentials.',
    });
  });
});
