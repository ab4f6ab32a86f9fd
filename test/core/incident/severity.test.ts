/** The severity model: the levels, how response times are written, the tag of every message, the French names. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES, formatResponseTime, isSeverityLevel, localizeSeverity, SEVERITY_LEVELS, severityTag, type Severity } from '../../../src/core/incident/severity.js';

describe('the default severities', () => {
  it('are the playbook\'s four levels, in order', () => {
    expect(SEVERITY_LEVELS).toEqual(['P0', 'P1', 'P2', 'P3']);
    expect(DEFAULT_SEVERITIES).toEqual({
      P0: { level: 'P0', name: 'Critical', meaning: 'Service completely down', responseSeconds: 900, emoji: ':red_circle:' },
      P1: { level: 'P1', name: 'Major', meaning: 'Severe degradation', responseSeconds: 1800, emoji: ':large_orange_circle:' },
      P2: { level: 'P2', name: 'Moderate', meaning: 'Limited impact', responseSeconds: 7200, emoji: ':large_yellow_circle:' },
      P3: { level: 'P3', name: 'Minor', meaning: 'Little impact', responseSeconds: 86_400, emoji: ':large_blue_circle:' },
    });
    expect(Object.isFrozen(DEFAULT_SEVERITIES)).toBe(true);
  });
});

describe('isSeverityLevel', () => {
  it.each(['P0', 'P1', 'P2', 'P3'])('%j is a level', (v) => {
    expect(isSeverityLevel(v)).toBe(true);
  });

  it.each(['p0', 'P4', ' P0', '', 'Critical', 0, null, undefined, ['P0'], { level: 'P0' }])('%j is not', (v) => {
    expect(isSeverityLevel(v)).toBe(false);
  });
});

describe('formatResponseTime', () => {
  it.each([
    [0, '< 1 s'], [0.4, '< 1 s'], [1, '< 1 s'], [1.6, '< 2 s'], [45, '< 45 s'], [59, '< 59 s'],
    [60, '< 1 min'], [89, '< 1 min'], [90, '< 2 min'], [900, '< 15 min'], [3599, '< 60 min'],
    [3600, '< 1 h'], [4000, '< 1.1 h'], [5400, '< 1.5 h'], [7200, '< 2 h'], [86_400, '< 24 h'],
  ])('%d s → %j', (seconds, expected) => {
    expect(formatResponseTime(seconds)).toBe(expected);
  });
});

describe('severityTag', () => {
  const tag = (over: Partial<Severity>) => severityTag({ ...DEFAULT_SEVERITIES.P1, ...over });

  it('is the emoji, the level and the name', () => {
    expect(severityTag(DEFAULT_SEVERITIES.P0)).toBe(':red_circle: P0 Critical');
    expect(tag({ emoji: ':+1:' })).toBe(':+1: P1 Major');
    expect(tag({ emoji: ':fire-2:' })).toBe(':fire-2: P1 Major');
    expect(tag({ emoji: ':a:' })).toBe(':a: P1 Major');
  });

  it.each(['', 'red_circle', '::', ':Red:', ':red circle:', 'x:red:', ':red:x', ':red: ', ':red:\n', '<!channel>'])('leaves out an emoji that is no shortcode: %j', (emoji) => {
    expect(tag({ emoji })).toBe('P1 Major');
  });

  it('strips what would be markup from the name', () => {
    expect(tag({ name: '<!channel> *SEV1* _x_ ~y~ `z` & co' })).toBe(':large_orange_circle: P1 !channel SEV1 x y z  co');
  });
});

describe('localizeSeverity', () => {
  it('gives the severity itself in English', () => {
    const s = DEFAULT_SEVERITIES.P2;
    expect(localizeSeverity(s, 'en')).toBe(s);
  });

  it('gives the French names and meanings of the default levels', () => {
    expect(SEVERITY_LEVELS.map((l) => localizeSeverity(DEFAULT_SEVERITIES[l], 'fr'))).toEqual([
      { level: 'P0', name: 'Critique', meaning: 'Service complètement indisponible', responseSeconds: 900, emoji: ':red_circle:' },
      { level: 'P1', name: 'Majeur', meaning: 'Dégradation sévère', responseSeconds: 1800, emoji: ':large_orange_circle:' },
      { level: 'P2', name: 'Modéré', meaning: 'Impact limité', responseSeconds: 7200, emoji: ':large_yellow_circle:' },
      { level: 'P3', name: 'Mineur', meaning: "Peu d'impact", responseSeconds: 86_400, emoji: ':large_blue_circle:' },
    ]);
  });

  it('keeps a name the team chose, and its meaning, in French too', () => {
    const custom: Severity = { level: 'P0', name: 'SEV1', meaning: 'All hands', responseSeconds: 300, emoji: ':fire:' };
    expect(localizeSeverity(custom, 'fr')).toEqual(custom);
    // Only the name decides: a default name with its own meaning is translated whole.
    expect(localizeSeverity({ ...DEFAULT_SEVERITIES.P1, meaning: 'Our own words' }, 'fr')).toEqual({ ...DEFAULT_SEVERITIES.P1, name: 'Majeur', meaning: 'Dégradation sévère' });
  });

  it('does not change the severity it was given', () => {
    const s = { ...DEFAULT_SEVERITIES.P3 };
    localizeSeverity(s, 'fr');
    expect(s).toEqual(DEFAULT_SEVERITIES.P3);
  });
});
