/** Golden files for the initial notice as Slack receives it, in each locale, with hostile values. */
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/adapters/templates/load-templates.js';
import { toBlockKit } from '../../src/adapters/slack/block-kit.js';
import { announcementMessage } from '../../src/core/incident/announcement.js';
import type { Incident } from '../../src/core/incident/incident.js';
import { DEFAULT_SEVERITIES } from '../../src/core/incident/severity.js';
import { LOCALES } from '../../src/core/render/templates-catalogue.js';

const templates = loadTemplates();
const base: Incident = {
  id: '00000000-0000-4000-8000-000000000001',
  teamId: 'T0TEST',
  number: 42,
  title: 'Checkout returns 500',
  severity: 'P1',
  status: 'investigating',
  impact: '30% of payments fail',
  symptoms: '5xx on /api/checkout, p95 > 2 s',
  actions: 'Rolling back 4.2',
  eta: null,
  reporterId: 'U0ALICE',
  commanderId: 'U0BOB',
  commsLeadId: null,
  declaredAt: new Date('2026-11-22T09:30:00Z'),
  detectedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  lastUpdateAt: new Date('2026-11-22T09:30:00Z'),
  announcement: null,
  channelId: null,
  card: null,
  resolution: null,
  checklist: [],
  reminderSnoozedUntil: null,
};

const render = (incident: Incident, locale: (typeof LOCALES)[number]) =>
  toBlockKit(announcementMessage({ incident, severity: DEFAULT_SEVERITIES[incident.severity], template: templates.get(locale, 'initial'), locale, updateIntervalMs: 15 * 60_000 }));

describe.each(LOCALES)('initial notice (%s)', (locale) => {
  it('matches its golden file', async () => {
    await expect(JSON.stringify(render(base, locale), null, 2)).toMatchFileSnapshot(`../golden/initial-notice.${locale}.json`);
  });

  it('matches its golden file with hostile values (mentions, markup, 10 kB, emoji)', async () => {
    const hostile: Incident = {
      ...base,
      severity: 'P0',
      title: '<!channel> *drop* `tables` _now_ ~x~ 🔥',
      impact: `${'é🔥'.repeat(5000)}`,
      symptoms: '<https://evil.example|login here> & <@U0CEO>',
      actions: null,
      commanderId: null,
    };
    const out = render(hostile, locale);
    await expect(JSON.stringify(out, null, 2)).toMatchFileSnapshot(`../golden/initial-notice-hostile.${locale}.json`);
    const mrkdwn = [out.text, ...out.blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text)].join('\n');
    expect(mrkdwn).not.toMatch(/<!channel>|<@U0CEO>|<https:/);
    expect(mrkdwn).not.toContain('undefined');
    for (const b of out.blocks) if (b.type === 'section') expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(3000);
  });
});
