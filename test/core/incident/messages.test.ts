/** The messages of an incident's life, each value of its template pinned, and the short notices in each locale. */
import { describe, expect, it } from 'vitest';
import { checklistMessage, notices, resolutionMessage, severityRaisedMessage, updateMessage } from '../../../src/core/incident/messages.js';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import { parseTemplate } from '../../../src/core/render/template.js';
import { TEMPLATE_KINDS, type TemplateKind } from '../../../src/core/render/templates-catalogue.js';
import { at, makeIncident } from './fixtures.js';

/** A template that shows every placeholder of its kind, one a line, so a test sees each value. */
const everyValue = (kind: TemplateKind) =>
  parseTemplate(`${kind}.md`, TEMPLATE_KINDS[kind].placeholders.map((p) => `${p}={{${p}}}`).join('\n'), TEMPLATE_KINDS[kind].placeholders);

const time = (d: Date) => `<!date^${d.getTime() / 1000}^{time}|${d.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;
const dateTime = (d: Date) => `<!date^${d.getTime() / 1000}^{date_short_pretty} {time}|${d.toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

describe('updateMessage', () => {
  const incident = makeIncident({ title: 'Checkout *returns* 500' });
  const posted = at('2026-11-22T10:00:00Z');
  const form = { status: 'monitoring' as const, progress: 'Rolled back', blockers: null, nextSteps: 'Watch the error rate', eta: '10:30' };

  it('fills every value of the update template (en)', () => {
    const m = updateMessage({ incident, severity: DEFAULT_SEVERITIES.P1, template: everyValue('update'), locale: 'en', form, author: 'U0BOB', at: posted, updateIntervalMs: 1_800_000 });
    expect(m).toEqual({
      text: ':bar_chart: :large_orange_circle: P1 Major · INC-7: Checkout \u200B*returns\u200B* 500',
      blocks: [{
        type: 'text',
        text: [
          'incident_id=INC-7', 'title=Checkout \u200B*returns\u200B* 500', 'severity_tag=:large_orange_circle: P1 Major', 'status=:eyes: Monitoring',
          'progress=Rolled back', 'blockers=—', 'next_steps=Watch the error rate', 'eta=10:30', 'author=<@U0BOB>',
          `posted_at=${time(posted)}`, `next_update_at=${time(at('2026-11-22T10:30:00Z'))}`, 'update_interval=30 min',
        ].join('\n'),
      }],
    });
  });

  it('writes the severity and the status in French', () => {
    const m = updateMessage({ incident, severity: DEFAULT_SEVERITIES.P1, template: everyValue('update'), locale: 'fr', form, author: 'not a user id', at: posted, updateIntervalMs: 900_000 });
    expect(m.text).toBe(':bar_chart: :large_orange_circle: P1 Majeur · INC-7: Checkout \u200B*returns\u200B* 500');
    expect(m.blocks).toEqual([{
      type: 'text',
      text: [
        'incident_id=INC-7', 'title=Checkout \u200B*returns\u200B* 500', 'severity_tag=:large_orange_circle: P1 Majeur', 'status=:eyes: Surveillance',
        'progress=Rolled back', 'blockers=—', 'next_steps=Watch the error rate', 'eta=10:30', 'author=—',
        `posted_at=${time(posted)}`, `next_update_at=${time(at('2026-11-22T10:15:00Z'))}`, 'update_interval=15 min',
      ].join('\n'),
    }]);
  });
});

describe('resolutionMessage', () => {
  const resolvedAt = at('2026-11-22T10:40:00Z');

  it('fills every value of the resolution template from the incident and its resolution', () => {
    const incident = makeIncident({
      status: 'resolved', resolvedAt, lastUpdateAt: at('2026-11-22T10:20:00Z'),
      resolution: { rootCause: 'Pool too small', fixApplied: 'Rolled back to 4.1', finalImpact: '40 min of failed payments', postmortemDate: 'Thursday 14:00' },
    });
    const m = resolutionMessage({ incident, severity: DEFAULT_SEVERITIES.P0, template: everyValue('resolution'), locale: 'en', resolvedBy: 'U0CAROL' });
    expect(m).toEqual({
      text: ':white_check_mark: :red_circle: P0 Critical · INC-7: Checkout returns 500',
      blocks: [{
        type: 'text',
        text: [
          'incident_id=INC-7', 'title=Checkout returns 500', 'severity_tag=:red_circle: P0 Critical', `resolved_at=${dateTime(resolvedAt)}`,
          'duration=1 h 10 min', 'root_cause=Pool too small', 'fix_applied=Rolled back to 4.1', 'final_impact=40 min of failed payments',
          'postmortem_date=Thursday 14:00', 'resolved_by=<@U0CAROL>',
        ].join('\n'),
      }],
    });
  });

  it('falls back to the last update for the time, and to dashes without a resolution (fr)', () => {
    const lastUpdateAt = at('2026-11-22T10:00:00Z');
    const incident = makeIncident({ status: 'resolved', resolvedAt: null, lastUpdateAt, resolution: null });
    const m = resolutionMessage({ incident, severity: DEFAULT_SEVERITIES.P3, template: everyValue('resolution'), locale: 'fr', resolvedBy: 'U0CAROL' });
    expect(m).toEqual({
      text: ':white_check_mark: :large_blue_circle: P3 Mineur · INC-7: Checkout returns 500',
      blocks: [{
        type: 'text',
        text: [
          'incident_id=INC-7', 'title=Checkout returns 500', 'severity_tag=:large_blue_circle: P3 Mineur', `resolved_at=${dateTime(lastUpdateAt)}`,
          'duration=30 min', 'root_cause=—', 'fix_applied=—', 'final_impact=—', 'postmortem_date=—', 'resolved_by=<@U0CAROL>',
        ].join('\n'),
      }],
    });
  });
});

describe('severityRaisedMessage', () => {
  it('names the previous level and links the incident channel', () => {
    const incident = makeIncident({ severity: 'P0', channelId: 'C0INC7' });
    const m = severityRaisedMessage({ incident, severity: DEFAULT_SEVERITIES.P0, previous: DEFAULT_SEVERITIES.P2, template: everyValue('severity'), locale: 'fr', changedBy: 'U0BOB' });
    expect(m).toEqual({
      text: ':arrow_double_up: :red_circle: P0 Critique · INC-7: Checkout returns 500',
      blocks: [{
        type: 'text',
        text: ['incident_id=INC-7', 'title=Checkout returns 500', 'severity_tag=:red_circle: P0 Critique', 'previous=P2 Modéré', 'changed_by=<@U0BOB>', 'incident_link=<#C0INC7>'].join('\n'),
      }],
    });
  });

  it('shows a dash for the link of an incident without a channel', () => {
    const incident = makeIncident({ severity: 'P1', channelId: null });
    const m = severityRaisedMessage({ incident, severity: DEFAULT_SEVERITIES.P1, previous: DEFAULT_SEVERITIES.P3, template: everyValue('severity'), locale: 'en', changedBy: 'U0BOB' });
    expect(m.blocks).toEqual([{
      type: 'text',
      text: ['incident_id=INC-7', 'title=Checkout returns 500', 'severity_tag=:large_orange_circle: P1 Major', 'previous=P3 Minor', 'changed_by=<@U0BOB>', 'incident_link=—'].join('\n'),
    }]);
  });
});

describe('checklistMessage', () => {
  it('has the heading as its text and the items as tickable boxes keyed by the incident', () => {
    const template = parseTemplate('checklist.md', 'Before closing {{incident_id}} ({{title}}):\n- Timeline complete\n- Postmortem date set', ['incident_id', 'title']);
    const m = checklistMessage({ incident: makeIncident({ checklist: ['item-2'] }), template });
    expect(m).toEqual({
      text: 'Before closing INC-7 (Checkout returns 500):',
      blocks: [
        { type: 'text', text: 'Before closing INC-7 (Checkout returns 500):' },
        {
          type: 'checklist', id: 'checklist:00000000-0000-4000-8000-000000000007', action: 'incident_checklist',
          items: [{ key: 'item-1', text: 'Timeline complete' }, { key: 'item-2', text: 'Postmortem date set' }], checked: ['item-2'],
        },
      ],
    });
  });
});

describe('notices', () => {
  it('says each step in English', () => {
    const n = notices('en');
    expect(n.acknowledged('INC-7', '<@U0BOB>')).toBe(':ok_hand: INC-7 acknowledged by <@U0BOB>.');
    expect(n.commanderFromAck('<@U0BOB>')).toBe('<@U0BOB> is now the incident commander.');
    expect(n.role('INC-7', 'Comms lead', '<@U0CAROL>')).toBe(':busts_in_silhouette: <@U0CAROL> is now Comms lead of INC-7.');
    expect(n.severity('INC-7', 'P2 Moderate', 'P1 Major', '<@U0BOB>')).toBe(':label: INC-7 severity changed from P2 Moderate to P1 Major by <@U0BOB>.');
    expect(n.reopened('INC-7', '<@U0BOB>')).toBe(':arrows_counterclockwise: INC-7 reopened by <@U0BOB>; back to investigating.');
    expect(n.note('<@U0BOB>')).toBe(':memo: Note added to the timeline by <@U0BOB>.');
    expect(n.sideStep('INC-7', 'create_channel', 'name_taken')).toBe(':warning: INC-7: create_channel failed (name_taken). The incident is recorded; everything else went on.');
  });

  it('says each step in French, the role in lower case', () => {
    const n = notices('fr');
    expect(n.acknowledged('INC-7', '<@U0BOB>')).toBe(':ok_hand: INC-7 pris en charge par <@U0BOB>.');
    expect(n.commanderFromAck('<@U0BOB>')).toBe('<@U0BOB> est maintenant responsable de l’incident.');
    expect(n.role('INC-7', 'Responsable Communication', '<@U0CAROL>')).toBe(':busts_in_silhouette: <@U0CAROL> est maintenant responsable communication de INC-7.');
    expect(n.severity('INC-7', 'P2 Modéré', 'P1 Majeur', '<@U0BOB>')).toBe(':label: Sévérité de INC-7 changée de P2 Modéré à P1 Majeur par <@U0BOB>.');
    expect(n.reopened('INC-7', '<@U0BOB>')).toBe(':arrows_counterclockwise: INC-7 rouvert par <@U0BOB> ; retour en investigation.');
    expect(n.note('<@U0BOB>')).toBe(':memo: Note ajoutée à la timeline par <@U0BOB>.');
    expect(n.sideStep('INC-7', 'create_channel', 'name_taken')).toBe(':warning: INC-7 : create_channel a échoué (name_taken). L’incident est enregistré ; le reste a continué.');
  });
});
