/**
 * Golden files for every communication template and the summary card, as Slack receives them,
 * in each locale, with ordinary and with hostile values (markup, mentions, 10 kB, emoji).
 */
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/adapters/templates/load-templates.js';
import { toBlockKit } from '../../src/adapters/slack/block-kit.js';
import { summaryCard } from '../../src/core/incident/card.js';
import type { Incident } from '../../src/core/incident/incident.js';
import { checklistMessage, resolutionMessage, severityRaisedMessage, updateMessage } from '../../src/core/incident/messages.js';
import { DEFAULT_SEVERITIES } from '../../src/core/incident/severity.js';
import { checklistItems } from '../../src/core/render/checklist.js';
import type { Message } from '../../src/core/render/message.js';
import { LOCALES, type Locale } from '../../src/core/render/templates-catalogue.js';

const templates = loadTemplates();
const at = new Date('2026-11-22T10:10:00Z');
const ordinary: Incident = {
  id: '00000000-0000-4000-8000-000000000007', teamId: 'T0TEST', number: 7, title: 'Checkout returns 500', severity: 'P1', status: 'resolved',
  impact: '30% of payments fail', symptoms: '5xx on /api/checkout', actions: 'Rollback', eta: '20 min', reporterId: 'U0ALICE', commanderId: 'U0BOB',
  commsLeadId: 'U0CARLA', declaredAt: new Date('2026-11-22T09:30:00Z'), detectedAt: null, acknowledgedAt: new Date('2026-11-22T09:33:00Z'), acknowledgedBy: 'U0BOB',
  resolvedAt: at, lastUpdateAt: at, announcement: { channel: 'C0INCIDENTS', ts: '1795339800.000100' }, channelId: 'C0INC7', card: null,
  resolution: { rootCause: 'Pool exhausted by release 4.2', fixApplied: 'Rolled back to 4.1', finalImpact: '40 min, 30% of payments', postmortemDate: '2026-11-26' },
  checklist: ['item-1', 'item-3'],
  reminderSnoozedUntil: null,
};
const evil = '<!channel> *bold* _it_ ~s~ `code` <@U0CEO> <https://evil.example|click> & 🔥';
const hostile: Incident = {
  ...ordinary, title: evil, severity: 'P0', commanderId: null, commsLeadId: null,
  resolution: { rootCause: 'é🔥'.repeat(5000), fixApplied: evil, finalImpact: null, postmortemDate: null },
};

function all(incident: Incident, locale: Locale): Record<string, Message> {
  const severity = DEFAULT_SEVERITIES[incident.severity];
  return {
    update: updateMessage({ incident, severity, template: templates.get(locale, 'update'), locale, author: 'U0BOB', at, updateIntervalMs: 900_000,
      form: incident === hostile ? { status: 'monitoring', progress: evil, blockers: 'x'.repeat(10_000), nextSteps: null, eta: null } : { status: 'identified', progress: 'Found it', blockers: null, nextSteps: 'Roll back', eta: '20 min' } }),
    resolution: resolutionMessage({ incident, severity, template: templates.get(locale, 'resolution'), locale, resolvedBy: 'U0BOB' }),
    severity: severityRaisedMessage({ incident, severity, previous: DEFAULT_SEVERITIES.P2, template: templates.get(locale, 'severity'), locale, changedBy: 'U0BOB' }),
    checklist: checklistMessage({ incident, template: templates.get(locale, 'checklist') }),
    card: summaryCard({ incident, severities: DEFAULT_SEVERITIES, locale, links: [{ label: 'Grafana', url: 'https://grafana.example.com' }], checklist: checklistItems(templates.get(locale, 'checklist')), nextUpdateDue: null, now: at }),
  };
}

describe.each(LOCALES)('templates (%s)', (locale) => {
  for (const [label, incident] of [['ordinary', ordinary], ['hostile', hostile]] as const) {
    it(`match their golden files with ${label} values`, async () => {
      const rendered = Object.fromEntries(Object.entries(all(incident, locale)).map(([k, m]) => [k, toBlockKit(m)]));
      await expect(JSON.stringify(rendered, null, 2)).toMatchFileSnapshot(`../golden/templates.${label}.${locale}.json`);
      for (const [name, out] of Object.entries(rendered)) {
        const mrkdwn: string[] = [out.text];
        JSON.stringify(out.blocks, (_k, v: unknown) => {
          const o = v as { type?: string; text?: unknown };
          if (o?.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
          return v;
        });
        const joined = mrkdwn.join('\n');
        expect(joined, name).not.toMatch(/<!channel>|<@U0CEO>|<https:\/\/evil/);
        expect(joined, name).not.toMatch(/undefined|\[object Object\]/);
        for (const text of mrkdwn) expect(text.length, name).toBeLessThanOrEqual(4000);
      }
    });
  }
});
