/**
 * Queues end to end: a real Firebreak (HTTP receiver, real PostgreSQL store, the Slack stand-in)
 * configured with the real RabbitMQ. `/diag queue` reports a backlog without consumer and a
 * dead-letter queue with its Purge button; `/remediate rabbitmq.purge <dlq>` is previewed from the
 * broker, refused to the requester (two-person rule: it is critical), approved by another
 * approver, purged once, verified empty and audited; a queue outside purgeable and a broker
 * outside the allow-list are refused without reaching the broker.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { AMQP_URL, TestBroker, unique } from '../rabbitmq/broker.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { responseAfter, visible } from './flows.js';

const OPS = 'C0OPS';
let t: AppUnderTest;
let broker: TestBroker;
let admin: pg.Client;
let backlog: string;
let dlq: string;
let work: string;

beforeAll(async () => {
  broker = await TestBroker.open();
  backlog = await broker.queue(unique('orders'));
  work = await broker.queue(unique('emails'));
  // No underscore: messages escape it for mrkdwn (a zero-width space before it), the names are compared as typed.
  dlq = await broker.queue(unique('dead-letter'));
  await broker.publish(backlog, 1500);
  await broker.publish(work, 4);
  await broker.publish(dlq, 25);
  const target = (name: string) => `    - { name: ${name}, url: "${AMQP_URL}", queues: [${backlog}, ${work}], deadLetterQueues: [${dlq}], purgeable: [${dlq}] }`;
  t = await startAppUnderTest({
    yaml: [
      'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
      'targets:',
      '  rabbitmq:',
      target('broker'),
      target('staging'),
      'approvals:', '  approvers: [U0ALICE, U0BOB]', '  expiresAfter: 10m',
      'remediation:', '  allow: { rabbitmq: [broker] }',
    ].join('\n'),
  });
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.stop();
  await broker?.cleanup();
});

const audit = async (requestId: string) =>
  (await admin.query(`select event, actor_id, detail, before, after from ${t.schema}.remediation_audit where request_id = $1 order by id`, [requestId])).rows as Array<{ event: string; actor_id: string; detail: string | null; before: any; after: any }>;

async function click(requestId: string, userId: string, ts: string): Promise<string> {
  const before = t.standIn.responses.length;
  await t.driver.blockAction({ actionId: 'remediation_approve', value: requestId, userId, channelId: OPS, message: { ts } });
  return responseAfter(t, before, 30_000);
}

describe('RabbitMQ through Slack', () => {
  it('/diag queue shows the backlog without consumer and the dead letters, with a Purge button that only asks', async () => {
    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/diag', text: 'queue broker', channelId: OPS, userId: 'U0DAVE' });
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).startsWith('Diagnostics queue'), 20_000);
    const shown = visible(report);
    expect(shown).toContain(backlog);
    expect(shown).toContain('1,500 messages ready, 0 consumers');
    expect(shown).toContain('25 messages (25 ready; 0 consumers)');
    expect(shown).toContain('warning from the first message');
    const button = (report.args.blocks as Array<Record<string, any>>).filter((b) => b.type === 'actions').flatMap((b) => b.elements).find((e: any) => e.text.text === `Purge ${dlq}`);
    expect(button).toBeDefined();
    const before = t.standIn.calls.length;
    const replies = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: button.action_id, value: button.value, userId: 'U0DAVE', channelId: OPS, message: { ts: report.args.ts as string } });
    const approval = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= before && String(c.args.text).startsWith(`Remediation rabbitmq.purge ${dlq}`), 15_000);
    expect(visible(approval)).toContain('Waiting for approval');
    // The clicker's own answer, before the next test counts answers.
    expect(await responseAfter(t, replies, 15_000)).toContain('Asked for approval');
    // Asking changed nothing.
    expect(await broker.depth(dlq)).toEqual({ ready: 25, consumers: 0 });
  });

  it('/remediate rabbitmq.purge: previewed, refused to the requester, approved by a second person, purged once, verified, audited', async () => {
    const since = t.standIn.calls.length;
    const replies = t.standIn.responses.length;
    await t.driver.command({ command: '/remediate', text: `rabbitmq.purge ${dlq}`, channelId: OPS, userId: 'U0ALICE' });
    const message = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === OPS && String(c.args.text).startsWith('Remediation'), 15_000);
    expect(await responseAfter(t, replies, 15_000)).toContain('Asked for approval');
    const body = visible(message);
    expect(body).toContain(`rabbitmq.purge ${dlq}`);
    expect(body).toContain(`${dlq} (vhost /): 25 messages ready, 0 consumers`);
    expect(body).toContain('every message ready in it is deleted, for good');
    expect(body).toContain('critical');
    const actions = (message.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!;
    const requestId = actions.elements[0].value as string;
    const ts = (message.result as { ts: string }).ts;

    expect(await click(requestId, 'U0ALICE', ts)).toContain('Two-person rule');
    expect(await broker.depth(dlq)).toEqual({ ready: 25, consumers: 0 });
    expect(await click(requestId, 'U0BOB', ts)).toContain(`Done: ${dlq} purged: 25 messages deleted (25 at the preview)`);
    await t.running.ctx.inflight.drain(30_000);
    expect(await broker.depth(dlq)).toEqual({ ready: 0, consumers: 0 });
    // The other queues were not touched.
    expect(await broker.depth(backlog)).toEqual({ ready: 1500, consumers: 0 });
    expect(await broker.depth(work)).toEqual({ ready: 4, consumers: 0 });

    const final = t.standIn.callsTo('chat.update').filter((c) => c.args.ts === ts).at(-1)!;
    expect(visible(final)).toContain(':white_check_mark: Done');
    expect(JSON.stringify(final.args.blocks)).not.toContain('remediation_approve');
    const rows = await audit(requestId);
    expect(rows.map((r) => `${r.event}:${r.actor_id}`)).toEqual(['requested:U0ALICE', 'refused:U0ALICE', 'approved:U0BOB', 'started:U0BOB', 'succeeded:U0BOB']);
    const succeeded = rows.at(-1)!;
    expect(succeeded.detail).toBe(`${dlq} purged: 25 messages deleted (25 at the preview); ${dlq} has 0 messages ready now (0 consumers)`);
    expect(succeeded.before).toMatchObject({ queue: dlq, ready: 25, readyAtPreview: 25 });
    expect(succeeded.after).toMatchObject({ ready: 0, consumers: 0 });
    // Clicked again: it ran once.
    expect(await click(requestId, 'U0BOB', ts)).toContain('It already ran (succeeded).');
  });

  it('refuses, audited, a queue outside purgeable and a broker outside the allow-list, without purging anything', async () => {
    const asked = async (text: string) => {
      const before = t.standIn.responses.length;
      const res = await t.driver.command({ command: '/remediate', text, channelId: OPS, userId: 'U0DAVE' });
      return res.json ? JSON.stringify(res.json) : responseAfter(t, before, 15_000);
    };
    expect(await asked(`rabbitmq.purge ${backlog}`)).toContain(`${backlog} is not one of the queues broker may purge`);
    expect(await asked(`rabbitmq.purge ${dlq} --target staging`)).toContain('Target \\"staging\\" is not in remediation.allow.rabbitmq (broker).');
    const rows = (await admin.query(`select args, target_name from ${t.schema}.remediation_audit where event = 'refused' and actor_id = 'U0DAVE' and action_id = 'rabbitmq.purge' order by id`)).rows;
    expect(rows).toEqual([{ args: [backlog], target_name: 'broker' }, { args: [dlq], target_name: 'staging' }]);
    expect(await broker.depth(backlog)).toEqual({ ready: 1500, consumers: 0 });
  });
});
