import { describe, expect, it } from 'vitest';
import { DEFAULT_PG_THRESHOLDS, openProbePool, pgThresholdsSchema, POSTGRES_CHECK_SQL, resolvePgThresholds, rootBlockers } from '../../../src/adapters/targets/postgres/probe/index.js';
import { TEST_DATABASE_URL } from './helpers.js';

describe('the probe’s sessions', () => {
  it('cannot write, are named firebreak and carry the deadline as server-side timeouts', async () => {
    const { pool, close } = openProbePool(TEST_DATABASE_URL, 5000);
    try {
      const show = async (name: string) => (await pool.query(`SHOW ${name}`)).rows[0]?.[name] as string;
      expect(await show('transaction_read_only')).toBe('on');
      expect(await show('default_transaction_read_only')).toBe('on');
      expect(await show('application_name')).toBe('firebreak');
      expect(await show('statement_timeout')).toBe('4900ms');
      expect(await show('lock_timeout')).toBe('4850ms');
      await expect(pool.query('CREATE TEMP TABLE fb_should_fail (id int)')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await close();
    }
  });

  it('keeps them read-only and named even when the URL tries to say otherwise', async () => {
    const url = `${TEST_DATABASE_URL}?application_name=other&options=${encodeURIComponent('-c default_transaction_read_only=off')}`;
    const { pool, close } = openProbePool(url, 3000);
    try {
      expect((await pool.query('SHOW transaction_read_only')).rows[0]?.transaction_read_only).toBe('on');
      expect((await pool.query('SHOW application_name')).rows[0]?.application_name).toBe('firebreak');
    } finally {
      await close();
    }
  });
});

describe('POSTGRES_CHECK_SQL', () => {
  it('is plain SQL that runs read-only, one statement after another (slow statements needs pg_stat_statements)', async () => {
    const names = POSTGRES_CHECK_SQL.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const { pool, close } = openProbePool(TEST_DATABASE_URL, 10_000);
    try {
      const ext = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
      for (const { name, sql } of POSTGRES_CHECK_SQL) {
        expect(sql, name).not.toMatch(/\$\d/);
        const run = pool.query(sql);
        if (name === 'slow statements' && ext.rowCount === 0) await expect(run, name).rejects.toMatchObject({ code: '42P01' });
        else await expect(run.then(() => 'ran'), name).resolves.toBe('ran');
      }
    } finally {
      await close();
    }
  });
});

describe('thresholds', () => {
  it('has the runbooks’ defaults', () => {
    expect(DEFAULT_PG_THRESHOLDS).toMatchObject({
      connectionsWarnPct: 80, connectionsCritPct: 95, activeConnections: 80,
      idleInTransactionWarnMs: 60_000, idleInTransactionCritMs: 300_000, longQueryWarnMs: 300_000,
      slowStatementMeanMs: 1000, cacheHitWarnPct: 98, wraparoundWarnPct: 50, wraparoundCritPct: 80,
      replicationLagWarnSeconds: 30, replicationLagCritSeconds: 300, latencyWarnMs: 100, latencyCritMs: 1000,
    });
    expect(resolvePgThresholds({ longQueryWarnMs: 1000, latencyWarnMs: undefined }).longQueryWarnMs).toBe(1000);
    expect(resolvePgThresholds({ latencyWarnMs: undefined }).latencyWarnMs).toBe(100);
  });

  it('validates: all keys optional, strict, durations in ms, warning not above critical', () => {
    expect(pgThresholdsSchema.parse({})).toEqual({});
    expect(pgThresholdsSchema.parse({ longQueryWarnMs: 1000, connectionsCritPct: 90 })).toEqual({ longQueryWarnMs: 1000, connectionsCritPct: 90 });
    expect(pgThresholdsSchema.safeParse({ longQueryWarn: 1000 }).success).toBe(false);
    expect(pgThresholdsSchema.parse({ longQueryWarnMs: '5m' })).toEqual({ longQueryWarnMs: 300_000 });
    expect(pgThresholdsSchema.safeParse({ connectionsWarnPct: 120 }).success).toBe(false);
    expect(pgThresholdsSchema.safeParse({ connectionsWarnPct: 96 }).success).toBe(false); // above the default critical 95
    expect(pgThresholdsSchema.safeParse({ longQueryWarnMs: 10_000, longQueryCritMs: 5000 }).success).toBe(false);
  });
});

describe('root blockers', () => {
  it('walks the chain of waiting sessions to the one that waits on nothing', () => {
    const waiting = new Map([[30, [20]], [20, [10]], [40, [10, 20]]]);
    expect(rootBlockers(30, waiting)).toEqual([10]);
    expect(rootBlockers(40, waiting)).toEqual([10]);
    expect(rootBlockers(20, waiting)).toEqual([10]);
    expect(rootBlockers(50, new Map([[50, [0]]]))).toEqual([0]); // a prepared transaction
  });

  it('gives the members of a cycle (a deadlock not yet detected) rather than nothing', () => {
    expect(rootBlockers(1, new Map([[1, [2]], [2, [1]]]))).toEqual([2]);
  });
});
