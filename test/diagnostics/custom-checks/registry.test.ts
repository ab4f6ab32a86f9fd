/**
 * `diagnosticsFor(config).custom(check)`: the kind that runs each check, the target it runs on
 * (the first of the kind, or the one named), and the messages when it cannot run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnosticsFor, targetsSchema } from '../../../src/adapters/targets/registry.js';
import type { Diagnostics } from '../../../src/ports.js';
import { closedPort, context, json, startHttp, type Running } from '../http/servers.js';
import { scalar, startStandIn, type StandIn } from '../prometheus/prometheus-stand-in.js';
import { TEST_DATABASE_URL } from '../postgres/helpers.js';
import { httpCheck, promqlCheck, sqlCheck } from './checks.js';

let prom1: StandIn;
let prom2: StandIn;
let api: Running;
let other: Running;
let diagnostics: Diagnostics;
let deadPort: number;

beforeAll(async () => {
  [prom1, prom2] = await Promise.all([startStandIn(), startStandIn()]);
  prom1.answers.set('up', { status: 200, body: scalar('1') });
  prom2.answers.set('up', { status: 200, body: scalar('2') });
  api = await startHttp((_req, res) => json(res, 200, { who: 'api' }));
  other = await startHttp((_req, res) => json(res, 200, { who: 'other' }));
  deadPort = await closedPort();
  const targets = targetsSchema.parse({
    postgres: [
      { name: 'main', url: TEST_DATABASE_URL },
      { name: 'replica', url: `postgres://postgres@127.0.0.1:${deadPort}/test` },
    ],
    prometheus: [
      { name: 'prom1', url: prom1.url, checks: [] },
      { name: 'prom2', url: prom2.url, checks: [] },
    ],
    http: [
      { name: 'api', url: `${api.url}/healthz` },
      { name: 'other', url: `${other.url}/healthz` },
    ],
  });
  diagnostics = diagnosticsFor({ targets, diagnostics: { timeout: 5000 } });
});

afterAll(async () => {
  await Promise.all([prom1.close(), prom2.close(), api.close(), other.close()]);
});

function probeOf(result: ReturnType<Diagnostics['custom']>) {
  if (!result.ok) throw new Error(result.message);
  return result.probe;
}

async function runOf(result: ReturnType<Diagnostics['custom']>) {
  const ctx = context(3000);
  try {
    return await probeOf(result).run(ctx);
  } finally {
    ctx.dispose();
  }
}

describe('Diagnostics.custom', () => {
  it('sql runs on PostgreSQL: the first target when none (or "") is named, else the one named', async () => {
    for (const target of [undefined, '']) {
      const result = diagnostics.custom(sqlCheck({ sql: 'SELECT 41 + 1', warn: 100, critical: 200, ...(target === undefined ? {} : { target }) }));
      expect(probeOf(result)).toMatchObject({ kind: 'postgres', target: 'main' });
      expect(await runOf(result)).toEqual([expect.objectContaining({ component: 'main', status: 'ok', value: '42' })]);
    }
    const replica = diagnostics.custom(sqlCheck({ sql: 'SELECT 1', warn: 100, critical: 200, target: 'replica' }));
    expect(probeOf(replica).target).toBe('replica');
    expect(await runOf(replica)).toEqual([expect.objectContaining({ check: 'reachable', component: 'replica', status: 'critical', value: `unreachable: connection refused by 127.0.0.1:${deadPort}` })]);
  });

  it('promql runs on Prometheus, on the target named', async () => {
    expect(await runOf(diagnostics.custom(promqlCheck({ promql: 'up', warn: 5, critical: 9 })))).toEqual([expect.objectContaining({ component: 'prom1', value: '1' })]);
    const second = diagnostics.custom(promqlCheck({ promql: 'up', warn: 5, critical: 9, target: 'prom2' }));
    expect(probeOf(second)).toMatchObject({ kind: 'prometheus', target: 'prom2' });
    expect(await runOf(second)).toEqual([expect.objectContaining({ component: 'prom2', value: '2' })]);
  });

  it('http runs on an HTTP target, the path on its host; the target may be named by its URL too', async () => {
    const first = await runOf(diagnostics.custom(httpCheck({ http: { path: '/who', expect: { json: { who: 'api' } } } })));
    expect(first.map((f) => f.status)).toEqual(['ok', 'ok']);
    expect(api.requests.at(-1)).toBe('/who');
    const named = diagnostics.custom(httpCheck({ target: 'other', http: { path: '/who', expect: { json: { who: 'other' } } } }));
    expect(probeOf(named)).toMatchObject({ kind: 'http', target: 'other' });
    expect((await runOf(named)).map((f) => f.status)).toEqual(['ok', 'ok']);
    expect(probeOf(diagnostics.custom(httpCheck({ target: `${other.url}/healthz`, http: { path: '/who' } }))).target).toBe('other');
  });

  it('an unknown target name: a message naming the configured ones', () => {
    expect(diagnostics.custom(sqlCheck({ sql: 'SELECT 1', warn: 1, critical: 2, target: 'nope' }))).toEqual({ ok: false, message: 'There is no PostgreSQL target "nope". Configured: main, replica.' });
    expect(diagnostics.custom(promqlCheck({ promql: 'up', warn: 1, critical: 2, target: 'prom3' }))).toEqual({ ok: false, message: 'There is no Prometheus target "prom3". Configured: prom1, prom2.' });
    expect(diagnostics.custom(httpCheck({ target: 'web', http: { path: '/' } }))).toEqual({ ok: false, message: 'There is no HTTP target "web". Configured: api, other.' });
  });

  it('no target of the kind configured, or a path that leaves the target: a message, no probe', () => {
    const none = diagnosticsFor({ targets: targetsSchema.parse({}), diagnostics: { timeout: 5000 } });
    expect(none.custom(sqlCheck({ sql: 'SELECT 1', warn: 1, critical: 2 }))).toEqual({ ok: false, message: 'No PostgreSQL target is configured: add one under targets.postgres in the configuration.' });
    expect(none.custom(promqlCheck({ promql: 'up', warn: 1, critical: 2 }))).toMatchObject({ ok: false, message: expect.stringContaining('targets.prometheus') });
    const away = diagnostics.custom(httpCheck({ http: { path: `//127.0.0.1:${other.port}/who` } }));
    expect(away.ok).toBe(false);
    expect(!away.ok && away.message).toMatch(/leads away from the HTTP target "api"/);
  });
});
