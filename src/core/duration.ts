/** Durations as people write them in config: "30s", "15m", "2h", "1d", or combined like "1h30m". */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/**
 * Milliseconds, or null when the text is not a duration. A zero duration ("0s") is refused unless
 * `allowZero`: most settings need time to pass, a few thresholds (a lag of 0 s) do not.
 */
export function parseDuration(text: string, options: { allowZero?: boolean } = {}): number | null {
  const t = text.trim();
  if (!WHOLE.test(t)) return null;
  let total = 0;
  for (const [, n, unit] of t.matchAll(PART)) total += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return total > 0 || (options.allowZero && total === 0) ? total : null;
}

/** "15 min", "2 h", "1 h 30 min", "45 s": for people, not for config. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(totalSeconds / 86_400);
  const h = Math.floor((totalSeconds % 86_400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s && !d && !h) parts.push(`${s} s`);
  return parts.length ? parts.join(' ') : '0 s';
}
