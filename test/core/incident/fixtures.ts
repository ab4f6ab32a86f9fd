/** Incidents and timeline events for the incident core tests. */
import type { Incident } from '../../../src/core/incident/incident.js';
import type { TimelineEvent, TimelineKind } from '../../../src/ports.js';

export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  const declaredAt = overrides.declaredAt ?? new Date('2026-11-22T09:30:00Z');
  return {
    id: '00000000-0000-4000-8000-000000000007',
    teamId: 'T0TEST',
    number: 7,
    title: 'Checkout returns 500',
    severity: 'P1',
    status: 'investigating',
    impact: '30% of payments fail',
    symptoms: '5xx on /api/checkout',
    actions: 'Rolling back 4.2',
    eta: null,
    reporterId: 'U0ALICE',
    commanderId: 'U0BOB',
    commsLeadId: null,
    declaredAt,
    detectedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    lastUpdateAt: declaredAt,
    announcement: null,
    channelId: null,
    card: null,
    resolution: null,
    checklist: [],
    reminderSnoozedUntil: null,
    ...overrides,
  };
}

export const at = (iso: string): Date => new Date(iso);

export function event(kind: TimelineKind, data: Record<string, unknown> = {}, actorId: string | null = 'U0BOB', when = '2026-11-22T09:40:00Z'): TimelineEvent {
  return { incidentId: '00000000-0000-4000-8000-000000000007', kind, actorId, at: at(when), data };
}

/** Complete, realistic data for every timeline kind. */
export const FULL_DATA: Record<TimelineKind, Record<string, unknown>> = {
  opened: { title: 'Checkout returns 500', severity: 'P1' },
  acknowledged: {},
  role_changed: { role: 'commander', userId: 'U0CAROL', previous: 'U0BOB' },
  severity_changed: { from: 'P2', to: 'P1' },
  status_changed: { from: 'investigating', to: 'identified' },
  update_posted: { status: 'identified', progress: 'Rolled back 4.2 on half the pods', blockers: 'Registry slow', nextSteps: 'Finish rollback', eta: '10:30' },
  note: { text: 'Error rate dropping' },
  pinned_message: { text: 'Grafana shows the spike at 09:12', permalink: 'https://example.slack.com/archives/C1/p123' },
  diagnostic_run: { name: 'db-health', summary: '85 active connections (> 80)' },
  action_requested: { action: 'restart api', reason: 'memory leak' },
  action_approved: { action: 'restart api' },
  action_executed: { action: 'restart api', outcome: 'ok: 3/3 pods ready' },
  reminder_sent: { userId: 'U0BOB', overdueMs: 900_000 },
  reminder_snoozed: { until: '2026-11-22T10:15:00.000Z', minutes: 30 },
  escalation_sent: { level: 'L2', notified: ['U0SENIOR', 'U0LEAD'] },
  resolved: { durationMs: 5_400_000, rootCause: 'Connection pool too small after 4.2' },
  reopened: { reason: 'errors are back' },
  checklist_ticked: { item: 'item-2', text: 'Resolution notice sent', checked: true },
  postmortem_generated: { permalink: 'https://example.slack.com/files/F1' },
  side_step_failed: { step: 'create_channel', error: 'name_taken' },
  runbook_started: { runbook: 'pg-long-queries', title: 'Locks and long-running queries' },
  runbook_step: { runbook: 'pg-long-queries', step: 'Long queries', outcome: 'critical: 1 query running for 12 min' },
  alert_received: { alertname: 'PostgresDown', status: 'firing', firing: 3 },
};

export const HOSTILE = '<!channel> *bold* <@U0CEO> <https://evil.example|login> & `x` ' + 'é🔥'.repeat(5000);
