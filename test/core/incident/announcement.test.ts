/** The announcement of a declared incident, whole: every value of the initial notice, the channel line, the buttons, each locale. */
import { describe, expect, it } from 'vitest';
import { announcementMessage, initialNoticeValues } from '../../../src/core/incident/announcement.js';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import { parseTemplate } from '../../../src/core/render/template.js';
import { TEMPLATE_KINDS } from '../../../src/core/render/templates-catalogue.js';
import { makeIncident } from './fixtures.js';

const placeholders = TEMPLATE_KINDS.initial.placeholders;
const everyValue = parseTemplate('initial.md', placeholders.map((p) => `${p}={{${p}}}`).join('\n'), placeholders);
const ID = '00000000-0000-4000-8000-000000000007';
// 2026-11-22T09:30:00Z, and the same plus 15 minutes.
const DECLARED = '<!date^1795339800^{date_short_pretty} {time}|2026-11-22 09:30 UTC>';
const NEXT = '<!date^1795340700^{time}|2026-11-22 09:45 UTC>';

describe('initialNoticeValues', () => {
  it('gives each placeholder of the initial notice its value', () => {
    const incident = makeIncident({ eta: '45 min' });
    expect(initialNoticeValues({ incident, severity: DEFAULT_SEVERITIES.P1, locale: 'en', updateIntervalMs: 900_000 })).toEqual({
      incident_id: 'INC-7',
      title: 'Checkout returns 500',
      severity_tag: { mrkdwn: ':large_orange_circle: P1 Major' },
      severity: 'P1',
      severity_name: 'Major',
      response_time: '< 30 min',
      symptoms: '5xx on /api/checkout',
      impact: '30% of payments fail',
      actions: 'Rolling back 4.2',
      eta: '45 min',
      reporter: { mrkdwn: '<@U0ALICE>' },
      commander: { mrkdwn: '<@U0BOB>' },
      declared_at: { mrkdwn: DECLARED },
      update_interval: '15 min',
      next_update_at: { mrkdwn: NEXT },
    });
  });

  it('names the severity in French, and leaves out a commander who is not a user id', () => {
    const incident = makeIncident({ severity: 'P2', commanderId: null, reporterId: 'not-an-id' });
    expect(initialNoticeValues({ incident, severity: DEFAULT_SEVERITIES.P2, locale: 'fr', updateIntervalMs: 3_600_000 })).toMatchObject({
      severity_tag: { mrkdwn: ':large_yellow_circle: P2 Modéré' },
      severity_name: 'Modéré',
      response_time: '< 2 h',
      reporter: null,
      commander: null,
      update_interval: '1 h',
      next_update_at: { mrkdwn: '<!date^1795343400^{time}|2026-11-22 10:30 UTC>' },
    });
  });
});

describe('announcementMessage', () => {
  const body = (lines: Record<string, string>) => placeholders.map((p) => `${p}=${lines[p]}`).join('\n');
  const enBody = body({
    incident_id: 'INC-7', title: 'Checkout \u200B*returns\u200B* 500', severity_tag: ':red_circle: P0 Critical', severity: 'P0', severity_name: 'Critical',
    response_time: '&lt; 15 min', symptoms: '5xx on /api/checkout', impact: '30% of payments fail', actions: 'Rolling back 4.2', eta: '—',
    reporter: '<@U0ALICE>', commander: '<@U0BOB>', declared_at: DECLARED, update_interval: '15 min', next_update_at: NEXT,
  });

  it('has the tag, id and title, the notice, the status and channel, and the buttons (en)', () => {
    const incident = makeIncident({ severity: 'P0', title: 'Checkout *returns* 500', channelId: 'C0INC7' });
    expect(announcementMessage({ incident, severity: DEFAULT_SEVERITIES.P0, template: everyValue, locale: 'en', updateIntervalMs: 900_000 })).toEqual({
      text: ':red_circle: P0 Critical · INC-7: Checkout \u200B*returns\u200B* 500',
      blocks: [
        { type: 'header', text: 'P0 · INC-7: Checkout *returns* 500' },
        { type: 'text', text: enBody },
        { type: 'context', items: ['*Status:* :mag: Investigating · *Channel:* <#C0INC7>'] },
        {
          type: 'actions',
          buttons: [
            { action: 'incident_ack', label: 'Acknowledge', value: ID, style: 'primary' },
            { action: 'incident_join', label: 'Join channel', value: ID },
            { action: 'incident_post_update', label: 'Post update', value: ID },
          ],
        },
      ],
    });
  });

  it('has no channel line without a channel, in French', () => {
    const incident = makeIncident({ severity: 'P1', status: 'identified', acknowledgedAt: new Date('2026-11-22T09:35:00Z'), acknowledgedBy: 'U0BOB' });
    const m = announcementMessage({ incident, severity: DEFAULT_SEVERITIES.P1, template: parseTemplate('initial.md', '{{severity_tag}}: {{title}}', placeholders), locale: 'fr', updateIntervalMs: 900_000 });
    expect(m).toEqual({
      text: ':large_orange_circle: P1 Majeur · INC-7: Checkout returns 500',
      blocks: [
        { type: 'header', text: 'P1 · INC-7: Checkout returns 500' },
        { type: 'text', text: ':large_orange_circle: P1 Majeur: Checkout returns 500' },
        { type: 'context', items: ['*Statut :* :dart: Identifié'] },
        { type: 'actions', buttons: [{ action: 'incident_post_update', label: 'Publier une mise à jour', value: ID }] },
      ],
    });
  });

  it('has the channel line in French, and only the join button once resolved', () => {
    const incident = makeIncident({ severity: 'P3', status: 'resolved', channelId: 'C0INC7', title: 'Disk\nfull' });
    const m = announcementMessage({ incident, severity: DEFAULT_SEVERITIES.P3, template: parseTemplate('initial.md', '{{incident_id}}', placeholders), locale: 'fr', updateIntervalMs: 900_000 });
    expect(m).toEqual({
      text: ':large_blue_circle: P3 Mineur · INC-7: Disk full',
      blocks: [
        { type: 'header', text: 'P3 · INC-7: Disk full' },
        { type: 'text', text: 'INC-7' },
        { type: 'context', items: ['*Statut :* :white_check_mark: Résolu · *Canal :* <#C0INC7>'] },
        { type: 'actions', buttons: [{ action: 'incident_join', label: 'Rejoindre le canal', value: ID }] },
      ],
    });
  });

  it('has no actions block when no button applies', () => {
    const incident = makeIncident({ severity: 'P2', status: 'resolved', channelId: null });
    const m = announcementMessage({ incident, severity: DEFAULT_SEVERITIES.P2, template: parseTemplate('initial.md', '{{incident_id}}', placeholders), locale: 'en', updateIntervalMs: 900_000 });
    expect(m).toEqual({
      text: ':large_yellow_circle: P2 Moderate · INC-7: Checkout returns 500',
      blocks: [
        { type: 'header', text: 'P2 · INC-7: Checkout returns 500' },
        { type: 'text', text: 'INC-7' },
        { type: 'context', items: ['*Status:* :white_check_mark: Resolved'] },
      ],
    });
  });

  it('cuts the notification text of a very long title to 3000 characters', () => {
    const incident = makeIncident({ title: 'x'.repeat(4000) });
    const m = announcementMessage({ incident, severity: DEFAULT_SEVERITIES.P1, template: parseTemplate('initial.md', '{{incident_id}}', placeholders), locale: 'en', updateIntervalMs: 900_000 });
    expect(m.text).toBe(`:large_orange_circle: P1 Major · INC-7: ${'x'.repeat(3000 - 41)}…`);
    expect(m.text).toHaveLength(3000);
  });
});
