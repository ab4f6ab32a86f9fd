/**
 * Sizes, durations and echoed values as the configuration and the messages read and write them:
 * every unit, the boundaries where a unit changes, and what is refused.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { hideUrlPasswords, shown } from '../../src/core/found-value.js';
import { formatSize, parseSize } from '../../src/core/size.js';

describe('parseSize', () => {
  it.each([
    ['0b', 0],
    ['300b', 300],
    ['512kb', 512 * 1024],
    ['500mb', 500 * 1024 ** 2],
    ['2gb', 2 * 1024 ** 3],
    ['1.5gb', Math.round(1.5 * 1024 ** 3)],
    ['1.25gb', Math.round(1.25 * 1024 ** 3)],
    ['1tb', 1024 ** 4],
    ['4KiB', 4096],
    ['3MiB', 3 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['2TiB', 2 * 1024 ** 4],
    ['  64 MB ', 64 * 1024 ** 2],
    ['1.4b', 1],
    ['1.6b', 2],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'mb', '12', '-1mb', '1.mb', '.5mb', '1 pb', '1mbx', 'x1mb', '1e3mb', '1,5gb'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeNull();
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [300, '300 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    // 1.0009… KB: rounded to two places, then every trailing zero and the point dropped.
    [1025, '1 KB'],
    [1024 * 1024 - 1, '1024 KB'],
    [1024 ** 2, '1 MB'],
    [512 * 1024 ** 2, '512 MB'],
    [Math.round(1.25 * 1024 ** 3), '1.25 GB'],
    [Math.round(12.34 * 1024 ** 3), '12.3 GB'],
    [Math.round(10.05 * 1024 ** 2), '10.1 MB'],
    [1024 ** 4, '1 TB'],
    [2048 * 1024 ** 4, '2048 TB'],
    [-2048, '-2 KB'],
  ])('writes %d bytes as %j', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('drops trailing zeros of the decimals, never the integer part', () => {
    expect(formatSize(2.5 * 1024)).toBe('2.5 KB');
    expect(formatSize(10 * 1024 + 1)).toBe('10 KB');
    expect(formatSize(20.5 * 1024)).toBe('20.5 KB');
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 86_400_000 + 7_200_000 + 180_000 + 4000 + 5],
    [' 45s ', 45_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '15 m', '1.5h', '-5s', '15min', '5s ago', 's5', '1h 30m', '10S'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('refuses a zero duration unless told it may be zero', () => {
    expect(parseDuration('0s')).toBeNull();
    expect(parseDuration('0m0s')).toBeNull();
    expect(parseDuration('0s', { allowZero: true })).toBe(0);
    expect(parseDuration('0s', { allowZero: false })).toBeNull();
    expect(parseDuration('5s', { allowZero: true })).toBe(5000);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [-5000, '0 s'],
    [499, '0 s'],
    [500, '1 s'],
    [45_000, '45 s'],
    [60_000, '1 min'],
    [90_000, '1 min 30 s'],
    [15 * 60_000, '15 min'],
    [3_600_000, '1 h'],
    [3_600_000 + 30_000, '1 h'],
    [5_400_000, '1 h 30 min'],
    [86_400_000, '1 d'],
    [86_400_000 + 2 * 3_600_000 + 5 * 60_000 + 7000, '1 d 2 h 5 min'],
    [86_400_000 + 59_000, '1 d'],
  ])('writes %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('hideUrlPasswords', () => {
  it('hides the password of every URL in a text, keeping the scheme, the user and the host', () => {
    expect(hideUrlPasswords('postgres://app:s3cr3t@db:5432/x and redis://:hunter2@cache:6379')).toBe('postgres://app:[redacted]@db:5432/x and redis://:[redacted]@cache:6379');
  });

  it('hides a password holding an unescaped "@" whole, and takes a mask', () => {
    expect(hideUrlPasswords('amqp://guest:p@ss@broker/vhost', '***')).toBe('amqp://guest:***@broker/vhost');
  });

  it('leaves URLs without a password alone', () => {
    for (const text of ['https://example.com/a:b@c', 'postgres://app@db/x', 'http://host:8080/path', 'mailto:someone@example.com']) {
      expect(hideUrlPasswords(text)).toBe(text);
    }
  });
});

describe('shown', () => {
  it('says what was found, one way per type', () => {
    expect(shown(undefined)).toBe('nothing');
    expect(shown(null)).toBe('an empty value');
    expect(shown('soon')).toBe('"soon"');
    expect(shown(150)).toBe('150');
    expect(shown(false)).toBe('false');
    expect(shown(10n)).toBe('10');
    expect(shown([1, 2, 3])).toBe('a list of 3');
    expect(shown([])).toBe('a list of 0');
    expect(shown(new Date('2026-12-02T10:00:00Z'))).toBe('2026-12-02T10:00:00.000Z');
    expect(shown({ a: 1 })).toBe('a mapping');
  });

  it('cuts a long text at 40 characters with an ellipsis, and hides passwords first', () => {
    const forty = 'x'.repeat(40);
    expect(shown(forty)).toBe(JSON.stringify(forty));
    expect(shown(`${forty}y`)).toBe(JSON.stringify(`${'x'.repeat(39)}…`));
    expect(shown('postgres://u:pw@h/d')).toBe('"postgres://u:[redacted]@h/d"');
  });
});
