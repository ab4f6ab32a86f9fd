/**
 * Slack's request signature checked on its own (slack-platform.md §1): Slack's documented example,
 * the five-minute window both ways, and each way a header can be wrong. The requests themselves
 * going through the running app are in signatures.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkSignature, SIGNATURE_WINDOW_SECONDS } from '../../src/adapters/slack/request-signature.js';

describe('the signature check itself', () => {
  // Slack's documented example request (slack-platform.md §1.1), at its own time and around it.
  const vector = {
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    timestamp: '1531420618',
    signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    body: Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    ),
  };
  const at = (nowSeconds: number, overrides: Partial<typeof vector> = {}) => checkSignature({ ...vector, ...overrides, nowSeconds });

  it('accepts Slack\'s example within five minutes either way, and refuses it beyond', () => {
    expect(at(1531420618)).toEqual({ ok: true, signature: vector.signature, timestamp: 1531420618 });
    expect(at(1531420618 + 300).ok).toBe(true);
    expect(at(1531420618 - 300).ok).toBe(true);
    expect(at(1531420618 + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(at(1531420618 - 301)).toEqual({ ok: false, reason: 'future' });
  });

  it('refuses a changed body, another secret, and malformed or repeated headers', () => {
    expect(at(1531420618, { body: Buffer.concat([vector.body, Buffer.from('&x=1')]) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(at(1531420618, { secret: 'another-secret' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(at(1531420618, { signature: vector.signature.toUpperCase() })).toEqual({ ok: false, reason: 'malformed' });
    expect(checkSignature({ ...vector, signature: [vector.signature, vector.signature], nowSeconds: 1531420618 })).toEqual({ ok: false, reason: 'malformed' });
    expect(checkSignature({ ...vector, timestamp: undefined, nowSeconds: 1531420618 })).toEqual({ ok: false, reason: 'missing' });
  });
  it('refuses each malformed part on its own: prefix, length, hex, timestamp digits', () => {
    const hex = vector.signature.slice(3);
    for (const signature of ['', hex, `v1=${hex}`, `v0=${hex.slice(1)}`, `v0=${hex}0`, `v0=${hex.slice(0, -1)}g`, ` ${vector.signature}`, `${vector.signature}\n`]) {
      expect(at(1531420618, { signature }), signature).toEqual({ ok: false, reason: 'malformed' });
    }
    for (const timestamp of ['', '1531420618.5', '-1531420618', '0x5b47b2ca', '1531420618 ', '1234567890123', ['1531420618'] as never]) {
      expect(at(1531420618, { timestamp }), String(timestamp)).toEqual({ ok: false, reason: 'malformed' });
    }
    // A header repeated once still arrives as an array: its text would match, the type does not.
    expect(checkSignature({ ...vector, signature: [vector.signature], nowSeconds: 1531420618 })).toEqual({ ok: false, reason: 'malformed' });
    expect(checkSignature({ ...vector, signature: undefined, nowSeconds: 1531420618 })).toEqual({ ok: false, reason: 'missing' });
    expect(checkSignature({ ...vector, signature: undefined, timestamp: undefined, nowSeconds: 1531420618 })).toEqual({ ok: false, reason: 'missing' });
  });

  it('signs the timestamp too: the same signature under another timestamp in the window is refused', () => {
    expect(at(1531420618, { timestamp: '1531420619' })).toEqual({ ok: false, reason: 'mismatch' });
    // One byte of the body changed, same length.
    const changed = Buffer.from(vector.body);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1;
    expect(at(1531420618, { body: changed })).toEqual({ ok: false, reason: 'mismatch' });
    expect(SIGNATURE_WINDOW_SECONDS).toBe(300);
  });
});
