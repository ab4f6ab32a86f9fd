import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES } from '../../src/core/incident/severity.js';
import { openIncidentView, readOpenIncidentSubmission } from '../../src/adapters/slack/views/open-incident.js';
import { declarationValues } from '../e2e/app-under-test.js';

describe('declaration modal', () => {
  it('respects Slack limits for modal title, option texts and prefilled title', () => {
    const view = openIncidentView({ title: 'x'.repeat(500), severities: DEFAULT_SEVERITIES, metadata: { channelId: 'C1' } });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.submit.text.length).toBeLessThanOrEqual(24);
    const blocks = view.blocks as Array<Record<string, any>>;
    expect(blocks.find((b) => b.block_id === 'title')!.element.initial_value).toHaveLength(150);
    for (const o of blocks.find((b) => b.block_id === 'severity')!.element.options) {
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.description.text.length).toBeLessThanOrEqual(75);
    }
    expect(view.private_metadata.length).toBeLessThanOrEqual(3000);
  });

  it('reads a complete submission, trimming and dropping empty optional fields', () => {
    const r = readOpenIncidentSubmission(
      declarationValues({ title: '  API   down \n now ', severity: 'P0', impact: ' ', symptoms: '5xx', eta: '30 min', commander: 'U0BOB' }),
    );
    expect(r).toEqual({
      ok: true,
      declaration: { title: 'API down now', severity: 'P0', impact: null, symptoms: '5xx', actions: null, eta: '30 min', commanderId: 'U0BOB', detectedAgoMs: null },
    });
  });

  it.each([
    ['20m', 20 * 60_000],
    [' 1h 30m ', 90 * 60_000],
    ['0s', 0],
    ['7d', 7 * 86_400_000],
  ])('reads "first noticed" %j as a time before the declaration', (detected, ms) => {
    expect(readOpenIncidentSubmission(declarationValues({ title: 'API down', severity: 'P1', detected }))).toMatchObject({ ok: true, declaration: { detectedAgoMs: ms } });
  });

  it.each([
    ['soon', '"soon" is not a duration: write how long ago, like 20m, 2h or 1h30m (or leave it empty).'],
    ['-5m', '"-5m" is not a duration: write how long ago, like 20m, 2h or 1h30m (or leave it empty).'],
    ['8d', '8 d ago is more than a week: declare it with the time it was noticed in the impact, and leave this empty.'],
  ])('refuses "first noticed" %j under its field', (detected, message) => {
    expect(readOpenIncidentSubmission(declarationValues({ title: 'API down', severity: 'P1', detected }))).toEqual({ ok: false, errors: { detected: message } });
  });

  it('reports each bad field under its own block id', () => {
    expect(readOpenIncidentSubmission(declarationValues({ title: 'y'.repeat(151), severity: 'P1', commander: '<!here>' }))).toEqual({
      ok: false,
      errors: { title: 'The title is 151 characters; keep it to 150 or fewer.', commander: 'Pick a person from the list.' },
    });
  });

  it('asks to start again when the form arrives in a shape it does not know', () => {
    expect(readOpenIncidentSubmission({ title: 'not an object of objects' })).toMatchObject({ ok: false, errors: { title: expect.stringContaining('run /incident open again') } });
  });
});
