/**
 * The webhook payload's schema (version 4) and its problems in plain words, the bearer check, and
 * what an incident opened from a group says (title, symptoms, runbook hints), bounded.
 */
import { describe, expect, it } from 'vitest';
import { bearerMatches, checkAlertmanagerPayload } from '../../src/adapters/http/alertmanager-hook.js';
import { firingAgainMessage, incidentSymptoms, incidentTitle, resolvedMessage, runbookHints, SYMPTOMS_MAX } from '../../src/app/alerts/describe.js';
import type { AlertNotification } from '../../src/app/alerts/notification.js';
import { TITLE_MAX } from '../../src/core/incident/limits.js';
import { alertmanagerPayload, postgresDown } from './payloads.js';

function parsed(payload: unknown): AlertNotification {
  const checked = checkAlertmanagerPayload(payload);
  if (!checked.ok) throw new Error(checked.problem);
  return checked.notification;
}

function problemOf(payload: unknown): string {
  const checked = checkAlertmanagerPayload(payload);
  if (checked.ok) throw new Error('the payload was accepted');
  return checked.problem;
}

describe('the payload schema', () => {
  it('reads what Alertmanager sends', () => {
    const n = parsed(postgresDown(['db-1:9187', 'db-2:9187']));
    expect(n.groupKey).toBe('{}/{severity=~"critical|warning"}:{alertname="PostgresDown"}');
    expect(n.status).toBe('firing');
    expect(n.receiver).toBe('firebreak');
    expect(n.commonLabels).toEqual({ alertname: 'PostgresDown', severity: 'critical', job: 'postgres' });
    expect(n.alerts).toHaveLength(2);
    expect(n.alerts[0]).toMatchObject({ status: 'firing', labels: { instance: 'db-1:9187' }, annotations: { runbook_id: 'pg-down' } });
    expect(n.alerts[0]!.startsAt?.toISOString()).toBe('2025-03-04T13:50:00.000Z');
    expect(n.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(n.externalURL).toBe('http://alertmanager.example:9093');
    expect(n.truncatedAlerts).toBe(0);
  });

  it('ignores fields it does not know and fills what may be missing', () => {
    const payload = postgresDown(['db-1']);
    const minimal = { version: '4', groupKey: 'k', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X' } }], futureField: { a: 1 } };
    expect(parsed({ ...payload, futureField: true }).groupKey).toBe(payload.groupKey);
    expect(parsed(minimal)).toMatchObject({ receiver: '', commonLabels: {}, commonAnnotations: {}, externalURL: null, truncatedAlerts: 0 });
    expect(parsed(minimal).alerts[0]).toMatchObject({ annotations: {}, startsAt: null, fingerprint: null, generatorURL: null });
  });

  it('says which field is wrong and what was expected', () => {
    const good = postgresDown(['db-1']);
    const { groupKey: _g, ...noGroupKey } = good;
    expect(problemOf(noGroupKey)).toBe('groupKey: is missing: expected text.');
    expect(problemOf({ ...good, version: '3' })).toMatch(/^version: expected "4", got "3"\. Firebreak understands webhook payloads of version "4"/);
    expect(problemOf({ ...good, alerts: 'lots' })).toBe('alerts: expected an array, got "lots".');
    expect(problemOf({ ...good, alerts: [] })).toBe('alerts: expected at least 1 alert.');
    expect(problemOf({ ...good, status: 'pending' })).toBe('status: expected "firing" or "resolved", got "pending".');
    expect(problemOf({ ...good, alerts: [{ status: 'firing', labels: { severity: 3 } }] })).toBe('alerts[0].labels.severity: expected text, got 3.');
    expect(problemOf({ ...good, truncatedAlerts: -1 })).toBe('truncatedAlerts: expected 0 or more.');
    expect(problemOf([good])).toBe("expected a JSON object (Alertmanager's webhook payload), got a list of 1");
    expect(problemOf(null)).toContain('got an empty value');
  });

  it('lists five problems at most and counts the rest', () => {
    const alerts = Array.from({ length: 8 }, () => ({ status: 'maybe', labels: {} }));
    const problem = problemOf({ ...postgresDown(['db-1']), alerts });
    expect(problem.match(/alerts\[\d\]\.status/g)).toHaveLength(5);
    expect(problem).toContain('(and 3 more)');
  });
});

describe('the bearer token', () => {
  const token = 'am-token-0123456789abcdef';
  it('matches only the exact token after "Bearer "', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(bearerMatches(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(bearerMatches(`Basic ${token}`, token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches('Bearer ', token)).toBe(false);
    expect(bearerMatches(undefined, token)).toBe(false);
  });
});

describe('what the incident says', () => {
  it('one alert: its name and summary as the title, its description in the symptoms, its runbook', () => {
    const n = parsed(postgresDown(['db-1:9187']));
    expect(incidentTitle(n)).toBe('PostgresDown: PostgreSQL does not answer');
    const symptoms = incidentSymptoms(n);
    expect(symptoms).toContain('PostgreSQL does not answer');
    expect(symptoms).toContain('1 alert firing, reported by Alertmanager (receiver firebreak):');
    expect(symptoms).toContain('db-1:9187 has not answered the exporter for 2 minutes.');
    // Alone in its group: all its labels, and its annotations are the group's, said once above.
    expect(symptoms.split('\n').at(-1)).toBe('• PostgresDown (severity=critical, instance=db-1:9187, job=postgres)');
    expect(runbookHints(n)).toEqual({ alertnames: ['PostgresDown'], runbookId: 'pg-down' });
  });

  it('a group of three: one line per alert, with the labels telling them apart', () => {
    const n = parsed(postgresDown(['db-1', 'db-2', 'db-3']));
    const lines = incidentSymptoms(n).split('\n');
    expect(lines.filter((l) => l.startsWith('• PostgresDown (instance='))).toHaveLength(3);
    expect(lines).toContain('3 alerts firing, reported by Alertmanager (receiver firebreak):');
  });

  it('alerts of several names and no shared summary: the names and the count', () => {
    const n = parsed(
      alertmanagerPayload({
        groupBy: ['service'],
        alerts: [
          { labels: { alertname: 'HighLatency', service: 'api' }, annotations: { summary: 'p95 above 2 s' } },
          { labels: { alertname: 'ErrorRate', service: 'api' }, annotations: { summary: '5xx above 5%', runbook_id: 'api-errors' } },
          { labels: { alertname: 'PodRestarts', service: 'api' }, status: 'resolved' },
        ],
      }),
    );
    expect(incidentTitle(n)).toBe('HighLatency, ErrorRate, PodRestarts: 2 alerts firing');
    expect(incidentSymptoms(n)).toContain('(1 already resolved)');
    expect(runbookHints(n)).toEqual({ alertnames: ['HighLatency', 'ErrorRate', 'PodRestarts'], runbookId: 'api-errors' });
  });

  it('stays within the title and symptoms limits whatever the alerts hold', () => {
    const long = 'x'.repeat(5000);
    const n = parsed(
      alertmanagerPayload({
        alerts: Array.from({ length: 40 }, (_, i) => ({ labels: { alertname: 'Big', shard: `s${i}`, note: long }, annotations: { summary: `${long}${i}`, description: long } })),
        truncatedAlerts: 12,
      }),
    );
    expect(incidentTitle(n).length).toBeLessThanOrEqual(TITLE_MAX);
    const symptoms = incidentSymptoms(n);
    expect(symptoms.length).toBeLessThanOrEqual(SYMPTOMS_MAX);
    expect(symptoms).toMatch(/\(\d+ more firing not listed; 12 left out of the notification by Alertmanager\)$/);
  });

  it('alert names of any length or number: the title, the messages and the hints stay short', () => {
    const n = parsed(alertmanagerPayload({ groupBy: [], alerts: Array.from({ length: 300 }, (_, i) => ({ labels: { alertname: `${'N'.repeat(5000)}${i}` } })) }));
    expect(incidentTitle(n).length).toBeLessThanOrEqual(TITLE_MAX);
    expect(firingAgainMessage(n, 'en').length).toBeLessThan(400);
    expect(resolvedMessage(n, 'fr').length).toBeLessThan(500);
    const hints = runbookHints(n);
    expect(hints.alertnames).toHaveLength(50);
    expect(Math.max(...hints.alertnames.map((a) => a.length))).toBeLessThanOrEqual(100);
  });

  it('the messages of a group firing again or resolved, escaped, in both languages', () => {
    const n = parsed(alertmanagerPayload({ alerts: [1, 2, 3].map((i) => ({ labels: { alertname: '<!channel>*Disk*', i: String(i) } })) }));
    expect(firingAgainMessage(n, 'en')).toContain('3 alerts of *&lt;!channel&gt;\u200B*Disk\u200B** now firing.');
    expect(firingAgainMessage(n, 'fr')).toContain('3 alertes de');
    expect(resolvedMessage(n, 'en')).toContain('all alerts of the group');
    expect(resolvedMessage(n, 'en')).toContain('The incident stays open');
    expect(resolvedMessage(n, 'fr')).toContain("L'incident reste ouvert");
  });
});
