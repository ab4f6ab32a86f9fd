/** Approve clicks spread over two Firebreak processes on one store: the action runs once. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { runFirebreak, servingPort, type Proc } from './spawn.js';

const SECRET = 'remediation-replicas-secret';
const DB = `fb_rem_replicas_${process.pid}`;
const SCHEMA = `fb_rem_replicas_${process.pid}`;
const dbUrl = (() => {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${DB}`;
  return u.toString();
})();

let standIn: SlackStandIn;
let root: pg.Client;
const bots: Proc[] = [];

beforeAll(async () => {
  root = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await root.connect();
  await root.query(`drop database if exists ${DB}`);
  await root.query(`create database ${DB}`);
  standIn = await startSlackStandIn();
});
let dir: string | undefined;
afterAll(async () => {
  for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.exited));
  if (dir) rmSync(dir, { recursive: true, force: true });
  await standIn?.close();
  await root.query(`drop schema if exists ${SCHEMA} cascade`);
  await root.query(`drop database if exists ${DB} with (force)`);
  await root.end();
});

describe('two bot processes', () => {
  it('run an action approved by 20 simultaneous clicks split between them exactly once', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-rem-replicas-'));
    writeFileSync(
      path.join(dir, 'firebreak.yml'),
      ['incidents:', '  channel: C0INCIDENTS', 'targets:', '  postgres:', `    - { name: main, url: "${dbUrl}" }`, 'approvals:', '  approvers: [U0BOB, U0ALICE]', 'remediation:', '  allow: { postgres: [main] }'].join('\n'),
    );
    const env = { SLACK_BOT_TOKEN: 'xoxb-rem', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'info' };
    bots.push(runFirebreak(env, dir));
    const portA = await servingPort(bots[0]!); // the first one migrates; the second starts on a ready schema
    bots.push(runFirebreak(env, dir));
    const portB = await servingPort(bots[1]!);
    const [a, b] = [portA, portB].map((port) => createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET, standIn }));

    const sleeper = new pg.Client({ connectionString: dbUrl });
    await sleeper.connect();
    sleeper.on('error', () => undefined);
    const pid = (await sleeper.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const sleeping = sleeper.query('select pg_sleep(60)').catch((err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 300));

    await a!.command({ command: '/remediate', text: `pg.cancel ${pid}`, channelId: 'C0OPS', userId: 'U0DAVE' });
    const message = await standIn.waitFor('chat.postMessage', (c) => String(c.args.text).startsWith(`Remediation pg.cancel ${pid}`), 15_000);
    const approve = (message.args.blocks as Array<Record<string, any>>).find((x) => x.type === 'actions')!.elements[0];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a! : b!).blockAction({ actionId: approve.action_id, value: approve.value, userId: i % 4 < 2 ? 'U0BOB' : 'U0ALICE', channelId: 'C0OPS', message: { ts: (message.result as { ts: string }).ts } }),
      ),
    );
    await expect.poll(async () => (await root.query(`select status from ${SCHEMA}.remediation_requests`)).rows[0]?.status, { timeout: 20_000 }).toMatch(/succeeded|failed/);
    // The outcome's audit row is written just after the status: wait for it, then count everything.
    await expect.poll(async () => (await root.query(`select count(*)::int as n from ${SCHEMA}.remediation_audit where request_id = $1 and event in ('succeeded', 'failed')`, [approve.value])).rows[0].n, { timeout: 10_000 }).toBeGreaterThan(0);
    const events = (await root.query(`select event from ${SCHEMA}.remediation_audit where request_id = $1`, [approve.value])).rows.map((r) => r.event as string);
    expect(events.filter((e) => e === 'approved')).toHaveLength(1);
    expect(events.filter((e) => e === 'started')).toHaveLength(1);
    expect(events.filter((e) => e === 'succeeded' || e === 'failed')).toHaveLength(1);
    expect(await sleeping).toMatch(/canceling statement due to user request/);
    await sleeper.end();
  });
});
