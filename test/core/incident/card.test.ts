/**
 * The summary card in each state an incident goes through: which fields, lines and buttons it has,
 * compared whole (the golden files pin the resolved card only).
 */
import { describe, expect, it } from 'vitest';
import { incidentButtons, summaryCard, type CardInput } from '../../../src/core/incident/card.js';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import type { Block } from '../../../src/core/render/message.js';
import { at, makeIncident } from './fixtures.js';

const ID = '00000000-0000-4000-8000-000000000007';
const ZWSP = '\u200B';
const now = at('2026-11-22T10:00:00Z');
const token = (iso: string) => `<!date^${Date.parse(iso) / 1000}^{date_short_pretty} {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;
const card = (over: Partial<CardInput> & Pick<CardInput, 'incident'>) =>
  summaryCard({ severities: DEFAULT_SEVERITIES, locale: 'en', links: [], checklist: [], nextUpdateDue: null, now, ...over });
const fields = (blocks: Block[]) => (blocks.find((b) => b.type === 'fields') as { fields: Array<{ label: string; value: string }> }).fields;
const value = (blocks: Block[], label: string) => fields(blocks).find((f) => f.label === label)?.value;
const buttons = (blocks: Block[]) => (blocks.find((b) => b.type === 'actions') as { buttons: Array<{ action: string }> } | undefined)?.buttons.map((b) => b.action) ?? [];

describe('the summary card', () => {
  it('of a new incident: who, when, nothing acknowledged, the update overdue, acknowledge and post-update buttons', () => {
    const { text, blocks } = card({ incident: makeIncident(), nextUpdateDue: at('2026-11-22T09:45:00Z') });
    expect(text).toBe(':large_orange_circle: P1 Major · INC-7: Checkout returns 500 · Investigating');
    expect(blocks).toEqual([
      { type: 'header', text: ':large_orange_circle: P1 · INC-7: Checkout returns 500' },
      { type: 'fields', fields: [
        { label: 'Severity', value: ':large_orange_circle: P1 Major' },
        { label: 'Status', value: ':mag: Investigating' },
        { label: 'Commander', value: '<@U0BOB>' },
        { label: 'Comms lead', value: '— (nobody yet)' },
        { label: 'Declared', value: `${token('2026-11-22T09:30:00Z')} by <@U0ALICE>` },
        { label: 'Acknowledged', value: 'not yet' },
        { label: 'Last update', value: '—' },
        { label: 'Next update due', value: `${token('2026-11-22T09:45:00Z')} :warning:` },
      ] },
      { type: 'actions', buttons: [
        { action: 'incident_ack', label: 'Acknowledge', value: ID, style: 'primary' },
        { action: 'incident_post_update', label: 'Post update', value: ID },
      ] },
    ]);
  });

  it('of an acknowledged incident, in French: who acknowledged, the last update, the channel and links, no acknowledge button', () => {
    const incident = makeIncident({ status: 'identified', acknowledgedAt: at('2026-11-22T09:33:00Z'), acknowledgedBy: 'U0BOB', lastUpdateAt: at('2026-11-22T09:50:00Z'), channelId: 'C0INC7' });
    const { text, blocks } = card({ incident, locale: 'fr', links: [{ label: '*Graf*', url: 'https://g.example' }, { label: 'Logs', url: 'https://l.example' }], nextUpdateDue: at('2026-11-22T10:05:00Z') });
    expect(text).toBe(':large_orange_circle: P1 Majeur · INC-7: Checkout returns 500 · Identifié');
    expect(fields(blocks).slice(1)).toEqual([
      { label: 'Statut', value: ':dart: Identifié' },
      { label: 'Responsable', value: '<@U0BOB>' },
      { label: 'Responsable communication', value: '— (personne pour l’instant)' },
      { label: 'Déclaré', value: `${token('2026-11-22T09:30:00Z')} par <@U0ALICE>` },
      { label: 'Pris en charge', value: `${token('2026-11-22T09:33:00Z')} par <@U0BOB>` },
      { label: 'Dernière mise à jour', value: token('2026-11-22T09:50:00Z') },
      { label: 'Prochaine mise à jour', value: token('2026-11-22T10:05:00Z') },
    ]);
    expect(blocks.slice(2)).toEqual([
      { type: 'context', items: [`Canal : <#C0INC7> · <https://g.example|${ZWSP}*Graf${ZWSP}*> · <https://l.example|Logs>`] },
      { type: 'actions', buttons: [{ action: 'incident_post_update', label: 'Publier une mise à jour', value: ID }] },
    ]);
  });

  it('calls an update due right now not yet overdue, and shows a dash when none is due', () => {
    expect(value(card({ incident: makeIncident(), nextUpdateDue: now }).blocks, 'Next update due')).toBe(token('2026-11-22T10:00:00Z'));
    expect(value(card({ incident: makeIncident(), nextUpdateDue: new Date(now.getTime() - 1) }).blocks, 'Next update due')).toMatch(/ :warning:$/);
    expect(value(card({ incident: makeIncident() }).blocks, 'Next update due')).toBe('—');
  });

  it('shows a dash for a reporter or acknowledger that is not a valid user, and names nobody as commander', () => {
    const incident = makeIncident({ reporterId: 'alice', commanderId: null, acknowledgedAt: at('2026-11-22T09:33:00Z'), acknowledgedBy: null });
    const { blocks } = card({ incident });
    expect(value(blocks, 'Declared')).toBe(`${token('2026-11-22T09:30:00Z')} by —`);
    expect(value(blocks, 'Acknowledged')).toBe(`${token('2026-11-22T09:33:00Z')} by —`);
    expect(value(blocks, 'Commander')).toBe('— (nobody yet)');
    expect(buttons(blocks)).toEqual(['incident_post_update']);
  });

  it('of a resolved incident: when and after how long, the checklist done so far, no buttons', () => {
    const incident = makeIncident({ status: 'resolved', resolvedAt: at('2026-11-22T10:10:00Z'), lastUpdateAt: at('2026-11-22T10:10:00Z'), checklist: ['item-1', 'item-3', 'gone'] });
    const checklist = [{ key: 'item-1', text: 'a' }, { key: 'item-2', text: 'b' }, { key: 'item-3', text: 'c' }];
    const { text, blocks } = card({ incident, checklist, nextUpdateDue: at('2026-11-22T09:00:00Z') });
    expect(text).toBe(':large_orange_circle: P1 Major · INC-7: Checkout returns 500 · Resolved');
    expect(fields(blocks).at(-1)).toEqual({ label: 'Resolved', value: `${token('2026-11-22T10:10:00Z')} (after 40 min)` });
    expect(fields(blocks).some((f) => f.label === 'Next update due')).toBe(false);
    expect(blocks.slice(2)).toEqual([{ type: 'text', text: '*Checklist:* 2/3 done' }]);
    expect(card({ incident, locale: 'fr', checklist }).blocks[2]).toEqual({ type: 'text', text: '*Check-list :* 2/3 faits' });
    expect(card({ incident }).blocks).toHaveLength(2);
  });

  it('shows no checklist line while the incident is open', () => {
    const { blocks } = card({ incident: makeIncident({ checklist: ['item-1'] }), checklist: [{ key: 'item-1', text: 'a' }] });
    expect(blocks.some((b) => b.type === 'text')).toBe(false);
  });

  it('keeps the title on one line, the header plain and the text escaped and within 3,000 characters', () => {
    const { text, blocks } = card({ incident: makeIncident({ title: 'Checkout\n  *down*' }) });
    expect(blocks[0]).toEqual({ type: 'header', text: ':large_orange_circle: P1 · INC-7: Checkout *down*' });
    expect(text).toBe(`:large_orange_circle: P1 Major · INC-7: Checkout ${ZWSP}*down${ZWSP}* · Investigating`);
    const long = card({ incident: makeIncident({ title: 'x'.repeat(4000) }) }).text;
    expect(long).toHaveLength(3000);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('incident buttons', () => {
  const actions = (incident = makeIncident(), join = true) => incidentButtons(incident, 'en', { join }).map((b) => b.action);

  it('offer acknowledge only while open and not acknowledged, join only with a channel and when asked, post-update while open', () => {
    expect(actions()).toEqual(['incident_ack', 'incident_post_update']);
    expect(actions(makeIncident({ channelId: 'C0INC7' }))).toEqual(['incident_ack', 'incident_join', 'incident_post_update']);
    expect(actions(makeIncident({ channelId: 'C0INC7' }), false)).toEqual(['incident_ack', 'incident_post_update']);
    expect(actions(makeIncident({ channelId: 'C0INC7', acknowledgedAt: now }))).toEqual(['incident_join', 'incident_post_update']);
    expect(actions(makeIncident({ channelId: 'C0INC7', status: 'resolved', resolvedAt: now }))).toEqual(['incident_join']);
    expect(incidentButtons(makeIncident({ channelId: 'C0INC7' }), 'fr', { join: true }).find((b) => b.action === 'incident_join')).toEqual({ action: 'incident_join', label: 'Rejoindre le canal', value: ID });
  });
});
