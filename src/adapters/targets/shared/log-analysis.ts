/**
 * Error analysis of log lines, pure: which lines are errors (ERROR, FATAL, exceptions, panics),
 * their category (the log patterns of the AindusDB guide: database, timeout, memory, connection,
 * checked in that order), and the most repeated messages once the parts that vary (timestamps,
 * ids, addresses, numbers) are replaced by placeholders: the playbook's
 * `grep -E "ERROR|FATAL" | sort | uniq -c | sort -rn`. Also how every kind grades an analysis.
 */
import type { Status } from '../../../core/diagnostics/finding.js';

export const LOG_CATEGORIES = ['database', 'timeout', 'memory', 'connection', 'other'] as const;
export type LogCategory = (typeof LOG_CATEGORIES)[number];

/** Error lines: level words in upper case as the playbook's grep (so "0 errors" is not one), exceptions, panics, structured levels. */
const ERROR_LINE = [
  /\b(?:ERROR|FATAL|CRITICAL|PANIC|SEVERE)\b/,
  /Exception\b/,
  /(?:^|\s)(?:[A-Z]\w*)?Error: /,
  /\bpanic(?::|\()/,
  /Traceback \(most recent call last\)/,
  /"(?:level|severity|lvl)"\s*:\s*"(?:err|error|fatal|critical|panic)"/i,
  /\b(?:level|lvl)="?(?:err|error|fatal|critical|panic)\b/i,
  /\[(?:error|fatal|crit|critical)\]/i,
  /^[EF]\d{4} \d{2}:\d{2}:\d{2}/,
];
const FATAL_LINE = [
  /\b(?:FATAL|PANIC|CRITICAL)\b/,
  /\bpanic(?::|\()/,
  /"(?:level|severity|lvl)"\s*:\s*"(?:fatal|critical|panic)"/i,
  /\b(?:level|lvl)="?(?:fatal|critical|panic)\b/i,
  /\[(?:fatal|crit|critical)\]/i,
  /^F\d{4} \d{2}:\d{2}:\d{2}/,
];

const PATTERNS: ReadonlyArray<[LogCategory, RegExp]> = [
  ['database', /\b(?:database|db|postgres(?:ql)?|psql|psycopg2?|pg|mysql|mariadb|sqlstate|sql|sqlalchemy|deadlock|too many clients|relation "[^"]*" does not exist)\b/i],
  ['timeout', /\btime[ -]?out\b|\btimeouts?\b|\btimed out\b|deadline exceeded|ETIMEDOUT|\w+Timeout\w*/i],
  ['memory', /out of memory|\bOOM(?:Killed)?\b|OutOfMemory|\bheap\b|\bmemory\b|ENOMEM|cannot allocate/i],
  ['connection', /\bconnect(?:ion)?s?\b|refused|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|unreachable|broken pipe|reset by peer|no route to host|EPIPE/i],
];

/** Is it an error line (ERROR, FATAL, an exception, a panic, a structured error level)? */
export function isErrorLine(line: string): boolean {
  return ERROR_LINE.some((p) => p.test(line));
}

/** Is it fatal (FATAL, CRITICAL, a panic)? */
export function isFatalLine(line: string): boolean {
  return FATAL_LINE.some((p) => p.test(line));
}

/** The first category whose pattern the line matches, else "other". */
export function classifyLine(line: string): LogCategory {
  for (const [category, pattern] of PATTERNS) if (pattern.test(line)) return category;
  return 'other';
}

const LEADING_TIME = /^\s*(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)\s*/;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
const HEX = /\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi;
const NUMBER = /(?<![A-Za-z<])\d+(?:\.\d+)?/g;

/**
 * The message with what varies replaced: a leading timestamp removed, other timestamps `<ts>`,
 * UUIDs `<uuid>`, IPv4 addresses (with their port) `<ip>`, hex ids `<hex>`, numbers `<n>`.
 */
export function normaliseMessage(line: string): string {
  return line
    .replace(LEADING_TIME, '')
    .replace(TIMESTAMP, '<ts>')
    .replace(UUID, '<uuid>')
    .replace(IPV4, '<ip>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 240);
}

export interface MessageGroup {
  message: string;
  count: number;
  category: LogCategory;
  fatal: boolean;
}

export interface LogAnalysis {
  /** Non-empty lines read. */
  lines: number;
  errors: number;
  fatal: number;
  byCategory: Record<LogCategory, number>;
  /** Normalised error messages, most repeated first (ties: first seen first). */
  groups: MessageGroup[];
}

export function analyseLines(lines: Iterable<string>): LogAnalysis {
  const byCategory = Object.fromEntries(LOG_CATEGORIES.map((c) => [c, 0])) as Record<LogCategory, number>;
  const groups = new Map<string, MessageGroup>();
  let total = 0;
  let errors = 0;
  let fatal = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    total++;
    if (!isErrorLine(line)) continue;
    errors++;
    const isFatal = isFatalLine(line);
    if (isFatal) fatal++;
    const category = classifyLine(line);
    byCategory[category]++;
    const message = normaliseMessage(line);
    const g = groups.get(message);
    if (g) {
      g.count++;
      g.fatal ||= isFatal;
    } else groups.set(message, { message, count: 1, category, fatal: isFatal });
  }
  // Array.prototype.sort is stable: equal counts keep the order they were first seen in.
  return { lines: total, errors, fatal, byCategory, groups: [...groups.values()].sort((a, b) => b.count - a.count) };
}

/** The thresholds every kind grades its logs with (each kind's `thresholds` has them). */
export interface LogThresholds {
  /** Share of error lines (0–1) that is critical, once at least 20 lines were read. */
  logErrorRateCritical: number;
  /** Error lines that are critical whatever their share. */
  logErrorsCritical: number;
}

/** Critical on a fatal line, on many errors or a high share of them; warning on any error. */
export function gradeLogAnalysis(a: LogAnalysis, th: LogThresholds): Status {
  const rateHigh = a.lines >= 20 && a.errors / a.lines >= th.logErrorRateCritical;
  if (a.fatal > 0 || a.errors >= th.logErrorsCritical || rateHigh) return 'critical';
  return a.errors > 0 ? 'warning' : 'ok';
}

/** The rule above, for people. */
export const logThresholdText = (th: LogThresholds): string =>
  `critical on FATAL or panic, at ${Math.round(th.logErrorRateCritical * 100)} % error lines or ${th.logErrorsCritical} errors; warning on any error`;
