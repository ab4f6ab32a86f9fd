import { describe, expect, it } from 'vitest';
import { decide, levelOf, nextAfterFire, nextReminderDue, OPEN_PAGE_LEVEL, pagesOnOpen, pagingLevel, planFor, type EscalationLevel, type SchedulePolicy } from '../../../src/core/reminders/plan.js';
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

  it('lists each item whole: the update reminder repeats, the response deadline and each level fire once', () => {
    expect(planFor(open, policy)).toStrictEqual([
      { kind: 'update_reminder', dueAt: at(15), oneShot: false },
      { kind: 'response_deadline', dueAt: at(30), oneShot: true },
      { kind: 'escalation:L2', dueAt: at(15), oneShot: true },
      { kind: 'escalation:L4', dueAt: at(60), oneShot: true },
    ]);
  });

  it('takes only the kinds that start with "escalation:" for levels, whatever the rest of the kind says', () => {
    expect(levelOf('escalation:L4', open, policy)).toMatchObject({ name: 'L4' });
    // The same length as "escalation:" before the level's name, but not that prefix.
    expect(levelOf('reminderxy:L4', open, policy)).toBeNull();
    expect(levelOf('update_reminder', open, { ...policy, levels: [{ name: 'nder', afterMs: 0, until: 'resolved', notify: [] }] })).toBeNull();
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

describe('escalation levels per severity', () => {
  /** The default levels as the configuration gives them: L2 for P0–P2, L3 and L4 for P0 and P1. */
  const defaults: EscalationLevel[] = [
    { name: 'L2', afterMs: 15 * MIN, until: 'acknowledged', notify: ['S0SENIOR'], severities: ['P0', 'P1', 'P2'] },
    { name: 'L3', afterMs: 30 * MIN, until: 'resolved', notify: ['U0LEAD'], severities: ['P0', 'P1'] },
    { name: 'L4', afterMs: 60 * MIN, until: 'resolved', notify: ['U0CTO'], severities: ['P0', 'P1'] },
  ];
  const byDefault: SchedulePolicy = { ...policy, levels: defaults };

  it.each([
    ['P0', { 'escalation:L2': '09:45', 'escalation:L3': '10:00', 'escalation:L4': '10:30' }],
    ['P1', { 'escalation:L2': '09:45', 'escalation:L3': '10:00', 'escalation:L4': '10:30' }],
    ['P2', { 'escalation:L2': '09:45', 'escalation:L3': null, 'escalation:L4': null }],
    ['P3', { 'escalation:L2': null, 'escalation:L3': null, 'escalation:L4': null }],
  ] as const)('with the defaults, a %s incident', (severity, expected) => {
    const items = planFor({ ...open, severity }, byDefault);
    // The response deadline stays per severity (P3: 24 h).
    expect(items.find((i) => i.kind === 'response_deadline')?.dueAt).toEqual(at(policy.responseMs(severity) / MIN));
    expect(due(items)).toMatchObject(expected);
  });

  it('a level that does not apply is planned as nothing due, so a stored one is cancelled', () => {
    const p3 = planFor({ ...open, severity: 'P3' }, byDefault);
    expect(p3.filter((i) => i.kind.startsWith('escalation:'))).toEqual([
      { kind: 'escalation:L2', dueAt: null, oneShot: true },
      { kind: 'escalation:L3', dueAt: null, oneShot: true },
      { kind: 'escalation:L4', dueAt: null, oneShot: true },
    ]);
  });

  it('a level without severities applies to every severity', () => {
    const everyone: SchedulePolicy = { ...policy, levels: [{ name: 'L2', afterMs: 15 * MIN, until: 'acknowledged', notify: ['S0SENIOR'] }] };
    for (const severity of ['P0', 'P1', 'P2', 'P3'] as const) {
      expect(due(planFor({ ...open, severity }, everyone))['escalation:L2']).toBe('09:45');
    }
  });

  it('follows the severity at fire time: a P2 raised to P1 after 40 min has L3 due now, a P1 lowered to P3 has it no longer', () => {
    expect(decide('escalation:L3', { ...open, severity: 'P2' }, byDefault, at(40))).toEqual({ action: 'skip', next: null });
    expect(decide('escalation:L3', { ...open, severity: 'P1' }, byDefault, at(40))).toEqual({ action: 'fire', dueAt: at(30), lateMs: 10 * MIN });
    expect(decide('escalation:L2', { ...open, severity: 'P3' }, byDefault, at(15))).toEqual({ action: 'skip', next: null });
  });
});

describe('the page at declaration', () => {
  const paging: SchedulePolicy = { ...policy, pageOnOpen: { severities: ['P0'], pagerduty: 'openkey' } };

  it('is for the listed severities of an open incident with a routing key only', () => {
    expect(pagesOnOpen({ ...open, severity: 'P0' }, paging)).toBe(true);
    expect(pagesOnOpen(open, paging)).toBe(false);
    expect(pagesOnOpen({ ...open, severity: 'P0', status: 'resolved', resolvedAt: at(5) }, paging)).toBe(false);
    expect(pagesOnOpen({ ...open, severity: 'P0' }, { ...policy, pageOnOpen: { severities: ['P0'], pagerduty: undefined } })).toBe(false);
    expect(pagesOnOpen({ ...open, severity: 'P0' }, policy)).toBe(false);
  });

  it('names the level each pager item pages for, with its routing key', () => {
    expect(pagingLevel(OPEN_PAGE_LEVEL, open, paging)).toEqual({ name: 'open', afterMs: 0, until: 'resolved', notify: [], pagerduty: 'openkey' });
    expect(pagingLevel('response', open, paging)).toMatchObject({ name: 'response', notify: ['S0ONCALL'] });
    expect(pagingLevel('L2', open, paging)).toMatchObject({ name: 'L2', pagerduty: 'abc' });
    expect(pagingLevel('L9', open, paging)).toBeNull();
  });

  it('still names the page of an item planned before the page at declaration was taken out of the configuration', () => {
    // Stored while pageOnOpen was set; the process restarted without it.
    expect(pagingLevel(OPEN_PAGE_LEVEL, open, policy)).toEqual({ name: 'open', afterMs: 0, until: 'resolved', notify: [], pagerduty: undefined });
  });
});
