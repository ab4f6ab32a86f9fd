/**
 * `/diag` through Slack's wire format against real targets: the real PostgreSQL and Redis, a local
 * HTTP endpoint, and targets that are down (a closed port, a server that never answers).
 */
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../services.js';
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { declareIncident, responseAfter, visible } from './flows.js';
import { ROOT } from './spawn.js';

let t: AppUnderTest;
let health: Server;
let silent: net.Server;
let closedPort: number;
let yaml: string;
const listen = (s: net.Server | Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));

beforeAll(async () => {
  health = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', database: 'connected' }));
  });
  const healthPort = await listen(health);
  silent = net.createServer(() => undefined); // accepts, never answers
  const silentPort = await listen(silent);
  const closing = net.createServer();
  closedPort = await listen(closing);
  await new Promise((r) => closing.close(r));
  yaml = [
    'incidents:',
    `  channel: ${INCIDENTS_CHANNEL}`,
    'targets:',
    '  postgres:',
    `    - { name: main, url: "${TEST_DATABASE_URL}" }`,
    `    - { name: gone, url: "postgres://postgres@127.0.0.1:${closedPort}/test" }`,
    '  redis:',
    `    - { name: cache, url: "${TEST_REDIS_URL}" }`,
    '  http:',
    `    - { name: api, url: "http://127.0.0.1:${healthPort}/health", expect: { status: 200, json: { database: connected } } }`,
    `    - { name: hung, url: "http://127.0.0.1:${silentPort}/health" }`,
    'diagnostics:',
    '  timeout: 2s',
  ].join('\n');
  t = await startAppUnderTest({ yaml });
});
afterAll(async () => {
  await t?.stop();
  health?.close();
  silent?.close();
});

const settle = () => t.running.ctx.inflight.drain(15_000);

describe('/diag', () => {
  it('acknowledges at once, posts "running…", then replaces it with the report', async () => {
    const res = await t.driver.command({ command: '/diag', text: 'db main', channelId: 'C0OPS' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const running = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === 'C0OPS');
    expect(visible(running)).toContain('Running diagnostics on main (postgres)');
    const report = await t.standIn.waitFor('chat.update', (c) => c.args.ts === (running.result as { ts: string }).ts, 10_000);
    const body = visible(report);
    expect(body).toMatch(/^Diagnostics db: (OK|WARNING|CRITICAL|UNKNOWN)/);
    expect(body).toContain('main (postgres)');
    expect(body).toMatch(/checks? ok: .*reachable/);
  });

  it('finds a real blocked session and names its blocker', async () => {
    const a = new pg.Client({ connectionString: TEST_DATABASE_URL });
    const b = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await a.connect();
    await b.connect();
    const schema = `fb_diag_${process.pid}`;
    try {
      await a.query(`create schema ${schema}; create table ${schema}.orders (id int)`);
      await a.query('begin');
      await a.query(`lock table ${schema}.orders in access exclusive mode`);
      const blockerPid = (await a.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      const blocked = b.query(`select count(*) from ${schema}.orders`).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      const since = t.standIn.calls.length;
      await t.driver.command({ command: '/diag', text: 'db', channelId: 'C0OPS' });
      const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && visible(c).startsWith('Diagnostics db'), 10_000);
      expect(visible(report)).toMatch(/:red_circle: \*blocked sessions\*|:warning: \*blocked sessions\*/);
      expect(visible(report)).toContain(String(blockerPid));
      await a.query('rollback');
      await blocked;
    } finally {
      await a.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
      await a.end();
      await b.end();
    }
  });

  it('answers within the timeout plus 2 s whatever is down, with the unreachable targets critical', async () => {
    const started = Date.now();
    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/diag', text: 'all', channelId: 'C0OPS' });
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && visible(c).startsWith('Diagnostics all'), 10_000);
    expect(report.at - started).toBeLessThan(2000 + 2000);
    const body = visible(report);
    expect(body).toContain('CRITICAL');
    expect(body).toMatch(/gone \(postgres\)[\s\S]*unreachable/);
    expect(body).toMatch(/hung \(http\)[\s\S]*unreachable/);
    expect(body).toContain('cache (redis)');
    expect(body).toContain('api (http)');
  });

  it('says which targets exist when asked for one that does not', async () => {
    const before = t.standIn.responses.length;
    await t.driver.command({ command: '/diag', text: 'db nope', channelId: 'C0OPS' });
    expect(await responseAfter(t, before)).toContain('There is no PostgreSQL target \\"nope\\". Configured: main, gone.');
    const bad = await t.driver.command({ command: '/diag', text: 'logs', channelId: 'C0OPS' });
    expect(JSON.stringify(bad.json)).toContain('name the deployment');
  });

  it('alone, opens a form built from the configuration, and runs what is picked', async () => {
    const cmd = await t.driver.command({ command: '/diag', text: '', channelId: 'C0OPS' });
    const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    const view = open.args.view as { blocks: Array<Record<string, any>> };
    const target = view.blocks.find((b) => b.block_id === 'target')!;
    expect(target.element.option_groups.map((g: any) => [g.label.text, g.options.map((o: any) => o.value)])).toEqual([
      ['PostgreSQL', ['db:main', 'db:gone']],
      ['Redis', ['redis:cache']],
      ['HTTP health', ['http:api', 'http:hung']],
    ]);
    const wrong = await t.driver.viewSubmission({
      view: viewFromCall(open),
      values: { kind: { kind: { type: 'static_select', selected_option: { value: 'redis' } } }, target: { target: { type: 'static_select', selected_option: { value: 'db:main' } } } },
    });
    expect(wrong.json).toEqual({ response_action: 'errors', errors: { target: 'That target is not a redis target; pick one of its kind or leave it empty.' } });
    await t.driver.viewSubmission({ view: viewFromCall(open), values: { kind: { kind: { type: 'static_select', selected_option: { value: 'redis' } } } } });
    const report = await t.standIn.waitFor('chat.update', (c) => visible(c).startsWith('Diagnostics redis'), 10_000);
    expect(visible(report)).toContain('cache (redis)');
  });

  it('in an incident channel, puts the result on the timeline', async () => {
    const inc = await declareIncident(t, { title: 'Slow checkout', severity: 'P2' });
    await t.driver.command({ command: '/diag', text: 'http api', channelId: inc.channelId! });
    await t.standIn.waitFor('chat.update', (c) => c.args.channel === inc.channelId && visible(c).startsWith('Diagnostics http'), 10_000);
    await settle();
    const events = await t.running.ctx.store.listTimeline(inc.incidentId);
    const run = events.find((e) => e.kind === 'diagnostic_run');
    expect(run?.data).toMatchObject({ name: 'http api (http)', summary: expect.stringMatching(/^OK: \d+ ok/) });
  });
});

describe('firebreak diag (command line)', () => {
  function cli(args: string[], configYaml: string): Promise<{ code: number | null; out: string; err: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-cli-'));
    writeFileSync(path.join(dir, 'firebreak.yml'), configYaml);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/firebreak.mjs'), ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, out, err });
      });
    });
  }

  it('prints the report and exits by the worst status; --json for scripts; 3 for bad usage', async () => {
    const ok = await cli(['diag', 'http', '--target', 'api'], yaml);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('## api (http): ok');
    const down = await cli(['diag', 'db', '--target', 'gone', '--json'], yaml);
    expect(down.code).toBe(2);
    const json = JSON.parse(down.out) as { status: string; reports: Array<{ target: string; findings: Array<{ status: string; value: string }> }> };
    expect(json.status).toBe('critical');
    expect(json.reports[0]!.findings[0]!.value).toMatch(/^unreachable: /);
    const usage = await cli(['diag', 'mysql'], yaml);
    expect(usage.code).toBe(3);
    expect(usage.err).toContain('unknown diagnostic "mysql"');
  });
});
