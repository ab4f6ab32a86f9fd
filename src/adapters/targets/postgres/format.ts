/** Small formatting helpers for finding texts: durations, sizes, percentages, query text. */
import { formatDuration } from '../../../core/duration.js';

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'an unknown time';
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  return formatDuration(ms);
}

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function fmtBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'an unknown amount';
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${UNITS[i]}`;
}

export const fmtPct = (p: number, digits = 0): string => `${p.toFixed(digits)} %`;

export { plural } from '../../../core/render/text.js';

/** A statement on one line, secrets in it masked, cut at `max` characters. */
export function oneLine(text: string | null | undefined, max = 200): string {
  const t = (text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(password\s*=?\s*)'(?:[^']|'')*'/gi, "$1'***'")
    .replace(/(password=)[^\s'"&]+/gi, '$1***');
  if (!t) return '(no query text)';
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export interface SessionRow {
  pid: number;
  user_name: string | null;
  database: string | null;
  app: string | null;
}

/** "pid 123 (alice@shop, app web)". */
export function session(r: SessionRow): string {
  const app = r.app ? `, app ${r.app}` : '';
  return `pid ${r.pid} (${r.user_name ?? '?'}@${r.database ?? '?'}${app})`;
}

/** pg returns bigint and numeric as strings: a number, or NaN. */
export const num = (v: unknown): number => (v === null || v === undefined || v === '' ? Number.NaN : Number(v));
