/**
 * The runbooks shipped in runbooks/: every one loads against the example configuration (so every
 * diagnostic, action, param and target it names is real), covers the procedures Firebreak promises, and the two
 * AKIG business runbooks' SQL checks really run, read-only, against the sample schema of the
 * team's tables (test/fixtures/akig), with the statuses their thresholds promise on its data.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbooks, runbookWorld } from '../../src/adapters/runbooks/load-runbooks.js';
import { diagnosticsFor } from '../../src/adapters/targets/registry.js';
import { runProbe } from '../../src/app/diagnostics/run.js';
import { loadConfig } from '../../src/config.js';
import { worst, type Status } from '../../src/core/diagnostics/finding.js';
import type { Runbook, Step } from '../../src/core/runbook/model.js';
import { bindParams, fillStep } from '../../src/core/runbook/params.js';
import { runbookCatalogue } from '../../src/core/runbook/catalogue.js';
import { systemClock } from '../../src/ports.js';
import { TEST_DATABASE_URL } from '../services.js';

const EXAMPLE = new URL('../../firebreak.example.yml', import.meta.url).pathname;
const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-example', SLACK_SIGNING_SECRET: 'example-secret', FIREBREAK_CONFIG: EXAMPLE }, '/');
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const config = loaded.config;
const shipped: Runbook[] = loadRunbooks(undefined, runbookWorld(config));
const byId = new Map(shipped.map((r) => [r.id, r]));

describe('shipped runbooks', () => {
  it('load against the example configuration: every diagnostic, action, template, param and target they name exists', () => {
    // loadRunbooks throws, listing every problem, when one is invalid: reaching here means none is.
    expect(shipped.length).toBeGreaterThanOrEqual(20);
    for (const runbook of shipped) expect(runbook.steps.length, runbook.id).toBeGreaterThan(0);
  });

  it('include every procedure the product promises, each with the seed it comes from', () => {
    const expected = [
      'pg-down', 'pg-connections-exhausted', 'pg-long-queries', 'pg-failover', 'pg-disk-full', 'pg-slow-queries',
      'redis-down', 'redis-memory-full', 'api-error-rate', 'service-down', 'high-latency', 'memory-leak',
      'k8s-crashloopbackoff', 'k8s-missing-config', 'k8s-dns-ingress-cert', 'queue-backlog', 'emergency-restart',
      'k8s-emergency-recovery', 'akig-unpaid-rents', 'akig-agent-performance',
    ];
    expect([...byId.keys()].sort()).toEqual(expect.arrayContaining(expected));
    for (const id of expected) expect(byId.get(id)?.source, id).toMatch(/seed 00[0-4]/);
    expect(byId.get('service-down')?.severity).toBe('P0');
    expect(byId.get('high-latency')?.severity).toBe('P1');
    expect(byId.get('memory-leak')?.severity).toBe('P2');
    expect(byId.get('pg-down')).toMatchObject({ rto: '15m', rpo: '5m' });
  });

  it('every step has a title, and every action and check step can be bound with the defaults or says which param it needs', () => {
    for (const runbook of shipped) {
      for (const step of runbook.steps) expect(step.title.trim(), `${runbook.id}/${step.id}`).not.toBe('');
      const bound = bindParams(runbook, {});
      if (!bound.ok) expect(bound.message, runbook.id).toMatch(/=/);
    }
  });

  it('never paste a param into SQL: custom SQL takes $n from args', () => {
    for (const runbook of shipped) {
      for (const step of runbook.steps) {
        if (step.kind === 'check' && step.check.type === 'sql') expect(step.check.spec.sql, `${runbook.id}/${step.id}`).not.toMatch(/\{\{/);
      }
    }
  });

  it('are found by the alert that fires and by the words of a declaration', () => {
    const catalogue = runbookCatalogue(shipped);
    expect(catalogue.match({ alertnames: ['KubePodCrashLooping'] })[0]?.id).toBe('k8s-crashloopbackoff');
    expect(catalogue.match({ alertnames: ['HighErrorRate'] })[0]?.id).toBe('api-error-rate');
    expect(catalogue.match({ text: 'Checkout: pods in CrashLoopBackOff since the deploy' }).map((r) => r.id)).toContain('k8s-crashloopbackoff');
    expect(catalogue.match({ text: 'Rent arrears: unpaid rents piling up' })[0]?.id).toBe('akig-unpaid-rents');
    // An alert several runbooks answer suggests each of them.
    expect(catalogue.match({ alertnames: ['ApplicationDown'] }).map((r) => r.id)).toEqual(expect.arrayContaining(['service-down', 'k8s-crashloopbackoff']));
  });
});

describe('AKIG business runbooks on the sample schema', () => {
  const database = `fb_akig_${process.pid}_${Date.now().toString(36)}`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(readFileSync(new URL('../fixtures/akig/schema.sql', import.meta.url), 'utf8'));
      await client.query(readFileSync(new URL('../fixtures/akig/data.sql', import.meta.url), 'utf8'));
      // The runbooks name the tables unqualified, as in the team's database.
      await client.query(`ALTER DATABASE ${database} SET search_path TO akig`);
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
  });

  async function statuses(id: string, given: Record<string, string> = {}): Promise<Record<string, { status: Status; value: string }>> {
    const runbook = byId.get(id);
    if (!runbook) throw new Error(`no runbook ${id}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const diagnostics = diagnosticsFor({ targets: { ...config.targets, postgres: [{ ...config.targets.postgres[0]!, name: 'akig', url: url.toString() }] }, diagnostics: config.diagnostics });
    const bound = bindParams(runbook, given);
    if (!bound.ok) throw new Error(bound.message);
    const out: Record<string, { status: Status; value: string }> = {};
    for (const step of runbook.steps) {
      const filled: Step = fillStep(step, bound.values);
      if (filled.kind !== 'check' || filled.check.type !== 'sql') continue;
      const built = diagnostics.custom({ kind: 'sql', ...filled.check.spec });
      if (!built.ok) throw new Error(built.message);
      const report = await runProbe(built.probe, 10_000, systemClock);
      out[step.id] = { status: worst(report.findings), value: report.findings[0]?.value ?? '' };
    }
    return out;
  }

  it('unpaid rents: more than 50 unpaid over 60 days is critical, with the problem sites and the legal cases', async () => {
    const result = await statuses('akig-unpaid-rents');
    expect(result['unpaid-late']).toEqual({ status: 'critical', value: expect.stringMatching(/^62\b/) });
    expect(result['problem-sites']?.status).toBe('critical');
    expect(result['legal-cases']?.status).toBe('critical');
    expect(result['agents-incomplete']?.status).toBe('critical');
  });

  it('unpaid rents: the days param is bound as a value, and moves the count', async () => {
    const result = await statuses('akig-unpaid-rents', { days: '59' });
    expect(result['unpaid-late']?.value).toMatch(/^64\b/);
  });

  it('agent performance: the agent below 5 is found; a good agent is ok on every per-agent check', async () => {
    const weak = await statuses('akig-agent-performance');
    expect(weak['low-scores']?.status).toBe('warning');
    expect(weak['history']?.status).toBe('critical');
    const good = await statuses('akig-agent-performance', { agent_id: 'AG01' });
    expect(good['history']?.status).toBe('ok');
    expect(good['geolocation']?.status).toBe('ok');
    expect(good['actions-today']?.status).toBe('ok');
  });

  it('the checks change nothing: row counts are the same after they ran', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const count = async () => Number((await client.query('SELECT (SELECT count(*) FROM impayes) + (SELECT count(*) FROM missions) AS n')).rows[0].n);
      const before = await count();
      await statuses('akig-unpaid-rents');
      await statuses('akig-agent-performance');
      expect(await count()).toBe(before);
    } finally {
      await client.end();
    }
  });
});
