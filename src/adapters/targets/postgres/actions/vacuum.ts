/**
 * pg.vacuum-analyze [table]: VACUUM (ANALYZE) one table, or the whole database. The table name is
 * checked by pattern, resolved by the server (to_regclass) and quoted by it (format('%I.%I')): the
 * text typed never reaches the VACUUM statement. The guard is the table's oid (or the database).
 */
import { z } from 'zod';
import type { ActionDefinition, ActionResult, Preview } from '../../../../core/remediation/action.js';
import type { PostgresTarget } from '../target.js';
import { plural } from '../format.js';
import { ActionError, describe, failed, iso, pollUntil, positional, readGuard, recall, remember, withSession, type Session } from './session.js';

export interface VacuumParams {
  /** "schema.table" or "table", as typed; absent for the whole database. */
  table?: string;
}

interface TableRow {
  oid: string;
  name: string;
  relkind: string;
  other_temp: boolean;
  size: string;
  live: number | null;
  dead: number | null;
  last_vacuum: string | null;
  last_autovacuum: string | null;
  last_analyze: string | null;
  last_autoanalyze: string | null;
}

const IDENT = '[A-Za-z_][A-Za-z0-9_$]{0,62}';
const TABLE_NAME = new RegExp(`^${IDENT}(\\.${IDENT})?$`);

const TABLE_SQL = `SELECT c.oid::int8::text AS oid, format('%I.%I', n.nspname, c.relname) AS name, c.relkind::text AS relkind,
  (c.relpersistence = 't' AND n.oid <> pg_my_temp_schema()) AS other_temp,
  pg_size_pretty(pg_total_relation_size(c.oid)) AS size, s.n_live_tup::float8 AS live, s.n_dead_tup::float8 AS dead,
  ${iso('s.last_vacuum')} AS last_vacuum, ${iso('s.last_autovacuum')} AS last_autovacuum,
  ${iso('s.last_analyze')} AS last_analyze, ${iso('s.last_autoanalyze')} AS last_autoanalyze
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid`;

/** The database's own tables (not other sessions' temporary ones), for the whole-database run. */
const DB_SQL = `SELECT current_database() AS db, pg_size_pretty(pg_database_size(current_database())) AS size,
  count(*)::int AS tables, coalesce(sum(s.n_dead_tup), 0)::float8 AS dead,
  count(*) FILTER (WHERE s.last_vacuum >= $1::timestamptz)::int AS vacuumed,
  count(*) FILTER (WHERE s.last_analyze >= $1::timestamptz)::int AS analyzed,
  count(*) FILTER (WHERE s.last_vacuum IS NULL AND s.last_autovacuum IS NULL)::int AS never,
  ${iso('min(greatest(s.last_vacuum, s.last_autovacuum))')} AS oldest_vacuum
  FROM pg_stat_all_tables s JOIN pg_class c ON c.oid = s.relid
  WHERE c.relkind IN ('r', 'm') AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
    AND (c.relpersistence <> 't' OR c.relnamespace = pg_my_temp_schema())`;

interface DbRow {
  db: string;
  size: string;
  tables: number;
  dead: number;
  vacuumed: number;
  analyzed: number;
  never: number;
  oldest_vacuum: string | null;
}

export const vacuumParams = positional<VacuumParams>('[table]', 0, 1, ([table]) => {
  if (table === undefined) return {};
  if (!TABLE_NAME.test(table)) return `"${table}" is not a table name: expected table or schema.table (letters, digits, _ and $)`;
  return { table };
});

const guardSchema = z.object({ database: z.string(), oid: z.string().nullable(), table: z.string().nullable() });

async function findTable(s: Session, table: string): Promise<TableRow> {
  const row = (await s.query<TableRow>(`${TABLE_SQL} WHERE c.oid = to_regclass($1)`, [table]))[0];
  if (!row) throw new ActionError(`table ${table} does not exist in this database`);
  if (!['r', 'm', 'p'].includes(row.relkind)) throw new ActionError(`${row.name} is not a table (relkind ${row.relkind})`);
  if (row.other_temp) throw new ActionError(`${row.name} is another session's temporary table`);
  return row;
}

const describeTable = (t: TableRow): string[] => [
  `${t.name}: ${t.size}, ${t.live ?? '?'} live rows, ${t.dead ?? '?'} dead rows`,
  `last vacuum ${t.last_vacuum ?? 'never'} (autovacuum ${t.last_autovacuum ?? 'never'}), last analyze ${t.last_analyze ?? 'never'} (autoanalyze ${t.last_autoanalyze ?? 'never'})`,
];

const memoKey = (t: PostgresTarget, p: VacuumParams) => `${t.url}|pg.vacuum-analyze|${p.table ?? ''}`;

export const pgVacuumAnalyzeAction: ActionDefinition<PostgresTarget, VacuumParams> = {
  id: 'pg.vacuum-analyze',
  title: 'VACUUM (ANALYZE) a table or the whole database',
  risk: 'high',
  targetKind: 'postgres',
  usage: '[table]',
  params: vacuumParams,

  async preview(target, { table }, ctx): Promise<Preview> {
    try {
      return await withSession(target.url, ctx, async (s) => {
        const db = (await s.query<DbRow>(DB_SQL, [new Date()]))[0]!;
        if (table === undefined) {
          const current = [`database ${db.db}: ${db.size}, ${plural(db.tables, 'table')}, ${db.dead} dead rows; ${db.never} never vacuumed, oldest vacuum of the others ${db.oldest_vacuum ?? '-'}`];
          const change = [`VACUUM (ANALYZE) every table of database ${db.db} (reads every table: heavy I/O; cancelled at the deadline, finished tables stay done)`];
          return { current, change, guard: { database: db.db, oid: null, table: null } };
        }
        const t = await findTable(s, table);
        return { current: describeTable(t), change: [`VACUUM (ANALYZE) ${t.name} (no exclusive lock: reads and writes go on)`], guard: { database: db.db, oid: t.oid, table: t.name } };
      });
    } catch (err) {
      return { current: [], change: [], guard: {}, refusal: describe(err, target.url) };
    }
  },

  async execute(target, params, guard, ctx): Promise<ActionResult> {
    try {
      const g = readGuard(guardSchema, guard);
      return await withSession(target.url, ctx, async (s) => {
        const db = (await s.query<{ db: string; now: string }>(`SELECT current_database() AS db, ${iso('clock_timestamp()')} AS now`))[0]!;
        if (db.db !== g.database) return { ok: false, summary: `the target now leads to database ${db.db}, not ${g.database}; nothing done` };
        let statement = 'VACUUM (ANALYZE)';
        if (g.oid !== null) {
          const t = (await s.query<TableRow>(`${TABLE_SQL} WHERE c.oid = $1::oid`, [g.oid]))[0];
          if (!t) return { ok: false, summary: `table ${g.table} no longer exists (dropped since the preview); nothing done` };
          if (t.name !== g.table) return { ok: false, summary: `table ${g.table} is now named ${t.name}; nothing done` };
          statement = `VACUUM (ANALYZE) ${t.name}`; // t.name was quoted by the server (format('%I.%I'))
        }
        const started = Date.now();
        await s.query(statement);
        remember(memoKey(target, params), db.now);
        const skipped = s.notices.filter((n) => /skipping/i.test(n));
        const what = g.table ?? `database ${g.database}`;
        const extra = skipped.length ? `; ${plural(skipped.length, 'table')} skipped (${skipped[0]})` : '';
        return { ok: true, summary: `VACUUM (ANALYZE) of ${what} done in ${((Date.now() - started) / 1000).toFixed(1)} s${extra}`, after: { startedAt: db.now, skipped: skipped.length } };
      });
    } catch (err) {
      return failed(err, target.url);
    }
  },

  async verify(target, params, ctx): Promise<ActionResult> {
    const since = recall<string>(memoKey(target, params));
    try {
      return await withSession(target.url, ctx, async (s) => {
        if (params.table !== undefined) {
          let t = await findTable(s, params.table);
          // A partitioned table's own row only records the analyze (its partitions are the ones vacuumed).
          const stamps = (x: TableRow) => (x.relkind === 'p' ? [x.last_analyze] : [x.last_vacuum, x.last_analyze]);
          const fresh = (x: TableRow) => stamps(x).every((v) => v !== null && (since === undefined || v >= since));
          const ok = await pollUntil(ctx, 100, async () => fresh((t = await findTable(s, params.table!))));
          const after = { lastVacuum: t.last_vacuum, lastAnalyze: t.last_analyze };
          return { ok, summary: `${t.name}: last vacuum ${t.last_vacuum ?? 'never'}, last analyze ${t.last_analyze ?? 'never'}${ok ? '' : ` (not since ${since ?? 'the run'})`}`, after };
        }
        let db = (await s.query<DbRow>(DB_SQL, [since ?? '-infinity']))[0]!;
        const ok = await pollUntil(ctx, 100, async () => {
          db = (await s.query<DbRow>(DB_SQL, [since ?? '-infinity']))[0]!;
          return db.vacuumed === db.tables && db.analyzed === db.tables;
        });
        const summary = `database ${db.db}: ${db.vacuumed}/${db.tables} tables vacuumed and ${db.analyzed}/${db.tables} analyzed${since ? ` since ${since}` : ''}`;
        return { ok, summary, after: { tables: db.tables, vacuumed: db.vacuumed, analyzed: db.analyzed } };
      });
    } catch (err) {
      return failed(err, target.url);
    }
  },
};
