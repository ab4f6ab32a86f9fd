/**
 * POST /hooks/alertmanager on a real Firebreak (HTTP mode, the Bolt receiver's custom route) against
 * the Slack stand-in and the real PostgreSQL: Alertmanager's payloads open incidents, announced like
 * any other; the group firing again, resolved, or after its incident was resolved; what is refused;
 * concurrent posts and a storm of one group.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOT_USER_ID, TEAM_ID, type ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { command, resolveValues, submitModal, visible } from '../e2e/flows.js';
import { TEST_DATABASE_URL } from '../services.js';
import { alertmanagerPayload, postgresDown } from './payloads.js';

const TOKEN = 'e2e-alertmanager-token-3b9d1f0c7a';
let t: AppUnderTest;
let admin: pg.Pool;

beforeAll(async () => {
  t = await startAppUnderTest({ yaml: `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  locale: en\nalertmanager:\n  token: ${TOKEN}\n` });
  admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
});
afterAll(async () => {
  await admin?.end();
  await t?.stop();
});
// What a test started in the background must not spill into the next.
afterEach(async () => {
  await t.running.ctx.inflight.drain(10_000);
});

const hookUrl = () => `${t.url}/hooks/alertmanager`;

async function post(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }) {
  const res = await fetch(hookUrl(), { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Posts, expects the 200, and waits until the background work is done. */
async function deliver(body: unknown) {
  const res = await post(body);
  expect(res).toEqual({ status: 200, body: { status: 'accepted' } });
  await t.running.ctx.inflight.drain(10_000);
}

/** One alert of a group of its own, named `name`. */
const single = (name: string, severity: string, extra: { status?: 'firing' | 'resolved'; instance?: string } = {}) =>
  alertmanagerPayload({
    alerts: [{ status: extra.status ?? 'firing', labels: { alertname: name, severity, instance: extra.instance ?? 'api-1' }, annotations: { summary: `${name} on the API`, description: 'p95 above 2 s for 10 minutes' } }],
  });

const rowsTitled = async (prefix: string) => (await t.incidentRows()).filter((r) => String(r.title).startsWith(prefix));
const groupRows = async () => (await admin.query(`select group_key, generation, notifications, incident_id from ${t.schema}.alert_groups`)).rows as Array<Record<string, unknown>>;
const postsIn = (channel: unknown, pattern: RegExp): ApiCall[] => t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && pattern.test(String(c.args.text)));

describe('a group firing opens an incident', () => {
  it('with the severity of its label, its title and symptoms, announced in the incidents channel, reported by the bot', async () => {
    await deliver(single('HighLatency', 'critical'));
    const [row] = await rowsTitled('HighLatency');
    expect(row).toMatchObject({ title: 'HighLatency: HighLatency on the API', severity: 'P1', team_id: TEAM_ID, reporter_id: BOT_USER_ID, status: 'investigating' });
    expect(String(row!.symptoms)).toContain('p95 above 2 s for 10 minutes');
    const announcement = t.standIn.callsTo('chat.postMessage').find((c) => c.args.channel === INCIDENTS_CHANNEL && String(c.args.text).includes(`INC-${row!.number}: HighLatency`))!;
    expect(announcement).toBeDefined();
    const shown = visible(announcement);
    expect(shown).toContain('p95 above 2 s for 10 minutes');
    expect(shown).toContain(`<@${BOT_USER_ID}>`);
    expect(row!.channel_id).toBeTruthy();
    // Nobody typed a command: nothing is said privately (to the bot, its reporter).
    expect(t.standIn.callsTo('chat.postEphemeral').filter((c) => c.args.user === BOT_USER_ID)).toEqual([]);
  });

  it('the same group firing again: a note and a message in its channel, no second incident; an identical repeat is coalesced', async () => {
    const one = alertmanagerPayload({ alerts: [{ labels: { alertname: 'QueueBacklog', severity: 'warning', queue: 'q1' } }] });
    await deliver(one);
    const [row] = await rowsTitled('QueueBacklog');
    expect(row!.severity).toBe('P2');
    const three = alertmanagerPayload({ alerts: ['q1', 'q2', 'q3'].map((queue) => ({ labels: { alertname: 'QueueBacklog', severity: 'warning', queue } })) });
    expect(three.groupKey).toBe(one.groupKey);
    await deliver(three);
    expect(await rowsTitled('QueueBacklog')).toHaveLength(1);
    expect(postsIn(row!.channel_id, /3 alerts of \*QueueBacklog\* now firing/)).toHaveLength(1);
    await deliver(three);
    expect(await rowsTitled('QueueBacklog')).toHaveLength(1);
    expect(postsIn(row!.channel_id, /Alertmanager/)).toHaveLength(1);
    const events = await admin.query(`select data from ${t.schema}.incident_events where incident_id = $1 and kind = 'alert_received' order by at`, [row!.id]);
    expect(events.rows.map((r: { data: { firing: number } }) => r.data.firing)).toEqual([1, 3]);
    const [group] = (await groupRows()).filter((g) => g.group_key === one.groupKey);
    expect(group).toMatchObject({ generation: 1, notifications: 3, incident_id: row!.id });
  });

  it('a group of three alerts: one incident listing them', async () => {
    await deliver(postgresDown(['db-1:9187', 'db-2:9187', 'db-3:9187']));
    const rows = await rowsTitled('PostgresDown');
    expect(rows).toHaveLength(1);
    const lines = String(rows[0]!.symptoms).split('\n');
    expect(lines.filter((l) => l.startsWith('• PostgresDown (instance='))).toHaveLength(3);
    expect(lines).toContain('3 alerts firing, reported by Alertmanager (receiver firebreak):');
  });

  it('resolved: a note, and the incident stays open; once people resolve it, the group firing again opens a new incident', async () => {
    await deliver(single('CertExpiry', 'warning'));
    const [first] = await rowsTitled('CertExpiry');
    await deliver(single('CertExpiry', 'warning', { status: 'resolved' }));
    expect(postsIn(first!.channel_id, /all alerts of the group \*CertExpiry\* resolved/)).toHaveLength(1);
    expect((await rowsTitled('CertExpiry')).map((r) => r.status)).toEqual(['investigating']);

    const cmd = await command(t, 'resolve', { channelId: String(first!.channel_id), userId: 'U0BOB' });
    await submitModal(t, cmd.triggerId, resolveValues('Certificate not renewed', 'Renewed it'), 'U0BOB');
    await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === first!.channel_id && visible(c).includes('INCIDENT RESOLVED'));
    await t.running.ctx.inflight.drain(10_000);
    expect((await rowsTitled('CertExpiry')).map((r) => r.status)).toEqual(['resolved']);

    await deliver(single('CertExpiry', 'warning'));
    const rows = await rowsTitled('CertExpiry');
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'investigating']);
    expect(rows[1]!.number).toBeGreaterThan(first!.number as number);
    const [group] = (await groupRows()).filter((g) => String(g.group_key).includes('CertExpiry'));
    expect(group).toMatchObject({ generation: 2, incident_id: rows[1]!.id });
  });
});

describe('what is refused stores nothing', () => {
  it('401 without the token or with a wrong one; the token is never logged', async () => {
    const before = { incidents: (await t.incidentRows()).length, groups: (await groupRows()).length };
    const payload = single('Unauthorised', 'critical');
    expect((await post(payload, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(payload, { 'content-type': 'application/json', authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
    await t.running.ctx.inflight.drain(10_000);
    expect({ incidents: (await t.incidentRows()).length, groups: (await groupRows()).length }).toEqual(before);
    expect(JSON.stringify(t.logs)).not.toContain(TOKEN);
  });

  it('400 with the reason for a malformed payload, 413 for 2 MB, 415 for another content type, 405 for GET', async () => {
    const before = { incidents: (await t.incidentRows()).length, groups: (await groupRows()).length };
    const good = single('Malformed', 'critical');
    const { groupKey: _g, ...noGroupKey } = good;
    const cases: Array<[unknown, number, RegExp]> = [
      ['not json at all', 400, /^The body is not JSON/],
      [noGroupKey, 400, /groupKey: is missing/],
      [{ ...good, version: '5' }, 400, /version: expected "4", got "5"/],
      [{ ...good, alerts: 'three' }, 400, /alerts: expected an array, got "three"/],
      [{ ...good, padding: 'x'.repeat(2 * 1024 * 1024) }, 413, /larger than 1048576 bytes/],
    ];
    for (const [body, status, reason] of cases) {
      const res = await post(body);
      expect(res.status).toBe(status);
      expect(String(res.body.error)).toMatch(reason);
    }
    const text = await fetch(hookUrl(), { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(good) });
    expect(text.status).toBe(415);
    const get = await fetch(hookUrl(), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    await t.running.ctx.inflight.drain(10_000);
    expect({ incidents: (await t.incidentRows()).length, groups: (await groupRows()).length }).toEqual(before);
  });
});

describe('many notifications of one group', () => {
  it('20 posted at once: exactly one incident, announced once', async () => {
    const payload = alertmanagerPayload({
      groupBy: ['cluster'],
      groupKey: '{}/{}:{cluster="eu-1"}',
      alerts: ['db-7', 'db-8'].map((instance) => ({ labels: { alertname: 'ReplicaLag', cluster: 'eu-1', severity: 'warning', instance }, annotations: { summary: 'Replica behind' } })),
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(payload)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await t.running.ctx.inflight.drain(10_000);
    const rows = await rowsTitled('ReplicaLag');
    expect(rows).toHaveLength(1);
    expect(t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === INCIDENTS_CHANNEL && String(c.args.text).includes(`INC-${rows[0]!.number}:`) && !c.args.thread_ts)).toHaveLength(1);
    const [group] = (await groupRows()).filter((g) => g.group_key === '{}/{}:{cluster="eu-1"}');
    expect(group).toMatchObject({ generation: 1, notifications: 20, incident_id: rows[0]!.id });
  });

  it('a storm of 200 after the incident opened: still one incident, and a bounded number of messages in its channel', async () => {
    const sizes = [2, 3, 4];
    const payloads = sizes.map((n) => alertmanagerPayload({ alerts: Array.from({ length: n }, (_, i) => ({ labels: { alertname: 'Storm', severity: 'critical', pod: `web-${i}` } })) }));
    await deliver(payloads[0]);
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(payloads[(round + i) % sizes.length])));
      expect(answers.every((a) => a.status === 200)).toBe(true);
    }
    await t.running.ctx.inflight.drain(20_000);
    const rows = await rowsTitled('Storm');
    expect(rows).toHaveLength(1);
    // Each firing count is told at most once a minute (twice if the storm crosses a minute): the
    // two counts the announcement did not say are told, the one it said is not, nothing is told 200 times.
    const messages = postsIn(rows[0]!.channel_id, /Alertmanager/).map((c) => String(c.args.text));
    expect(messages.filter((m) => m.includes('3 alerts of *Storm* now firing')).length).toBeGreaterThanOrEqual(1);
    expect(messages.filter((m) => m.includes('4 alerts of *Storm* now firing')).length).toBeGreaterThanOrEqual(1);
    expect(messages.length).toBeLessThanOrEqual(6);
    const [group] = (await groupRows()).filter((g) => g.group_key === payloads[0]!.groupKey);
    expect(group).toMatchObject({ generation: 1, notifications: 201 });
  }, 60_000);
});

describe('the runbook of the alert starts in the incident channel', () => {
  const runsIn = (channel: unknown) => postsIn(channel, /^Runbook /);

  it('the one its runbook_id annotation names', async () => {
    // A group of its own (earlier tests fired PostgresDown's default group).
    await deliver({ ...postgresDown(['db-runbook-1:5432']), groupKey: '{}:{alertname="PostgresDown", cluster="runbook-test"}' });
    const [row] = (await t.incidentRows()).filter((r) => String(r.symptoms).includes('db-runbook-1'));
    expect(row).toBeDefined();
    const runs = runsIn(row!.channel_id);
    expect(runs).toHaveLength(1);
    expect(visible(runs[0]!)).toContain('PostgreSQL database down');
    const stored = (await admin.query(`select runbook_id, started_by from ${t.schema}.runbook_runs where incident_id = $1`, [row!.id])).rows;
    expect(stored).toEqual([{ runbook_id: 'pg-down', started_by: 'firebreak' }]);
  });

  it('else the one whose alerts list has its alertname; an alert no runbook answers gets none started', async () => {
    await deliver(single('KubePodCrashLooping', 'critical', { instance: 'shop/api-7d9f' }));
    const [crashing] = await rowsTitled('KubePodCrashLooping');
    expect(runsIn(crashing!.channel_id).map((c) => visible(c))).toEqual([expect.stringContaining('CrashLoopBackOff')]);

    await deliver(single('SomethingNobodyWroteARunbookFor', 'warning'));
    const [orphan] = await rowsTitled('SomethingNobodyWroteARunbookFor');
    expect(runsIn(orphan!.channel_id)).toEqual([]);
  });
});
