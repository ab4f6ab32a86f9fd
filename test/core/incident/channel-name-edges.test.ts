/** Channel names at their edges: every letter folded, the cut at the exact limit, odd attempts and odd names. */
import { describe, expect, it } from 'vitest';
import { incidentChannelName, slugify, withSuffix } from '../../../src/core/incident/channel-name.js';

const declaredAt = new Date('2026-11-22T09:30:00Z');
const name = (title: string, number = 7) => incidentChannelName({ number, title, declaredAt });
const PREFIX = 'inc-20261122-7-';

describe('slugify', () => {
  it('spells out each letter that has no accent to drop, upper case too', () => {
    expect(slugify('Øresund Łódź Þór Ðuro Đak bıt')).toBe('oresund-lodz-thor-duro-dak-bit');
    expect(slugify('æ œ ß ø đ ł þ ð ı')).toBe('ae-oe-ss-o-d-l-th-d-i');
  });

  it('spells out every one of them in a word, not only the first', () => {
    expect(slugify('Cæsær')).toBe('caesaer');
    expect(slugify('øøłł')).toBe('ooll');
    expect(slugify('Crème brûlée')).toBe('creme-brulee');
  });
});

describe('incidentChannelName at the limit', () => {
  it('keeps the words that end exactly where the slug must stop', () => {
    // 65 characters are left for the slug; a word ends on the 65th, and a hyphen follows it.
    const title = `${'a'.repeat(30)} ${'b'.repeat(34)} c`;
    expect(name(title)).toBe(`${PREFIX}${'a'.repeat(30)}-${'b'.repeat(34)}`);
    expect(name(title)).toHaveLength(80);
  });

  it('drops the word cut by the limit, down to a first word of one letter', () => {
    expect(name(`a ${'b'.repeat(100)}`)).toBe(`${PREFIX}a`);
    expect(name(`ab ${'c'.repeat(100)}`)).toBe(`${PREFIX}ab`);
  });

  it('keeps a slug of exactly 65 characters whole, and cuts one of 66', () => {
    expect(name('x'.repeat(65))).toBe(`${PREFIX}${'x'.repeat(65)}`);
    expect(name('x'.repeat(66))).toBe(`${PREFIX}${'x'.repeat(65)}`);
  });
});

describe('withSuffix on odd attempts', () => {
  const base = 'inc-20261122-7-db-down';

  it.each([[0, base], [-3, base], [1, base], [Number.NaN, base], [Number.POSITIVE_INFINITY, base], [Number.NEGATIVE_INFINITY, base], [2.9, `${base}-2`]] as const)(
    'attempt %d → %s',
    (attempt, expected) => {
      expect(withSuffix(base, attempt)).toBe(expected);
    },
  );
});

describe('withSuffix on long names', () => {
  it('cuts a name over 80 characters even on the first attempt, at its last word', () => {
    const long = `${PREFIX}${'a'.repeat(60)}-${'b'.repeat(20)}`;
    expect(withSuffix(long, 1)).toBe(`${PREFIX}${'a'.repeat(60)}`);
  });

  it('keeps the words that end where the suffix starts', () => {
    // 78 characters before "-2": the name has a hyphen right at the 79th.
    const long = `${PREFIX}${'a'.repeat(30)}-${'b'.repeat(32)}-c`;
    expect(withSuffix(long, 2)).toBe(`${PREFIX}${'a'.repeat(30)}-${'b'.repeat(32)}-2`);
    expect(withSuffix(long, 2)).toHaveLength(80);
  });

  it('never ends the base with hyphens, however many fall on the limit', () => {
    const long = `${PREFIX}${'a'.repeat(62)}----b`;
    expect(withSuffix(long, 1)).toBe(`${PREFIX}${'a'.repeat(62)}`);
    expect(withSuffix(long, 3)).toBe(`${PREFIX}${'a'.repeat(62)}-3`);
  });

  it('never cuts into the prefix of an incident with a number of several digits', () => {
    const long = `inc-20261122-123-${'a'.repeat(100)}`;
    expect(withSuffix(long, 2)).toBe(`inc-20261122-123-${'a'.repeat(61)}-2`);
    expect(withSuffix(long, 1)).toBe(`inc-20261122-123-${'a'.repeat(63)}`);
  });

  it('cuts a name without the incident prefix at any word, as it would a title', () => {
    expect(withSuffix(`ab-${'c'.repeat(100)}`, 1)).toBe('ab');
    expect(withSuffix(`ab-${'c'.repeat(100)}`, 2)).toBe('ab-2');
    // The prefix further in does not count.
    expect(withSuffix(`ab-${'c'.repeat(100)}-inc-20261122-7-x`, 1)).toBe('ab');
    expect(withSuffix('c'.repeat(100), 2)).toBe(`${'c'.repeat(78)}-2`);
  });
});
