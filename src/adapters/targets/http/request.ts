/**
 * What an HTTP request of a check may be, for the two kinds of checks that send one: a runbook's
 * `http` step and a target's configured `checks`. The URL is always the target's origin with the
 * check's path; headers are one line each and never the ones that frame the request; which
 * headers, body fields and answer fields hold credentials, so that they are scrubbed and never
 * shown.
 */
import { namesSecret } from '../../../core/secret-names.js';
import { checkHttpUrl, excerpt } from '../shared/bounded-get.js';

/** The URL a check requests: the target's origin and the check's path; or why it may not. */
export function requestUrl(target: { name: string; url: string }, path: string): { ok: true; url: string } | { ok: false; message: string } {
  let base: URL;
  try {
    base = new URL(checkHttpUrl(target.url, `HTTP target "${target.name}"`));
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    return { ok: false, message: `The path "${excerpt(path, 120)}" is not a valid URL path.` };
  }
  if (url.origin !== base.origin) {
    return { ok: false, message: `The path "${excerpt(path, 120)}" leads away from the HTTP target "${target.name}" (${base.host}): give a path on that host, like "/health".` };
  }
  return { ok: true, url: url.href };
}

/** A header name as HTTP allows it (a token), kept short. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

/**
 * Headers a check may not set: they say where the request goes (Host) or how it is framed, which
 * the client decides from the URL and the body.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer']);

/** A value that would end the header line and start another. */
export const hasLineBreak = (value: string): boolean => /[\r\n\0]/.test(value);

/**
 * Whether a header carries a credential: Authorization, Proxy-Authorization, Cookie, X-Api-Key,
 * X-Auth-Token, Set-Cookie, anything whose name holds one of the secret words.
 */
export const isCredentialHeader = (name: string): boolean => namesSecret(name);

/** Whether a field of an answer (a dotted path) holds a credential: token, access_token, auth.key, session… */
export const isSecretField = (path: string): boolean => namesSecret(path);

/** Parts of a credential shorter than this are ordinary words ("dark" in `theme=dark`), not scrubbed alone. */
const MIN_PART_CHARS = 8;

/**
 * The pieces of a credential header worth scrubbing on their own: the whole value, the part after
 * its scheme ("Bearer abc…" gives "abc…") and, in a cookie list, each cookie's value.
 */
function credentialParts(value: string): string[] {
  const parts: string[] = [];
  const scheme = /^[A-Za-z][A-Za-z0-9._-]*\s+(\S.*)$/.exec(value.trim());
  if (scheme?.[1]) parts.push(scheme[1]);
  for (const pair of value.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) parts.push(pair.slice(eq + 1).trim());
  }
  return [value, ...parts.filter((p) => p.length >= MIN_PART_CHARS)];
}

/** String values under secret-looking keys, at any depth of a JSON value. */
function secretValues(value: unknown, key = '', depth = 0): string[] {
  if (depth > 10) return [];
  if (typeof value === 'string' || typeof value === 'number') return key && namesSecret(key) ? [String(value)] : [];
  if (Array.isArray(value)) return value.flatMap((v) => secretValues(v, key, depth + 1));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => secretValues(v, k, depth + 1));
  return [];
}

/** The credentials a body sent by a check holds: fields of a JSON body, or of a form (`user=a&password=b`). */
function bodySecrets(body: unknown): string[] {
  if (body === undefined || body === null) return [];
  if (typeof body !== 'string') return secretValues(body);
  const text = body.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return secretValues(JSON.parse(text));
    } catch {
      return [];
    }
  }
  if (/^[^\s=&]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/.test(text)) {
    return [...new URLSearchParams(text)].filter(([k]) => namesSecret(k)).map(([, v]) => v);
  }
  return [];
}

/** What the log scrubber must know about one request: credential header values and body fields. */
export function requestSecrets(request: { headers?: Readonly<Record<string, string>>; body?: unknown }): string[] {
  const fromHeaders = Object.entries(request.headers ?? {})
    .filter(([name]) => isCredentialHeader(name))
    .flatMap(([, value]) => credentialParts(value));
  return [...fromHeaders, ...bodySecrets(request.body)];
}

/**
 * The body as sent: text as written; anything else as JSON, with `Content-Type: application/json`
 * unless the check sets its own.
 */
export function encodeBody(body: unknown, headers: Readonly<Record<string, string>>): { body?: string; headers: Record<string, string> } {
  const out = { ...headers };
  if (body === undefined) return { headers: out };
  if (typeof body === 'string') return { body, headers: out };
  if (!Object.keys(out).some((k) => k.toLowerCase() === 'content-type')) out['Content-Type'] = 'application/json';
  return { body: JSON.stringify(body), headers: out };
}
