/** The update reminder and the escalation notice, compared whole in both locales. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import { escalationMessage, mentionOf, reminderMessage, SNOOZE_CHOICES, type ReminderInput } from '../../../src/core/reminders/messages.js';
import type { EscalationLevel } from '../../../src/core/reminders/plan.js';
import { parseTemplate } from '../../../src/core/render/template.js';
import { at, makeIncident } from '../incident/fixtures.js';

const ID = '00000000-0000-4000-8000-000000000007';
const ZWSP = '\u200B';
const now = at('2026-11-22T10:00:00Z');
const remind = (over: Partial<ReminderInput> = {}) => reminderMessage({ incident: makeIncident(), locale: 'en', now, intervalMs: 15 * 60_000, lateMs: 0, ...over });

describe('the update reminder', () => {
  it('pings the commander with how long since the last update and the promised pace, with post and snooze buttons', () => {
    expect(remind()).toEqual({
      text: ':alarm_clock: INC-7 needs an update: 30 min',
      blocks: [
        { type: 'text', text: '<@U0BOB> :alarm_clock: *INC-7: Checkout returns 500*: no update for *30 min*; stakeholders were promised one every 15 min.' },
        { type: 'actions', buttons: [
          { action: 'incident_post_update', label: 'Post update', value: ID, style: 'primary' },
          { action: 'reminder_snooze:15m', label: 'Snooze 15 min', value: `${ID}|15m` },
          { action: 'reminder_snooze:30m', label: '30 min', value: `${ID}|30m` },
          { action: 'reminder_snooze:1h', label: '1 h', value: `${ID}|1h` },
        ] },
      ],
    });
  });

  it('is written in French', () => {
    const m = remind({ locale: 'fr' });
    expect(m.text).toBe(':alarm_clock: INC-7 attend une mise à jour: 30 min');
    expect(m.blocks[0]).toEqual({ type: 'text', text: '<@U0BOB> :alarm_clock: *INC-7 : Checkout returns 500* : aucune mise à jour depuis *30 min* ; une mise à jour toutes les 15 min a été promise.' });
    expect((m.blocks[1] as { buttons: Array<{ label: string }> }).buttons.map((b) => b.label)).toEqual(['Publier une mise à jour', 'Reporter 15 min', '30 min', '1 h']);
  });

  it('pings the reporter when there is no commander, and nobody when neither is a user', () => {
    expect((remind({ incident: makeIncident({ commanderId: null }) }).blocks[0] as { text: string }).text).toMatch(/^<@U0ALICE> :alarm_clock:/);
    expect((remind({ incident: makeIncident({ commanderId: null, reporterId: 'x' }) }).blocks[0] as { text: string }).text).toMatch(/^ :alarm_clock:/);
  });

  it('counts from the last update, and keeps the title on one line, escaped and cut to 150', () => {
    const incident = makeIncident({ lastUpdateAt: at('2026-11-22T09:55:00Z'), title: '*a*\nb' });
    expect(remind({ incident }).text).toBe(':alarm_clock: INC-7 needs an update: 5 min');
    expect((remind({ incident }).blocks[0] as { text: string }).text).toContain(`*INC-7: ${ZWSP}*a${ZWSP}* b*: no update for *5 min*`);
    const long = (remind({ incident: makeIncident({ title: 'x'.repeat(400) }) }).blocks[0] as { text: string }).text;
    expect(long).toContain(`*INC-7: ${'x'.repeat(149)}…*`);
  });

  it('says it is late from one minute late on, in both locales', () => {
    expect(remind({ lateMs: 59_999 }).blocks.map((b) => b.type)).toEqual(['text', 'actions']);
    expect(remind({ lateMs: 60_000 }).blocks[1]).toEqual({ type: 'context', items: ['_Firebreak was unavailable when this fell due; it is 1 min late._'] });
    expect(remind({ lateMs: 7_200_000, locale: 'fr' }).blocks[1]).toEqual({ type: 'context', items: ['_Firebreak était indisponible à l’échéance ; ce rappel arrive avec 2 h de retard._'] });
  });

  it('once snoozed, says by whom and until when instead of the buttons', () => {
    const snoozed = { by: 'U0CAROL', until: at('2026-11-22T10:30:00Z') };
    const until = `<!date^${Date.parse('2026-11-22T10:30:00Z') / 1000}^{time}|2026-11-22 10:30 UTC>`;
    expect(remind({ snoozed }).blocks).toEqual([
      expect.objectContaining({ type: 'text' }),
      { type: 'context', items: [`:zzz: Snoozed by <@U0CAROL> until ${until}.`] },
    ]);
    expect(remind({ snoozed, locale: 'fr' }).blocks[1]).toEqual({ type: 'context', items: [`:zzz: Reporté par <@U0CAROL> jusqu’à ${until}.`] });
    expect(remind({ snoozed: { by: 'bad', until: snoozed.until } }).blocks[1]).toEqual({ type: 'context', items: [`:zzz: Snoozed by  until ${until}.`] });
  });

  it('offers the snooze durations it can parse back', () => {
    expect(SNOOZE_CHOICES.map((c) => [c.duration, c.ms])).toEqual([['15m', 900_000], ['30m', 1_800_000], ['1h', 3_600_000]]);
  });
});

describe('mentions', () => {
  it('of a person, a user group, and nothing for anything else', () => {
    expect(mentionOf('U0BOB')).toBe('<@U0BOB>');
    expect(mentionOf('S0ONCALL')).toBe('<!subteam^S0ONCALL>');
    expect(mentionOf('S')).toBe('');
    expect(mentionOf('s0oncall')).toBe('');
    expect(mentionOf('S0X>')).toBe('');
    expect(mentionOf('xS0ONCALL')).toBe('');
    expect(mentionOf('here')).toBe('');
  });
});

describe('the escalation notice', () => {
  const template = parseTemplate('escalation.md', 'id={{incident_id}}|title={{title}}|tag={{severity_tag}}|level={{level}}|elapsed={{elapsed}}|reason={{reason}}|notify={{notify}}|target={{response_time}}|link={{incident_link}}',
    ['incident_id', 'title', 'severity_tag', 'level', 'elapsed', 'reason', 'notify', 'response_time', 'incident_link']);
  const level = (over: Partial<EscalationLevel> = {}): EscalationLevel => ({ name: 'L2', afterMs: 1_800_000, until: 'resolved', notify: ['U0SENIOR', 'S0LEADS', 'junk'], ...over });
  const notice = (over: Partial<EscalationLevel> = {}, extra: { locale?: 'en' | 'fr'; channelId?: string | null; title?: string } = {}) => escalationMessage({
    incident: makeIncident({ channelId: extra.channelId === undefined ? 'C0INC7' : extra.channelId, title: extra.title ?? 'Checkout returns 500' }),
    level: level(over), severity: DEFAULT_SEVERITIES.P1, template, locale: extra.locale ?? 'en', now: at('2026-11-22T10:45:00Z'),
  });
  const body = (m: ReturnType<typeof notice>) => (m.blocks[0] as { text: string }).text;

  it('of a level kept until resolution: who is called, why, and where to go', () => {
    const m = notice();
    expect(m.text).toBe(':rotating_light: L2 · INC-7: Checkout returns 500');
    expect(m.blocks).toEqual([{ type: 'text', text: 'id=INC-7|title=Checkout returns 500|tag=:large_orange_circle: P1 Major|level=L2|elapsed=1 h 15 min|reason=L2: still unresolved|notify=<@U0SENIOR> <!subteam^S0LEADS>|target=&lt; 30 min|link=<#C0INC7>' }]);
  });

  it('of a level kept until acknowledgement, in French, without a channel', () => {
    expect(body(notice({ until: 'acknowledged' }, { locale: 'fr', channelId: null }))).toBe('id=INC-7|title=Checkout returns 500|tag=:large_orange_circle: P1 Majeur|level=L2|elapsed=1 h 15 min|reason=L2 : toujours sans prise en charge|notify=<@U0SENIOR> <!subteam^S0LEADS>|target=&lt; 30 min|link=le fil de son annonce');
    expect(body(notice({ until: 'acknowledged' }, { channelId: null }))).toContain('|reason=L2: still unacknowledged|');
    expect(body(notice({}, { channelId: null }))).toContain('|link=the thread of its announcement');
  });

  it('of the response deadline: named as such, with its own reason', () => {
    const m = notice({ name: 'response' });
    expect(m.text).toBe(':rotating_light: response deadline · INC-7: Checkout returns 500');
    expect(body(m)).toContain('|level=response deadline|elapsed=1 h 15 min|reason=Nobody has acknowledged it within its response target|');
    expect(body(notice({ name: 'response' }, { locale: 'fr' }))).toContain('|level=délai de réponse|elapsed=1 h 15 min|reason=Personne ne l’a pris en charge dans le délai de réponse|');
  });

  it('says nobody is configured when the level mentions no one', () => {
    expect(body(notice({ notify: [] }))).toContain('|notify=_(no one is configured for this level (escalation.levels in the configuration))_|');
    expect(body(notice({ notify: ['junk'] }, { locale: 'fr' }))).toContain('|notify=_(personne n’est configuré pour ce niveau (escalation.levels dans la configuration))_|');
  });

  it('keeps the title escaped in the text, and the text within 3,000 characters', () => {
    expect(notice({}, { title: '*x*\n<!here>' }).text).toBe(`:rotating_light: L2 · INC-7: ${ZWSP}*x${ZWSP}* &lt;!here&gt;`);
    expect(notice({}, { title: 'y'.repeat(4000) }).text).toHaveLength(3000);
  });
});
