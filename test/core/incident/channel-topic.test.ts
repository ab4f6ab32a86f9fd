/** The incident channel's topic: plain words, and a title typed as a mention never pings anyone. */
import { describe, expect, it } from 'vitest';
import { channelTopic } from '../../../src/core/incident/card.js';
import { DEFAULT_SEVERITIES } from '../../../src/core/incident/severity.js';
import { makeIncident } from './fixtures.js';

describe('channelTopic', () => {
  it('says severity, status, commander and the title', () => {
    const topic = channelTopic(makeIncident({ title: 'Checkout down', commanderId: 'U0BOB' }), DEFAULT_SEVERITIES, 'en');
    expect(topic).toMatch(/ · Investigating · Commander: <@U0BOB> · INC-\d+: Checkout down$/);
  });

  it.each(['<!everyone>', '<!channel> now', '<!here|here>', '<@U0CEO>', '<!subteam^S0ONCALL|oncall>', '<https://evil.example|login>'])('makes the title %j inert', (title) => {
    const topic = channelTopic(makeIncident({ title, commanderId: null }), DEFAULT_SEVERITIES, 'en');
    expect(topic).not.toContain('<');
    expect(topic).toContain(title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('stays within 250 characters', () => {
    expect(channelTopic(makeIncident({ title: 'x'.repeat(300) }), DEFAULT_SEVERITIES, 'en').length).toBeLessThanOrEqual(250);
  });
});
