/** The PostgreSQL diagnostic probe: read-only checks of a server's health against thresholds. */
export { postgresProbe, POSTGRES_CHECKS } from './probe.js';
export type { PostgresTarget } from '../target.js';
export { DEFAULT_PG_THRESHOLDS, pgThresholdsSchema, resolvePgThresholds, type PostgresThresholds } from '../thresholds.js';
export { POSTGRES_CHECK_SQL } from './sql.js';
export { openProbePool, APPLICATION_NAME, type ProbePool } from '../connect.js';
export { PG_STAT_STATEMENTS_HOWTO } from './checks-replication.js';
export { rootBlockers } from './checks-activity.js';
