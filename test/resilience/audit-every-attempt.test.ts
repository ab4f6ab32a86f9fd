/**
 * Every attempt on a remediation request is in the audit trail, the ones that lost a race
 * included: 20 approvers clicking Approve or Reject at the same moment, through Slack, on the
 * real PostgreSQL server, leave 20 decision rows, one per click.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';

const OPS = 'C0OPS';
/** How many clicks at least lose at the transition (not before it), in each race. */
const LOSERS_AT_THE_LOCK = 5;
const APPROVERS = Array.from({ length: 20 }, (_, i) => `U0APPROVER${String(i + 1).padStart(2, '0')}`);

let t: AppUnderTest;
let admin: pg.Client;
/** A session of its own for pg.cancel to act on: idle, so cancelling it changes nothing. */
let idle: pg.Client;

beforeAll(async () => {
  t = await startAppUnderTest({
    yaml: [
      'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
      'targets:', '  postgres:', `    - { name: main, url: "${TEST_DATABASE_URL}" }`,
      'approvals:', `  approvers: [${APPROVERS.join(', ')}]`, '  expiresAfter: 10m',
      'remediation:', '  allow: { postgres: [main] }',
    ].join('\n'),
  });
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  idle = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await idle.connect();
});
afterAll(async () => {
  await idle?.end();
  await admin?.end();
  await t?.stop();
});

/** Asks for pg.cancel on the idle session; returns the request id carried by the buttons. */
async function ask(): Promise<string> {
  const pid = (await idle.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const since = t.standIn.calls.length;
  await t.driver.command({ command: '/remediate', text: `pg.cancel ${pid}`, channelId: OPS, userId: 'U0DAVE' });
  const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === OPS && String(c.args.text).startsWith('Remediation'), 10_000);
  const actions = (message.args.blocks as Array<{ type: string; elements?: Array<{ value: string }> }>).find((b) => b.type === 'actions');
  const requestId = actions!.elements![0]!.value;
  // The request is complete (its message saved) before anyone clicks.
  await expect
    .poll(async () => (await admin.query(`select message_ts from ${t.schema}.remediation_requests where id = $1`, [requestId])).rows[0]?.message_ts ?? null, { interval: 20, timeout: 10_000 })
    .not.toBeNull();
  return requestId;
}

/**
 * Clicks, all sent at once, while the request's row is locked: the clicks read the request as
 * still undecided and then queue on the lock, so when it is released all but one lose the race
 * at the transition itself (the case that went unaudited), whatever the timing. Resolves when
 * each click got its answer.
 */
async function clickAll(requestId: string, clicks: Array<{ action: 'remediation_approve' | 'remediation_reject'; userId: string }>): Promise<string[]> {
  const locker = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query(`select id from ${t.schema}.remediation_requests where id = $1 for update`, [requestId]);
    const sending = Promise.all(clicks.map((c) => t.driver.blockAction({ actionId: c.action, value: requestId, userId: c.userId, channelId: OPS, message: { ts: '1700000000.000100' } })));
    // Released once several transitions wait on it (before the app's pool, 10, runs dry). Asked
    // from another session: inside a transaction, activity statistics stay as first read.
    await expect
      .poll(async () => (await admin.query<{ n: number }>(
        // The first waits for the lock; the others queue behind it.
        "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%UPDATE remediation_requests SET status%'",
      )).rows[0]!.n, { interval: 10, timeout: 20_000 })
      .toBeGreaterThanOrEqual(LOSERS_AT_THE_LOCK + 1);
    await locker.query('commit');
    const sent = await sending;
    const answers = await Promise.all(sent.map((s) => t.standIn.waitForResponse((r) => r.path === new URL(s.responseUrl).pathname, 30_000)));
    await t.running.ctx.inflight.drain(30_000);
    return answers.map((a) => JSON.stringify(a.body));
  } finally {
    await locker.end();
  }
}

const decisions = async (requestId: string) =>
  (await admin.query<{ event: string; actor_id: string }>(
    `select event, actor_id from ${t.schema}.remediation_audit where request_id = $1 and event in ('approved', 'rejected', 'refused') order by id`,
    [requestId],
  )).rows;

describe('the audit trail of concurrent decisions', () => {
  it('has one row per click when 20 approvers approve at the same moment', async () => {
    const requestId = await ask();
    const answers = await clickAll(requestId, APPROVERS.map((userId) => ({ action: 'remediation_approve', userId })));

    expect(answers.filter((a) => a.includes('Done'))).toHaveLength(1);
    const rows = await decisions(requestId);
    expect(rows.map((r) => r.actor_id).sort()).toEqual([...APPROVERS].sort());
    expect(rows.filter((r) => r.event === 'approved')).toHaveLength(1);
    expect(rows.filter((r) => r.event === 'refused')).toHaveLength(19);
  });

  it('has one row per click when 10 approve and 10 reject at the same moment', async () => {
    const requestId = await ask();
    const clicks = APPROVERS.map((userId, i) => ({ action: i % 2 === 0 ? 'remediation_approve' : 'remediation_reject', userId }) as const);
    await clickAll(requestId, clicks);

    const rows = await decisions(requestId);
    expect(rows.map((r) => r.actor_id).sort()).toEqual([...APPROVERS].sort());
    expect(rows.filter((r) => r.event === 'approved' || r.event === 'rejected')).toHaveLength(1);
    expect(rows.filter((r) => r.event === 'refused')).toHaveLength(19);
  });
});
