/**
 * Remediation through Slack: previewed, approved by the right people, executed once, verified,
 * audited. Against the real PostgreSQL and Redis.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../services.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { responseAfter, visible } from './flows.js';

let t: AppUnderTest;
let admin: pg.Client;
const OPS = 'C0OPS';
/**
 * A database of its own: pg.terminate-long acts on every long query of the target's database,
 * and other test files run queries in the shared one at the same time.
 */
const DB = `fb_remediation_${process.pid}`;
const dbUrl = (() => {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${DB}`;
  return u.toString();
})();

beforeAll(async () => {
  const root = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await root.connect();
  await root.query(`drop database if exists ${DB}`);
  await root.query(`create database ${DB}`);
  await root.end();
  t = await startAppUnderTest({
    yaml: [
      'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
      'targets:',
      '  postgres:',
      `    - { name: main, url: "${dbUrl}" }`,
      `    - { name: other, url: "${dbUrl}" }`,
      '  redis:',
      `    - { name: cache, url: "${TEST_REDIS_URL}" }`,
      'approvals:',
      '  approvers: [U0ALICE, U0BOB, S0SRE]',
      '  expiresAfter: 10m',
      'remediation:',
      '  allow: { postgres: [main], redis: [cache] }',
    ].join('\n'),
  });
  t.standIn.setHandler('usergroups.users.list', (args) => ({ users: args.usergroup === 'S0SRE' ? ['U0CAROL'] : [] }));
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.stop();
  const root = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await root.connect();
  await root.query(`drop database if exists ${DB} with (force)`);
  await root.end();
});

const settle = () => t.running.ctx.inflight.drain(30_000);

/** Asks, and returns the approval message Firebreak posted (with the request id on its buttons). */
async function ask(text: string, userId = 'U0DAVE'): Promise<{ message: ApiCall; requestId: string }> {
  const since = t.standIn.calls.length;
  const replies = t.standIn.responses.length;
  await t.driver.command({ command: '/remediate', text, channelId: OPS, userId });
  const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === OPS && String(c.args.text).startsWith('Remediation'), 10_000);
  // The requester's own confirmation comes last; later replies are the clicks'.
  expect(await responseAfter(t, replies, 10_000)).toContain('Asked for approval');
  const actions = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!;
  return { message, requestId: actions.elements[0].value as string };
}

async function click(action: 'remediation_approve' | 'remediation_reject', requestId: string, userId: string, ts: string): Promise<string> {
  const before = t.standIn.responses.length;
  await t.driver.blockAction({ actionId: action, value: requestId, userId, channelId: OPS, message: { ts } });
  return responseAfter(t, before, 30_000);
}

const auditEvents = async (requestId: string) =>
  (await admin.query(`select event, actor_id from ${t.schema}.remediation_audit where request_id = $1 order by id`, [requestId])).rows.map((r) => `${r.event}:${r.actor_id}`);

describe('pg.terminate through Slack', () => {
  it('previews, refuses the wrong people, runs once approved, verifies, and audits every step', async () => {
    const blocker = new pg.Client({ connectionString: dbUrl });
    await blocker.connect();
    blocker.on('error', () => undefined);
    const schema = `fb_rem_${process.pid}`;
    await blocker.query(`create schema ${schema}; create table ${schema}.orders (id int)`);
    await blocker.query('begin');
    await blocker.query(`lock table ${schema}.orders in access exclusive mode`);
    const pid = (await blocker.query('select pg_backend_pid() as pid')).rows[0].pid as number;

    const { message, requestId } = await ask(`pg.terminate ${pid}`);
    const ts = (message.result as { ts: string }).ts;
    const body = visible(message);
    expect(body).toContain(`pg.terminate ${pid}`);
    expect(body).toContain(String(pid));
    const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
    expect(approve).toMatchObject({ style: 'danger', confirm: { style: 'danger', confirm: { text: 'Approve' } } });

    expect(await click('remediation_approve', requestId, 'U0EVE', ts)).toContain('Only approvers can approve');
    expect(await click('remediation_approve', requestId, 'U0BOB', ts)).toContain('Done');
    await settle();
    const final = t.standIn.callsTo('chat.update').filter((c) => c.args.ts === ts).at(-1)!;
    expect(visible(final)).toContain(':white_check_mark: Done');
    expect(visible(final)).toContain('<@U0BOB>');
    expect(JSON.stringify(final.args.blocks)).not.toContain('remediation_approve');
    const gone = await admin.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid]);
    expect(gone.rows[0].n).toBe(0);
    expect(await auditEvents(requestId)).toEqual(['requested:U0DAVE', 'refused:U0EVE', 'approved:U0BOB', 'started:U0BOB', 'succeeded:U0BOB']);
    expect(await click('remediation_approve', requestId, 'U0ALICE', ts)).toContain('It already ran (succeeded).');
    await blocker.end().catch(() => undefined);
  });

  it('refuses, with the reason, what cannot be asked: bad arguments, unknown actions, targets outside the allow-list', async () => {
    const asked = async (text: string) => {
      const before = t.standIn.responses.length;
      const res = await t.driver.command({ command: '/remediate', text, channelId: OPS, userId: 'U0DAVE' });
      return res.json ? JSON.stringify(res.json) : responseAfter(t, before, 10_000);
    };
    expect(await asked('pg.terminate abc')).toMatch(/pg\.terminate/);
    expect(await asked('pg.nuke 1')).toContain('There is no action \\"pg.nuke\\"');
    expect(await asked('pg.terminate 1 --target other')).toContain('Target \\"other\\" is not in remediation.allow.postgres');
    const refusedCount = (await admin.query(`select count(*)::int as n from ${t.schema}.remediation_audit where event = 'refused' and actor_id = 'U0DAVE'`)).rows[0].n;
    expect(refusedCount).toBeGreaterThanOrEqual(3);
  });
});

describe('from a diagnostic finding', () => {
  it('the "Terminate blocker" button of /diag db opens the approval flow, and runs nothing by itself', async () => {
    const blocker = new pg.Client({ connectionString: dbUrl });
    const waiter = new pg.Client({ connectionString: dbUrl });
    await blocker.connect();
    await waiter.connect();
    blocker.on('error', () => undefined);
    waiter.on('error', () => undefined);
    await blocker.query('create table if not exists locked_orders (id int)');
    await blocker.query('begin');
    await blocker.query('lock table locked_orders in access exclusive mode');
    const pid = (await blocker.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    void waiter.query('select count(*) from locked_orders').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));

    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/diag', text: 'db main', channelId: OPS, userId: 'U0DAVE' });
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Diagnostics db'), 15_000);
    const button = (report.args.blocks as Array<Record<string, any>>).filter((b) => b.type === 'actions').flatMap((b) => b.elements).find((e: any) => e.text.text === `Terminate blocker ${pid}`);
    expect(button).toBeDefined();
    const before = t.standIn.calls.length;
    await t.driver.blockAction({ actionId: button.action_id, value: button.value, userId: 'U0DAVE', channelId: OPS, message: { ts: report.args.ts as string } });
    const approval = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= before && String(c.args.text).startsWith(`Remediation pg.terminate ${pid}`), 10_000);
    expect(visible(approval)).toContain('Waiting for approval');
    // Nothing ran: the blocker is still there.
    expect((await admin.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid])).rows[0].n).toBe(1);
    await blocker.query('rollback');
    await blocker.end();
    await waiter.end();
  });
});

describe('the rules of approval', () => {
  async function sleeper() {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    c.on('error', () => undefined);
    void c.query('select pg_sleep(60)').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    return c;
  }

  it('a critical action needs someone other than the requester; a user group counts', async () => {
    const c = await sleeper();
    const pid = (await admin.query("select pid from pg_stat_activity where query = 'select pg_sleep(60)' order by backend_start desc limit 1")).rows[0].pid;
    await new Promise((r) => setTimeout(r, 1000)); // running longer than 0.01 min
    const { message, requestId } = await ask(`pg.terminate-long 0.01`, 'U0ALICE');
    const ts = (message.result as { ts: string }).ts;
    expect(visible(message)).toContain('critical');
    expect(await click('remediation_approve', requestId, 'U0ALICE', ts)).toContain('Two-person rule');
    expect(await click('remediation_approve', requestId, 'U0CAROL', ts)).toMatch(/Done|failed/);
    expect((await admin.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid])).rows[0].n).toBe(0);
    await c.end().catch(() => undefined);
  });

  it('20 simultaneous Approve clicks run the action once', async () => {
    const c = await sleeper();
    const pid = (await admin.query("select pid from pg_stat_activity where query = 'select pg_sleep(60)' order by backend_start desc limit 1")).rows[0].pid;
    const { message, requestId } = await ask(`pg.cancel ${pid}`);
    const ts = (message.result as { ts: string }).ts;
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.driver.blockAction({ actionId: 'remediation_approve', value: requestId, userId: i % 2 ? 'U0ALICE' : 'U0BOB', channelId: OPS, message: { ts } })));
    await settle();
    const events = await auditEvents(requestId);
    expect(events.filter((e) => e.startsWith('started:'))).toHaveLength(1);
    expect(events.filter((e) => e.startsWith('approved:'))).toHaveLength(1);
    await c.end().catch(() => undefined);
  });

  it('a rejected or expired request can no longer run, and loses its buttons', async () => {
    const r1 = await ask('pg.vacuum-analyze');
    const ts1 = (r1.message.result as { ts: string }).ts;
    expect(await click('remediation_reject', r1.requestId, 'U0EVE', ts1)).toContain('Only approvers can reject');
    expect(await click('remediation_reject', r1.requestId, 'U0BOB', ts1)).toContain('Rejected');
    expect(await click('remediation_approve', r1.requestId, 'U0ALICE', ts1)).toContain('rejected by <@U0BOB>');

    const r2 = await ask('pg.vacuum-analyze');
    const ts2 = (r2.message.result as { ts: string }).ts;
    await admin.query(`update ${t.schema}.remediation_requests set expires_at = now() - interval '1 second' where id = $1`, [r2.requestId]);
    expect(await click('remediation_approve', r2.requestId, 'U0BOB', ts2)).toContain('It expired');
    const { expireRemediations } = await import('../../src/app/remediation/flow.js');
    expect(await expireRemediations(t.running.ctx)).toBeGreaterThanOrEqual(1);
    const redrawn = t.standIn.callsTo('chat.update').filter((c) => c.args.ts === ts2).at(-1)!;
    expect(visible(redrawn)).toContain('Expired, nothing ran');
    expect(JSON.stringify(redrawn.args.blocks)).not.toContain('remediation_approve');
  });
});

describe('redis.flushdb through Slack', () => {
  it('empties only the named database', async () => {
    const db9 = new Redis(`${TEST_REDIS_URL}/9`);
    const db10 = new Redis(`${TEST_REDIS_URL}/10`);
    try {
      await db9.mset('a', '1', 'b', '2');
      await db10.set('keep', 'me');
      const { message, requestId } = await ask('redis.flushdb 9', 'U0DAVE');
      expect(await click('remediation_approve', requestId, 'U0BOB', (message.result as { ts: string }).ts)).toContain('Done');
      expect(await db9.dbsize()).toBe(0);
      expect(await db10.get('keep')).toBe('me');
    } finally {
      await db10.del('keep');
      db9.disconnect();
      db10.disconnect();
    }
  });
});

describe('in an incident channel', () => {
  it('puts the request, the approval and the outcome on the incident timeline', async () => {
    const { declareIncident } = await import('./flows.js');
    const inc = await declareIncident(t, { title: 'Vacuum needed', severity: 'P3' });
    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/remediate', text: 'pg.vacuum-analyze', channelId: inc.channelId!, userId: 'U0DAVE' });
    const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Remediation'), 10_000);
    const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
    await t.driver.blockAction({ actionId: approve.action_id, value: approve.value, userId: 'U0BOB', channelId: inc.channelId!, message: { ts: (message.result as { ts: string }).ts } });
    await expect
      .poll(async () => (await t.running.ctx.store.listTimeline(inc.incidentId)).map((e) => e.kind).filter((k) => k.startsWith('action_')), { timeout: 30_000 })
      .toEqual(['action_requested', 'action_approved', 'action_executed']);
  });
});

describe('approvals.dryRun', () => {
  it('previews and approves, and never executes', async () => {
    const dry = await startAppUnderTest({
      yaml: ['incidents:', `  channel: ${INCIDENTS_CHANNEL}`, 'targets:', '  postgres:', `    - { name: main, url: "${dbUrl}" }`, 'approvals:', '  approvers: [U0BOB]', '  dryRun: true', 'remediation:', '  allow: { postgres: [main] }'].join('\n'),
    });
    const sleeper = new pg.Client({ connectionString: dbUrl });
    await sleeper.connect();
    sleeper.on('error', () => undefined);
    const pid = (await sleeper.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    try {
      const since = dry.standIn.calls.length;
      await dry.driver.command({ command: '/remediate', text: `pg.terminate ${pid}`, channelId: OPS, userId: 'U0DAVE' });
      const message = await dry.standIn.waitFor('chat.postMessage', (c) => dry.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Remediation'), 10_000);
      const approve = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
      expect(approve.text.text).toBe('Approve (dry run)');
      const replies = dry.standIn.responses.length;
      await dry.driver.blockAction({ actionId: approve.action_id, value: approve.value, userId: 'U0BOB', channelId: OPS, message: { ts: (message.result as { ts: string }).ts } });
      await expect.poll(() => JSON.stringify(dry.standIn.responses.slice(replies)), { timeout: 10_000 }).toContain('Dry run: nothing was executed');
      expect((await sleeper.query('select 1 as alive')).rows[0].alive).toBe(1); // still connected: nothing ran
    } finally {
      await sleeper.end();
      await dry.stop();
    }
  });
});
