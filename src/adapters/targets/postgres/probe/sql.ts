/**
 * The SQL of the checks: plain, read-only, no parameters, no thresholds (they are applied in
 * TypeScript), PostgreSQL 10 or later. Columns added by later versions are read through
 * to_jsonb(row) so one text serves every version. Sessions of Firebreak itself
 * (application_name 'firebreak') are left out of the activity-based checks.
 */

const NOT_US = `coalesce(application_name, '') <> 'firebreak'`;

export const SQL = {
  latency: `SELECT 1`,

  version: `SELECT version() AS version,
  current_setting('server_version') AS server_version,
  current_setting('server_version_num')::int AS version_num,
  pg_postmaster_start_time()::text AS started_at,
  extract(epoch FROM now() - pg_postmaster_start_time())::float8 * 1000 AS uptime_ms,
  pg_is_in_recovery() AS standby,
  current_user::text AS user_name,
  pg_has_role('pg_monitor', 'MEMBER') AS can_monitor`,

  connections: `SELECT
  (SELECT setting::int FROM pg_settings WHERE name = 'max_connections') AS max_connections,
  (SELECT coalesce(sum(setting::int), 0)::int FROM pg_settings
    WHERE name IN ('superuser_reserved_connections', 'reserved_connections')) AS reserved,
  (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS total,
  (SELECT count(*)::int FROM pg_stat_activity
    WHERE backend_type = 'client backend' AND application_name = 'firebreak') AS ours,
  (SELECT coalesce(json_agg(json_build_array(state, n) ORDER BY n DESC), '[]')
    FROM (SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
          WHERE backend_type = 'client backend' GROUP BY 1) s) AS by_state`,

  connectionLimits: `SELECT 'role' AS kind, r.rolname::text AS name, r.rolconnlimit AS max,
  (SELECT count(*)::int FROM pg_stat_activity a WHERE a.usesysid = r.oid AND a.backend_type = 'client backend') AS used
FROM pg_roles r WHERE r.rolconnlimit > 0 AND r.rolcanlogin AND NOT r.rolsuper
UNION ALL
SELECT 'database', d.datname::text, d.datconnlimit,
  (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datid = d.oid AND a.backend_type = 'client backend')
FROM pg_database d WHERE d.datconnlimit > 0`,

  activeSessions: `SELECT coalesce(wait_event_type, 'none (on CPU)') AS waiting_on, count(*)::int AS n
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND state = 'active' AND ${NOT_US}
GROUP BY 1 ORDER BY 2 DESC`,

  idleInTransaction: `SELECT pid, usename::text AS user_name, datname::text AS database, application_name AS app, state,
  extract(epoch FROM clock_timestamp() - state_change)::float8 * 1000 AS idle_ms,
  extract(epoch FROM clock_timestamp() - xact_start)::float8 * 1000 AS xact_ms,
  left(query, 1000) AS query, count(*) OVER ()::int AS total
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND state LIKE 'idle in transaction%' AND ${NOT_US}
ORDER BY state_change LIMIT 50`,

  longQueries: `SELECT pid, usename::text AS user_name, datname::text AS database, application_name AS app,
  wait_event_type, wait_event,
  extract(epoch FROM clock_timestamp() - query_start)::float8 * 1000 AS running_ms,
  left(query, 1000) AS query, count(*) OVER ()::int AS total
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND state = 'active' AND ${NOT_US}
ORDER BY query_start LIMIT 50`,

  blockedSessions: `WITH waiting AS (
  SELECT a.pid, pg_blocking_pids(a.pid) AS blockers, l.mode, l.locktype, l.relation::regclass::text AS relation,
    l.transactionid::text AS xid, coalesce(l.page, t.page) AS page, coalesce(l.tuple, t.tuple) AS tuple,
    coalesce(l.relation, t.relation)::regclass::text AS row_relation,
    coalesce((to_jsonb(l) ->> 'waitstart')::timestamptz, a.state_change) AS since
  FROM pg_stat_activity a
  LEFT JOIN LATERAL (SELECT * FROM pg_locks x WHERE x.pid = a.pid AND NOT x.granted LIMIT 1) l ON true
  -- A row lock waited for as the holder's transaction id: the row is the one whose tuple lock this session holds.
  LEFT JOIN LATERAL (SELECT y.relation, y.page, y.tuple FROM pg_locks y WHERE y.pid = a.pid AND y.granted AND y.locktype = 'tuple' AND l.locktype = 'transactionid' LIMIT 1) t ON true
  WHERE a.wait_event_type = 'Lock' AND coalesce(a.application_name, '') <> 'firebreak'
)
SELECT a.pid, w.pid IS NOT NULL AS waiting, coalesce(w.blockers, '{}') AS blockers, w.mode, w.locktype, w.relation,
  w.xid, w.page, w.tuple, w.row_relation,
  extract(epoch FROM clock_timestamp() - w.since)::float8 * 1000 AS wait_ms,
  a.usename::text AS user_name, a.datname::text AS database, a.application_name AS app, a.state,
  extract(epoch FROM clock_timestamp() - a.xact_start)::float8 * 1000 AS xact_ms,
  left(a.query, 1000) AS query
FROM pg_stat_activity a LEFT JOIN waiting w ON w.pid = a.pid
WHERE w.pid IS NOT NULL OR a.pid IN (SELECT unnest(blockers) FROM waiting)`,

  statementsExtension: `SELECT
  (SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_stat_statements') AS schema,
  EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS available,
  (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload,
  current_setting('server_version_num')::int AS version_num`,

  /** Needs the extension; the probe qualifies the view with its schema (and uses *_time before PostgreSQL 13). */
  slowStatements: `SELECT s.queryid::text AS queryid, s.calls::float8 AS calls,
  s.mean_exec_time::float8 AS mean_ms, s.total_exec_time::float8 AS total_ms, s.rows::float8 AS rows,
  r.rolname::text AS user_name, left(s.query, 1000) AS query
FROM pg_stat_statements s LEFT JOIN pg_roles r ON r.oid = s.userid
ORDER BY s.mean_exec_time DESC LIMIT 20`,

  databaseStats: `SELECT datname::text AS database, blks_hit::float8 AS blks_hit, blks_read::float8 AS blks_read,
  deadlocks::float8 AS deadlocks, temp_files::float8 AS temp_files, temp_bytes::float8 AS temp_bytes,
  stats_reset::text AS stats_reset
FROM pg_stat_database WHERE datname = current_database()`,

  databaseSize: `SELECT current_database()::text AS database, pg_database_size(current_database())::float8 AS bytes`,

  wraparound: `SELECT datname::text AS database, age(datfrozenxid)::float8 AS xid_age, mxid_age(datminmxid)::float8 AS mxid_age,
  (SELECT setting::float8 FROM pg_settings WHERE name = 'autovacuum_freeze_max_age') AS xid_max,
  (SELECT setting::float8 FROM pg_settings WHERE name = 'autovacuum_multixact_freeze_max_age') AS mxid_max
FROM pg_database ORDER BY age(datfrozenxid) DESC`,

  replication: `SELECT pg_is_in_recovery() AS standby,
  CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 END AS lag_bytes,
  CASE WHEN pg_is_in_recovery() THEN
    CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END END AS lag_seconds,
  (SELECT count(*)::int FROM pg_stat_wal_receiver) AS receivers,
  (SELECT coalesce(json_agg(json_build_object('name', application_name, 'client', client_addr::text, 'state', state,
      'lag_seconds', extract(epoch FROM replay_lag)::float8,
      'lag_bytes', pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, replay_lsn)::float8)), '[]')
    FROM pg_stat_replication) AS standbys`,

  replicationSlots: `SELECT slot_name::text AS name, slot_type AS type, database::text AS database, active,
  to_jsonb(s) ->> 'wal_status' AS wal_status,
  pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::float8 AS retained_bytes
FROM pg_replication_slots s ORDER BY retained_bytes DESC NULLS LAST`,
} as const;

/** The slow-statement SQL for a server: the view qualified with the extension's schema, pre-13 column names when needed. */
export function slowStatementsSql(schema: string, versionNum: number): string {
  const qualified = SQL.slowStatements.replace('FROM pg_stat_statements s', `FROM ${quoteIdent(schema)}.pg_stat_statements s`);
  return versionNum >= 130000 ? qualified : qualified.replaceAll('_exec_time', '_time');
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The checks' SQL, in the order the probe runs them, for a benchmark that runs them one after
 * another through psql. "slow statements" needs pg_stat_statements (installed and preloaded);
 * elsewhere it fails, as the probe's check then reports "unknown".
 */
export const POSTGRES_CHECK_SQL: ReadonlyArray<{ name: string; sql: string }> = Object.freeze([
  { name: 'latency', sql: SQL.latency },
  { name: 'version', sql: SQL.version },
  { name: 'connections', sql: SQL.connections },
  { name: 'connection limits', sql: SQL.connectionLimits },
  { name: 'active sessions', sql: SQL.activeSessions },
  { name: 'idle in transaction', sql: SQL.idleInTransaction },
  { name: 'long queries', sql: SQL.longQueries },
  { name: 'blocked sessions', sql: SQL.blockedSessions },
  { name: 'slow statements (extension)', sql: SQL.statementsExtension },
  { name: 'slow statements', sql: SQL.slowStatements },
  { name: 'database statistics', sql: SQL.databaseStats },
  { name: 'database size', sql: SQL.databaseSize },
  { name: 'wraparound', sql: SQL.wraparound },
  { name: 'replication', sql: SQL.replication },
  { name: 'replication slots', sql: SQL.replicationSlots },
]);
