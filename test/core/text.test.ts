/** The mrkdwn helpers, case by case: what reaches Slack must never be a live token unless meant to be. */
import { describe, expect, it } from 'vitest';
import { channelMention, escapeTokens, plural, toPlainLine, truncate, truncatePlain, userMention, userRef } from '../../src/core/render/text.js';

describe('toPlainLine', () => {
  it.each([
    ['  two  words \n', 'two words'],
    ['a\tb\r\nc', 'a b c'],
    ['', ''],
  ])('%j → %j', (input, expected) => expect(toPlainLine(input)).toBe(expected));
});

describe('truncate (mrkdwn)', () => {
  it.each([
    ['keeps what fits', 'abcd', 4, 'abcd'],
    ['cuts one past the limit', 'abcde', 4, 'abc…'],
    ['a limit of zero leaves the ellipsis', 'abc', 0, '…'],
    ['backs off an entity that would be cut', 'abcdef&amp;xyz', 10, 'abcdef…'],
    ['keeps an entity that is complete', 'ab&amp;cdefghij', 10, 'ab&amp;cd…'],
    // An "&" eight or more characters back cannot start an entity cut in two: the cut stays put.
    ['ignores an "&" eight back', 'a&bcdefghijklmnop', 10, 'a&bcdefgh…'],
    ['backs off an "&" seven back', 'ab&cdefghijklmnop', 10, 'ab…'],
    ['backs off a token whose ">" is just past the cut', '<@U123456>tail', 10, '…'],
    ['backs off a token whose ">" is past the cut', 'see <@U12345678> now', 10, 'see …'],
    ['keeps a token that closes before the cut', '<@U1> and more text', 10, '<@U1> and…'],
    ['does not split a surrogate pair', 'abcdefgh🔥xyz', 10, 'abcdefgh…'],
  ])('%s', (_label, text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
    expect(truncate(text, max).length).toBeLessThanOrEqual(Math.max(max, 1));
  });
});

describe('truncatePlain', () => {
  it.each([
    ['keeps what fits exactly', 'abcd', 4, 'abcd'],
    ['cuts one past', 'abcde', 4, 'abc…'],
    ['a limit of zero', 'abc', 0, '…'],
    ['a limit of one', 'abc', 1, '…'],
    ['markup is plain text here', 'ab&amp;cdef', 5, 'ab&a…'],
    ['a high surrogate at the cut (first of its range)', 'ab\ud800cd', 4, 'ab…'],
    ['a high surrogate at the cut (last of its range)', 'ab\udbffcd', 4, 'ab…'],
    ['a low surrogate at the cut is kept', 'ab\udc00cd', 4, 'ab\udc00…'],
  ])('%s', (_label, text, max, expected) => expect(truncatePlain(text, max)).toBe(expected));
});

describe('plural', () => {
  it.each([
    [1, 'session', undefined, '1 session'],
    [0, 'session', undefined, '0 sessions'],
    [2, 'session', undefined, '2 sessions'],
    [1, 'query', 'queries', '1 query'],
    [3, 'query', 'queries', '3 queries'],
  ])('%d %s', (n, word, many, expected) => expect(plural(n, word, many)).toBe(expected));
});

describe('mentions', () => {
  it.each([
    ['U0ALICE', '<@U0ALICE>'],
    ['W0ENTERPRISE', '<@W0ENTERPRISE>'],
    ['xU0ALICE', null],
    ['U0ALICE>', null],
    ['u0alice', null],
    ['<!channel>', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('userMention(%j)', (id, expected) => expect(userMention(id)).toBe(expected));

  it.each([
    ['C0INCIDENTS', '<#C0INCIDENTS>'],
    ['G0PRIVATE', '<#G0PRIVATE>'],
    ['xC0INCIDENTS', 'xC0INCIDENTS'],
    ['C0INC ok', 'C0INC ok'],
    ['<!here>', '&lt;!here&gt;'],
  ])('channelMention(%j)', (id, expected) => expect(channelMention(id)).toBe(expected));

  it.each([
    ['U0ALICE', '<@U0ALICE>'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['*bold*', '\u200B*bold\u200B*'],
    [null, '—'],
    [undefined, '—'],
    ['', '—'],
  ])('userRef(%j)', (id, expected) => expect(userRef(id)).toBe(expected));

  it('userRef says what it was told to when there is nobody', () => {
    expect(userRef(null, 'nobody')).toBe('nobody');
    expect(userRef('', 'nobody')).toBe('nobody');
  });
});

describe('escapeTokens', () => {
  it('makes every token inert and leaves formatting characters as they are', () => {
    expect(escapeTokens('<!channel> & <https://evil.example|x> not_in_channel *b*')).toBe('&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt; not_in_channel *b*');
  });
});
