/**
 * Start-up against a Slack that refuses the token, cannot be reached or never answers, a port
 * that is taken, a store that hangs, and `npm start` stopped the way a process manager stops it:
 * each case ends in a clear exit or in a bot that serves and says on /healthz what is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSocketModeStandIn, type SocketModeStandIn } from '../slack/socket-mode.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { descendantsOf, isAlive, runFirebreak, runNpmStart, servingPort, type Proc } from '../e2e/spawn.js';
import { startTcpProxy, type TcpProxy } from '../e2e/tcp-proxy.js';

const TOKEN = 'xoxb-startup-4242-secret';
const SECRET = 'startup-signing-secret';
// The processes keep their incidents in a schema of the test PostgreSQL: an embedded store would
// have each of them run initdb first (seconds of CPU per process), for tests about Slack and ports.
const SCHEMA = `fb_startup_${process.pid}`;
const STORE = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: SCHEMA };

let standIn: SlackStandIn;
let dir: string;
const procs: Proc[] = [];
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  standIn = await startSlackStandIn();
  dir = mkdtempSync(path.join(tmpdir(), 'fb-startup-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\n');
});
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
  standIn.reset();
});
afterAll(async () => {
  await standIn?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  } finally {
    await admin.end();
  }
});

function start(env: Record<string, string> = {}): Proc {
  const p = runFirebreak({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', ...STORE, LOG_LEVEL: 'info', ...env }, dir);
  procs.push(p);
  return p;
}

/** The exit code, or a failure naming what the process said if it has not exited within `ms`. */
async function exitWithin(p: Proc, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${p.out()}\n${p.err()}`)), ms);
  });
  try {
    return await Promise.race([p.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  // A probe's patience, generous: the answer must come, whatever hangs behind it.
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function slackThatCannotBeReached(): Promise<TcpProxy> {
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(standIn.baseUrl).port) });
  cleanups.push(() => proxy.close());
  await proxy.cut();
  return proxy;
}

describe('a bot token Slack refuses', () => {
  it.each(['invalid_auth', 'token_revoked', 'not_authed', 'account_inactive'])('%s: exits 2 naming SLACK_BOT_TOKEN, before serving', async (code) => {
    standIn.setHandler('auth.test', () => ({ ok: false, error: code }));
    const p = start();
    expect(await exitWithin(p, 60_000)).toBe(2);
    expect(p.err()).toContain(`Slack refused SLACK_BOT_TOKEN (${code})`);
    expect(p.err()).not.toMatch(/\n\s+at /);
    expect(p.out()).not.toContain('"Firebreak is serving"');
    expect(p.out() + p.err()).not.toContain(TOKEN);
  }, 120_000);

  it('in Socket Mode, an app token Slack refuses: exits 2 naming SLACK_APP_TOKEN', async () => {
    standIn.setHandler('apps.connections.open', () => ({ ok: false, error: 'invalid_auth' }));
    const p = start({ SLACK_APP_TOKEN: 'xapp-1-refused' });
    expect(await exitWithin(p, 60_000)).toBe(2);
    expect(p.err()).toContain('Slack refused SLACK_APP_TOKEN (invalid_auth)');
    expect(p.err()).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('a Slack that cannot be reached at start', () => {
  it('serves anyway: commands acknowledged, /healthz 503 "slack":"unreachable", then 200 once Slack answers', async () => {
    const proxy = await slackThatCannotBeReached();
    const p = start({ SLACK_API_URL: `http://127.0.0.1:${proxy.port}/api/` });
    const port = await servingPort(p, 60_000);

    const down = await health(port);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', store: 'ok', slack: 'unreachable' });
    expect(String(down.body.error)).toContain('slack: ECONNREFUSED');

    // Acknowledged in the HTTP answer, which needs no Web API call (Bolt used to hold it for auth.test: 404).
    const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET, standIn });
    const help = await driver.command({ command: '/incident', text: 'help' });
    expect(help.status).toBe(200);
    expect(help.text).toContain('/incident open');

    await proxy.restore();
    await expect.poll(async () => (await health(port)).status, { timeout: 45_000, interval: 500 }).toBe(200);
    expect((await health(port)).body).toMatchObject({ status: 'ok', slack: 'ok' });
    expect(p.child.exitCode).toBeNull();
    p.child.kill('SIGTERM');
    expect(await exitWithin(p, 30_000)).toBe(0);
  }, 120_000);

  it('a Slack that accepts and never answers: start-up gives up on it, serves, and recovers when it answers', async () => {
    standIn.fault('auth.test', { hang: true });
    const p = start();
    const port = await servingPort(p, 60_000);
    const down = await health(port);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ slack: 'unreachable' });
    expect(String(down.body.error)).toMatch(/slack: no answer within \d+ ms/);

    standIn.fault('auth.test', null);
    await expect.poll(async () => (await health(port)).status, { timeout: 45_000, interval: 500 }).toBe(200);
  }, 120_000);
});

describe('Socket Mode', () => {
  let socket: SocketModeStandIn | undefined;
  afterEach(async () => {
    await socket?.close();
    socket = undefined;
  });

  it('/healthz follows the WebSocket: 200 connected, 503 once it is lost, 200 again once Slack takes it back', async () => {
    socket = await startSocketModeStandIn(standIn);
    const p = start({ SLACK_APP_TOKEN: 'xapp-1-startup' });
    const port = await servingPort(p, 60_000);
    await socket.connected(30_000);
    await expect.poll(async () => (await health(port)).body.socket, { timeout: 10_000 }).toBe('connected');
    expect((await health(port)).status).toBe(200);

    // The socket goes, and for a while Slack will not hand out another (the SDK alone gives up for good on that).
    standIn.fault('apps.connections.open', { status: 500 });
    await socket.close();
    await expect.poll(async () => (await health(port)).status, { timeout: 10_000 }).toBe(503);
    expect((await health(port)).body.socket).not.toBe('connected');
    // Socket Mode's own health server answers /livez too: the process is alive, only Slack is gone.
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    await standIn.waitFor('apps.connections.open', (c) => c.status === 500, 30_000);
    standIn.fault('apps.connections.open', null);

    // Slack is back, on a new socket URL: the bot finds it by itself.
    socket = await startSocketModeStandIn(standIn);
    await socket.connected(60_000);
    await expect.poll(async () => (await health(port)).status, { timeout: 30_000, interval: 500 }).toBe(200);
    expect(p.child.exitCode).toBeNull();
  }, 120_000);
});

describe('a port already taken', () => {
  it('exits 1 at once, even while Slack cannot be reached (which used to keep the process up for 5 minutes)', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
    const proxy = await slackThatCannotBeReached();
    const p = start({ PORT: String((holder.address() as net.AddressInfo).port), SLACK_API_URL: `http://127.0.0.1:${proxy.port}/api/` });
    expect(await exitWithin(p, 60_000)).toBe(1);
    expect(p.err()).toContain('Firebreak could not start: listen EADDRINUSE');
  }, 120_000);
});

describe('a store that stops answering', () => {
  let t: AppUnderTest | undefined;
  afterAll(async () => {
    await t?.stop();
  });

  it('/healthz still answers, 503 "store":"unreachable", and 200 again once the store answers', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await startFreezingProxy({ host: target.hostname, port: Number(target.port || 5432) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    t = await startAppUnderTest({ databaseUrl: viaProxy.toString() });
    const port = t.running.port;
    expect((await health(port)).status).toBe(200);

    proxy.freeze();
    const frozen = await health(port);
    expect(frozen.status).toBe(503);
    expect(frozen.body).toMatchObject({ store: 'unreachable', slack: 'ok' });
    expect(String(frozen.body.error)).toMatch(/store: no answer within \d+ ms/);
    // Asked again while the first ping still hangs: the same answer, not a pile of pings.
    expect((await health(port)).status).toBe(503);

    proxy.thaw();
    await expect.poll(async () => (await health(port)).status, { timeout: 15_000 }).toBe(200);
  }, 120_000);
});

describe('npm start under a process manager', () => {
  it('SIGTERM to npm drains the bot, frees the port and leaves no process behind', async () => {
    const p = runNpmStart({
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: standIn.apiUrl,
      PORT: '0',
      ...STORE,
      FIREBREAK_CONFIG: path.join(dir, 'firebreak.yml'),
    });
    procs.push(p);
    const port = await servingPort(p, 60_000);
    const below = descendantsOf(p.child.pid!);
    expect(below.length).toBeGreaterThan(0);

    p.child.kill('SIGTERM');
    await exitWithin(p, 30_000);
    expect(p.out()).toContain('"shutting down"');
    expect(p.out()).toContain('"Firebreak stopped"');
    await expect.poll(() => below.filter(isAlive), { timeout: 10_000 }).toEqual([]);
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, resolve);
    });
    await new Promise((resolve) => again.close(resolve));
  }, 120_000);
});

/** A TCP proxy whose connections can be frozen: open, but nothing goes through either way (a hung server). */
async function startFreezingProxy(target: { host: string; port: number }) {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (!frozen) flow(pair);
  });
  const flow = ([client, upstream]: [net.Socket, net.Socket]) => client.pipe(upstream).pipe(client);
  const stop = ([client, upstream]: [net.Socket, net.Socket]) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      frozen = true;
      for (const pair of pairs) stop(pair);
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) flow(pair);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) for (const s of pair) s.destroy();
        server.close(() => resolve());
      }),
  };
}
