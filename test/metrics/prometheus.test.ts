/**
 * The Prometheus adapter: what it exports, and that no label value escapes its bounds whatever the
 * callers pass (ids, typed text, an unbounded stream of names).
 */
import { describe, expect, it } from 'vitest';
import { prometheusMetrics } from '../../src/adapters/metrics/prometheus.js';
import { parseExposition, sumOf } from '../e2e/prometheus-text.js';

const make = () => prometheusMetrics({ version: '9.9.9', backgroundLabels: ['/incident open', 'declare incident'], actionIds: ['pg.cancel'] });
const read = async (m: ReturnType<typeof make>) => parseExposition(await m.scrape());
const labelValues = (text: ReturnType<typeof parseExposition>, name: string, label: string) => new Set(text.samples.filter((s) => s.name === name).map((s) => s.labels[label]));

describe('the Prometheus metrics', () => {
  it('declares every family, with its type, even before anything happened', async () => {
    const text = await read(make());
    expect(text.types.get('firebreak_slack_requests_total')).toBe('counter');
    expect(text.types.get('firebreak_slack_ack_duration_seconds')).toBe('histogram');
    expect(text.types.get('firebreak_reminders_lateness_seconds')).toBe('histogram');
    expect(text.types.get('firebreak_store_connections')).toBe('gauge');
    expect(sumOf(text, 'firebreak_build_info', { version: '9.9.9' })).toBe(1);
    expect(text.names).toContain('process_cpu_user_seconds_total');
  });

  it('keeps request names to the first hundred well-shaped ones, and never takes typed text', async () => {
    const m = make();
    for (let i = 0; i < 500; i++) m.slackRequest({ kind: 'command', name: `/cmd${i}` }, 'ok');
    m.slackRequest({ kind: 'command', name: '<@U0ALICE> please' }, 'ok');
    m.slackRequest({ kind: 'made-up kind', name: '/cmd1' }, 'ok');
    const text = await read(m);
    const names = labelValues(text, 'firebreak_slack_requests_total', 'name');
    expect(names.size).toBe(101);
    expect(names).toContain('other');
    expect(names).not.toContain('<@U0ALICE> please');
    expect(sumOf(text, 'firebreak_slack_requests_total', { name: 'other' })).toBe(401);
    expect(sumOf(text, 'firebreak_slack_requests_total', { kind: 'other', name: '/cmd1' })).toBe(1);
  });

  it('names background work by its known labels, a runbook check or an alert group by their fixed part', async () => {
    const m = make();
    m.backgroundWork('/incident open', 0.1, 'ok');
    m.backgroundWork('runbook db-failover checks', 0.2, 'ok');
    m.backgroundWork('alertmanager notification {}:{alertname="HighLatency", service="checkout"}', 0.3, 'error');
    m.backgroundWork('something new', 0.4, 'ok');
    const text = await read(m);
    expect([...labelValues(text, 'firebreak_background_work_duration_seconds_count', 'kind')].sort()).toEqual(['/incident open', 'alertmanager notification', 'other', 'runbook checks']);
    expect(sumOf(text, 'firebreak_background_work_duration_seconds_count', { kind: 'alertmanager notification', outcome: 'error' })).toBe(1);
    expect(sumOf(text, 'firebreak_background_work_duration_seconds_sum', { kind: 'runbook checks' })).toBeCloseTo(0.2);
  });

  it('takes action ids from the catalogue and refusal reasons from the policy only', async () => {
    const m = make();
    m.remediation('pg.cancel', 'requested');
    m.remediation('pg.nuke', 'refused');
    m.approvalRefused('approve', 'not_approver');
    m.approvalRefused('approve', 'because I said so' as never);
    const text = await read(m);
    expect(sumOf(text, 'firebreak_remediation_actions_total', { action: 'pg.cancel', outcome: 'requested' })).toBe(1);
    expect(sumOf(text, 'firebreak_remediation_actions_total', { action: 'other', outcome: 'refused' })).toBe(1);
    expect([...labelValues(text, 'firebreak_approvals_refused_total', 'reason')].sort()).toEqual(['not_approver', 'other']);
  });

  it('counts Slack errors by method and code, anything not shaped like them as other', async () => {
    const m = make();
    m.slackApiCall('chat.postMessage', null);
    m.slackApiCall('chat.postMessage', 'ratelimited');
    m.slackApiCall('chat.postMessage', 'channel_not_found');
    m.slackApiCall('../../etc/passwd', 'Some Free Text');
    const text = await read(m);
    expect(sumOf(text, 'firebreak_slack_api_calls_total', { method: 'chat.postMessage' })).toBe(3);
    expect(sumOf(text, 'firebreak_slack_api_errors_total', { method: 'chat.postMessage', error: 'ratelimited' })).toBe(1);
    expect(sumOf(text, 'firebreak_slack_api_errors_total', { method: 'other', error: 'other' })).toBe(1);
  });

  it('observes the lateness of sent reminders only, and reads its gauges when scraped', async () => {
    const m = make();
    m.reminder('due', 'update_reminder');
    m.reminder('sent', 'update_reminder', 42);
    m.reminder('failed', 'escalation');
    let busy = 3;
    m.watchInflight(() => busy);
    m.watchStore('postgres', () => ({ total: 5, idle: 2, waiting: 1 }));
    m.watchDependencies(async () => ({ store: false, slack: true }));
    const first = await read(m);
    expect(sumOf(first, 'firebreak_reminders_lateness_seconds_count', { kind: 'update_reminder' })).toBe(1);
    expect(sumOf(first, 'firebreak_reminders_lateness_seconds_bucket', { kind: 'update_reminder', le: '30' })).toBe(0);
    expect(sumOf(first, 'firebreak_reminders_lateness_seconds_bucket', { kind: 'update_reminder', le: '60' })).toBe(1);
    expect(sumOf(first, 'firebreak_reminders_total', { kind: 'escalation', event: 'failed' })).toBe(1);
    expect(sumOf(first, 'firebreak_background_work_in_flight')).toBe(3);
    expect(sumOf(first, 'firebreak_store_connections', { backend: 'postgres' })).toBe(5);
    expect(sumOf(first, 'firebreak_store_idle_connections', { backend: 'postgres' })).toBe(2);
    expect(sumOf(first, 'firebreak_store_waiting_queries', { backend: 'postgres' })).toBe(1);
    expect(sumOf(first, 'firebreak_dependency_up', { dependency: 'store' })).toBe(0);
    expect(sumOf(first, 'firebreak_dependency_up', { dependency: 'slack' })).toBe(1);
    busy = 0;
    expect(sumOf(await read(m), 'firebreak_background_work_in_flight')).toBe(0);
  });

  it('keeps one registry per process object: two apps in one process do not add up', async () => {
    const a = make();
    const b = make();
    a.slackRequestRefused('signature');
    expect(sumOf(await read(a), 'firebreak_slack_requests_refused_total', { reason: 'signature' })).toBe(1);
    expect(sumOf(await read(b), 'firebreak_slack_requests_refused_total')).toBe(0);
  });
});
