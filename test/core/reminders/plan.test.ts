import { describe, expect, it } from 'vitest';
import { decide, nextAfterFire, nextReminderDue, planFor, type SchedulePolicy } from '../../../src/core/reminders/plan.js';
import { makeIncident } from '../incident/fixtures.js';

const MIN = 60_000;
const T0 = new Date('2026-11-22T09:30:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

const policy: SchedulePolicy = {
  updateIntervalMs: (s) => (s === 'P0' ? 10 * MIN : 15 * MIN),
  responseMs: (s) => ({ P0: 15, P1: 30, P2: 120, P3: 1440 })[s] * MIN,
  levels: [
    { name: 'L2', afterMs: 15 * MIN, until: 'acknowledged', notify: ['S0SENIOR'], pagerduty: 'abc' },
    { name: 'L4', afterMs: 60 * MIN, until: 'resolved', notify: ['U0CTO'] },
  ],
  responseDeadline: { notify: ['S0ONCALL'] },
};

const open = makeIncident({ declaredAt: T0, lastUpdateAt: T0, severity: 'P1' });
const due = (items: ReturnType<typeof planFor>) => Object.fromEntries(items.map((i) => [i.kind, i.dueAt?.toISOString().slice(11, 16) ?? null]));

describe('the plan of an incident', () => {
  it.each([
    ['open, nobody acked', open, { update_reminder: '09:45', response_deadline: '10:00', 'escalation:L2': '09:45', 'escalation:L4': '10:30' }],
    ['acknowledged: response deadline and L2 stop, L4 (until resolved) stays', { ...open, acknowledgedAt: at(3) }, { update_reminder: '09:45', response_deadline: null, 'escalation:L2': null, 'escalation:L4': '10:30' }],
    ['an update resets the reminder clock', { ...open, lastUpdateAt: at(20) }, { update_reminder: '10:05' }],
    ['P0 reminds every 10 min and must be acked within 15', { ...open, severity: 'P0' as const }, { update_reminder: '09:40', response_deadline: '09:45' }],
    ['a snooze moves the reminder', { ...open, reminderSnoozedUntil: at(60) }, { update_reminder: '10:30' }],
    ['a snooze that ended earlier than the clock changes nothing', { ...open, reminderSnoozedUntil: at(5) }, { update_reminder: '09:45' }],
    ['resolved: nothing is due', { ...open, status: 'resolved' as const, resolvedAt: at(40) }, { update_reminder: null, response_deadline: null, 'escalation:L2': null, 'escalation:L4': null }],
  ])('%s', (_label, incident, expected) => {
    expect(due(planFor(incident, policy))).toMatchObject(expected);
  });

  it('reminders repeat from the last reminder while nobody updates', () => {
    expect(nextReminderDue(open, policy, at(15))?.toISOString()).toBe(at(30).toISOString());
    expect(nextAfterFire('update_reminder', open, policy, at(47))?.toISOString()).toBe(at(62).toISOString());
    expect(nextAfterFire('escalation:L2', open, policy, at(47))).toBeNull();
  });
});

describe('deciding at fire time', () => {
  it('fires what is due, saying how late', () => {
    expect(decide('update_reminder', open, policy, at(15))).toEqual({ action: 'fire', dueAt: at(15), lateMs: 0 });
    // the bot was down for two hours: one reminder, two hours late
    expect(decide('update_reminder', open, policy, at(135))).toEqual({ action: 'fire', dueAt: at(15), lateMs: 120 * MIN });
  });

  it('skips what an update, an ack or a resolution made obsolete, saying when it is due instead', () => {
    expect(decide('update_reminder', { ...open, lastUpdateAt: at(10) }, policy, at(15))).toEqual({ action: 'skip', next: at(25) });
    expect(decide('escalation:L2', { ...open, acknowledgedAt: at(14) }, policy, at(15))).toEqual({ action: 'skip', next: null });
    expect(decide('escalation:L4', { ...open, status: 'resolved', resolvedAt: at(50) }, policy, at(60))).toEqual({ action: 'skip', next: null });
    expect(decide('escalation:gone', open, policy, at(60))).toEqual({ action: 'skip', next: null });
  });

  it('a severity change recomputes the reminder', () => {
    expect(decide('update_reminder', { ...open, severity: 'P0' }, policy, at(12))).toEqual({ action: 'fire', dueAt: at(10), lateMs: 2 * MIN });
  });
});
