/**
 * A configured HTTP health endpoint: its URL (from configuration only), what it must answer, the
 * thresholds, and the requests it must also answer (`checks`). Latencies may be written "1s" or
 * "1500ms", certificate notice "14d" or "36h"; plain numbers are milliseconds and days, as the
 * keys say.
 */
import { z } from 'zod';
import { asDays, asMs, checkOrder, durationThreshold, httpUrl, wholeNumber, everyProblem } from '../shared/schema.js';
import { HEADER_NAME, hasLineBreak, requestUrl, RESERVED_HEADERS } from './request.js';

export interface HttpThresholds {
  /** Warning when the whole answer takes at least this long. */
  latencyWarnMs: number;
  /** Critical when it takes at least this long. */
  latencyCritMs: number;
  /** Warning when the certificate expires in this many days or fewer. */
  certWarnDays: number;
  /** Critical when it expires in this many days or fewer (or has expired). */
  certCritDays: number;
}

/** Latency above 2 s is a P1 in the incident playbook; certificates get two weeks' notice. */
export const DEFAULT_HTTP_THRESHOLDS: Readonly<HttpThresholds> = Object.freeze({
  latencyWarnMs: 1000,
  latencyCritMs: 2000,
  certWarnDays: 14,
  certCritDays: 3,
});

export interface HttpTarget {
  name: string;
  url: string;
  expect?: {
    /** The status the endpoint must answer with; without it, any 2xx. */
    status?: number;
    /** Expected values by top-level key or dotted path ("checks.database", "items.0.state"). */
    json?: Record<string, unknown>;
    /** Text the body must contain. */
    bodyContains?: string;
  };
  thresholds?: Partial<HttpThresholds>;
  /** Requests to other paths of the same host, each with what it must answer. */
  checks?: HttpTargetCheck[];
}

export const httpThresholdsSchema = z
  .strictObject({
    latencyWarnMs: durationThreshold('ms').optional(),
    latencyCritMs: durationThreshold('ms').optional(),
    certWarnDays: durationThreshold('d', { zero: true }).optional(),
    certCritDays: durationThreshold('d', { zero: true }).optional(),
  })
  .superRefine((t, ctx) => {
    const resolved = resolveHttpThresholds(t);
    checkOrder(ctx, t, resolved, ['latencyWarnMs', 'latencyCritMs', asMs]);
    // Fewer days left is worse: the warning comes first, with more days to go.
    checkOrder(ctx, t, resolved, ['certWarnDays', 'certCritDays', asDays, 'below']);
  }, everyProblem);

/** The methods a configured check may send: reads, and POST for endpoints made to be tried (a login, a test message). */
export const HTTP_CHECK_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;
/** The most warm-up requests a check may send before the one it grades. */
export const MAX_WARMUP = 10;
/** The most checks on one target. */
export const MAX_CHECKS = 20;
/** How large a body a check may send. */
export const MAX_CHECK_BODY_CHARS = 10_000;
/** A path on the target's host: one "/" first (two, or a backslash, would name another host). */
const CHECK_PATH = /^\/(?![/\\])/;
/** An expected value (of a JSON field or a header) that only asks for it to be there. */
export const PRESENT = 'present';

/** A header value written `/…/` (flags i, m, s, u after it) is a regular expression. */
export function headerPattern(expected: string): RegExp | undefined {
  const m = /^\/(.+)\/([imsu]*)$/s.exec(expected);
  return m ? new RegExp(m[1] as string, m[2]) : undefined;
}

const checkText = (what: string) => z.string({ error: `expected ${what}` }).trim().min(1, `expected ${what}`);

/**
 * Header values are checked here, with messages that never quote them: they may be credentials
 * (a substituted `${API_KEY}`). YAML numbers and booleans are sent as written.
 */
const headerValue = z.union([z.string(), z.number(), z.boolean()], { error: 'expected the header value as text' }).transform((v, ctx) => {
  const text = String(v);
  if (hasLineBreak(text)) ctx.addIssue({ code: 'custom', message: 'expected the header value on one line (it holds a line break; not shown)' });
  else if (text.length > 8192) ctx.addIssue({ code: 'custom', message: `expected a header value of at most 8192 characters (it has ${text.length}; not shown)` });
  return text;
});

const headerNameKey = z.string().regex(HEADER_NAME, { message: 'expected a header name, like "X-Api-Key" (letters, digits and "-")' });

const requestHeaders = z
  .record(headerNameKey, headerValue, { error: 'expected a mapping of header names to values, like { X-Api-Key: "${API_KEY}" }' })
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `the ${name} header is set by Firebreak from the target's URL and the body, not by a check` });
    }
  });

const statusList = z
  .union([wholeNumber(100, 599), z.array(wholeNumber(100, 599)).min(1, 'expected at least one status')], { error: 'expected a status like 200, or a list like [200, 204]' })
  .transform((s) => (Array.isArray(s) ? s : [s]));

const expectedHeader = z
  .union([z.string(), z.number()], { error: 'expected the value the header must have, a /regular expression/, or "present"' })
  .transform((v, ctx) => {
    const text = String(v);
    try {
      headerPattern(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `expected a valid regular expression between the slashes: ${err instanceof Error ? err.message : String(err)}` });
    }
    return text;
  });

const latencyLimits = z
  .strictObject({
    warn: durationThreshold('ms').optional(),
    critical: durationThreshold('ms').optional(),
  }, { error: 'expected { warn: 1s, critical: 2s }' })
  .superRefine((l, ctx) => {
    if (l.warn !== undefined && l.critical !== undefined && l.warn > l.critical) {
      ctx.addIssue({ code: 'custom', path: ['warn'], message: `warn (${asMs(l.warn)}) must not be above critical (${asMs(l.critical)})` });
    }
  });

const checkExpect = z
  .strictObject({
    status: statusList.optional(),
    json: z
      .record(z.string().min(1).max(200), z.unknown(), { error: 'expected a mapping of fields (or dotted paths) to the values they must hold, or "present"' })
      .default({}),
    headers: z.record(headerNameKey, expectedHeader, { error: 'expected a mapping of header names to the values they must have' }).default({}),
    latencyMs: latencyLimits.optional(),
  })
  .default({ json: {}, headers: {} });

/** One entry of a target's `checks`: a request to a path of its host and what the answer must be. */
export const httpTargetCheckSchema = z
  .strictObject({
    name: checkText('a short name for the check, like "login"').max(60, 'expected a name of at most 60 characters'),
    method: z.enum(HTTP_CHECK_METHODS, { error: `expected one of ${HTTP_CHECK_METHODS.join(', ')}` }).default('GET'),
    path: z
      .string({ error: 'expected a path starting with "/", relative to the target\'s URL, like "/auth/login"' })
      .regex(CHECK_PATH, { message: 'expected a path starting with a single "/", relative to the target\'s URL, like "/auth/login"' })
      .max(2000),
    headers: requestHeaders.default({}),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())], { error: 'expected the body as text, or as a mapping (sent as JSON)' })
      .refine((b) => (typeof b === 'string' ? b : JSON.stringify(b)).length <= MAX_CHECK_BODY_CHARS, { message: `expected a body of at most ${MAX_CHECK_BODY_CHARS} characters` })
      .optional(),
    expect: checkExpect,
    warmup: wholeNumber(0, MAX_WARMUP).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.body !== undefined && (c.method === 'GET' || c.method === 'HEAD')) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: `a ${c.method} request sends no body: use method POST` });
    }
  });

export type HttpTargetCheck = z.output<typeof httpTargetCheckSchema>;

export const httpTargetSchema = z
  .strictObject({
    name: z.string({ error: 'expected a short name like "api"' }).trim().min(1, 'expected a short name like "api"'),
    url: httpUrl(),
    expect: z
      .strictObject({
        status: wholeNumber(100, 599).optional(),
        json: z.record(z.string(), z.unknown(), { error: 'expected a mapping of fields (or dotted paths) to the values they must hold' }).optional(),
        bodyContains: z.string({ error: 'expected the text the body must contain' }).min(1, 'expected the text the body must contain').optional(),
      })
      .optional(),
    thresholds: httpThresholdsSchema.optional(),
    checks: z
      .array(httpTargetCheckSchema, { error: 'expected a list of checks, each { name, path, expect… }' })
      .max(MAX_CHECKS, `at most ${MAX_CHECKS} checks on a target`)
      .optional(),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    (t.checks ?? []).forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['checks', i, 'name'], message: `check names must be unique within a target, got "${c.name}" more than once` });
      seen.add(c.name);
      // A path the check's own rule refused is reported once, by it.
      const where = CHECK_PATH.test(c.path) ? requestUrl(t, c.path) : { ok: true as const };
      if (!where.ok) ctx.addIssue({ code: 'custom', path: ['checks', i, 'path'], message: where.message });
    });
  });

/** The defaults with whatever the target sets (undefined values do not override). */
export function resolveHttpThresholds(partial: Partial<HttpThresholds> | undefined): HttpThresholds {
  const out: HttpThresholds = { ...DEFAULT_HTTP_THRESHOLDS };
  for (const key of Object.keys(out) as (keyof HttpThresholds)[]) {
    const v = partial?.[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}
