/**
 * A runbook run against a real problem, end to end: a query really runs too long on a real
 * PostgreSQL; the run's check finds it; Firebreak is restarted mid-run (same store, same Slack) and
 * the run's message and progress come back from the store; the action step is requested (two
 * simultaneous clicks ask once), approved by a second person, executed: the query is gone, and the
 * step, the run message and the incident's timeline say so.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { declareIncident, responseAfter, visible } from './flows.js';
import { clickStep, ordersDatabase, postedRun, RUNBOOK_FIXTURES_DIR, runbookCommand, runIdOf, stepRows, waitForRun, type RunOnScreen } from '../fixtures/runbook-runs/e2e.js';

const SLEEP = 'select pg_sleep(120) /* e2e long query */';
let target: Awaited<ReturnType<typeof ordersDatabase>>;
let standIn: SlackStandIn;
const schema = `fb_e2e_rb_${randomBytes(4).toString('hex')}`;
let app: AppUnderTest | undefined;
let sleeper: pg.Client | undefined;
const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });

const yaml = () =>
  [
    'incidents:', `  channel: ${INCIDENTS_CHANNEL}`, '  locale: en',
    'targets:', '  postgres:', `    - { name: main, url: "${target.url}", thresholds: { longQueryWarnMs: 1s } }`,
    'diagnostics:', '  timeout: 5s',
    'approvals:', '  approvers: [U0ALICE, U0CAROL]', '  expiresAfter: 10m',
    'remediation:', '  allow: { postgres: [main] }',
    'runbooks:', `  dir: "${RUNBOOK_FIXTURES_DIR}"`,
  ].join('\n');

const start = () => startAppUnderTest({ yaml: yaml(), schema, standIn });

/** Sessions still running the long query on the target. */
const sleeping = async (): Promise<number[]> =>
  (await admin.query('select pid from pg_stat_activity where query = $1 and datname = $2', [SLEEP, new URL(target.url).pathname.slice(1)])).rows.map((r) => r.pid as number);

beforeAll(async () => {
  target = await ordersDatabase(`fb_rb_long_${process.pid}`);
  standIn = await startSlackStandIn();
  app = await start();
}, 60_000);

afterAll(async () => {
  await app?.running.stop({ drainMs: 5000 }).catch(() => undefined);
  await sleeper?.end().catch(() => undefined);
  await standIn?.close();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
  await target?.drop();
});

describe('a runbook run on a real long query, across a restart', () => {
  it('finds the query, survives the restart, asks once, and terminates it once approved', async () => {
    let t = app!;
    const incident = await declareIncident(t, { title: 'Checkout hangs on the orders database', severity: 'P2', impact: 'orders' });
    const channel = incident.channelId!;

    sleeper = new pg.Client({ connectionString: target.url });
    await sleeper.connect();
    sleeper.on('error', () => undefined);
    const ended = sleeper.query(SLEEP).then(
      () => 'finished',
      (err: Error) => err.message,
    );
    await expect.poll(sleeping, { timeout: 5000 }).toHaveLength(1);
    const [pid] = await sleeping();
    await new Promise((r) => setTimeout(r, 1500)); // past 1 s (warning) and 0.02 min (what the action terminates)

    const since = standIn.calls.length;
    await runbookCommand(t, 'run e2e-long-queries', { channelId: channel });
    const run: RunOnScreen = await postedRun(t, channel, since);
    const runId = runIdOf(t, run);

    // The check finds the real query.
    await clickStep(t, run, 'activity');
    await waitForRun(t, run, (s) => /Look at what is running[\s\S]*long queries[^\n]*pid \d+/i.test(s) && s.includes(`pid ${pid}`), 20_000);
    const afterCheck = await stepRows(t, runId);
    expect(afterCheck.find((r) => r.step_id === 'activity')).toMatchObject({ state: 'done', status: expect.stringMatching(/warning|critical/) });

    // Restart: a new process on the same store and the same Slack.
    await t.running.stop({ drainMs: 5000 });
    app = t = await start();
    const drawn = standIn.calls.filter((c) => c.method === 'chat.update' && c.args.ts === run.ts).length;

    // Two people press Request approval at once: one request.
    const approvalsBefore = standIn.calls.filter((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('Remediation')).length;
    await Promise.all([clickStep(t, run, 'terminate', 'U0BOB'), clickStep(t, run, 'terminate', 'U0DAVE')]);
    const approval: ApiCall = await standIn.waitFor('chat.postMessage', (c) => c.args.channel === channel && String(c.args.text).startsWith('Remediation'), 15_000);
    await t.running.ctx.inflight.drain(15_000);
    expect(standIn.calls.filter((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('Remediation')).length - approvalsBefore).toBe(1);
    const requests = (await admin.query(`select id, action_id, args, requester_id, status from ${schema}.remediation_requests`)).rows;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ action_id: 'pg.terminate-long', args: ['0.02'], status: 'requested' });
    expect(visible(approval)).toContain('e2e-long-queries');
    // The new process redrew the run from the store: the check's result is still there.
    await expect.poll(() => standIn.calls.filter((c) => c.method === 'chat.update' && c.args.ts === run.ts).length).toBeGreaterThan(drawn);
    expect(await waitForRun(t, run, (s) => /approval/i.test(s))).toContain(`pid ${pid}`);
    expect(await sleeping()).toEqual([pid]);

    // A second person approves: the query is terminated.
    const requestId = requests[0].id as string;
    const replies = standIn.responses.length;
    await t.driver.blockAction({ actionId: 'remediation_approve', value: requestId, userId: 'U0CAROL', channelId: channel, message: { ts: (approval.result as { ts: string }).ts } });
    expect(await responseAfter(t, replies, 30_000)).toContain('Done');
    expect(await ended).toMatch(/terminat/i);
    expect(await sleeping()).toEqual([]);

    // The step, the message and the timeline follow.
    await expect.poll(async () => (await stepRows(t, runId)).find((r) => r.step_id === 'terminate')?.state, { timeout: 10_000 }).toBe('done');
    await waitForRun(t, run, (s) => /Terminate the long queries/.test(s) && /Confirm/.test(s) && !/Request approval/.test(s), 10_000);
    const events = (await admin.query(`select kind, data from ${schema}.incident_events where incident_id = (select id from ${schema}.incidents where channel_id = $1) order by at, id`, [channel])).rows;
    const kinds = events.map((e) => e.kind as string);
    expect(kinds).toEqual(expect.arrayContaining(['runbook_started', 'runbook_step', 'action_requested', 'action_approved', 'action_executed']));
    expect(events.filter((e) => e.kind === 'runbook_step').map((e) => e.data.step)).toEqual(expect.arrayContaining(['Look at what is running', 'Terminate the long queries']));
  }, 120_000);
});
