/**
 * A configured HTTP health endpoint: its URL (from configuration only), what it must answer, and
 * the thresholds. Latencies may be written "1s" or "1500ms", certificate notice "14d" or "36h";
 * plain numbers are milliseconds and days, as the keys say.
 */
import { z } from 'zod';
import { asDays, asMs, checkOrder, durationThreshold, httpUrl, wholeNumber, everyProblem } from '../shared/schema.js';

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

export const httpTargetSchema = z.strictObject({
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
