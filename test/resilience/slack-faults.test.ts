/**
 * Slack misbehaving while incidents are declared: 429s with Retry-After, then 500s, then hangs
 * (connections accepted and never answered, some after Slack did the work). Every request is still
 * acknowledged, every announcement, card and channel exists exactly once, and it all arrives soon
 * after Slack answers again, not after the runtime's five-minute limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewFromCall, type SubmittableView } from '../../src/adapters/local-slack/driver.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { declarationValues, INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';

const INCIDENTS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const title = (n: number) => `Outage ${n}`;

let t: AppUnderTest;
beforeAll(async () => {
  t = await startAppUnderTest();
});
afterAll(async () => {
  await t?.stop();
});

/** Top-level messages of the incidents channel announcing the n-th declaration (whatever INC number it got). */
const announcementsOf = (n: number) =>
  t.standIn.messagesIn(INCIDENTS_CHANNEL).filter((m) => m.thread_ts === undefined && new RegExp(`INC-\\d+: ${title(n)}(?!\\d)`).test(String(m.text)));

describe('Slack answering 429, then 500, then not at all', () => {
  it('delivers each announcement, card and channel exactly once, acknowledges every request, and catches up soon after', async () => {
    // The forms are opened while Slack is well (a modal needs Slack within 3 s); they are sent during the faults.
    const views: SubmittableView[] = [];
    for (let n = 1; n <= INCIDENTS; n++) {
      const cmd = await t.driver.command({ command: '/incident', text: `open ${title(n)}`, channelId: 'C0WAR' });
      views.push(viewFromCall(await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId)));
    }
    const acks: number[] = [];
    const submit = async (n: number) => {
      const res = await t.driver.viewSubmission({ view: views[n - 1]!, values: declarationValues({ title: title(n), severity: 'P2', symptoms: `symptom ${n}` }) });
      acks.push(res.status);
    };
    const command = async (text: string) => acks.push((await t.driver.command({ command: '/incident', text, channelId: 'C0WAR' })).status);

    const start = Date.now();
    t.standIn.fault('*', { status: 429, retryAfter: 1 });
    for (let n = 1; n <= 5; n++) await submit(n);
    await sleep(3000);
    t.standIn.fault('*', { status: 500 });
    for (let n = 6; n <= 10; n++) await submit(n);
    await command('help');
    await sleep(3000);
    // Posts are rate-limited, then hang; the rest answers. The cards and announcements of what was declared wait on them.
    t.standIn.fault('*', null);
    t.standIn.fault('chat.postMessage', { status: 429, retryAfter: 1 });
    for (let n = 11; n <= 13; n++) await submit(n);
    await sleep(2000);
    t.standIn.fault('chat.postMessage', { hang: true });
    for (let n = 14; n <= 15; n++) await submit(n);
    await sleep(4000);
    // Then Slack does the work of every call and the answer never comes: the worst case for a retry.
    t.standIn.fault('chat.postMessage', null);
    t.standIn.fault('*', { hang: true, deliver: true });
    for (let n = 16; n <= INCIDENTS; n++) await submit(n);
    await command('list');
    await command('help');
    await sleep(8000);
    t.standIn.fault('*', null);

    expect(acks).toEqual(Array(INCIDENTS + 3).fill(200));
    // Generous, and far under the five minutes a hung call used to cost.
    const deadline = start + 150_000;
    await expect
      .poll(() => Array.from({ length: INCIDENTS }, (_, i) => announcementsOf(i + 1).length).filter((k) => k > 0).length, {
        timeout: Math.max(0, deadline - Date.now()),
        interval: 500,
      })
      .toBe(INCIDENTS);
    // Everything the declarations started has finished, late duplicates included.
    await expect.poll(() => t.running.ctx.inflight.size, { timeout: 120_000, interval: 500 }).toBe(0);

    for (let n = 1; n <= INCIDENTS; n++) expect(announcementsOf(n), `announcements of ${title(n)}`).toHaveLength(1);
    const rows = await t.incidentRows();
    expect(rows).toHaveLength(INCIDENTS);
    const channels = rows.map((r) => r.channel_id as string | null);
    expect(channels.every((c) => typeof c === 'string')).toBe(true);
    expect(new Set(channels).size).toBe(INCIDENTS);
    for (const channel of channels) {
      // The card, and the runbooks suggested for the incident: each once at most.
      const posted = t.standIn.messagesIn(channel!);
      const suggestions = posted.filter((m) => String(m.text).startsWith('Runbooks that may help'));
      expect(posted.length - suggestions.length, `card in ${channel}`).toBe(1);
      expect(suggestions.length, `runbook suggestions in ${channel}`).toBeLessThanOrEqual(1);
    }
    const created = t.standIn.callsTo('conversations.create').filter((c) => (c.result as { ok?: boolean } | undefined)?.ok === true);
    expect(created).toHaveLength(INCIDENTS);
    // A post refused with 429 was not tried again before Retry-After (1 s) had passed.
    const postKey = (c: ApiCall) => JSON.stringify((c.args.metadata as { event_payload?: unknown } | undefined)?.event_payload);
    const posts = t.standIn.callsTo('chat.postMessage');
    const limited = posts.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const refused of limited) {
      const retry = posts.find((c) => c.at > refused.at && postKey(c) === postKey(refused));
      expect(retry, `retry of ${postKey(refused)}`).toBeDefined();
      expect(retry!.at - refused.at).toBeGreaterThanOrEqual(1000);
    }
    // Each announcement is where the store says it is.
    for (const row of rows) {
      const n = Number(/\d+$/.exec(String(row.title))![0]);
      expect(row.announcement_ts, String(row.title)).toBe(announcementsOf(n)[0]!.ts);
    }
  }, 360_000);
});
