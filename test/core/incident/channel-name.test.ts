import { describe, expect, it } from 'vitest';
import { incidentChannelName, MAX_CHANNEL_NAME, slugify, withSuffix } from '../../../src/core/incident/channel-name.js';

const declaredAt = new Date('2026-11-22T09:30:00Z');
const name = (title: string, number = 7, at = declaredAt) => incidentChannelName({ number, title, declaredAt: at });
const VALID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

describe('incidentChannelName', () => {
  it.each([
    ['Checkout returns 500', 'inc-20261122-7-checkout-returns-500'],
    ['Échec paiement', 'inc-20261122-7-echec-paiement'],
    ['Base de données très lente à Noël', 'inc-20261122-7-base-de-donnees-tres-lente-a-noel'],
    ['Œuvre & Straße: Æsir', 'inc-20261122-7-oeuvre-strasse-aesir'],
    ['🔥 API down 🔥', 'inc-20261122-7-api-down'],
    ['  --Redis__DOWN!!  ', 'inc-20261122-7-redis-down'],
    ['<!channel> *drop* `tables`', 'inc-20261122-7-channel-drop-tables'],
    ['v4.2 → v4.3 rollback', 'inc-20261122-7-v4-2-v4-3-rollback'],
    ['', 'inc-20261122-7'],
    ['🔥🔥🔥', 'inc-20261122-7'],
    ['日本語のタイトル', 'inc-20261122-7'],
    ['---', 'inc-20261122-7'],
  ])('%j → %s', (title, expected) => {
    expect(name(title)).toBe(expected);
  });

  it('uses the UTC day, not the local one', () => {
    expect(name('x', 3, new Date('2026-12-31T23:59:59Z'))).toBe('inc-20261231-3-x');
    expect(name('x', 3, new Date('2027-01-01T00:00:00Z'))).toBe('inc-20270101-3-x');
    expect(name('x', 3, new Date('2027-01-01T00:30:00+01:00'))).toBe('inc-20261231-3-x');
  });

  it('cuts a 200-character title at a word boundary within 80 characters', () => {
    const title = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    expect(title.length).toBeGreaterThan(200);
    const result = name(title);
    expect(result.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(result).toMatch(VALID);
    expect(result).toMatch(/-word\d+$/);
    expect(title.replace(/ /g, '-')).toContain(result.replace('inc-20261122-7-', ''));
  });

  it('cuts a single 200-character word where it must', () => {
    const result = name('a'.repeat(200));
    expect(result).toBe(`inc-20261122-7-${'a'.repeat(80 - 15)}`);
    expect(result).toHaveLength(80);
  });

  it('never leaves a trailing hyphen, whatever falls on the limit', () => {
    const prefix = 'inc-20261122-7-';
    for (let firstWord = 1; firstWord <= 75; firstWord++) {
      const title = `${'b'.repeat(firstWord)} ${'c'.repeat(10)} ${'d'.repeat(70)}`;
      const result = name(title);
      expect(result.length, title).toBeLessThanOrEqual(80);
      expect(result, title).toMatch(VALID);
      expect(result.startsWith(prefix)).toBe(true);
    }
  });

  it('keeps a slug that ends exactly at 80 characters whole', () => {
    const slug = `${'a'.repeat(30)}-${'b'.repeat(34)}`;
    const result = name(slug.replace('-', ' '));
    expect(result).toHaveLength(80);
    expect(result).toBe(`inc-20261122-7-${slug}`);
    // One character more: the last word goes, rather than being cut.
    expect(name(`${'a'.repeat(30)} ${'b'.repeat(35)}`)).toBe(`inc-20261122-7-${'a'.repeat(30)}`);
  });

  it('stays within 80 characters with large incident numbers', () => {
    const result = name('x'.repeat(300), 123_456_789);
    expect(result.length).toBe(80);
    expect(result.startsWith('inc-20261122-123456789-')).toBe(true);
  });

  it('slugify folds accents and keeps only [a-z0-9-]', () => {
    expect(slugify('Échec paiement')).toBe('echec-paiement');
    expect(slugify('ÀÉÎÕÜ ç ñ')).toBe('aeiou-c-n');
    expect(slugify('a\u0301b')).toBe('ab');
  });
});

describe('withSuffix', () => {
  it.each([
    ['inc-20261122-7-db-down', 1, 'inc-20261122-7-db-down'],
    ['inc-20261122-7-db-down', 2, 'inc-20261122-7-db-down-2'],
    ['inc-20261122-7-db-down', 3, 'inc-20261122-7-db-down-3'],
    ['inc-20261122-7-db-down', 12, 'inc-20261122-7-db-down-12'],
    ['inc-20261122-7', 2, 'inc-20261122-7-2'],
  ] as const)('%s, attempt %i → %s', (base, attempt, expected) => {
    expect(withSuffix(base, attempt)).toBe(expected);
  });

  it('shortens an 80-character base so the result stays within 80', () => {
    const full = name(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    for (const attempt of [2, 9, 10, 99, 100, 1000]) {
      const result = withSuffix(full, attempt);
      expect(result.length).toBeLessThanOrEqual(80);
      expect(result).toMatch(VALID);
      expect(result.endsWith(`-${attempt}`)).toBe(true);
      expect(result.startsWith('inc-20261122-7-')).toBe(true);
    }
    const long = name('a'.repeat(200));
    expect(withSuffix(long, 2)).toBe(`inc-20261122-7-${'a'.repeat(63)}-2`);
    expect(withSuffix(long, 2)).toHaveLength(80);
  });
});
