/** Server-wide checks: version and uptime, connection slots and limits, database statistics, size, wraparound. */
import { grade, worst, type Finding } from '../../../../core/diagnostics/finding.js';
import { finding, pctThreshold, type Check } from './check.js';
import { fmtBytes, fmtMs, fmtPct, num, plural } from '../format.js';
import { SQL } from './sql.js';

interface VersionRow { server_version: string; version: string; started_at: string; uptime_ms: number; standby: boolean; user_name: string; can_monitor: boolean }

export const versionCheck: Check = {
  name: 'version',
  async run({ target, query }) {
    const [r] = await query<VersionRow>(SQL.version);
    if (!r) throw new Error('no row');
    const out: Finding[] = [
      finding('version', target, 'ok', `PostgreSQL ${r.server_version}, ${r.standby ? 'standby' : 'primary'}`, { evidence: [r.version] }),
      finding('uptime', target, 'ok', `up ${fmtMs(num(r.uptime_ms))}`, { evidence: [`started at ${r.started_at.replace(/\.\d+/, '')}`] }),
    ];
    if (!r.can_monitor) {
      out.push(
        finding('monitoring privileges', target, 'warning', `role ${r.user_name} is not a member of pg_monitor`, {
          recommendation: `Other roles' queries and some statistics are hidden from Firebreak: GRANT pg_monitor TO ${r.user_name};`,
        }),
      );
    }
    return out;
  },
};

interface ConnRow { max_connections: number; reserved: number; total: number; ours: number; by_state: [string, number][] }

export const connectionsCheck: Check = {
  name: 'connections',
  async run({ target, t, query }) {
    const [r] = await query<ConnRow>(SQL.connections);
    if (!r) throw new Error('no row');
    const available = Math.max(1, r.max_connections - r.reserved);
    const pct = (r.total / available) * 100;
    return [
      finding('connections', target, grade(pct, t.connectionsWarnPct, t.connectionsCritPct), `${r.total} of ${available} (${fmtPct(pct)})`, {
        threshold: pctThreshold(t.connectionsWarnPct, t.connectionsCritPct, 'max_connections − reserved'),
        evidence: [
          `by state: ${r.by_state.map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
          `max_connections ${r.max_connections}, ${r.reserved} reserved for superusers`,
          `of which Firebreak's own: ${r.ours}`,
        ],
        recommendation:
          'Look for idle or leaked sessions (pg_stat_activity by application and client address), lower the applications’ pool sizes or put a pooler such as PgBouncer in front; raising max_connections needs a restart.',
      }),
    ];
  },
};

interface LimitRow { kind: 'role' | 'database'; name: string; max: number; used: number }

export const connectionLimitsCheck: Check = {
  name: 'connection limits',
  async run({ target, t, query }) {
    const rows = await query<LimitRow>(SQL.connectionLimits);
    const graded = rows
      .map((r) => ({ r, pct: (r.used / r.max) * 100 }))
      .map((x) => ({ ...x, status: grade(x.pct, t.connectionsWarnPct, t.connectionsCritPct) }))
      .sort((a, b) => b.pct - a.pct);
    const near = graded.filter((x) => x.status !== 'ok');
    if (near.length === 0) {
      const value = rows.length === 0 ? 'no role or database has a connection limit' : `${plural(rows.length, 'connection limit')}, none near full`;
      return [finding('connection limits', target, 'ok', value, { evidence: graded.slice(0, 5).map(({ r, pct }) => `${r.kind} ${r.name}: ${r.used} of ${r.max} (${fmtPct(pct)})`) })];
    }
    return near.map(({ r, pct, status }) =>
      finding(`${r.kind} connections`, `${r.kind} ${r.name}`, status, `${r.used} of ${r.max} (${fmtPct(pct)})`, {
        threshold: pctThreshold(t.connectionsWarnPct, t.connectionsCritPct, 'its CONNECTION LIMIT'),
        recommendation:
          r.kind === 'role'
            ? `New sessions of role ${r.name} will be refused at ${r.max}: look for its idle or leaked sessions and its applications' pool sizes, or raise the limit (ALTER ROLE ... CONNECTION LIMIT).`
            : `New sessions to database ${r.name} will be refused at ${r.max}: look for idle or leaked sessions, or raise the limit (ALTER DATABASE ... CONNECTION LIMIT).`,
      }),
    );
  },
};

interface StatsRow { database: string; blks_hit: number; blks_read: number; deadlocks: number; temp_files: number; temp_bytes: number; stats_reset: string | null }

export const databaseStatsCheck: Check = {
  name: 'database statistics',
  async run({ target, t, query }) {
    const [r] = await query<StatsRow>(SQL.databaseStats);
    if (!r) throw new Error('no statistics for the current database');
    const since = r.stats_reset ? `since ${r.stats_reset.replace(/\.\d+/, '')}` : 'since statistics began';
    const total = r.blks_hit + r.blks_read;
    const ratio = total > 0 ? (r.blks_hit / total) * 100 : Number.NaN;
    const cache =
      total > 0
        ? finding('cache hit ratio', target, ratio < t.cacheHitWarnPct ? 'warning' : 'ok', fmtPct(ratio, 2), {
            threshold: `warning below ${t.cacheHitWarnPct} %`,
            evidence: [`database ${r.database}: ${r.blks_hit} blocks found in shared buffers, ${r.blks_read} read ${since}`],
            recommendation: 'The working set does not fit in shared_buffers: look for sequential scans of large tables (missing indexes) and consider raising shared_buffers.',
          })
        : finding('cache hit ratio', target, 'unknown', 'no blocks read yet', { evidence: [`database ${r.database}, ${since}`] });
    return [
      cache,
      finding('deadlocks', target, r.deadlocks > 0 ? 'warning' : 'ok', `${r.deadlocks} ${since}`, {
        threshold: 'warning above 0',
        evidence: [`database ${r.database}`],
        recommendation: 'Transactions lock the same rows in different orders: the server log has each deadlock with its statements; make them take locks in one order.',
      }),
      finding('temp files', target, r.temp_files > 0 ? 'warning' : 'ok', `${plural(r.temp_files, 'file')}, ${fmtBytes(r.temp_bytes)} ${since}`, {
        threshold: 'warning above 0',
        evidence: [`database ${r.database}`],
        recommendation: 'Sorts and hashes spill to disk: find the statements (log_temp_files, temp_blks_written in pg_stat_statements), add indexes or raise work_mem for them.',
      }),
    ];
  },
};

export const databaseSizeCheck: Check = {
  name: 'database size',
  async run({ target, query }) {
    const [r] = await query<{ database: string; bytes: number }>(SQL.databaseSize);
    if (!r) throw new Error('no row');
    return [finding('database size', target, 'ok', fmtBytes(r.bytes), { evidence: [`database ${r.database}: ${r.bytes} bytes`] })];
  },
};

interface WrapRow { database: string; xid_age: number; mxid_age: number; xid_max: number; mxid_max: number }

export const wraparoundCheck: Check = {
  name: 'transaction id wraparound',
  async run({ target, t, query }) {
    const rows = (await query<WrapRow>(SQL.wraparound)).map((r) => ({ ...r, xidPct: (r.xid_age / r.xid_max) * 100, mxidPct: (r.mxid_age / r.mxid_max) * 100 }));
    const first = rows[0];
    if (!first) throw new Error('no database listed');
    const statusOf = (r: (typeof rows)[number]) => worst([{ status: grade(r.xidPct, t.wraparoundWarnPct, t.wraparoundCritPct) }, { status: grade(r.mxidPct, t.wraparoundWarnPct, t.wraparoundCritPct) }]);
    const w = rows.reduce((a, b) => (Math.max(b.xidPct, b.mxidPct) > Math.max(a.xidPct, a.mxidPct) ? b : a), first);
    return [
      finding('transaction id wraparound', target, statusOf(w), `${w.database}: ${fmtPct(w.xidPct, 1)} of autovacuum_freeze_max_age (xid age ${w.xid_age})`, {
        threshold: pctThreshold(t.wraparoundWarnPct, t.wraparoundCritPct, `autovacuum_freeze_max_age (${first.xid_max}) or autovacuum_multixact_freeze_max_age (${first.mxid_max})`),
        evidence: rows.slice(0, 3).map((r) => `${r.database}: xid age ${r.xid_age} (${fmtPct(r.xidPct, 1)}), multixact age ${r.mxid_age} (${fmtPct(r.mxidPct, 1)})`),
        recommendation: `Autovacuum is not freezing fast enough in ${w.database}: look for long transactions, idle-in-transaction sessions, prepared transactions and abandoned replication slots that hold back the xmin horizon, then VACUUM (FREEZE) its oldest tables.`,
      }),
    ];
  },
};
