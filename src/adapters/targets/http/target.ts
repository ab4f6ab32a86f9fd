/** A configured HTTP health endpoint: its URL (from configuration only), what it must answer, and the thresholds. */
import { z } from 'zod';

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
    latencyWarnMs: z.number().positive().optional(),
    latencyCritMs: z.number().positive().optional(),
    certWarnDays: z.number().nonnegative().optional(),
    certCritDays: z.number().nonnegative().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.latencyWarnMs !== undefined && t.latencyCritMs !== undefined && t.latencyWarnMs > t.latencyCritMs) {
      ctx.addIssue({ code: 'custom', path: ['latencyWarnMs'], message: 'latencyWarnMs must not be above latencyCritMs' });
    }
    if (t.certWarnDays !== undefined && t.certCritDays !== undefined && t.certWarnDays < t.certCritDays) {
      ctx.addIssue({ code: 'custom', path: ['certWarnDays'], message: 'certWarnDays must not be below certCritDays' });
    }
  });

export const httpTargetSchema = z.strictObject({
  name: z.string().trim().min(1),
  url: z.url({ protocol: /^https?$/, error: 'an http or https URL' }),
  expect: z
    .strictObject({
      status: z.number().int().min(100).max(599).optional(),
      json: z.record(z.string(), z.unknown()).optional(),
      bodyContains: z.string().min(1).optional(),
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
