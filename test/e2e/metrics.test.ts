/**
 * GET /metrics on the real app, driven through Slack's wire format: a declaration, `/diag db`
 * against the real PostgreSQL, a Slack 429, a remediation a non-approver tries to approve, an
 * internal error, a reminder. Each moves the counters and histograms it should, by the amounts
 * it should, with bounded labels; the text parses; the request id of the error shown to the
 * person is the one on that request's log lines. The alert rules of deploy/prometheus use only
 * names the running app exports. Socket Mode serves /metrics too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import pg from 'pg';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../services.js';
import { OPEN_INCIDENT_CALLBACK } from '../../src/adapters/slack/views/open-incident.js';
import { REMEDIATION_ACTIONS } from '../../src/app/remediation/messages.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFirebreak, type RunningFirebreak } from '../../src/server.js';
import { newTriggerId, startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { startSocketModeStandIn, type SocketModeStandIn } from '../slack/socket-mode.js';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { declareIncident, responseAfter } from './flows.js';
import { parseExposition, sumOf, type Exposition } from './prometheus-text.js';
import { ROOT } from './spawn.js';

const OPS = 'C0OPS';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const RULES = path.join(ROOT, 'deploy/prometheus/firebreak-rules.yml');

async function scrape(url: string): Promise<Exposition & { contentType: string | null }> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return { ...parseExposition(await res.text()), contentType: res.headers.get('content-type') };
}

describe('GET /metrics over HTTP, after a day in Slack', () => {
  let t: AppUnderTest;
  let idle: pg.Client;
  let before: Exposition;
  let after: Exposition;
  let errorRef = '';
  let incidentId = '';
  /** The change of a sample (summed over the samples that have these labels) between the two scrapes. */
  const delta = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);

  beforeAll(async () => {
    t = await startAppUnderTest({
      yaml: [
        'incidents:', `  channel: ${INCIDENTS_CHANNEL}`, '  updateReminder: 2s',
        'escalation:', '  levels: []',
        'targets:', '  postgres:', `    - { name: main, url: "${TEST_DATABASE_URL}" }`,
        'approvals:', '  approvers: [U0BRUNO]',
        'remediation:', '  allow: { postgres: [main] }',
      ].join('\n'),
    });
    idle = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await idle.connect();
    idle.on('error', () => undefined);
    before = await scrape(t.url);

    // A declaration: /incident open, then the form's submission.
    const declared = await declareIncident(t, { title: 'Checkout down', severity: 'P2' });
    incidentId = declared.incidentId;

    // /diag db, whose "running…" post Slack first refuses with a 429 (waited out, then posted).
    t.standIn.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, (args) => args.channel === OPS);
    await t.driver.command({ command: '/diag', text: 'db', channelId: OPS, userId: 'U0ALICE' });
    await t.standIn.waitFor('chat.update', (c) => c.args.channel === OPS && String(c.args.text).includes('Diagnostics db'), 20_000);

    // A remediation asked by Alice, who then tries to approve it herself: she is not an approver.
    const pid = (await idle.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const replies = t.standIn.responses.length;
    await t.driver.command({ command: '/remediate', text: `pg.cancel ${pid}`, channelId: OPS, userId: 'U0ALICE' });
    const approval = await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === OPS && String(c.args.text).startsWith('Remediation'), 10_000);
    expect(await responseAfter(t, replies, 10_000)).toContain('Asked for approval');
    const requestId = ((approval.args.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0].value) as string;
    const clicked = t.standIn.responses.length;
    await t.driver.blockAction({ actionId: REMEDIATION_ACTIONS.approve, value: requestId, userId: 'U0ALICE', channelId: OPS, message: { ts: (approval.result as { ts: string }).ts } });
    expect(await responseAfter(t, clicked, 10_000)).toContain('Only approvers can approve');

    // An internal error: Slack answers the form's views.open with an error Firebreak has no words for.
    t.standIn.failNext('views.open', { error: 'internal_error' });
    const failing = t.standIn.responses.length;
    await t.driver.command({ command: '/incident', text: 'open', channelId: 'C0GENERAL', userId: 'U0ALICE' });
    const reply = await responseAfter(t, failing, 10_000);
    errorRef = /reference ([0-9a-f]{12})/.exec(reply)?.[1] ?? '';

    // A store call that fails (a number no incident column can hold).
    await expect(t.running.ctx.store.getIncidentByNumber('T0TEST', 2 ** 40)).rejects.toThrow();

    // The first update reminder of the incident, 2 s after its declaration.
    await t.standIn.waitFor('chat.postMessage', (c) => c.args.channel === declared.channelId && String(c.args.text).startsWith(':alarm_clock:'), 10_000);
    await t.running.ctx.inflight.drain(20_000);
    // A request is counted once its work is over, and a reminder once recorded: the last may still be settling.
    const settled = (now: Exposition) =>
      sumOf(now, 'firebreak_slack_requests_total') - sumOf(before, 'firebreak_slack_requests_total') >= 6 &&
      sumOf(now, 'firebreak_reminders_total', { event: 'sent' }) > sumOf(before, 'firebreak_reminders_total', { event: 'sent' });
    const until = Date.now() + 5000;
    do after = await scrape(t.url);
    while (!settled(after) && Date.now() < until && (await sleep(100)) === undefined);
  }, 90_000);

  afterAll(async () => {
    await idle?.end().catch(() => undefined);
    await t?.stop();
  });

  it('is Prometheus text, with its content type', async () => {
    expect((after as Exposition & { contentType: string | null }).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(after.types.get('firebreak_slack_requests_total')).toBe('counter');
    expect(after.types.get('firebreak_slack_ack_duration_seconds')).toBe('histogram');
    // prom-client's default collectors: the process and the Node runtime.
    expect(after.names).toContain('process_start_time_seconds');
    expect(after.names).toContain('process_resident_memory_bytes');
    expect(after.names).toContain('nodejs_eventloop_lag_seconds');
    expect(sumOf(after, 'firebreak_build_info')).toBe(1);
  });

  it('counts each request by kind, route and outcome once its work is over', () => {
    const req = (kind: string, name: string, outcome: string) => delta('firebreak_slack_requests_total', { kind, name, outcome });
    expect(req('command', '/incident', 'ok')).toBe(1);
    expect(req('command', '/incident', 'error')).toBe(1);
    expect(req('view_submission', OPEN_INCIDENT_CALLBACK, 'ok')).toBe(1);
    expect(req('command', '/diag', 'ok')).toBe(1);
    expect(req('command', '/remediate', 'ok')).toBe(1);
    // A refused approval is an answered click, not a failure of Firebreak's.
    expect(req('action', REMEDIATION_ACTIONS.approve, 'ok')).toBe(1);
    expect(delta('firebreak_slack_requests_total')).toBe(6);
    expect(delta('firebreak_slack_requests_refused_total')).toBe(0);
  });

  it('times every acknowledgement, by command', () => {
    const acks = (kind: string, name: string) => delta('firebreak_slack_ack_duration_seconds_count', { kind, name });
    expect(acks('command', '/incident')).toBe(2);
    expect(acks('command', '/diag')).toBe(1);
    expect(acks('command', '/remediate')).toBe(1);
    expect(acks('view_submission', OPEN_INCIDENT_CALLBACK)).toBe(1);
    expect(acks('action', REMEDIATION_ACTIONS.approve)).toBe(1);
    // Each observation fell in the +Inf bucket, and the sum moved with the count.
    expect(delta('firebreak_slack_ack_duration_seconds_bucket', { kind: 'command', name: '/incident', le: '+Inf' })).toBe(2);
    expect(delta('firebreak_slack_ack_duration_seconds_sum', { kind: 'command', name: '/incident' })).toBeGreaterThan(0);
  });

  it('times background work by kind', () => {
    const work = (kind: string, outcome = 'ok') => delta('firebreak_background_work_duration_seconds_count', { kind, outcome });
    // Twice: the second time Slack refused the form, and the work ended by telling the person.
    expect(work('/incident open')).toBe(2);
    expect(work('/incident open', 'error')).toBe(0);
    expect(work('declare incident')).toBe(1);
    expect(work('/diag db')).toBe(1);
    expect(work('/remediate <action>')).toBe(1);
    expect(work(REMEDIATION_ACTIONS.approve)).toBe(1);
    expect(sumOf(after, 'firebreak_background_work_in_flight')).toBe(0);
  });

  it('times the diagnosis and its probe, with their status', () => {
    expect(delta('firebreak_diagnostics_duration_seconds_count', { kind: 'db' })).toBe(1);
    expect(delta('firebreak_diagnostics_probe_duration_seconds_count', { target_kind: 'postgres' })).toBe(1);
    const statuses = after.samples.filter((s) => s.name === 'firebreak_diagnostics_duration_seconds_count' && s.labels.kind === 'db').map((s) => s.labels.status);
    expect(statuses.every((s) => ['ok', 'warning', 'critical', 'unknown'].includes(s!))).toBe(true);
  });

  it('counts the Slack 429 apart, as ratelimited, and the error Slack answered by its code', () => {
    expect(delta('firebreak_slack_api_errors_total', { method: 'chat.postMessage', error: 'ratelimited' })).toBe(1);
    expect(delta('firebreak_slack_api_errors_total', { method: 'views.open', error: 'internal_error' })).toBe(1);
    // Two forms opened (the second refused); every attempt is a call.
    expect(delta('firebreak_slack_api_calls_total', { method: 'views.open' })).toBe(2);
    expect(delta('firebreak_slack_api_calls_total', { method: 'chat.postMessage' })).toBeGreaterThanOrEqual(delta('firebreak_slack_api_errors_total', { method: 'chat.postMessage' }) + 3);
  });

  it('counts the remediation by action and outcome, and the refusal by its reason', () => {
    expect(delta('firebreak_remediation_actions_total', { action: 'pg.cancel', outcome: 'requested' })).toBe(1);
    expect(delta('firebreak_remediation_actions_total', { action: 'pg.cancel', outcome: 'refused' })).toBe(1);
    expect(delta('firebreak_remediation_actions_total', { outcome: 'succeeded' })).toBe(0);
    expect(delta('firebreak_approvals_refused_total', { decision: 'approve', reason: 'not_approver' })).toBe(1);
    expect(delta('firebreak_approvals_refused_total')).toBe(1);
  });

  it("follows the reminder engine's fire path: due, sent, and how late", () => {
    const due = delta('firebreak_reminders_total', { kind: 'update_reminder', event: 'due' });
    const sent = delta('firebreak_reminders_total', { kind: 'update_reminder', event: 'sent' });
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(due).toBeGreaterThanOrEqual(sent);
    expect(delta('firebreak_reminders_lateness_seconds_count', { kind: 'update_reminder' })).toBe(sent);
    expect(delta('firebreak_reminders_total', { event: 'failed' })).toBe(0);
  });

  it("reports the store's errors and its pool, and the dependencies /healthz checks", () => {
    expect(delta('firebreak_store_errors_total', { operation: 'getIncidentByNumber', error: 'other' })).toBe(1);
    expect(delta('firebreak_store_errors_total', { error: 'unavailable' })).toBe(0);
    const total = sumOf(after, 'firebreak_store_connections', { backend: 'postgres' });
    expect(total).toBeGreaterThanOrEqual(1);
    expect(sumOf(after, 'firebreak_store_idle_connections', { backend: 'postgres' })).toBeLessThanOrEqual(total);
    expect(after.samples.some((s) => s.name === 'firebreak_store_waiting_queries' && s.labels.backend === 'postgres')).toBe(true);
    expect(sumOf(after, 'firebreak_dependency_up', { dependency: 'store' })).toBe(1);
    expect(sumOf(after, 'firebreak_dependency_up', { dependency: 'slack' })).toBe(1);
  });

  it('never takes a label value from a user: no user id, channel id, incident id or typed text', () => {
    const values = after.samples.flatMap((s) => Object.values(s.labels));
    expect(values.filter((v) => /\b[UWC]0[A-Z0-9]{3,}\b/.test(v))).toEqual([]);
    expect(values.filter((v) => v.includes(incidentId) || /checkout/i.test(v))).toEqual([]);
    const series = after.samples.filter((s) => s.name.startsWith('firebreak_')).length;
    expect(series).toBeLessThan(2000);
  });

  it("gives the person who met an internal error the id on that request's log lines", () => {
    expect(errorRef).toMatch(/^[0-9a-f]{12}$/);
    const lines = t.logs.filter((l) => l.requestId === errorRef);
    const messages = lines.map((l) => String(l.msg));
    expect(messages).toContain('slash command');
    expect(messages.some((m) => m.includes('failed unexpectedly'))).toBe(true);
    // Only that request's lines: every one is about /incident, none about another request.
    expect(lines.every((l) => l.command === '/incident' || l.component !== undefined || l.work !== undefined)).toBe(true);
    expect(t.logs.filter((l) => l.requestId !== undefined && l.requestId !== errorRef).some((l) => String(l.msg).includes('failed unexpectedly'))).toBe(false);
  });

  it('puts a request id on every log line of a request', () => {
    // The listeners' and commands' lines (they name the command or the action) all carry one.
    const ofRequests = t.logs.filter((l) => typeof l.command === 'string' || (typeof l.action === 'string' && l.component === undefined));
    expect(ofRequests.length).toBeGreaterThan(3);
    expect(ofRequests.filter((l) => typeof l.requestId !== 'string')).toEqual([]);
    // Each request its own id: the declaration's lines and the diagnosis' are told apart.
    const ids = new Set(ofRequests.map((l) => l.requestId));
    expect(ids.size).toBeGreaterThanOrEqual(4);
  });

  it("has alert rules that use only the names Firebreak exports", () => {
    const rules = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, any>> }> };
    expect(rules.groups.length).toBeGreaterThan(0);
    const all = rules.groups.flatMap((g) => g.rules);
    const alerts = all.map((r) => r.alert as string);
    for (const wanted of ['FirebreakStoreUnreachable', 'FirebreakRemindersLate', 'FirebreakSlackErrors', 'FirebreakSlackRateLimited', 'FirebreakAckSlow', 'FirebreakRestarting']) expect(alerts).toContain(wanted);
    for (const rule of all) {
      expect(typeof rule.expr, rule.alert).toBe('string');
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(typeof rule.annotations?.summary, rule.alert).toBe('string');
      const used = metricNames(rule.expr as string);
      expect(used.length, `${rule.alert} uses no metric`).toBeGreaterThan(0);
      expect(used.filter((name) => !after.names.has(name)), `${rule.alert}: names /metrics does not export`).toEqual([]);
    }
  });
});

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: its identifiers, less functions, keywords, label matchers, ranges and grouping labels. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const rest = bare.slice(m.index! + word.length);
    if (/^\s*\(/.test(rest) || PROMQL_WORDS.has(word.toLowerCase())) continue;
    // A number's exponent or a duration's unit is not a name.
    if (/\d$/.test(bare.slice(0, m.index!))) continue;
    names.push(word);
  }
  return [...new Set(names)];
}

describe('GET /metrics in Socket Mode, on the embedded database', () => {
  let webApi: SlackStandIn;
  let socket: SocketModeStandIn;
  let app: RunningFirebreak;

  beforeAll(async () => {
    webApi = await startSlackStandIn();
    socket = await startSocketModeStandIn(webApi);
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-metrics-'));
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\n');
    const loaded = loadConfig(
      { SLACK_BOT_TOKEN: 'xoxb-metrics', SLACK_SIGNING_SECRET: 'metrics-secret', SLACK_APP_TOKEN: 'xapp-1-metrics', SLACK_API_URL: webApi.apiUrl, PORT: '0', FIREBREAK_DATA_DIR: 'memory://' },
      dir,
    );
    rmSync(dir, { recursive: true, force: true });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    app = await startFirebreak(loaded.config, createLogger({ level: 'silent', secrets: [], destination: new Writable({ write: (_c, _e, done) => done() }) }));
    await socket.connected();
  });
  afterAll(async () => {
    await app?.stop({ drainMs: 2000 });
    await socket?.close();
    await webApi?.close();
  });

  it('counts the requests received over the socket and reports what PGlite can', async () => {
    const url = `http://127.0.0.1:${app.port}`;
    const before = await scrape(url);
    const payload = {
      token: 'verification-token', team_id: 'T0TEST', team_domain: 'firebreak', channel_id: 'C0GENERAL', channel_name: 'general',
      user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text: 'help', api_app_id: 'A0FIREBREAK',
      response_url: webApi.responseUrl(), trigger_id: newTriggerId(),
    };
    const ack = await socket.send('slash_commands', payload);
    expect((ack.payload as { text: string }).text).toContain('/incident open');
    const count = async () => sumOf(await scrape(url), 'firebreak_slack_requests_total', { kind: 'command', name: '/incident', outcome: 'ok' });
    await expect.poll(count, { timeout: 5000 }).toBe(sumOf(before, 'firebreak_slack_requests_total', { kind: 'command', name: '/incident', outcome: 'ok' }) + 1);
    const after = await scrape(url);
    expect(sumOf(after, 'firebreak_slack_ack_duration_seconds_count', { kind: 'command', name: '/incident' }) - sumOf(before, 'firebreak_slack_ack_duration_seconds_count', { kind: 'command', name: '/incident' })).toBe(1);
    expect(sumOf(after, 'firebreak_store_connections', { backend: 'pglite' })).toBe(1);
    expect(sumOf(after, 'firebreak_dependency_up', { dependency: 'socket' })).toBe(1);
    expect(sumOf(after, 'firebreak_dependency_up', { dependency: 'store' })).toBe(1);
  });
});
