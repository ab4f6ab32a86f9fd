/**
 * "Did you mean …?" rule by rule: the edit distance (a swap of neighbours is one edit, a letter
 * moved further is not), how far a typo may be at each length, the part-by-part match of dotted
 * names and what a missing part costs, which of two close names wins, and the length limit.
 */
import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../../src/core/runbook/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps of two neighbours as one edit each', () => {
    const pairs: Array<[string, string, number]> = [
      ['', '', 0], ['abc', 'abc', 0], ['a', '', 1], ['', 'ab', 2], ['abc', 'ab', 1], ['ab', 'abc', 1], ['abc', 'axc', 1],
      ['ab', 'ba', 1], ['abcd', 'acbd', 1], ['kitten', 'sitting', 3],
      // Only neighbours swap: a letter that moved two places is two edits, and swapped letters are not edited again.
      ['abc', 'cba', 2], ['abc', 'ca', 3],
      // Neither half of a swap alone is a swap.
      ['ab', 'ca', 2], ['ab', 'bc', 2],
    ];
    expect(pairs.map(([a, b]) => editDistance(a, b))).toEqual(pairs.map(([, , d]) => d));
  });
});

describe('closest', () => {
  it('allows one edit up to five letters, then one more every three letters, counted on the longer name', () => {
    expect(closest('a', ['b'])).toBe('b');
    expect(closest('ab', ['cd'])).toBeUndefined();
    expect(closest('cat', ['cot'])).toBe('cot');
    expect(closest('cat', ['dog'])).toBeUndefined();
    expect(closest('abcdef', ['abcxyf'])).toBe('abcxyf');
    expect(closest('abcdef', ['axyzef'])).toBeUndefined();
    // Two letters missing from six: the allowance of the longer name (2), not of the shorter (1).
    expect(closest('abcdef', ['abcd'])).toBe('abcd');
    expect(closest('abcd', ['abcdef'])).toBe('abcdef');
  });

  it('matches part by part when either name has parts, each part within its own allowance', () => {
    // A word of one part finds the name holding that part.
    expect(closest('restrat', ['k8s.rollout-restart'])).toBe('k8s.rollout-restart');
    // A word of parts finds a name of one part when each of its parts is close to it.
    expect(closest('abc.abd', ['abc'])).toBe('abc');
    // One edit in a part of three letters is within its allowance; two are not.
    expect(closest('k9s.restart', ['k8s.rollout-restart'])).toBe('k8s.rollout-restart');
    expect(closest('k99.restart', ['k8s.rollout-restart'])).toBeUndefined();
    // Dots, dashes, underscores, spaces and slashes all separate parts.
    expect(['k8s.restart', 'k8s-restart', 'k8s_restart', 'k8s restart', 'k8s/restart'].map((w) => closest(w, ['k8s.rollout-restart']))).toEqual(Array(5).fill('k8s.rollout-restart'));
    // A separator at the start makes no empty part.
    expect(closest('-restrat', ['k8s.rollout-restart'])).toBe('k8s.rollout-restart');
    // Two names of one part each are compared whole only: separators around a word count as edits.
    expect(closest('--abc--', ['abd'])).toBeUndefined();
    // A word of separators only has no part to match.
    expect(closest('..', ['a.b'])).toBeUndefined();
  });

  it('prefers the closer name: edits over all parts, a missing part costing half an edit', () => {
    // 'ab.cd.ef' lacks nothing of 'ab.cd' but has a part more (0.5); 'ab.cx' is one edit away (1).
    expect(closest('ab.cd', ['ab.cx', 'ab.cd.ef'])).toBe('ab.cd.ef');
    expect(closest('ab.cd', ['ab.cd.ef', 'ab.cx'])).toBe('ab.cd.ef');
    // The parts in another order and one edit (1) beat the same parts and a part more (1.5).
    expect(closest('restrat.k8s', ['k8s.restart-x', 'k8s.restart'])).toBe('k8s.restart');
    // Two parts more (1) tie with one edit (1): the fewer edits of the whole names decide.
    expect(closest('ab.cd', ['ab.cd.ef.gh', 'ab.cx'])).toBe('ab.cx');
    // The same parts in other separators (0) beat one edit (1).
    expect(closest('ab-cd', ['ab-cx', 'ab.cd'])).toBe('ab.cd');
    // A part-by-part match that is further than the whole names does not replace them: a moved
    // separator is one swap (1) but two edits part by part; a name with the same parts and two more (1) ties with it.
    expect(closest('abc.d', ['ab.cd', 'abc.d.e.f'])).toBe('ab.cd');
    expect(closest('abc.d', ['abc.d.e.f', 'ab.cd'])).toBe('ab.cd');
  });

  it('keeps the first of two names as close, and a closer one after it', () => {
    expect(closest('cat', ['cot', 'cut'])).toBe('cot');
    expect(closest('cat', ['dog', 'cot', 'cut'])).toBe('cot');
  });

  it('ignores case and surrounding spaces, and gives the name as it is known', () => {
    expect(closest(' ab ', ['ab'])).toBe('ab');
    expect(closest('AB', ['xy', 'Ab'])).toBe('Ab');
    expect(closest('   ', ['a'])).toBeUndefined();
    expect(closest('', ['a'])).toBeUndefined();
  });

  it('compares names of 100 characters at most', () => {
    const a = (n: number) => 'a'.repeat(n);
    expect(closest(a(100), [a(99)])).toBe(a(99));
    expect(closest(a(99), [a(100)])).toBe(a(100));
    expect(closest(a(101), [a(100)])).toBeUndefined();
    expect(closest(a(100), [a(101)])).toBeUndefined();
    expect(closest(a(100), [a(101), a(100)])).toBe(a(100));
  });
});

describe('didYouMean', () => {
  it('names the closest name, or says nothing', () => {
    expect(didYouMean('restrat', ['k8s.scale', 'k8s.rollout-restart'])).toBe(' (did you mean "k8s.rollout-restart"?)');
    expect(didYouMean('zzz', ['k8s.scale'])).toBe('');
    expect(didYouMean('zzz', [])).toBe('');
  });
});
