/**
 * The incident status state machine. Pure: says whether a change is allowed, and what the caller
 * must do when it is (post the resolution, the checklist, start or stop the reminder clock).
 *
 *   investigating ⇄ identified ⇄ monitoring   (any open status to any other, forward or back)
 *          │ resolve                 ▲ reopen
 *          ▼                         │
 *        resolved ───────────────────┘  (reopen goes back to investigating)
 */
import type { Locale } from '../render/templates-catalogue.js';
import { INCIDENT_STATUSES, type IncidentStatus } from './incident.js';

export type StatusEvent = { type: 'set_status'; to: IncidentStatus } | { type: 'resolve' } | { type: 'reopen' };
export type StatusEffect = 'post_resolution' | 'post_checklist' | 'stop_reminders' | 'start_reminders' | 'reset_reminders';
export type Transition =
  | { ok: true; from: IncidentStatus; to: IncidentStatus; effects: StatusEffect[] }
  | { ok: false; reason: string };

export const OPEN_STATUSES = ['investigating', 'identified', 'monitoring'] as const satisfies readonly IncidentStatus[];

const isOpenStatus = (s: IncidentStatus): boolean => s !== 'resolved';

/** Sentence forms; labels.ts has the capitalised display labels. */
const LABELS: Record<Locale, Record<IncidentStatus, string>> = {
  en: { investigating: 'investigating', identified: 'identified', monitoring: 'monitoring', resolved: 'resolved' },
  fr: { investigating: 'en investigation', identified: 'identifié', monitoring: 'sous surveillance', resolved: 'résolu' },
};

/** The status as it reads inside a sentence ("is already identified", "est déjà sous surveillance"). */
const statusWord = (status: IncidentStatus, locale: Locale): string => LABELS[locale][status];

type Refusal = 'same' | 'set_resolved' | 'set_from_resolved' | 'already_resolved' | 'reopen_open';

const REASONS: Record<Locale, Record<Refusal, (label: string, status: string, others: string) => string>> = {
  en: {
    same: (l, s, o) => `${l} is already ${s}. Pick another status (${o}), or post an update to say what changed.`,
    set_resolved: (l) => `Use \`/incident resolve\` to resolve ${l}: it asks for the root cause and posts the resolution notice.`,
    set_from_resolved: (l) => `${l} is resolved. Use \`/incident reopen\` first if the problem is back.`,
    already_resolved: (l) => `${l} is already resolved. Use \`/incident reopen\` if the problem is back.`,
    reopen_open: (l, s) => `${l} is not resolved: it is ${s}. Only a resolved incident can be reopened; change its status instead.`,
  },
  fr: {
    same: (l, s, o) => `${l} est déjà ${s}. Choisissez un autre statut (${o}) ou publiez une mise à jour pour dire ce qui a changé.`,
    set_resolved: (l) => `Utilisez \`/incident resolve\` pour résoudre ${l} : la commande demande la cause racine et publie l'avis de résolution.`,
    set_from_resolved: (l) => `${l} est résolu. Utilisez d'abord \`/incident reopen\` si le problème est revenu.`,
    already_resolved: (l) => `${l} est déjà résolu. Utilisez \`/incident reopen\` si le problème est revenu.`,
    reopen_open: (l, s) => `${l} n'est pas résolu : il est ${s}. Seul un incident résolu peut être rouvert ; changez plutôt son statut.`,
  },
};

export function transition(from: IncidentStatus, event: StatusEvent, label: string, locale: Locale = 'en'): Transition {
  const refuse = (why: Refusal): Transition => {
    const others = OPEN_STATUSES.filter((s) => s !== from).map((s) => statusWord(s, locale)).join(', ');
    return { ok: false, reason: REASONS[locale][why](label, statusWord(from, locale), others) };
  };
  switch (event.type) {
    case 'set_status':
      if (!isOpenStatus(from)) return refuse('set_from_resolved');
      if (event.to === 'resolved') return refuse('set_resolved');
      if (event.to === from) return refuse('same');
      return { ok: true, from, to: event.to, effects: ['reset_reminders'] };
    case 'resolve':
      if (!isOpenStatus(from)) return refuse('already_resolved');
      return { ok: true, from, to: 'resolved', effects: ['post_resolution', 'post_checklist', 'stop_reminders'] };
    case 'reopen':
      if (isOpenStatus(from)) return refuse('reopen_open');
      return { ok: true, from, to: 'investigating', effects: ['start_reminders'] };
  }
}

/** Lowercase, accents removed, spaces trimmed: "Identifié " → "identifie". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

const STATUS_WORDS: Record<string, IncidentStatus> = {
  ...Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, s])),
  investigation: 'investigating',
  enquete: 'investigating',
  'en investigation': 'investigating',
  'en enquete': 'investigating',
  identifie: 'identified',
  surveillance: 'monitoring',
  'sous surveillance': 'monitoring',
  'en surveillance': 'monitoring',
  resolu: 'resolved',
};

/** "identified", "Identifié", "ENQUÊTE", "surveillance" → the status; anything else is null. */
export function parseStatus(text: string): IncidentStatus | null {
  const key = foldText(text).replace(/\s+/g, ' ');
  return Object.hasOwn(STATUS_WORDS, key) ? (STATUS_WORDS[key] ?? null) : null;
}
