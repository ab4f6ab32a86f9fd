/**
 * Work interrupted: a process killed with SIGKILL in the middle of a declaration or of a reminder
 * post (nothing recorded is lost, nothing is done twice when another process takes over), an
 * uncaught exception or an unhandled rejection inside a running bot, and diagnostic targets that
 * hang or reset connections while other commands go on.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver, viewFromCall, type SlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { declarationValues, INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { visible } from '../e2e/flows.js';
import { runFirebreak, servingPort, type Proc } from '../e2e/spawn.js';

const SECRET = 'kill-signing-secret';
const isReminder = (text: unknown) => String(text).startsWith(':alarm_clock:');
const CRASH = new URL('./inject-crash.ts', import.meta.url).pathname;

let standIn: SlackStandIn;
let admin: pg.Client;
const procs: Proc[] = [];
const schemas: string[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  standIn = await startSlackStandIn();
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  standIn.reset();
});
afterAll(async () => {
  for (const s of schemas) await admin.query(`drop schema if exists ${s} cascade`);
  await admin?.end();
  await standIn?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function configDir(updateReminder: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-kill-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'firebreak.yml'), `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  updateReminder: ${updateReminder}\nescalation:\n  levels: []\n`);
  return dir;
}

function start(schema: string, dir: string, preload?: string): Proc {
  const p = runFirebreak(
    { SLACK_BOT_TOKEN: 'xoxb-kill', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, LOG_LEVEL: 'info' },
    dir,
    preload ? { preload } : {},
  );
  procs.push(p);
  return p;
}

async function driverFor(p: Proc): Promise<SlackDriver> {
  return createSlackDriver({ appUrl: `http://127.0.0.1:${await servingPort(p, 60_000)}`, signingSecret: SECRET, standIn });
}

async function killed(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

const newSchema = (name: string) => {
  const schema = `fb_kill_${name}_${process.pid}`;
  schemas.push(schema);
  return schema;
};

describe('SIGKILL in the middle of a declaration', () => {
  it('keeps what was recorded: the next process knows the incident, plans it, and does not declare it again', async () => {
    const schema = newSchema('declare');
    const dir = configDir('15m');
    const first = start(schema, dir);
    const driver = await driverFor(first);
    const cmd = await driver.command({ command: '/incident', text: 'open Disk full', channelId: 'C0WAR' });
    const view = viewFromCall(await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId));
    // Slack takes the posts and never answers: the declaration is stuck half-way when the process dies.
    standIn.fault('chat.postMessage', { hang: true });
    const values = declarationValues({ title: 'Disk full', severity: 'P1', impact: 'Uploads fail' });
    expect((await driver.viewSubmission({ view, values })).status).toBe(200);
    await standIn.waitFor('chat.postMessage', (c) => c.status === 0, 15_000);
    await killed(first);
    standIn.fault('chat.postMessage', null);

    const { rows } = await admin.query(`select id, title, impact from ${schema}.incidents`);
    expect(rows).toMatchObject([{ title: 'Disk full', impact: 'Uploads fail' }]);
    const second = start(schema, dir);
    const again = await driverFor(second);
    // The same submission delivered again (a double click, a retry) is the same incident.
    expect((await again.viewSubmission({ view, values })).status).toBe(200);
    const list = await again.command({ command: '/incident', text: 'list', channelId: 'C0WAR' });
    const answer = await standIn.waitForResponse((r) => r.path === new URL(list.responseUrl).pathname, 15_000);
    expect(JSON.stringify(answer.body)).toContain('INC-1');
    // Its reminder clock runs in the new process (replanned at start).
    await expect
      .poll(async () => (await admin.query(`select due_at from ${schema}.scheduled_items where incident_id = $1 and kind = 'update_reminder'`, [rows[0].id])).rows[0]?.due_at ?? null, { timeout: 15_000 })
      .not.toBeNull();
    await second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect((await admin.query(`select count(*)::int as n from ${schema}.incidents`)).rows[0].n).toBe(1);
  }, 120_000);
});

describe('SIGKILL in the middle of a reminder post', () => {
  it.each([
    { landed: false, what: 'Slack never got it' },
    { landed: true, what: 'Slack posted it, the answer was lost' },
  ])('$what: the process that takes over posts it, and only if it is not there already', async ({ landed }) => {
    const schema = newSchema(landed ? 'landed' : 'lost');
    const dir = configDir('4s');
    const first = start(schema, dir);
    const driver = await driverFor(first);
    const cmd = await driver.command({ command: '/incident', text: 'open Queue backlog' });
    const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    await driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title: 'Queue backlog', severity: 'P2' }) });
    await standIn.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('declared and announced'), 15_000);
    const { rows } = await admin.query(`select id, channel_id from ${schema}.incidents`);
    const channel = rows[0].channel_id as string;

    standIn.fault('chat.postMessage', { hang: true, deliver: landed });
    await standIn.waitFor('chat.postMessage', (c) => c.status === 0 && c.args.channel === channel && isReminder(c.args.text), 20_000);
    await killed(first);
    standIn.fault('chat.postMessage', null);
    const reminders = () => standIn.messagesIn(channel).filter((m) => isReminder(m.text));
    expect(reminders()).toHaveLength(landed ? 1 : 0);

    // The dead process's claim ends with its lease (a minute): ended here by hand, seconds after
    // the post, so that how late the item fires cannot tell the new process it was tried.
    const ended = await admin.query(`update ${schema}.scheduled_items set claimed_until = $1 where claimed_by is not null and kind = 'update_reminder'`, [new Date(Date.now() - 1000)]);
    expect(ended.rowCount).toBe(1);
    const second = start(schema, dir);
    await servingPort(second, 60_000);
    const fired = async () =>
      (await admin.query(`select fired_count from ${schema}.scheduled_items where incident_id = $1 and kind = 'update_reminder'`, [rows[0].id])).rows[0].fired_count as number;
    await expect.poll(fired, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // Every firing recorded shows once in the channel: none lost, none twice.
    expect(reminders()).toHaveLength(await fired());
  }, 240_000);
});

describe('an error nothing caught, inside a running bot', () => {
  it('an unhandled rejection is logged with what was in flight, and the bot keeps serving', async () => {
    const p = start(newSchema('rejection'), configDir('15m'), CRASH);
    const driver = await driverFor(p);
    standIn.delay('chat.postMessage', 2000);
    await declareWithoutWaiting(driver, 'Latency spike');
    p.child.kill('SIGHUP'); // inject-crash: an unhandled rejection
    await expect.poll(() => p.out(), { timeout: 10_000 }).toContain('unhandled rejection');
    const line = JSON.parse(p.out().split('\n').find((l) => l.includes('unhandled rejection'))!) as { inflight: string[]; err: { message: string } };
    expect(line.err.message).toBe('injected: a background task failed');
    expect(line.inflight).toContain('declare incident');
    const help = await driver.command({ command: '/incident', text: 'help' });
    expect(help.status).toBe(200);
    await standIn.waitFor('chat.postMessage', (c) => String(c.args.text).includes('INC-1: Latency spike'), 15_000);
    expect(p.child.exitCode).toBeNull();
  }, 120_000);

  it('an uncaught exception lets the work in flight finish, says what it was, and exits 1', async () => {
    const p = start(newSchema('uncaught'), configDir('15m'), CRASH);
    const driver = await driverFor(p);
    standIn.delay('chat.postMessage', 2000);
    await declareWithoutWaiting(driver, 'Cache stampede');
    p.child.kill('SIGUSR2'); // inject-crash: an uncaught exception
    expect(await p.exited).toBe(1);
    const fatal = JSON.parse(p.out().split('\n').find((l) => l.includes('uncaught exception'))!) as { inflight: string[]; msg: string };
    expect(fatal.inflight).toContain('declare incident');
    expect(fatal.msg).toContain('exiting 1 so that the process manager restarts it');
    // Drained before the exit: the declaration in flight was announced.
    expect(standIn.callsTo('chat.postMessage').some((c) => c.status === 200 && String(c.args.text).includes('INC-1: Cache stampede'))).toBe(true);
    expect(p.out()).toContain('"Firebreak stopped"');
  }, 120_000);
});

/** Declares and returns once the submission is acknowledged and its work has begun. */
async function declareWithoutWaiting(driver: SlackDriver, title: string): Promise<void> {
  const cmd = await driver.command({ command: '/incident', text: `open ${title}` });
  const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
  const since = standIn.calls.length;
  await driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title, severity: 'P2' }) });
  await standIn.waitFor('conversations.create', (c) => standIn.calls.indexOf(c) >= since, 15_000);
}

describe('diagnostic targets that hang or reset connections', () => {
  let t: AppUnderTest;
  let silent: net.Server;
  let resetting: net.Server;
  let halfHttp: Server;
  const listen = (s: net.Server | Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));

  const held = new Set<net.Socket>();
  beforeAll(async () => {
    // Accepts, never answers (its sockets are let go at the end, or close() would wait for them).
    silent = net.createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    resetting = net.createServer((socket) => socket.resetAndDestroy()); // accepts, then RST
    // Sends the status line and headers, then nothing: the body never ends.
    halfHttp = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    });
    const [silentPort, resetPort, halfPort] = [await listen(silent), await listen(resetting), await listen(halfHttp)];
    const yaml = [
      'incidents:',
      `  channel: ${INCIDENTS_CHANNEL}`,
      'targets:',
      '  postgres:',
      `    - { name: frozen, url: "postgres://postgres@127.0.0.1:${silentPort}/test" }`,
      `    - { name: resets, url: "postgres://postgres@127.0.0.1:${resetPort}/test" }`,
      '  http:',
      `    - { name: hung, url: "http://127.0.0.1:${silentPort}/health" }`,
      `    - { name: reset, url: "http://127.0.0.1:${resetPort}/health" }`,
      `    - { name: trickle, url: "http://127.0.0.1:${halfPort}/health" }`,
      'diagnostics:',
      '  timeout: 2s',
    ].join('\n');
    t = await startAppUnderTest({ yaml });
  });
  afterAll(async () => {
    await t?.stop();
    for (const socket of held) socket.destroy();
    halfHttp?.closeAllConnections();
    for (const s of [silent, resetting, halfHttp]) await new Promise((r) => s?.close(r));
  });

  it('/diag all answers within its timeout with each one unreachable, while other commands are answered as usual', async () => {
    const since = t.standIn.calls.length;
    const diag = await t.driver.command({ command: '/diag', text: 'all', channelId: 'C0WAR' });
    expect(diag.status).toBe(200);
    // Meanwhile, the rest of Firebreak is not waiting on those targets.
    const help = await t.driver.command({ command: '/incident', text: 'help' });
    expect(help.status).toBe(200);
    expect(help.text).toContain('/incident open');
    const list = await t.driver.command({ command: '/incident', text: 'list' });
    const listed = await t.standIn.waitForResponse((r) => r.path === new URL(list.responseUrl).pathname, 5000);
    expect(JSON.stringify(listed.body)).toContain('No open incident.');

    // The report replaces "running…", within the diagnostics timeout (2 s) plus the 2 s the README promises, and a margin.
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && visible(c).startsWith('Diagnostics all'), 15_000);
    const body = visible(report);
    expect(body).toContain('CRITICAL');
    for (const target of ['frozen (postgres)', 'resets (postgres)', 'hung (http)', 'reset (http)', 'trickle (http)']) {
      expect(body).toMatch(new RegExp(`${target.replace(/[()]/g, '\\$&')}[\\s\\S]*unreachable`));
    }
  }, 60_000);
});
