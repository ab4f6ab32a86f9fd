/**
 * Slack's request signature (slack-platform.md §1): `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw
 * body>` keyed with the signing secret, and a timestamp within five minutes of now, either way.
 * Bolt checks only the past side, so a request signed ahead of time would stay usable for as long
 * as its author likes; this check refuses both.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window: "more than five minutes" from local time, in either direction, is refused. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureRefusal = 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch';

export type SignatureCheck = { ok: true; signature: string; timestamp: number } | { ok: false; reason: SignatureRefusal };

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

/** Header values as node:http gives them: a repeated header arrives as an array, which no genuine request has. */
export function checkSignature(input: {
  secret: string;
  signature: string | string[] | undefined;
  timestamp: string | string[] | undefined;
  body: Buffer;
  nowSeconds: number;
}): SignatureCheck {
  const { signature, timestamp } = input;
  if (signature === undefined || timestamp === undefined) return { ok: false, reason: 'missing' };
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !SIGNATURE.test(signature) || !TIMESTAMP.test(timestamp)) {
    return { ok: false, reason: 'malformed' };
  }
  const ts = Number(timestamp);
  if (input.nowSeconds - ts > SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'stale' };
  if (ts - input.nowSeconds > SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'future' };
  const expected = createHmac('sha256', input.secret).update(`v0:${timestamp}:`).update(input.body).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  return { ok: true, signature, timestamp: ts };
}
