import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../../src/core/incident/incident.js';
import { parseStatus, transition, type StatusEffect, type StatusEvent } from '../../../src/core/incident/status.js';

type Expected = { to: IncidentStatus; effects: StatusEffect[] } | { refused: RegExp; fr: RegExp };
const OPEN = ['investigating', 'identified', 'monitoring'] as const;
const set = (to: IncidentStatus): StatusEvent => ({ type: 'set_status', to });
const RESOLVE: StatusEvent = { type: 'resolve' };
const REOPEN: StatusEvent = { type: 'reopen' };

const cases: Array<[IncidentStatus, StatusEvent, Expected]> = [
  // Any open status to any other open status, forward or back.
  ...OPEN.flatMap((from) =>
    OPEN.filter((to) => to !== from).map((to): [IncidentStatus, StatusEvent, Expected] => [from, set(to), { to, effects: ['reset_reminders'] }]),
  ),
  // The same status again.
  ['investigating', set('investigating'), { refused: /^INC-7 is already investigating\. Pick another status \(identified, monitoring\)/, fr: /^INC-7 est déjà en investigation\./ }],
  ['identified', set('identified'), { refused: /^INC-7 is already identified\./, fr: /^INC-7 est déjà identifié\./ }],
  ['monitoring', set('monitoring'), { refused: /^INC-7 is already monitoring\./, fr: /^INC-7 est déjà sous surveillance\./ }],
  // Resolving goes through /incident resolve.
  ...OPEN.map((from): [IncidentStatus, StatusEvent, Expected] => [from, set('resolved'), { refused: /\/incident resolve/, fr: /\/incident resolve/ }]),
  // Nothing is set on a resolved incident: reopen it first.
  ...INCIDENT_STATUSES.map((to): [IncidentStatus, StatusEvent, Expected] => ['resolved', set(to), { refused: /INC-7 is resolved\. Use `\/incident reopen`/, fr: /INC-7 est résolu\. .*\/incident reopen/ }]),
  ...OPEN.map((from): [IncidentStatus, StatusEvent, Expected] => [from, RESOLVE, { to: 'resolved', effects: ['post_resolution', 'post_checklist', 'stop_reminders'] }]),
  ['resolved', RESOLVE, { refused: /^INC-7 is already resolved\. Use `\/incident reopen`/, fr: /^INC-7 est déjà résolu\./ }],
  ['resolved', REOPEN, { to: 'investigating', effects: ['start_reminders'] }],
  ['investigating', REOPEN, { refused: /^INC-7 is not resolved: it is investigating\./, fr: /^INC-7 n'est pas résolu : il est en investigation\./ }],
  ['identified', REOPEN, { refused: /it is identified\..*change its status/, fr: /il est identifié\./ }],
  ['monitoring', REOPEN, { refused: /it is monitoring\./, fr: /il est sous surveillance\./ }],
];

describe('transition', () => {
  it('covers every status × event pair', () => {
    const events = [...INCIDENT_STATUSES.map(set), RESOLVE, REOPEN];
    const covered = new Set(cases.map(([from, e]) => `${from}:${JSON.stringify(e)}`));
    for (const from of INCIDENT_STATUSES) for (const e of events) expect(covered.has(`${from}:${JSON.stringify(e)}`), `${from} ${JSON.stringify(e)}`).toBe(true);
    expect(cases).toHaveLength(INCIDENT_STATUSES.length * events.length);
  });

  it.each(cases)('%s + %j', (from, event, expected) => {
    const en = transition(from, event, 'INC-7');
    const fr = transition(from, event, 'INC-7', 'fr');
    if ('to' in expected) {
      expect(en).toEqual({ ok: true, from, to: expected.to, effects: expected.effects });
      expect(fr).toEqual(en);
    } else {
      expect(en.ok).toBe(false);
      expect(fr.ok).toBe(false);
      if (en.ok || fr.ok) return;
      expect(en.reason).toMatch(expected.refused);
      expect(fr.reason).toMatch(expected.fr);
      expect(fr.reason).not.toEqual(en.reason);
      // Every refusal says what to do instead: a command, another status, or an update.
      expect(en.reason).toMatch(/\/incident (resolve|reopen)|Pick another status|change its status/);
      expect(fr.reason).toMatch(/\/incident (resolve|reopen)|Choisissez un autre statut|changez plutôt son statut/);
    }
  });

  it('defaults to English and uses the label it is given', () => {
    const r = transition('identified', set('identified'), 'INC-1234');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^INC-1234 is already identified\./) });
  });
});

describe('parseStatus', () => {
  it.each([
    ['investigating', 'investigating'], ['Investigating', 'investigating'], ['  IDENTIFIED ', 'identified'],
    ['monitoring', 'monitoring'], ['resolved', 'resolved'],
    ['enquête', 'investigating'], ['enquete', 'investigating'], ['ENQUÊTE', 'investigating'], ['investigation', 'investigating'],
    ['identifié', 'identified'], ['Identifie', 'identified'], ['IDENTIFIÉ', 'identified'],
    ['surveillance', 'monitoring'], ['Sous surveillance', 'monitoring'], ['résolu', 'resolved'],
    ['En investigation', 'investigating'], ['en enquête', 'investigating'], ['En surveillance', 'monitoring'],
    // Any run of blanks between two words reads as one space.
    ['sous  surveillance', 'monitoring'], ['en \t enquête', 'investigating'], ['en\ninvestigation', 'investigating'],
  ] as const)('%j → %s', (text, status) => {
    expect(parseStatus(text)).toBe(status);
  });

  it.each(['', 'open', 'investigatin', 'toString', '__proto__', 'constructor', 'identified!'])('%j → null', (text) => {
    expect(parseStatus(text)).toBeNull();
  });
});
