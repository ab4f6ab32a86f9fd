/**
 * Names of incidents' own channels: `inc-20261122-7-checkout-returns-500`. Slack allows lowercase
 * letters, digits, hyphens and underscores, at most 80 characters; Firebreak uses no underscores.
 */

export const MAX_CHANNEL_NAME = 80;

/** Letters that do not decompose into a base letter plus accents. */
const LIGATURES: Record<string, string> = { æ: 'ae', œ: 'oe', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', þ: 'th', ð: 'd', ı: 'i' };

/** "Échec paiement (prod) 🔥" → "echec-paiement-prod". */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[æœßøđłþðı]/g, (c) => LIGATURES[c] ?? '-')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * At most `max` characters of a hyphenated name, cut after the last whole word that fits (when no
 * word boundary at or after `keep` fits, the word is cut where it must), never ending with a hyphen.
 */
function cutName(text: string, max: number, keep = 1): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max);
  if (text[max] !== '-') {
    const hyphen = cut.lastIndexOf('-');
    if (hyphen >= keep) cut = cut.slice(0, hyphen);
  }
  return cut.replace(/-+$/, '');
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}

/** `inc-<yyyymmdd UTC>-<n>-<slug of the title>`, at most 80 characters; `inc-<date>-<n>` when the title has no letters or digits. */
export function incidentChannelName(input: { number: number; title: string; declaredAt: Date }): string {
  const prefix = `inc-${utcDay(input.declaredAt)}-${input.number}`;
  const slug = cutName(slugify(input.title), MAX_CHANNEL_NAME - prefix.length - 1);
  return slug ? `${prefix}-${slug}` : prefix;
}

/**
 * The name to try when `name` is taken. Attempt 1 is the name itself; attempt 2 gives `name-2`,
 * attempt 3 `name-3`, and so on, shortening the base so the result stays within 80 characters.
 */
export function withSuffix(name: string, attempt: number): string {
  // Words of the title may go, but never the `inc-<date>-<n>` part: `inc-20261122-7-2` would read as incident 7's title "2".
  const keep = (/^inc-\d{8}-\d+-/.exec(name)?.[0].length ?? 1);
  if (!(attempt > 1) || !Number.isFinite(attempt)) return cutName(name, MAX_CHANNEL_NAME, keep);
  const suffix = `-${Math.floor(attempt)}`;
  return `${cutName(name, MAX_CHANNEL_NAME - suffix.length, keep)}${suffix}`;
}
