/** A Slack request's body, parsed exactly as Bolt's HTTP receiver parses it (reading it: http/read-body.ts). */
import { parse as parseQuery } from 'node:querystring';

/** Bolt compares the content type with === too: anything else is parsed as JSON. */
const FORM = 'application/x-www-form-urlencoded';

/** Slack's connectivity check, answered without a signature (as Bolt does), and nothing else in it. */
export function isSslCheck(contentType: string | undefined, body: Buffer): boolean {
  return contentType === FORM && parseQuery(body.toString('utf8')).ssl_check === '1';
}

/** The body as Bolt's receiver will parse it: it must come out an object, or Bolt fails on it. */
export function parseBody(contentType: string | undefined, body: Buffer): { ok: true } | { ok: false; problem: string } {
  const text = body.toString('utf8');
  let value: unknown;
  try {
    if (contentType === FORM) {
      const form = parseQuery(text);
      value = typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
    } else {
      value = JSON.parse(text);
    }
  } catch {
    return { ok: false, problem: contentType === FORM ? 'its payload field is not JSON' : `it is not JSON (content type ${JSON.stringify(contentType ?? '')})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: `it is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object` };
  }
  return { ok: true };
}
