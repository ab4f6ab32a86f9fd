/**
 * Pieces every target kind's configuration schema uses: names, connection URLs, lists of targets,
 * and thresholds. Thresholds are written as the rest of the configuration is ("5m", "30s", "2gb");
 * a plain number keeps meaning what it always meant, in the unit the key's name says.
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from '../../../core/duration.js';
import { shown } from '../../../core/found-value.js';
import { parseSize } from '../../../core/size.js';

/** How commands pick a target: short, no spaces. */
export const targetName = z
  .string({ error: (i) => (i.input === undefined ? 'required: a short name for the target, like "main"' : 'expected a short name like "main"') })
  .regex(/^[A-Za-z0-9_.-]{1,63}$/, { message: 'expected a short name: up to 63 letters, digits, "-", "_" or "."' });

/** A connection URL of one of the schemes, e.g. connectionUrl('postgres', 'postgresql'). */
export const connectionUrl = (...schemes: string[]) => {
  const words = `a ${schemes.map((s) => `${s}://`).join(' or ')} URL`;
  return z
    .string({ error: (i) => (i.input === undefined ? `required: ${words}` : `expected ${words}`) })
    .regex(new RegExp(`^(?:${schemes.join('|')})://\\S+$`), { message: `expected ${words}` });
};

/** The URL of an HTTP endpoint (health check, Prometheus, Alertmanager). */
export const httpUrl = () =>
  z.url({
    protocol: /^https?$/,
    error: (i) => (i.input === undefined ? 'required: an http:// or https:// URL' : 'expected an http:// or https:// URL'),
  });

/** Names must be unique within a kind: they are how commands pick a target. */
function repeatedName(list: ReadonlyArray<{ name: string }>): string | undefined {
  const seen = new Set<string>();
  for (const { name } of list) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** The list under `targets.<kind>`: at most 50, unique names, empty by default. */
export const targetList = <T extends z.ZodType<{ name: string }>>(item: T) =>
  z
    .array(item)
    .max(50, 'at most 50 targets of a kind')
    .superRefine((list, ctx) => {
      const name = repeatedName(list);
      if (name !== undefined) ctx.addIssue({ code: 'custom', message: `target names must be unique within a kind, got "${name}" more than once` });
    })
    .default([]);

type TimeUnit = 'ms' | 's' | 'd';
const MS_PER: Record<TimeUnit, number> = { ms: 1, s: 1000, d: 86_400_000 };
const UNIT_NAME: Record<TimeUnit, string> = { ms: 'milliseconds', s: 'seconds', d: 'days' };
/** A number written as text, as `${VAR}` substitution leaves it. */
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/** The number a threshold holds: a finite number as is, a plain number in text, else what `parse` reads. */
function numberFrom(value: unknown, parse: (text: string) => number | null): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return PLAIN_NUMBER.test(text) ? Number(text) : parse(text);
}

/**
 * A threshold that is a length of time, kept in `unit`: a plain number is already in `unit` (as
 * thresholds always were), a duration ("5m", "30s", "1500ms") is converted to it.
 */
export function durationThreshold(unit: TimeUnit, options: { zero?: boolean; whole?: boolean } = {}) {
  const expected = `a duration like "5m" or "30s", or a number of ${UNIT_NAME[unit]}`;
  return z.unknown().transform((value, ctx): number => {
    const n = numberFrom(value, (text) => {
      const ms = parseDuration(text, { allowZero: options.zero === true });
      return ms === null ? null : ms / MS_PER[unit];
    });
    const problem =
      n === null ? `expected ${expected}`
      : n < 0 || (n === 0 && !options.zero) ? `expected a duration ${options.zero ? 'of 0 or more' : 'above 0'}`
      : options.whole && !Number.isInteger(n) ? `expected a whole number of ${UNIT_NAME[unit]}`
      : undefined;
    if (problem === undefined) return n as number;
    ctx.addIssue({ code: 'custom', message: `${problem}, got ${shown(value)}` });
    return z.NEVER;
  });
}

/** A threshold that is an amount of memory or disk, in bytes: a plain number of bytes, or "500mb", "2gb". */
export function sizeThreshold() {
  return z.unknown().transform((value, ctx): number => {
    const n = numberFrom(value, parseSize);
    if (n !== null && n > 0) return n;
    ctx.addIssue({ code: 'custom', message: `expected a size like "500mb" or "2gb", or a number of bytes above 0, got ${shown(value)}` });
    return z.NEVER;
  });
}

/**
 * A threshold compared with a measured value in that value's own base unit, as Prometheus
 * reports them: a number as is, a duration in seconds ("1500ms" is 1.5), a size in bytes ("2gb").
 */
export function measureThreshold() {
  return z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    const n = numberFrom(value, (text) => {
      const ms = parseDuration(text, { allowZero: true });
      return ms !== null ? ms / 1000 : parseSize(text);
    });
    if (n !== null) return n;
    ctx.addIssue({ code: 'custom', message: `expected a number, a duration like "2s" (compared in seconds) or a size like "500mb" (compared in bytes), got ${shown(value)}` });
    return z.NEVER;
  });
}

/** Numbers written as text (what `${VAR}` leaves) are read as the numbers they are. */
const numeric = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && PLAIN_NUMBER.test(v.trim()) ? Number(v) : v), schema);

/** A share from 0 to 100. */
export const percentage = () => {
  const message = 'expected a percentage from 0 to 100';
  return numeric(z.number({ error: message }).min(0, message).max(100, message));
};

/** A whole number from `min` (and up to `max`). */
export const wholeNumber = (min: number, max?: number) => {
  const message = `expected a whole number ${max === undefined ? `of ${min} or more` : `from ${min} to ${max}`}`;
  const base = z.number({ error: message }).int(message).min(min, message);
  return numeric(max === undefined ? base : base.max(max, message));
};

/** A share written as a fraction: above 0, at most 1 (0.9 is 90 %). */
export const fraction = () => {
  const message = 'expected a fraction above 0 and at most 1 (0.9 is 90 %)';
  return numeric(z.number({ error: message }).gt(0, message).lte(1, message));
};

/** A plain number of at least `min` (ratios). */
export const atLeast = (min: number) => {
  const message = `expected a number of ${min} or more`;
  return numeric(z.number({ error: message }).min(min, message));
};

/** How a threshold's value reads in a message about it. */
export type ShowThreshold = (value: number) => string;
export const asNumber: ShowThreshold = (n) => String(n);
export const asMs: ShowThreshold = (ms) => (ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${Number((ms / 1000).toFixed(3))} s` : formatDuration(ms));
export const asSeconds: ShowThreshold = (s) => asMs(s * 1000);
export const asDays: ShowThreshold = (d) => `${d} day${d === 1 ? '' : 's'}`;

/**
 * Ordering checks run whatever else is wrong in the same thresholds, so every problem is listed at
 * once; checkOrder itself leaves alone a pair whose own values were refused.
 */
export const everyProblem = { when: () => true };

/**
 * Once merged with the defaults, a warning threshold must not be past its critical one ("above",
 * or "below" when lower is worse). A default the user did not set is named as such.
 */
export function checkOrder<K extends string>(
  ctx: z.RefinementCtx,
  given: Partial<Record<K, number | undefined>>,
  resolved: Record<K, number>,
  pair: readonly [warn: K, crit: K, show: ShowThreshold, worse?: 'above' | 'below'],
): void {
  const [warn, crit, show, worse = 'above'] = pair;
  if (ctx.issues.some((issue) => issue.path?.[0] === warn || issue.path?.[0] === crit)) return;
  const w = resolved[warn];
  const c = resolved[crit];
  if (worse === 'above' ? w <= c : w >= c) return;
  const side = (key: K, n: number) => `${key} (${show(n)}${given[key] === undefined ? ', its default' : ''})`;
  ctx.addIssue({ code: 'custom', path: [given[warn] === undefined ? crit : warn], message: `${side(warn, w)} must not be ${worse} ${side(crit, c)}` });
}
