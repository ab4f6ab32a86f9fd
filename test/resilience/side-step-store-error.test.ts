/**
 * A store error in a step after the incident is stored (saving its channel, where it was
 * announced, its summary card) must not silence it: the announcement is posted all the same, the
 * failed step is reported in the incidents channel, and the reporter is told. The errors are real
 * ones of the PostgreSQL server: a unique-index collision, and triggers on the test's schema.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { declarationValues, INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { declareIncident } from '../e2e/flows.js';

const REPORTER = 'U0ALICE';
let t: AppUnderTest;
let admin: pg.Client;

beforeEach(async () => {
  t = await startAppUnderTest();
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
});
afterEach(async () => {
  await admin?.end();
  // Stopping drops the schema, the triggers with it.
  await t?.stop();
});

/** Makes every UPDATE that changes `column` of the incidents fail, as the server would for a broken constraint. */
async function refuseUpdatesOf(column: 'channel_id' | 'announcement_ts' | 'card_ts'): Promise<void> {
  await admin.query(`
    CREATE FUNCTION ${t.schema}.refuse_${column}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'writing ${column} is refused by the test' USING ERRCODE = 'check_violation';
    END $$;
    CREATE TRIGGER refuse_${column} BEFORE UPDATE OF ${column} ON ${t.schema}.incidents
      FOR EACH ROW WHEN (NEW.${column} IS DISTINCT FROM OLD.${column}) EXECUTE FUNCTION ${t.schema}.refuse_${column}()`);
}

interface Declared {
  number: number;
  announcement: ApiCall | undefined;
  reporterTold: ApiCall;
  reports: string[];
}

/** Declares through Slack and waits for the last thing Firebreak does: telling the reporter. */
async function declare(title: string): Promise<Declared> {
  const since = t.standIn.calls.length;
  const after = (c: ApiCall) => t.standIn.calls.indexOf(c) >= since;
  const cmd = await t.driver.command({ command: '/incident', text: 'open', userId: REPORTER, channelId: 'C0GENERAL' });
  const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
  await t.driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title, severity: 'P1' }), userId: REPORTER });
  const reporterTold = await t.standIn.waitFor('chat.postEphemeral', (c) => after(c) && c.args.user === REPORTER, 15_000);
  await t.running.ctx.inflight.drain(10_000);
  const row = (await t.incidentRows()).find((r) => r.title === title);
  expect(row, 'the incident is stored').toBeDefined();
  const number = row!.number as number;
  const inIncidents = t.standIn.callsTo('chat.postMessage').filter((c) => after(c) && c.args.channel === INCIDENTS_CHANNEL);
  return {
    number,
    announcement: inIncidents.find((c) => String(c.args.text).includes(`INC-${number}: ${title}`) && c.args.thread_ts === undefined),
    reporterTold,
    reports: inIncidents.map((c) => String(c.args.text)).filter((text) => text.includes('failed (')),
  };
}

describe('a store error after the incident is stored', () => {
  it('saving the new channel collides with another incident\'s (duplicate key): announced, reported, reporter told', async () => {
    const first = await declareIncident(t, { title: 'Payments down', severity: 'P1' });
    expect(first.channelId).not.toBeNull();
    // Slack hands out the same channel id again: the unique index on (team, channel) refuses it.
    t.standIn.setHandler('conversations.create', (args) => ({ channel: { id: first.channelId, name: args.name, is_channel: true } }));

    const second = await declare('Search down');

    expect(second.announcement, 'the announcement').toBeDefined();
    const step = `saving its new channel <#${first.channelId}>`;
    expect(second.reports).toEqual([`:warning: INC-${second.number}: ${step} failed (23505). The incident is recorded; everything else went on.`]);
    expect(second.reporterTold.args.text).toContain(`*INC-${second.number}* declared and announced in <#${INCIDENTS_CHANNEL}>`);
    expect(second.reporterTold.args.text).toContain(step);
    const row = (await t.incidentRows()).find((r) => r.number === second.number)!;
    // Without a channel of its own it lives in the announcement's thread, card included.
    expect(row).toMatchObject({ channel_id: null, announcement_channel: INCIDENTS_CHANNEL, card_channel: INCIDENTS_CHANNEL });
  });

  it.each([
    { column: 'channel_id', step: 'saving its new channel' },
    { column: 'announcement_ts', step: 'saving where it was announced' },
    { column: 'card_ts', step: 'saving the summary card' },
  ] as const)('a trigger refusing to write $column: announced, reported, reporter told', async ({ column, step }) => {
    await refuseUpdatesOf(column);

    const declared = await declare('Checkout down');

    expect(declared.announcement, 'the announcement').toBeDefined();
    expect(declared.reports).toHaveLength(1);
    expect(declared.reports[0]).toMatch(new RegExp(`^:warning: INC-${declared.number}: ${step}.* failed \\(23514\\)\\. The incident is recorded`));
    expect(declared.reporterTold.args.text).toContain(`*INC-${declared.number}* declared and announced in <#${INCIDENTS_CHANNEL}>`);
    expect(declared.reporterTold.args.text).toContain(step);
    expect(JSON.stringify(declared.reporterTold.args)).not.toMatch(/internal error|unexpectedly/i);
  });
});
