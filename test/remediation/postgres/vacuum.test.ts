import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgVacuumAnalyzeAction, vacuumParams } from '../../../src/adapters/targets/postgres/actions/index.js';
import { TEST_DATABASE_URL, actionContext, endQuietly, session, throwawayDatabase, uniqueName, type TestSession } from './helpers.js';

const target = { name: 'main', url: TEST_DATABASE_URL };
let admin: TestSession;
const table = uniqueName('fb_rem_vac');

beforeAll(async () => {
  admin = await session(TEST_DATABASE_URL, 'fb-remediation-admin');
  await admin.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = off)`);
  await admin.query(`INSERT INTO public.${table} SELECT g, md5(g::text) FROM generate_series(1, 2000) g`);
  await admin.query(`DELETE FROM public.${table} WHERE id % 2 = 0`);
});
afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS public.${table}`);
  await endQuietly(admin);
});

const lastVacuum = async (name: string) =>
  (await admin.query<{ v: Date | null; a: Date | null }>('SELECT last_vacuum AS v, last_analyze AS a FROM pg_stat_all_tables WHERE relid = to_regclass($1)', [name])).rows[0];

describe('pg.vacuum-analyze params', () => {
  it.each([['x; DROP TABLE users'], ['a.b.c'], ["t'--"], ['"quoted"'], ['1table'], ['pg_class;']])('refuses the name %s', (arg) => {
    expect(vacuumParams.safeParse([arg]).error?.issues[0]?.message).toBe(`"${arg}" is not a table name: expected table or schema.table (letters, digits, _ and $)`);
  });
  it('accepts table, schema.table, or nothing (the whole database)', () => {
    expect(vacuumParams.parse(['orders'])).toEqual({ table: 'orders' });
    expect(vacuumParams.parse(['public.orders'])).toEqual({ table: 'public.orders' });
    expect(vacuumParams.parse([])).toEqual({});
    expect(vacuumParams.safeParse(['a', 'b']).error?.issues[0]?.message).toBe('usage: [table]');
  });
});

describe('pg.vacuum-analyze <table>', () => {
  it('vacuums and analyzes the table: preview → execute → verify, last_vacuum changes', async () => {
    expect(await lastVacuum(`public.${table}`)).toEqual({ v: null, a: null });
    const params = { table: `public.${table}` };
    const preview = await pgVacuumAnalyzeAction.preview(target, params, actionContext());
    expect(preview.refusal).toBeUndefined();
    expect(preview.current[0]).toMatch(new RegExp(`^public\\.${table}: \\d+ kB, \\d+ live rows, \\d+ dead rows$`));
    expect(preview.current[1]).toBe('last vacuum never (autovacuum never), last analyze never (autoanalyze never)');
    expect(preview.change).toEqual([`VACUUM (ANALYZE) public.${table} (no exclusive lock: reads and writes go on)`]);

    const result = await pgVacuumAnalyzeAction.execute(target, params, preview.guard, actionContext());
    expect(result.ok).toBe(true);
    expect(result.summary).toMatch(new RegExp(`^VACUUM \\(ANALYZE\\) of public\\.${table} done in [\\d.]+ s$`));
    const verified = await pgVacuumAnalyzeAction.verify(target, params, actionContext());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(new RegExp(`^public\\.${table}: last vacuum 20\\S+Z, last analyze 20\\S+Z$`));
    const after = await lastVacuum(`public.${table}`);
    expect(after?.v).toBeInstanceOf(Date);
    expect(after?.a).toBeInstanceOf(Date);
  });

  it('refuses a table that does not exist, or that is a view', async () => {
    const missing = await pgVacuumAnalyzeAction.preview(target, { table: 'no_such_table_here' }, actionContext());
    expect(missing.refusal).toBe('table no_such_table_here does not exist in this database');
    const view = await pgVacuumAnalyzeAction.preview(target, { table: 'pg_catalog.pg_stat_activity' }, actionContext());
    expect(view.refusal).toBe('pg_catalog.pg_stat_activity is not a table (relkind v)');
  });

  it('refuses to run when the table was dropped since the preview', async () => {
    const other = uniqueName('fb_rem_vac');
    await admin.query(`CREATE TABLE ${other} (x int)`);
    const preview = await pgVacuumAnalyzeAction.preview(target, { table: other }, actionContext());
    expect(preview.guard).toMatchObject({ table: `public.${other}`, oid: expect.stringMatching(/^\d+$/) });
    await admin.query(`DROP TABLE ${other}`);
    const result = await pgVacuumAnalyzeAction.execute(target, { table: other }, preview.guard, actionContext());
    expect(result).toMatchObject({ ok: false, summary: `table public.${other} no longer exists (dropped since the preview); nothing done` });
  });
});

describe('pg.vacuum-analyze (whole database)', () => {
  it('vacuums every table of the database and verifies each one', async () => {
    const db = await throwawayDatabase();
    try {
      const s = await session(db.url);
      await s.query('CREATE TABLE a (x int); CREATE TABLE b (y int); INSERT INTO a SELECT generate_series(1, 100)');
      await s.end();
      const t = { name: 'rem', url: db.url };
      const preview = await pgVacuumAnalyzeAction.preview(t, {}, actionContext());
      expect(preview.refusal).toBeUndefined();
      expect(preview.current[0]).toMatch(new RegExp(`^database ${db.name}: .*, 2 tables, 0 dead rows; 2 never vacuumed`));
      expect(preview.guard).toEqual({ database: db.name, oid: null, table: null });
      const result = await pgVacuumAnalyzeAction.execute(t, {}, preview.guard, actionContext(20_000));
      expect(result.summary).toMatch(new RegExp(`^VACUUM \\(ANALYZE\\) of database ${db.name} done in`));
      const verified = await pgVacuumAnalyzeAction.verify(t, {}, actionContext());
      expect(verified.ok).toBe(true);
      expect(verified.summary).toMatch(new RegExp(`^database ${db.name}: 2/2 tables vacuumed and 2/2 analyzed since 20`));

      // A reserved word as a table name: the server quotes it (format('%I.%I')) for the VACUUM.
      const s2 = await session(db.url);
      await s2.query('CREATE TABLE "order" (x int)');
      await s2.end();
      const p2 = await pgVacuumAnalyzeAction.preview(t, { table: 'order' }, actionContext());
      expect(p2.guard).toMatchObject({ table: 'public."order"' });
      expect((await pgVacuumAnalyzeAction.execute(t, { table: 'order' }, p2.guard, actionContext())).ok).toBe(true);
      expect((await pgVacuumAnalyzeAction.verify(t, { table: 'order' }, actionContext())).ok).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
