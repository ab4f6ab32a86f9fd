/**
 * Other teams' severity vocabulary mapped onto Firebreak's P0–P3 model, so "/incident open" and
 * alerts can take "CRITICAL", "High", "warning" or "majeur" and land on the right level.
 * docs/SEVERITY.md explains each row; tests check that both use this table.
 */
import type { SeverityLevel } from './severity.js';

/** The systems whose documents the terms come from (seed documents 000–004). */
export const TERM_SOURCES = {
  aindusdb: 'AindusDB runbook (000)',
  coachIa: 'Coach IA guide (001)',
  akig: 'AKIG runbooks (002)',
  library: 'Library Management System (003)',
  planC: 'Plan C playbook (004)',
  firebreak: 'Firebreak',
  usage: 'Common usage',
} as const;
export type TermSource = (typeof TERM_SOURCES)[keyof typeof TERM_SOURCES];

export interface SeverityTerm {
  /** The term as the source writes it. */
  term: string;
  /** Other spellings accepted for it (matching is case-, accent- and separator-insensitive anyway). */
  aliases?: readonly string[];
  level: SeverityLevel;
  sources: readonly TermSource[];
  /** Why this row maps where it does, when that is not obvious. */
  note?: string;
}

const S = TERM_SOURCES;

export const SEVERITY_TERMS: readonly SeverityTerm[] = Object.freeze([
  { term: 'P0', level: 'P0', sources: [S.planC, S.firebreak] },
  { term: 'P1', level: 'P1', sources: [S.planC, S.firebreak] },
  { term: 'P2', level: 'P2', sources: [S.planC, S.firebreak] },
  { term: 'P3', level: 'P3', sources: [S.planC, S.firebreak] },
  { term: 'Critique', level: 'P0', sources: [S.planC] },
  { term: 'Majeur', level: 'P1', sources: [S.planC] },
  { term: 'Modéré', level: 'P2', sources: [S.planC] },
  { term: 'Mineur', level: 'P3', sources: [S.planC] },
  { term: 'Critical', level: 'P0', sources: [S.firebreak, S.aindusdb, S.coachIa, S.akig, S.library], note: 'Every source uses it for "the service is down" (database down, API unusable, application down).' },
  { term: 'Major', level: 'P1', sources: [S.firebreak] },
  { term: 'Moderate', level: 'P2', sources: [S.firebreak] },
  { term: 'Minor', level: 'P3', sources: [S.firebreak] },
  { term: 'High', level: 'P1', sources: [S.aindusdb, S.akig], note: 'AKIG rates "Redis cache down" HIGH: 3-5x slower but working, which is the playbook\'s "severe degradation".' },
  { term: 'Medium', level: 'P2', sources: [S.aindusdb] },
  { term: 'Low', level: 'P3', sources: [S.aindusdb] },
  {
    term: 'WARNING', level: 'P2', sources: [S.coachIa, S.akig],
    note: 'The lower of two-level schemes (Coach IA: UI and monitoring incidents; AKIG: low agent performance): limited impact, nothing down, which is the playbook\'s P2. An Alertmanager `severity: warning` label (the usual companion of the `critical` label in 003) means the same.',
  },
  {
    term: 'CRITICAL - BUSINESS', aliases: ['critical-business', 'critical business'], level: 'P1', sources: [S.akig],
    note: 'AKIG\'s unpaid-invoices alert: revenue at risk but no service down and "RTO: N/A (business action required)". Urgent and costly, so P1, but not P0, which pages for an outage.',
  },
  { term: 'sev0', aliases: ['sev-0', 'sev 0'], level: 'P0', sources: [S.usage], note: 'Common industry spelling, not in the source documents.' },
  { term: 'sev1', aliases: ['sev-1', 'sev 1'], level: 'P1', sources: [S.usage] },
  { term: 'sev2', aliases: ['sev-2', 'sev 2'], level: 'P2', sources: [S.usage] },
  { term: 'sev3', aliases: ['sev-3', 'sev 3'], level: 'P3', sources: [S.usage] },
] satisfies SeverityTerm[]);

/** Lowercase, accents removed, spaces/underscores/dashes made single hyphens: "CRITICAL - BUSINESS" → "critical-business". */
export function normalizeTerm(term: string): string {
  return term
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_\-–—]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const BY_KEY: ReadonlyMap<string, SeverityLevel> = new Map(
  SEVERITY_TERMS.flatMap((t) => [t.term, ...(t.aliases ?? [])].map((k) => [normalizeTerm(k), t.level] as const)),
);

/**
 * The level a term means, or null. Accepts the table's terms in any case, with or without accents,
 * and the playbook's "P0 - Critique" form when the name agrees with the level.
 */
export function severityFromTerm(term: string): SeverityLevel | null {
  const key = normalizeTerm(term);
  const direct = BY_KEY.get(key);
  if (direct) return direct;
  const combined = /^(p[0-3])-(.+)$/.exec(key);
  if (combined) {
    const level = BY_KEY.get(combined[1] as string);
    return level && BY_KEY.get(combined[2] as string) === level ? level : null;
  }
  return null;
}
