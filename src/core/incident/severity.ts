/**
 * Severity model of the incident-response playbook: four levels with a response-time target.
 * P0 Critical (< 15 min), P1 Major (< 30 min), P2 Moderate (< 2 h), P3 Minor (< 24 h).
 */
export const SEVERITY_LEVELS = ['P0', 'P1', 'P2', 'P3'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export interface Severity {
  level: SeverityLevel;
  name: string;
  /** What the level means, in one line, as the playbook puts it. */
  meaning: string;
  /** Target time to respond, in seconds. */
  responseSeconds: number;
  /** Emoji shortcode used as the tag on every message. */
  emoji: string;
}

export const DEFAULT_SEVERITIES: Readonly<Record<SeverityLevel, Severity>> = Object.freeze({
  P0: { level: 'P0', name: 'Critical', meaning: 'Service completely down', responseSeconds: 15 * 60, emoji: ':red_circle:' },
  P1: { level: 'P1', name: 'Major', meaning: 'Severe degradation', responseSeconds: 30 * 60, emoji: ':large_orange_circle:' },
  P2: { level: 'P2', name: 'Moderate', meaning: 'Limited impact', responseSeconds: 2 * 3600, emoji: ':large_yellow_circle:' },
  P3: { level: 'P3', name: 'Minor', meaning: 'Little impact', responseSeconds: 24 * 3600, emoji: ':large_blue_circle:' },
});

export function isSeverityLevel(v: unknown): v is SeverityLevel {
  return typeof v === 'string' && (SEVERITY_LEVELS as readonly string[]).includes(v);
}

/** "< 15 min", "< 2 h", "< 24 h": how the playbook writes response times. */
export function formatResponseTime(seconds: number): string {
  if (seconds < 60) return `< ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `< ${Math.round(seconds / 60)} min`;
  const hours = seconds / 3600;
  return `< ${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

/** "[P1 Major]" with its emoji: the tag that starts every incident message. */
export function severityTag(s: Severity): string {
  const emoji = /^:[a-z0-9_+-]+:$/.test(s.emoji) ? `${s.emoji} ` : '';
  return `${emoji}${s.level} ${s.name.replace(/[<>&*_~`]/g, '')}`;
}

/** Names and meanings in French, as the playbook writes them. */
const FRENCH: Record<SeverityLevel, { name: string; meaning: string }> = {
  P0: { name: 'Critique', meaning: 'Service complètement indisponible' },
  P1: { name: 'Majeur', meaning: 'Dégradation sévère' },
  P2: { name: 'Modéré', meaning: 'Impact limité' },
  P3: { name: 'Mineur', meaning: "Peu d'impact" },
};

export function localizeSeverity(s: Severity, locale: 'en' | 'fr'): Severity {
  if (locale === 'en') return s;
  const fr = FRENCH[s.level];
  // A configured name that differs from the English default was chosen by the team: keep it.
  const custom = s.name !== DEFAULT_SEVERITIES[s.level].name;
  return { ...s, name: custom ? s.name : fr.name, meaning: custom ? s.meaning : fr.meaning };
}
