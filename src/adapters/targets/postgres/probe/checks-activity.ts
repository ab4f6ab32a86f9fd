/** Activity-based checks (Firebreak's own sessions left out): active sessions, idle in transaction, long queries, blocked sessions. */
import { grade, type Finding } from '../../../../core/diagnostics/finding.js';
import { capped, finding, msThreshold, type Check } from './check.js';
import { fmtMs, oneLine, plural, session, type SessionRow } from '../format.js';
import { longQueryCrit } from '../thresholds.js';
import { SQL } from './sql.js';

const MAX_SESSIONS = 10;

export const activeSessionsCheck: Check = {
  name: 'active sessions',
  async run({ target, t, query }) {
    const rows = await query<{ waiting_on: string; n: number }>(SQL.activeSessions);
    const total = rows.reduce((s, r) => s + r.n, 0);
    return [
      finding('active sessions', target, total > t.activeConnections ? 'warning' : 'ok', plural(total, 'active session'), {
        threshold: `warning above ${t.activeConnections}`,
        evidence: rows.length ? [`waiting on: ${rows.map((r) => `${r.waiting_on} ${r.n}`).join(', ')}`] : [],
        recommendation: 'Many statements run at once: see what they wait on (Lock: blocked sessions; IO: disk), the long queries, and the applications’ pool sizes.',
      }),
    ];
  },
};

interface IdleRow extends SessionRow { state: string; idle_ms: number; xact_ms: number; query: string | null; total: number }

export const idleInTransactionCheck: Check = {
  name: 'idle in transaction',
  async run({ target, t, query }) {
    const rows = await query<IdleRow>(SQL.idleInTransaction);
    const threshold = msThreshold(t.idleInTransactionWarnMs, t.idleInTransactionCritMs);
    const over = rows.filter((r) => r.idle_ms >= t.idleInTransactionWarnMs);
    if (over.length === 0) {
      return [finding('idle in transaction', target, 'ok', `no session idle in transaction for ${fmtMs(t.idleInTransactionWarnMs)} or more`, { threshold, evidence: rows.length ? [`${plural(rows[0]?.total ?? rows.length, 'session')} idle in transaction for less`] : [] })];
    }
    const findings = over.map((r) =>
      finding('idle in transaction', `pid ${r.pid}`, grade(r.idle_ms, t.idleInTransactionWarnMs, t.idleInTransactionCritMs), `idle in transaction for ${fmtMs(r.idle_ms)} (transaction open ${fmtMs(r.xact_ms)})`, {
        threshold,
        evidence: [session(r), `state: ${r.state}`, `last query: ${oneLine(r.query)}`],
        recommendation: 'The session holds a transaction open doing nothing: it keeps its locks and holds back vacuum. Fix the application (commit or roll back promptly; idle_in_transaction_session_timeout) or terminate the session.',
        remediation: { action: 'pg.terminate', args: [String(r.pid)], label: `Terminate ${r.pid}` },
      }),
    );
    return capped(findings, MAX_SESSIONS, 'idle in transaction', target, 'sessions idle in transaction');
  },
};

interface LongRow extends SessionRow { wait_event_type: string | null; wait_event: string | null; running_ms: number; query: string | null }

export const longQueriesCheck: Check = {
  name: 'long queries',
  async run({ target, t, query }) {
    const rows = await query<LongRow>(SQL.longQueries);
    const crit = longQueryCrit(t);
    const threshold = msThreshold(t.longQueryWarnMs, crit);
    const over = rows.filter((r) => r.running_ms >= t.longQueryWarnMs);
    if (over.length === 0) {
      const longest = rows[0];
      return [finding('long queries', target, 'ok', `no query running for ${fmtMs(t.longQueryWarnMs)} or more`, { threshold, evidence: longest ? [`longest: ${fmtMs(longest.running_ms)}, pid ${longest.pid}`] : [] })];
    }
    const findings = over.map((r) =>
      finding('long queries', `pid ${r.pid}`, grade(r.running_ms, t.longQueryWarnMs, crit), `running for ${fmtMs(r.running_ms)}`, {
        threshold,
        evidence: [session(r), ...(r.wait_event_type ? [`waiting on ${r.wait_event_type}: ${r.wait_event ?? '?'}`] : []), `query: ${oneLine(r.query)}`],
        recommendation: 'Check whether this query is expected to run this long (report, migration, batch job); if not, cancel it, then EXPLAIN it for a missing index.',
        remediation: { action: 'pg.cancel', args: [String(r.pid)], label: `Cancel ${r.pid}` },
      }),
    );
    return capped(findings, MAX_SESSIONS, 'long queries', target, 'long queries');
  },
};

interface LockRow extends SessionRow {
  waiting: boolean;
  blockers: number[];
  mode: string | null;
  locktype: string | null;
  relation: string | null;
  /** For a row lock waited for as a transaction id: that transaction. */
  xid: string | null;
  page: number | null;
  tuple: number | null;
  /** The table of the row, for a row lock. */
  row_relation: string | null;
  wait_ms: number | null;
  state: string | null;
  xact_ms: number | null;
  query: string | null;
}

/**
 * What one blocked session waits for, in words. A row lock (SELECT … FOR UPDATE, an UPDATE or
 * DELETE of the same row) shows in pg_locks as the holder's transaction id (locktype
 * transactionid) or, for the sessions queued behind the first waiter, as a tuple lock: neither is a
 * lock on the table, though a tuple lock names it and its mode reads "ExclusiveLock".
 */
export function lockWait(b: Pick<LockRow, 'mode' | 'locktype' | 'relation' | 'xid' | 'page' | 'tuple' | 'row_relation' | 'blockers'>): string {
  const holder = b.blockers.length ? `pid ${b.blockers.join(', pid ')}` : 'another session';
  const row = b.row_relation ? ` on ${b.row_relation}${b.page !== null && b.tuple !== null ? ` (row at ctid (${b.page},${b.tuple}))` : ''}` : '';
  if (b.locktype === 'transactionid') return `a row lock${row} held by ${holder} (transaction ${b.xid ?? '?'})`;
  if (b.locktype === 'tuple') return `a row lock${row} held by ${holder}`;
  return `${b.mode ?? 'a lock'} on ${b.relation ?? b.locktype ?? '?'}`;
}

/** The sessions at the root of the chain that blocks `pid`: blockers that are not themselves waiting on a lock. */
export function rootBlockers(pid: number, waiting: ReadonlyMap<number, readonly number[]>): number[] {
  const direct = waiting.get(pid) ?? [];
  const roots: number[] = [];
  const seen = new Set<number>([pid]);
  const stack = [...direct].reverse();
  while (stack.length > 0) {
    const b = stack.pop() as number;
    if (seen.has(b)) continue;
    seen.add(b);
    const next = waiting.get(b);
    if (next && next.length > 0) stack.push(...[...next].reverse());
    else roots.push(b);
  }
  return roots.length > 0 ? roots : [...direct]; // a cycle (a deadlock not yet detected): its members
}

export const blockedSessionsCheck: Check = {
  name: 'blocked sessions',
  async run({ target, t, query }) {
    const rows = await query<LockRow>(SQL.blockedSessions);
    const byPid = new Map(rows.map((r) => [r.pid, r]));
    const waitingRows = rows.filter((r) => r.waiting && r.blockers.length > 0);
    const waiting = new Map(waitingRows.map((r) => [r.pid, r.blockers]));
    const groups = new Map<number, LockRow[]>();
    for (const r of waitingRows) for (const root of rootBlockers(r.pid, waiting)) groups.set(root, [...(groups.get(root) ?? []), r]);
    if (groups.size === 0) return [finding('blocked sessions', target, 'ok', 'no blocked sessions', { threshold: 'warning for any session waiting on a lock held by another' })];

    const findings: Finding[] = [...groups.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .map(([root, blocked]) => {
        const maxWait = Math.max(...blocked.map((b) => b.wait_ms ?? 0));
        const blocker = byPid.get(root);
        const prepared = root === 0;
        const who = prepared ? 'a prepared transaction' : `pid ${root}`;
        const evidence = [
          prepared ? 'blocker: a prepared transaction (see pg_prepared_xacts)' : blocker ? `blocker: ${session(blocker)}, ${blocker.state ?? '?'}, transaction open ${fmtMs(blocker.xact_ms)}` : `blocker: pid ${root} (not visible in pg_stat_activity)`,
          ...(blocker ? [`blocker query: ${oneLine(blocker.query)}`] : []),
          `blocked sessions: ${blocked.length}`,
          ...blocked.slice(0, 5).map((b) => `pid ${b.pid} waits ${fmtMs(b.wait_ms)} for ${lockWait(b)}: ${oneLine(b.query, 120)}`),
        ];
        const idle = blocker?.state?.startsWith('idle in transaction') ? ' while idle in transaction' : '';
        return finding('blocked sessions', prepared ? 'prepared transaction' : `pid ${root}`, maxWait >= t.lockWaitCritMs ? 'critical' : 'warning', `${plural(blocked.length, 'session')} blocked by ${who} (longest wait ${fmtMs(maxWait)})`, {
          threshold: `warning for any blocked session, critical once one has waited ${fmtMs(t.lockWaitCritMs)}`,
          evidence,
          recommendation: prepared
            ? 'A prepared transaction holds the lock: COMMIT PREPARED or ROLLBACK PREPARED it (pg_prepared_xacts lists them).'
            : `The root blocker ${who} holds the lock the others queue behind${idle}: have its application finish its transaction, or terminate it (its transaction is rolled back).`,
          ...(prepared ? {} : { remediation: { action: 'pg.terminate', args: [String(root)], label: `Terminate blocker ${root}` } }),
        });
      });
    return capped(findings, MAX_SESSIONS, 'blocked sessions', target, 'blocking sessions');
  },
};
