/** Replication (lag on a standby, standbys seen from a primary), replication slots, and slow statements from pg_stat_statements. */
import { grade, type Finding, type Status } from '../../../../core/diagnostics/finding.js';
import { finding, type Check } from './check.js';
import { errorText } from '../connect.js';
import { fmtBytes, fmtMs, num, oneLine, plural } from '../format.js';
import { SQL, slowStatementsSql } from './sql.js';

interface StandbyRow { name: string | null; client: string | null; state: string | null; lag_seconds: number | null; lag_bytes: number | null }
interface ReplRow { standby: boolean; lag_bytes: number | null; lag_seconds: number | null; receivers: number; standbys: StandbyRow[] }

const lagRecommendation = 'The standby replays WAL slower than it arrives: check its disk and CPU, long queries on it (hot_standby_feedback, max_standby_streaming_delay) and the network to the primary.';

export const replicationCheck: Check = {
  name: 'replication',
  async run({ target, t, query }) {
    const [r] = await query<ReplRow>(SQL.replication);
    if (!r) throw new Error('no row');
    const threshold = `warning at ${t.replicationLagWarnSeconds} s, critical at ${t.replicationLagCritSeconds} s`;
    const gradeLag = (s: number | null): Status => grade(s ?? 0, t.replicationLagWarnSeconds, t.replicationLagCritSeconds);
    const standbys = r.standbys.map((s) => `${s.name || '?'} (${s.client ?? 'local'}): ${s.state ?? '?'}, replay lag ${fmtMs(num(s.lag_seconds ?? 0) * 1000)}, ${fmtBytes(s.lag_bytes)} behind`);
    if (r.standby) {
      const seconds = r.lag_seconds === null ? null : num(r.lag_seconds);
      const value = `replay ${seconds === null ? 'lag unknown (nothing replayed yet)' : `${fmtMs(seconds * 1000)} behind`}, ${fmtBytes(r.lag_bytes ?? 0)} received not yet replayed`;
      const evidence = [r.receivers > 0 ? 'streaming from a primary' : 'no WAL receiver: not streaming (archive recovery, or disconnected from the primary)', ...standbys];
      return [finding('replication lag', target, seconds === null ? 'unknown' : gradeLag(seconds), value, { threshold, evidence, recommendation: lagRecommendation })];
    }
    const lagging = r.standbys.filter((s) => gradeLag(s.lag_seconds) !== 'ok');
    if (lagging.length === 0) {
      const value = r.standbys.length ? `primary with ${plural(r.standbys.length, 'standby', 'standbys')} connected` : 'primary, no standby connected';
      return [finding('replication', target, 'ok', value, { evidence: standbys })];
    }
    return lagging.map((s) =>
      finding('replication lag', `standby ${s.name || s.client || '?'}`, gradeLag(s.lag_seconds), `replay ${fmtMs(num(s.lag_seconds) * 1000)} behind, ${fmtBytes(s.lag_bytes)}`, {
        threshold,
        evidence: standbys,
        recommendation: lagRecommendation,
      }),
    );
  },
};

interface SlotRow { name: string; type: string; database: string | null; active: boolean; wal_status: string | null; retained_bytes: number | null }

export const replicationSlotsCheck: Check = {
  name: 'replication slots',
  async run({ target, query }) {
    const rows = await query<SlotRow>(SQL.replicationSlots);
    const describe = (s: SlotRow) => `${s.name} (${s.type}${s.database ? `, ${s.database}` : ''}): ${s.active ? 'active' : 'inactive'}, retains ${fmtBytes(s.retained_bytes)} of WAL${s.wal_status ? `, wal_status ${s.wal_status}` : ''}`;
    const inactive = rows.filter((s) => !s.active);
    if (inactive.length === 0) {
      return [finding('replication slots', target, 'ok', rows.length ? `${plural(rows.length, 'slot')}, all active` : 'no replication slots', { evidence: rows.slice(0, 5).map(describe) })];
    }
    return inactive.map((s) =>
      finding('replication slots', `slot ${s.name}`, 'warning', `inactive, retains ${fmtBytes(s.retained_bytes)} of WAL`, {
        threshold: 'warning when a slot is inactive',
        evidence: [describe(s)],
        recommendation: `An inactive slot keeps WAL (and, if logical, old catalog rows) until its consumer returns: reconnect the consumer, or drop the slot if it is abandoned (SELECT pg_drop_replication_slot('${s.name}');). Disk can fill up.`,
      }),
    );
  },
};

export const PG_STAT_STATEMENTS_HOWTO =
  "Enable pg_stat_statements: set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database.";

interface ExtRow { schema: string | null; available: boolean; preload: string | null; version_num: number }
interface StatementRow { queryid: string | null; calls: number; mean_ms: number; total_ms: number; rows: number; user_name: string | null; query: string | null }

export const slowStatementsCheck: Check = {
  name: 'slow statements',
  async run({ target, t, query }) {
    const [ext] = await query<ExtRow>(SQL.statementsExtension);
    if (!ext) throw new Error('no row');
    if (!ext.schema) {
      const value = ext.available ? 'pg_stat_statements is not installed in this database' : 'pg_stat_statements is not available on this server (the contrib package is missing)';
      return [finding('slow statements', target, 'unknown', value, { recommendation: PG_STAT_STATEMENTS_HOWTO })];
    }
    let rows: StatementRow[];
    try {
      rows = await query<StatementRow>(slowStatementsSql(ext.schema, ext.version_num));
    } catch (err) {
      const why = errorText(err).message;
      return [finding('slow statements', target, 'unknown', `pg_stat_statements cannot be read: ${why}`, { recommendation: PG_STAT_STATEMENTS_HOWTO, evidence: [ext.preload === null ? 'shared_preload_libraries: not visible to this role' : `shared_preload_libraries = '${ext.preload}'`] })];
    }
    const slow = rows.filter((r) => r.mean_ms > t.slowStatementMeanMs);
    const line = (r: StatementRow) => `mean ${fmtMs(r.mean_ms)} × ${r.calls} calls (total ${fmtMs(r.total_ms)}), ${r.user_name ?? '?'}: ${oneLine(r.query, 160)}`;
    const top = rows[0];
    const value = slow.length
      ? `${slow.length}${slow.length === rows.length && rows.length >= 20 ? '+' : ''} statements with a mean above ${fmtMs(t.slowStatementMeanMs)}`
      : top
        ? `none with a mean above ${fmtMs(t.slowStatementMeanMs)} (slowest: ${fmtMs(top.mean_ms)})`
        : 'no statements recorded yet';
    const out: Finding = finding('slow statements', target, slow.length ? 'warning' : 'ok', value, {
      threshold: `warning when a statement's mean execution time is above ${fmtMs(t.slowStatementMeanMs)}`,
      evidence: (slow.length ? slow : rows).slice(0, 5).map(line),
      recommendation: 'EXPLAIN (ANALYZE, BUFFERS) the slowest statements: look for sequential scans of large tables, missing indexes and poor row estimates (ANALYZE).',
    });
    return [out];
  },
};
