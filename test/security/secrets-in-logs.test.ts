/**
 * Firebreak run as an operator runs it, with every kind of credential configured: the Slack bot
 * token, signing secret and app token, a PostgreSQL role's password, a Redis password, a PagerDuty
 * routing key, passwords inside HTTP, Prometheus and Alertmanager URLs. After an incident, a page
 * and a /diag of every target, at the most talkative log level, none of them appears in any line
 * the process wrote, in any form it could take (as written, URL-encoded, as a Basic credential).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startHttp, type Running } from '../diagnostics/http/servers.js';
import { vector } from '../diagnostics/prometheus/prometheus-stand-in.js';
import { startRedis, type TestRedis } from '../diagnostics/redis/redis-server.js';
import { declarationValues } from '../e2e/app-under-test.js';
import { visible } from '../e2e/flows.js';
import { runFirebreak, servingPort, type Proc } from '../e2e/spawn.js';
import { TEST_DATABASE_URL } from '../services.js';
import { createSlackDriver, viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { startSocketModeStandIn, type SocketModeStandIn } from '../slack/socket-mode.js';
import { newTriggerId, startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';

const run = randomBytes(4).toString('hex');
const SECRETS = {
  botToken: `xoxb-4242-${run}-bot-token-secret`,
  signingSecret: `signing-${run}-f00dcafe`,
  appToken: `xapp-1-A0FB-${run}-app-token-secret`,
  // Characters that must be escaped in a URL: the secret then has two written forms.
  pgPassword: `pg/pass@${run}`,
  redisPassword: `redis-pass-${run}`,
  routingKey: `R0UT1NGKEY${run}${run}abcdef01234567`,
  httpPassword: `http-pass-${run}`,
  promPassword: `prom-pass-${run}`,
  alertmanagerPassword: `am-pass-${run}`,
};
const ROLE = `fb_secrets_${run}`;
const SCHEMA = `fb_secrets_${run}`;
const INCIDENTS = 'C0INCIDENTS';

/** Every way a secret could be written out: as is, URL-encoded, and as HTTP Basic credentials. */
function forms(): string[] {
  const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
  return [
    ...Object.values(SECRETS),
    encodeURIComponent(SECRETS.pgPassword),
    basic('probe', SECRETS.httpPassword),
    basic('prom', SECRETS.promPassword),
    basic('am', SECRETS.alertmanagerPassword),
  ];
}

/** An HTTP server that answers only requests carrying its Basic credentials (401 otherwise). */
async function guarded(user: string, password: string, answer: (url: URL, res: http.ServerResponse) => void): Promise<Running & { authorized: () => number }> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  let authorized = 0;
  const server = await startHttp((req, res) => {
    if (req.headers.authorization !== expected) return json(res, 401, { error: 'unauthorized' });
    authorized += 1;
    answer(new URL(req.url ?? '/', 'http://guarded'), res);
  });
  const withCredentials = new URL(server.url);
  withCredentials.username = user;
  withCredentials.password = password;
  return { ...server, url: withCredentials.toString().replace(/\/$/, ''), authorized: () => authorized };
}

/** PagerDuty refusing the event and quoting the routing key back, as an error body may. */
async function echoingPagerDuty(): Promise<{ url: string; keys: string[]; close(): Promise<void> }> {
  const keys: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const key = String((JSON.parse(raw) as { routing_key?: unknown }).routing_key);
      keys.push(key);
      json(res, 400, { status: 'invalid event', message: 'Event object is invalid', errors: [`routing_key ${key} is not a known integration`] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`,
    keys,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let standIn: SlackStandIn;
let admin: pg.Client;
let redis: TestRedis;
let health: Awaited<ReturnType<typeof guarded>>;
let prometheus: Awaited<ReturnType<typeof guarded>>;
let alertmanager: Awaited<ReturnType<typeof guarded>>;
let pagerDuty: Awaited<ReturnType<typeof echoingPagerDuty>>;
let dir: string;
let databaseUrl: string;
const procs: Proc[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  const { database } = await admin.query<{ database: string }>('select current_database() as database').then((r) => r.rows[0]!);
  // Trust authentication lets the role in whatever the password; Firebreak still has to hold it.
  await admin.query(`create role ${ROLE} login password '${SECRETS.pgPassword}'`);
  await admin.query(`grant pg_monitor to ${ROLE}`);
  await admin.query(`grant create on database ${database} to ${ROLE}`);
  await admin.query(`create schema ${SCHEMA} authorization ${ROLE}`);
  const url = new URL(TEST_DATABASE_URL);
  url.username = ROLE;
  url.password = encodeURIComponent(SECRETS.pgPassword);
  databaseUrl = url.toString();

  standIn = await startSlackStandIn();
  redis = await startRedis(['--requirepass', SECRETS.redisPassword]);
  health = await guarded('probe', SECRETS.httpPassword, (_u, res) => json(res, 200, { status: 'ok', database: 'connected' }));
  prometheus = await guarded('prom', SECRETS.promPassword, (_u, res) => json(res, 200, vector([])));
  alertmanager = await guarded('am', SECRETS.alertmanagerPassword, (_u, res) => json(res, 200, []));
  pagerDuty = await echoingPagerDuty();

  dir = mkdtempSync(path.join(tmpdir(), 'fb-secrets-'));
  writeFileSync(
    path.join(dir, 'firebreak.yml'),
    [
      'incidents:',
      `  channel: ${INCIDENTS}`,
      '  severities:',
      '    P1: { responseTime: 1s }',
      'escalation:',
      '  responseDeadline: { notify: [S0ONCALL], pagerduty: "${PAGERDUTY_ROUTING_KEY}" }',
      '  levels: []',
      `  pagerduty: { url: "${pagerDuty.url}", timeout: 2s }`,
      'targets:',
      '  postgres: [{ name: main, url: "${PG_TARGET_URL}" }]',
      `  redis: [{ name: cache, url: "redis://:\${REDIS_PASSWORD}@127.0.0.1:${redis.port}" }]`,
      '  http: [{ name: api, url: "${HEALTH_URL}/health", expect: { status: 200, json: { database: connected } } }]',
      '  prometheus:',
      '    - name: prom',
      '      url: "${PROM_URL}"',
      `      alertmanager: "${alertmanager.url}"`,
      '      checks: [{ name: targets down, query: "up == 0" }]',
      'diagnostics: { timeout: 3s }',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  if (dir) rmSync(dir, { recursive: true, force: true });
  await Promise.all([standIn?.close(), redis?.stop(), health?.close(), prometheus?.close(), alertmanager?.close(), pagerDuty?.close()]);
  if (admin) {
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [ROLE]);
    await admin.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin.query(`drop owned by ${ROLE}`).catch(() => undefined);
    await admin.query(`drop role if exists ${ROLE}`);
    await admin.end();
  }
});

function start(extra: Record<string, string> = {}): Proc {
  const p = runFirebreak(
    {
      SLACK_BOT_TOKEN: SECRETS.botToken,
      SLACK_SIGNING_SECRET: SECRETS.signingSecret,
      SLACK_API_URL: standIn.apiUrl,
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: SCHEMA,
      LOG_LEVEL: 'trace',
      PAGERDUTY_ROUTING_KEY: SECRETS.routingKey,
      PG_TARGET_URL: databaseUrl,
      REDIS_PASSWORD: SECRETS.redisPassword,
      HEALTH_URL: health.url,
      PROM_URL: prometheus.url,
      ...extra,
    },
    dir,
  );
  procs.push(p);
  return p;
}

/** Stops the process and returns everything it wrote. */
async function stopped(p: Proc): Promise<string> {
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
  return `${p.out()}\n${p.err()}`;
}

function expectNoSecret(text: string): void {
  const found = forms().filter((secret) => text.includes(secret));
  expect(found).toEqual([]);
}

describe('secrets never reach the logs', () => {
  it('over HTTP: an incident, its page, and a /diag of every target', async () => {
    const p = start();
    const port = await servingPort(p);
    const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRETS.signingSecret, standIn });

    const cmd = await driver.command({ command: '/incident', text: 'open Checkout down' });
    const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    await driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title: 'Checkout down', severity: 'P1' }) });
    await standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS && String(c.args.text).includes('Checkout down'), 10_000);
    // Nobody acknowledges within 1 s: the page goes out, PagerDuty refuses it quoting the key, Firebreak reports it.
    await standIn.waitFor('chat.postMessage', (c) => c.args.channel === INCIDENTS && /PagerDuty/.test(String(c.args.text)), 15_000);
    expect(pagerDuty.keys).toContain(SECRETS.routingKey);

    const reports: Record<string, string> = {};
    for (const kind of ['db', 'redis', 'http', 'prom']) {
      const since = standIn.calls.length;
      await driver.command({ command: '/diag', text: kind, channelId: 'C0OPS' });
      const report = await standIn.waitFor('chat.update', (c) => standIn.calls.indexOf(c) >= since && visible(c).startsWith(`Diagnostics ${kind}`), 15_000);
      reports[kind] = visible(report);
    }
    // Each target was reached with its credentials: the secrets were in use, not just configured.
    expect(reports.redis).not.toMatch(/unreachable|NOAUTH|WRONGPASS/);
    expect(health.authorized()).toBeGreaterThan(0);
    expect(prometheus.authorized()).toBeGreaterThan(0);
    expect(alertmanager.authorized()).toBeGreaterThan(0);
    expect(reports.db).toMatch(/reachable/);

    const logs = await stopped(p);
    expect(logs.split('\n').filter(Boolean).length).toBeGreaterThan(50);
    expect(logs).toContain('[redacted]');
    expectNoSecret(logs);
    // Nor in what Firebreak posted to Slack (the reports, the PagerDuty failure).
    expectNoSecret(JSON.stringify(standIn.calls.map((c) => c.args)));
  });

  it('over Socket Mode, with the app token', async () => {
    let socket: SocketModeStandIn | undefined = await startSocketModeStandIn(standIn);
    try {
      const p = start({ SLACK_APP_TOKEN: SECRETS.appToken });
      await socket.connected(30_000);
      expect(standIn.callsTo('apps.connections.open').at(-1)?.token).toBe(SECRETS.appToken);
      const command = (name: string, text: string) => ({
        token: 'verification-token', team_id: 'T0TEST', team_domain: 'firebreak', channel_id: 'C0OPS', channel_name: 'ops',
        user_id: 'U0ALICE', user_name: 'alice', command: name, text, api_app_id: 'A0FIREBREAK',
        response_url: standIn.responseUrl(), trigger_id: newTriggerId(),
      });
      const help = await socket.send('slash_commands', command('/incident', 'help'), 10_000);
      expect(JSON.stringify(help.payload)).toContain('/incident open');
      const since = standIn.calls.length;
      await socket.send('slash_commands', command('/diag', 'redis'), 10_000);
      await standIn.waitFor('chat.update', (c) => standIn.calls.indexOf(c) >= since && visible(c).startsWith('Diagnostics redis'), 15_000);
      await socket.close();
      socket = undefined;
      expectNoSecret(await stopped(p));
    } finally {
      await socket?.close();
    }
  });
});
