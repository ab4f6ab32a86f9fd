/**
 * Runbook runs end to end: a real Firebreak against the Slack stand-in and the real PostgreSQL
 * (its store, and a database of its own as the target the runbook reads and vacuums). /runbook run
 * in an incident's channel, Run check and its findings on the message, two simultaneous clicks
 * running a step once, an action step going through approval with its source, and /runbook run
 * typed elsewhere asking which incident.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { declareIncident, responseAfter, updateValues, visible, type Declared } from './flows.js';
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { clickStep, ordersDatabase, postedRun, runbookCommand, runbookYaml, runIdOf, runText, stepRows, waitForRun, type RunOnScreen } from '../fixtures/runbook-runs/e2e.js';

let t: AppUnderTest;
let orders: Awaited<ReturnType<typeof ordersDatabase>>;

beforeAll(async () => {
  orders = await ordersDatabase(`fb_runbook_e2e_${process.pid}`);
  t = await startAppUnderTest({ yaml: runbookYaml({ incidentsChannel: INCIDENTS_CHANNEL, databaseUrl: orders.url, approvers: ['U0CAROL'] }) });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await orders?.drop();
});

const settle = () => t.running.ctx.inflight.drain(20_000);

async function timeline(incidentId: string): Promise<Array<{ kind: string; actor_id: string | null; data: Record<string, unknown> }>> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return (await c.query(`select kind, actor_id, data from ${t.schema}.incident_events where incident_id = $1 and kind like 'runbook%' order by at, id`, [incidentId])).rows;
  } finally {
    await c.end();
  }
}

/** Declares an incident (with its own channel) and starts e2e-orders in it. */
async function runInIncident(title: string): Promise<{ incident: Declared; run: RunOnScreen }> {
  const incident = await declareIncident(t, { title, severity: 'P2', impact: 'orders' });
  expect(incident.channelId).toMatch(/^C/);
  const since = t.standIn.calls.length;
  const replies = t.standIn.responses.length;
  await runbookCommand(t, 'run e2e-orders db=main', { channelId: incident.channelId! });
  const run = await postedRun(t, incident.channelId!, since);
  expect(await responseAfter(t, replies)).toContain('Runbook *Orders database under load* started');
  return { incident, run };
}

describe('/runbook', () => {
  it('list and show answer privately with what is loaded', async () => {
    const before = t.standIn.responses.length;
    await runbookCommand(t, 'list orders', { channelId: 'C0GENERAL' });
    expect(await responseAfter(t, before)).toContain('`e2e-orders` *Orders database under load* · P2 · orders-db');
    const next = t.standIn.responses.length;
    await runbookCommand(t, 'show e2e-orders', { channelId: 'C0GENERAL' });
    const shown = await responseAfter(t, next);
    expect(shown).toContain('3. *Vacuum the table* · _action_');
    expect(shown).toContain('`table` (string, default `orders`)');
  });

  it('run in an incident channel: Run check puts the findings on the run message and the timeline', async () => {
    const { incident, run } = await runInIncident('Orders are slow (check)');
    const first = runText(t, run);
    expect(first).toContain('Runbook: Orders database under load');
    expect(first).toContain(`*${incident.id}*`);
    expect(first).toContain('*Next: 1. Look at the database*');

    await clickStep(t, run, 'activity', 'U0BOB');
    const shown = await waitForRun(t, run, (text) => /\*(OK|WARNING|CRITICAL|UNKNOWN)\*/.test(text), 15_000);
    await settle();
    const rows = await stepRows(t, runIdOf(t, run));
    const activity = rows.find((r) => r.step_id === 'activity')!;
    expect(activity).toMatchObject({ state: 'done', actor_id: 'U0BOB' });
    const findings = activity.findings as Array<{ check: string }>;
    expect(findings.length).toBeGreaterThan(0);
    // The findings shown are those stored: the top ones by name.
    expect(shown).toContain(`*${findings[0]!.check}*`);
    expect(runText(t, run)).toContain('*Next: 2. Count the orders*');

    const events = await timeline(incident.incidentId);
    expect(events.map((e) => e.kind)).toEqual(['runbook_started', 'runbook_step']);
    expect(events[1]).toMatchObject({ actor_id: 'U0BOB', data: { runbook: 'e2e-orders', stepId: 'activity' } });
  });

  it('two simultaneous clicks on one step run it once; the other person is told', async () => {
    const { incident, run } = await runInIncident('Orders are slow (race)');
    const before = t.standIn.responses.length;
    const [a, b] = await Promise.all([clickStep(t, run, 'orders', 'U0ALICE'), clickStep(t, run, 'orders', 'U0BOB')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await waitForRun(t, run, (text) => /:white_check_mark: \*OK\*: /.test(text));
    await settle();
    const told = t.standIn.responses.slice(before).map((r) => JSON.stringify(r.body));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/already (running, started by|done by) <@U0(ALICE|BOB)>/);
    const step = (await stepRows(t, runIdOf(t, run))).find((r) => r.step_id === 'orders')!;
    expect(step).toMatchObject({ state: 'done', status: 'ok' });
    // The one who was told is not the one who ran it.
    expect(told[0]).toContain(`<@${String(step.actor_id)}>`);
    const steps = (await timeline(incident.incidentId)).filter((e) => e.kind === 'runbook_step' && e.data.stepId === 'orders');
    expect(steps).toHaveLength(1);
    expect(String(steps[0]!.data.outcome)).toMatch(/^OK: 1 ok/);
    expect(runText(t, run)).toContain('42');
  });

  it('an action step asks for approval with its source; once approved and executed, the step is done', async () => {
    const { run } = await runInIncident('Orders are slow (vacuum)');
    const since = t.standIn.calls.length;
    const replies = t.standIn.responses.length;
    await clickStep(t, run, 'vacuum', 'U0BOB');
    const approval = await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === run.channel && String(c.args.text).startsWith('Remediation'), 15_000);
    expect(visible(approval)).toContain('pg.vacuum-analyze orders');
    expect(visible(approval)).toContain(':books: Asked from runbook e2e-orders · step vacuum');
    expect(await responseAfter(t, replies, 10_000)).toContain('Asked for approval');
    await waitForRun(t, run, (text) => text.includes('Approval requested by <@U0BOB>'));

    const actions = (approval.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!;
    const requestId = actions.elements[0].value as string;
    const decided = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: 'remediation_approve', value: requestId, userId: 'U0CAROL', channelId: run.channel, message: { ts: (approval.result as { ts: string }).ts } });
    expect(await responseAfter(t, decided, 30_000)).toContain('Done');
    const text = await waitForRun(t, run, (s) => s.includes('Approved by <@U0CAROL>'), 15_000);
    expect(text).toMatch(/Approved by <@U0CAROL>: VACUUM \(ANALYZE\) of \S*orders done/);
    await settle();
    const step = (await stepRows(t, runIdOf(t, run))).find((r) => r.step_id === 'vacuum')!;
    expect(step).toMatchObject({ state: 'done', request_id: requestId, actor_id: 'U0CAROL' });
  });

  it('Post opens the update form prefilled from the step; the step is done once the update is posted', async () => {
    const { incident, run } = await runInIncident('Orders are slow (notify)');
    const click = await clickStep(t, run, 'tell', 'U0BOB');
    const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === click.triggerId, 10_000);
    const view = open.args.view as { blocks: Array<{ block_id: string; element: Record<string, any> }> };
    expect(view.blocks.find((b) => b.block_id === 'progress')!.element.initial_value).toBe('The orders table was vacuumed.');
    expect(view.blocks.find((b) => b.block_id === 'status')!.element.initial_option.value).toBe('identified');
    // Opening the form does not do the step: closing it without posting leaves it to do.
    await settle();
    expect((await stepRows(t, runIdOf(t, run))).find((r) => r.step_id === 'tell')).toBeUndefined();

    const since = t.standIn.calls.length;
    await t.driver.viewSubmission({ view: viewFromCall(open), values: updateValues('identified', 'The orders table was vacuumed.'), userId: 'U0BOB' });
    await t.standIn.waitFor('chat.postMessage', (c) => t.standIn.calls.indexOf(c) >= since && c.args.channel === incident.channelId && visible(c).includes('The orders table was vacuumed.'), 10_000);
    await waitForRun(t, run, (text) => text.includes('Update posted'));
    await settle();
    const step = (await stepRows(t, runIdOf(t, run))).find((r) => r.step_id === 'tell')!;
    expect(step).toMatchObject({ state: 'done', actor_id: 'U0BOB' });
    expect((await timeline(incident.incidentId)).map((e) => [e.kind, e.data.outcome ?? null])).toEqual([['runbook_started', null], ['runbook_step', 'update posted']]);
  });

  it('typed outside an incident channel, asks which incident; the choice starts the run in its channel', async () => {
    const incident = await declareIncident(t, { title: 'Orders are slow (elsewhere)', severity: 'P1', impact: 'orders' });
    const before = t.standIn.responses.length;
    await runbookCommand(t, 'run e2e-orders db=main table=orders', { channelId: 'C0GENERAL' });
    const question = await t.standIn.waitForResponse((r) => t.standIn.responses.indexOf(r) >= before && JSON.stringify(r.body).includes('Which incident'), 10_000);
    const buttons = ((question.body as { blocks: Array<Record<string, any>> }).blocks.find((b) => b.type === 'actions')!.elements as Array<{ action_id: string; value: string; text: { text: string } }>);
    const mine = buttons.find((b) => b.text.text.startsWith(`${incident.id} `))!;
    expect(buttons.at(-1)!.text.text).toBe('No incident');
    const since = t.standIn.calls.length;
    await t.driver.blockAction({ actionId: mine.action_id, value: mine.value, userId: 'U0ALICE', channelId: 'C0GENERAL' });
    const run = await postedRun(t, incident.channelId!, since);
    expect(runText(t, run)).toContain(`*${incident.id}*`);
    await settle();
    expect((await timeline(incident.incidentId)).map((e) => e.kind)).toEqual(['runbook_started']);
  });
});

describe('the background', () => {
  it('logged no error and no failed redraw while the runs above went on', () => {
    const bad = t.logs.filter((l) => Number(l.level) >= 50 || (/runbook/.test(String(l.msg)) && Number(l.level) >= 40));
    expect(bad).toEqual([]);
  });
});
