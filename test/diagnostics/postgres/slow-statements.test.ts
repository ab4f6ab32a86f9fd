/**
 * The slow-statements check on a server of the test's own, so that every branch runs whatever the
 * shared server is configured with: pg_stat_statements not installed in the database, installed but
 * not preloaded (it cannot be read), then preloaded, where a statement slower than the threshold is
 * named and a fast one is not.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { PG_STAT_STATEMENTS_HOWTO, postgresProbe } from '../../../src/adapters/targets/postgres/probe/index.js';
import { startCluster, type OwnCluster } from '../../postgres-cluster.js';

let cluster: OwnCluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 90_000);
afterAll(() => cluster?.stop());

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function slowStatements(thresholdMs = 150): Promise<Finding> {
  const controller = new AbortController();
  const findings = await postgresProbe({ name: 'own', url: cluster.url(), thresholds: { slowStatementMeanMs: thresholdMs } }).run({ deadline: Date.now() + 10_000, signal: controller.signal, now: () => new Date() });
  const f = findings.find((x) => x.check === 'slow statements');
  if (!f) throw new Error(`no slow statements finding in ${findings.map((x) => x.check).join(', ')}`);
  return f;
}

describe('slow statements (pg_stat_statements)', () => {
  it('not installed in this database: unknown, with how to enable it', async () => {
    const f = await slowStatements();
    expect(f).toMatchObject({ status: 'unknown', value: 'pg_stat_statements is not installed in this database', recommendation: PG_STAT_STATEMENTS_HOWTO });
  });

  it('installed but not preloaded: cannot be read, and says what shared_preload_libraries holds', async () => {
    await sql('CREATE EXTENSION pg_stat_statements');
    const f = await slowStatements();
    expect(f.status).toBe('unknown');
    expect(f.value).toMatch(/^pg_stat_statements cannot be read: .*shared_preload_libraries/);
    expect(f.evidence).toEqual(["shared_preload_libraries = ''"]);
  });

  it('preloaded: names a statement whose mean is above the threshold, and not a fast one', async () => {
    cluster.restart({ shared_preload_libraries: 'pg_stat_statements' });
    await sql('SELECT pg_stat_statements_reset()');
    for (let i = 0; i < 3; i++) await sql('SELECT pg_sleep(0.3) AS fb_slow_marker');
    await sql('SELECT 1 AS fb_fast_marker');

    const f = await slowStatements(150);
    expect(f.status).toBe('warning');
    expect(f.value).toMatch(/^1 statements? with a mean above 150 ms$/);
    expect(f.threshold).toBe("warning when a statement's mean execution time is above 150 ms");
    expect(f.evidence).toHaveLength(1);
    expect(f.evidence?.[0]).toMatch(/^mean 3\d\d ms × 3 calls \(total (9\d\d ms|1\.\d s)\), postgres: SELECT pg_sleep\(\$1\) AS fb_slow_marker$/);
    expect(JSON.stringify(f)).not.toContain('fb_fast_marker');

    const relaxed = await slowStatements(1000);
    expect(relaxed.status).toBe('ok');
    expect(relaxed.value).toMatch(/^none with a mean above 1 s \(slowest: 3\d\d ms\)$/);
  });
});
