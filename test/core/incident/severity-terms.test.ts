import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITIES, SEVERITY_LEVELS, formatResponseTime } from '../../../src/core/incident/severity.js';
import { SEVERITY_TERMS, TERM_SOURCES, normalizeTerm, severityFromTerm } from '../../../src/core/incident/severity-terms.js';

describe('severityFromTerm', () => {
  it.each([
    // Firebreak's levels, any case.
    ['P0', 'P0'], ['p1', 'P1'], [' P2 ', 'P2'], ['p3', 'P3'],
    // English and French names.
    ['critical', 'P0'], ['Major', 'P1'], ['MODERATE', 'P2'], ['minor', 'P3'],
    ['critique', 'P0'], ['Majeur', 'P1'], ['modéré', 'P2'], ['modere', 'P2'], ['MODÉRÉ', 'P2'], ['mineur', 'P3'],
    // AindusDB runbook (000): Critical/High/Medium/Low.
    ['Critical', 'P0'], ['High', 'P1'], ['Medium', 'P2'], ['Low', 'P3'],
    // Coach IA guide (001): CRITICAL/WARNING.
    ['CRITICAL', 'P0'], ['WARNING', 'P2'],
    // AKIG runbooks (002).
    ['HIGH', 'P1'], ['CRITICAL - BUSINESS', 'P1'], ['critical-business', 'P1'], ['Critical_Business', 'P1'], ['critical  —  business', 'P1'],
    // Library Management System (003): Alertmanager labels.
    ['critical', 'P0'], ['warning', 'P2'],
    // Plan C playbook (004): "P0 - Critique".
    ['P0 - Critique', 'P0'], ['P1 - Majeur', 'P1'], ['p2-modéré', 'P2'], ['P3 Mineur', 'P3'], ['P1 - Major', 'P1'],
    // sev-style.
    ['sev0', 'P0'], ['SEV1', 'P1'], ['sev-2', 'P2'], ['Sev 3', 'P3'],
    // Each written alias of the sev-style rows, which normalizing alone would not reach ("sev1" is not "sev-1").
    ['sev-0', 'P0'], ['sev 0', 'P0'], ['sev-1', 'P1'], ['sev 1', 'P1'], ['sev 2', 'P2'], ['sev-3', 'P3'],
  ] as const)('%j → %s', (term, level) => {
    expect(severityFromTerm(term)).toBe(level);
  });

  it.each(['', 'P4', 'p', 'sev4', 'sev-1x', 'urgent', 'info', 'P0 - Mineur', 'P1 - whatever', 'critical business now', '__proto__', 'toString',
    // The playbook's form only at the start: a level inside a longer word is not one.
    'xp0-critique', 'ap1 - majeur', 'sev-p2-modere'])('%j → null', (term) => {
    expect(severityFromTerm(term)).toBeNull();
  });

  it('maps every row of the table, and its aliases, to the row level', () => {
    for (const row of SEVERITY_TERMS) {
      for (const t of [row.term, ...(row.aliases ?? [])]) expect(severityFromTerm(t), t).toBe(row.level);
      expect(severityFromTerm(row.term.toLowerCase())).toBe(row.level);
    }
  });

  it('has no two rows for the same normalized term and covers every level', () => {
    const keys = SEVERITY_TERMS.map((r) => normalizeTerm(r.term));
    expect(new Set(keys).size).toBe(keys.length);
    for (const level of SEVERITY_LEVELS) expect(SEVERITY_TERMS.some((r) => r.term === level && r.level === level)).toBe(true);
  });
});

describe('docs/SEVERITY.md', () => {
  const doc = readFileSync(new URL('../../../docs/SEVERITY.md', import.meta.url), 'utf8');

  it('lists every term of the table with its level and sources', () => {
    for (const row of SEVERITY_TERMS) {
      const mapping = doc.slice(doc.indexOf('| Term | Level |'));
      const line = mapping.split('\n').find((l) => l.startsWith(`| ${row.term} |`));
      expect(line, row.term).toBeDefined();
      expect(line).toContain(`| ${row.level} |`);
      // The Source column is the row's sources, exactly and in order.
      expect(line!.split('|').at(-2)!.trim(), row.term).toBe(row.sources.join(', '));
      // Every alias is written in the "Also written" column.
      for (const alias of row.aliases ?? []) expect(line!.split('|')[3], row.term).toContain(`\`${alias}\``);
    }
  });

  it('names every source system and describes every level', () => {
    for (const source of Object.values(TERM_SOURCES)) expect(doc).toContain(source);
    for (const level of SEVERITY_LEVELS) {
      const s = DEFAULT_SEVERITIES[level];
      expect(doc).toContain(s.name);
      expect(doc).toContain(s.emoji);
      expect(doc).toContain(formatResponseTime(s.responseSeconds));
    }
    expect(doc).toContain('incidents.severities.P0.name');
    expect(doc).toContain('responseTime');
  });
});
