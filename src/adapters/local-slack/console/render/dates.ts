/**
 * Dates as Slack draws them: `<!date^epoch^format|fallback>` tokens and message times, in the
 * reader's time zone. Pure: Intl only.
 */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export interface ZonedParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0 = Sunday */
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        weekday: 'short',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        hourCycle: 'h23',
      });
    } catch {
      // An unknown time zone name: UTC rather than a crash.
      f = formatterFor('UTC');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar fields of an instant (ms) in a time zone. */
export function zonedParts(ms: number, timeZone: string): ZonedParts {
  const out: ZonedParts = { year: 1970, month: 1, day: 1, weekday: 4, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (p.type === 'weekday') out.weekday = WEEKDAY_INDEX[p.value] ?? 0;
    else if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      const n = Number(p.value);
      out[p.type] = p.type === 'hour' ? n % 24 : n;
    }
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "14:05" (24-hour) in the time zone. */
export function formatClock(ms: number, timeZone: string, seconds = false): string {
  const p = zonedParts(ms, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ''}`;
}

/** Days between two calendar dates (b − a), each read in the time zone. */
function dayDelta(aMs: number, bMs: number, timeZone: string): number {
  const a = zonedParts(aMs, timeZone);
  const b = zonedParts(bMs, timeZone);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3 minutes ago", "in 2 hours", "just now". */
export function formatAgo(ms: number, now: number): string {
  const diff = now - ms;
  const abs = Math.abs(diff);
  if (abs < 60_000) return 'just now';
  const steps: Array<[number, string]> = [
    [365 * 86_400_000, 'year'],
    [30 * 86_400_000, 'month'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  const [size, word] = steps.find(([s]) => abs >= s) ?? [60_000, 'minute'];
  const text = unit(Math.floor(abs / size), word);
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

export interface DateEnv {
  timeZone: string;
  now: number;
}

/**
 * A Slack date format string (`{date_short} at {time}`) for an instant; null when the format uses
 * a token Slack does not have or has none at all (the caller then shows the fallback).
 */
export function formatSlackDate(epochSeconds: number, format: string, env: DateEnv): string | null {
  if (!Number.isFinite(epochSeconds) || Math.abs(epochSeconds) > 8.64e12) return null;
  const ms = epochSeconds * 1000;
  const p = zonedParts(ms, env.timeZone);
  const monthName = MONTHS[p.month - 1] ?? '';
  const date = `${monthName} ${ordinal(p.day)}, ${p.year}`;
  const dateShort = `${monthName.slice(0, 3)} ${p.day}, ${p.year}`;
  const dateLong = `${WEEKDAYS[p.weekday] ?? ''}, ${date}`;
  const delta = dayDelta(env.now, ms, env.timeZone);
  const relative = delta === 0 ? 'today' : delta === -1 ? 'yesterday' : delta === 1 ? 'tomorrow' : null;
  const values: Record<string, string> = {
    date_num: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
    date,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: relative ?? date,
    date_short_pretty: relative ?? dateShort,
    date_long_pretty: relative ?? dateLong,
    time: `${pad(p.hour)}:${pad(p.minute)}`,
    time_secs: `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`,
    ago: formatAgo(ms, env.now),
  };
  let tokens = 0;
  let unknown = false;
  const out = format.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    tokens++;
    if (!Object.prototype.hasOwnProperty.call(values, name)) {
      unknown = true;
      return whole;
    }
    return values[name] as string;
  });
  if (unknown || tokens === 0) return null;
  // "today at 14:05" reads as "Today at 14:05" when the relative word opens the text.
  return out.replace(/^(today|yesterday|tomorrow)/, (w) => w[0]!.toUpperCase() + w.slice(1));
}
