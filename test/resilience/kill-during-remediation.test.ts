/**
 * A Firebreak process killed with SIGKILL while an approved action runs: the request's execution
 * lease ends, the other process sharing the store marks it interrupted (once), audits it, shows it
 * on the approval message without buttons, and never runs the action again. The action is a
 * VACUUM (ANALYZE) of a table the test holds an ACCESS EXCLUSIVE lock on, so it blocks until the
 * process is gone. The lease is 3 seconds here (remediation.executionLease), not minutes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { REMEDIATION_APPLICATION_NAME } from '../../src/adapters/targets/postgres/actions/session.js';
import { TEST_DATABASE_URL } from '../services.js';
import { visible } from '../e2e/flows.js';
import { runFirebreak, servingPort, type Proc } from '../e2e/spawn.js';

const SECRET = 'kill-remediation-secret';
const TARGET_DB = `fb_kill_rem_${process.pid}`;
const SCHEMA = `fb_kill_rem_${process.pid}`;
const CHANNEL = 'C0OPS';
const INTERRUPTED = ':warning: Interrupted: Firebreak stopped while it ran; check the target before asking again';
const targetUrl = (() => {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${TARGET_DB}`;
  return u.toString();
})();

let standIn: SlackStandIn;
let root: pg.Client;
let target: pg.Client;
let dir: string | undefined;
const bots: Proc[] = [];

beforeAll(async () => {
  root = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await root.connect();
  await root.query(`drop database if exists ${TARGET_DB} with (force)`);
  await root.query(`create database ${TARGET_DB}`);
  target = new pg.Client({ connectionString: targetUrl });
  await target.connect();
  await target.query('create table orders (id int primary key, note text) with (autovacuum_enabled = false)');
  await target.query("insert into orders select g, 'n' from generate_series(1, 100) g");
  standIn = await startSlackStandIn();
});

afterAll(async () => {
  for (const b of bots) if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.exited));
  await target?.query('rollback').catch(() => undefined);
  await target?.end();
  await standIn?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await root.query(`drop schema if exists ${SCHEMA} cascade`);
  await root.query(`drop database if exists ${TARGET_DB} with (force)`);
  await root.end();
});

/** The remediation sessions of the target database waiting for a lock: an action blocked on the test's lock. */
const blockedActions = async (): Promise<number[]> =>
  (await root.query(
    `select pid from pg_stat_activity where datname = $1 and application_name = $2 and wait_event_type = 'Lock' order by pid`,
    [TARGET_DB, REMEDIATION_APPLICATION_NAME],
  )).rows.map((r) => r.pid as number);

describe('SIGKILL while an approved action runs', () => {
  it('leaves it to the other process: interrupted once, audited, shown without buttons, the target not touched again', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-kill-rem-'));
    writeFileSync(
      path.join(dir, 'firebreak.yml'),
      [
        'incidents:', '  channel: C0INCIDENTS',
        'targets:', '  postgres:', `    - { name: main, url: "${targetUrl}" }`,
        'approvals:', '  approvers: [U0BOB]',
        'remediation:', '  allow: { postgres: [main] }', '  executionLease: 3s',
      ].join('\n'),
    );
    const env = { SLACK_BOT_TOKEN: 'xoxb-kill-rem', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'info' };
    bots.push(runFirebreak(env, dir));
    const portA = await servingPort(bots[0]!, 60_000); // the first one migrates; the second starts on a ready schema
    bots.push(runFirebreak(env, dir));
    await servingPort(bots[1]!, 60_000);
    const [runner, other] = bots as [Proc, Proc];
    const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${portA}`, signingSecret: SECRET, standIn });

    await driver.command({ command: '/remediate', text: 'pg.vacuum-analyze public.orders', channelId: CHANNEL, userId: 'U0DAVE' });
    const message = await standIn.waitFor('chat.postMessage', (c) => String(c.args.text).startsWith('Remediation pg.vacuum-analyze'), 20_000);
    const ts = (message.result as { ts: string }).ts;
    const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
    const requestId = approve.value as string;

    // The table is locked from here on: the action blocks inside its run until the lock goes.
    await target.query('begin');
    await target.query('lock table orders in access exclusive mode');
    await driver.blockAction({ actionId: approve.action_id, value: requestId, userId: 'U0BOB', channelId: CHANNEL, message: { ts } });
    await expect.poll(blockedActions, { timeout: 20_000 }).toHaveLength(1);
    const orphan = await blockedActions();
    const status = async () => (await root.query(`select status from ${SCHEMA}.remediation_requests where id = $1`, [requestId])).rows[0]?.status as string;
    expect(await status()).toBe('running');

    runner.child.kill('SIGKILL');
    await runner.exited;

    // The lease (3 s) ends without its runner; the other process's sweep takes over.
    await expect.poll(status, { timeout: 30_000 }).toBe('interrupted');
    const audited = async () =>
      (await root.query(`select event, actor_id from ${SCHEMA}.remediation_audit where request_id = $1 order by id`, [requestId])).rows as Array<{ event: string; actor_id: string }>;
    // The sweep marks the request and writes its audit entry in one statement: seen interrupted, it is audited.
    expect(await audited()).toEqual([
      { event: 'requested', actor_id: 'U0DAVE' },
      { event: 'approved', actor_id: 'U0BOB' },
      { event: 'started', actor_id: 'U0BOB' },
      { event: 'interrupted', actor_id: 'firebreak' },
    ]);
    const shownNow = () => standIn.world.message(CHANNEL, ts) ?? {};
    await expect.poll(() => visible({ method: 'shown', args: shownNow(), token: undefined, at: 0, status: 200, result: undefined }), { timeout: 15_000 }).toContain(INTERRUPTED);
    expect((shownNow().blocks as Array<{ type: string }>).some((b) => b.type === 'actions')).toBe(false);
    expect(String(shownNow().text)).toContain('Interrupted');

    // Nothing ran it again: the only session blocked on the table is still the dead runner's.
    expect(await blockedActions()).toEqual(orphan);
    await target.query('commit');
    other.child.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    // The dead runner's session gave up at the lock; nobody vacuumed the table, then or since.
    await expect.poll(blockedActions, { timeout: 15_000 }).toEqual([]);
    const stats = (await target.query("select vacuum_count::int as v, analyze_count::int as a from pg_stat_user_tables where relname = 'orders'")).rows[0];
    expect(stats).toEqual({ v: 0, a: 0 });
    expect(await audited()).toHaveLength(4);
    expect(await status()).toBe('interrupted');
    expect(other.out()).not.toMatch(/"level":50/);
  }, 180_000);
});
