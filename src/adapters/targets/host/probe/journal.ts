/**
 * A unit's last hour of journal (`journalctl -o json`), read through the same log analysis as
 * `/diag logs` (targets/shared/log-analysis.ts): error lines by category, the most repeated
 * messages. The journal's own priority counts too: an entry logged at "err" is an error line and
 * one at "crit" or worse a fatal one, whatever its text says.
 */
import type { Finding } from '../../../../core/diagnostics/finding.js';
import { analyseLines, gradeLogAnalysis, isErrorLine, isFatalLine, LOG_CATEGORIES, type LogCategory } from '../../shared/log-analysis.js';
import { plural } from '../../../../core/render/text.js';
import type { HostThresholds } from '../thresholds.js';

export interface JournalEntry {
  message: string;
  /** syslog priority: 0 emerg … 3 err … 7 debug. */
  priority?: number;
}

/** MESSAGE is a string, or an array of bytes when it is not valid UTF-8. */
function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return Buffer.from(value as number[]).toString('utf8');
  return undefined;
}

/** The entries of `journalctl -o json` (one object per line); lines that are not entries are counted. */
export function parseJournal(text: string): { entries: JournalEntry[]; unreadable: number } {
  const entries: JournalEntry[] = [];
  let unreadable = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    const message = o && typeof o === 'object' ? messageOf((o as Record<string, unknown>).MESSAGE) : undefined;
    if (message === undefined) {
      unreadable++;
      continue;
    }
    const p = Number((o as Record<string, unknown>).PRIORITY);
    entries.push({ message: message.replace(/\s+$/, ''), ...(Number.isInteger(p) && p >= 0 && p <= 7 ? { priority: p } : {}) });
  }
  return { entries, unreadable };
}

/** The line the analysis reads: the message, marked when its priority says more than its text. */
export function analysedLine(e: JournalEntry): string {
  if (e.priority !== undefined && e.priority <= 2 && !isFatalLine(e.message)) return `[crit] ${e.message}`;
  if (e.priority === 3 && !isErrorLine(e.message)) return `[error] ${e.message}`;
  return e.message;
}

const ADVICE: Record<LogCategory, string> = {
  database: 'Database errors: check that the database is up and accepts connections (`/diag db`), the pool size against max_connections, slow queries and locks.',
  timeout: 'Timeouts: find the slow dependency (database, upstream service) and its latency; check the timeouts and retries the service is configured with.',
  memory: 'Memory errors: check the host\'s memory (`/diag host`) and the unit\'s limits (`systemctl show -p MemoryMax,MemoryCurrent <unit>`), and the OOM killer in `journalctl -k`.',
  connection: 'Connection errors: check that what the service connects to is up and reachable from this host (address, port, DNS, firewall).',
  other: 'Read the full journal: `journalctl -u <unit> --since -1h`.',
};


/** The graded error analysis of one unit's last hour, and its last lines (why it stopped). */
export function journalFindings(component: string, unit: string, text: string, cut: boolean, th: HostThresholds): { finding: Finding; lastLines: string[] } {
  const { entries, unreadable } = parseJournal(text);
  const a = analyseLines(entries.map(analysedLine));
  const rate = a.lines ? Math.round((a.errors / a.lines) * 100) : 0;
  const counts = LOG_CATEGORIES.filter((c) => a.byCategory[c] > 0).map((c) => `${c} ${a.byCategory[c]}`);
  const top = [...LOG_CATEGORIES].sort((x, y) => a.byCategory[y] - a.byCategory[x])[0] ?? 'other';
  const from = `the last hour of its journal${cut ? ' (cut: too much output)' : ''}${entries.length >= th.journalLines ? ` (its last ${th.journalLines} entries)` : ''}${unreadable ? `; ${unreadable} lines unreadable` : ''}`;
  const finding: Finding = {
    check: 'journal errors',
    component,
    status: gradeLogAnalysis(a, th),
    value:
      a.lines === 0
        ? `no journal entries in ${from}`
        : a.errors
          ? `${plural(a.errors, 'error line')} of ${a.lines} (${rate} %) in ${from}${a.fatal ? `; ${a.fatal} fatal` : ''}: ${counts.join(', ')}`
          : `no error lines in ${a.lines} lines of ${from}`,
    threshold: `critical on a fatal line (or priority crit), at ${Math.round(th.logErrorRateCritical * 100)} % error lines or ${th.logErrorsCritical} errors; warning on any error`,
    ...(a.errors ? { recommendation: ADVICE[top].replace(/<unit>/g, unit), evidence: a.groups.slice(0, 10).map((g) => `${g.count}× ${g.message}`) } : {}),
  };
  const lastLines = entries.slice(-5).map((e) => e.message.slice(0, 300));
  return { finding, lastLines };
}
