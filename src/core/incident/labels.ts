/** Words for statuses and roles, in each locale. */
import type { Locale } from '../render/templates-catalogue.js';
import type { IncidentStatus } from './incident.js';

const STATUS: Record<Locale, Record<IncidentStatus, string>> = {
  en: { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' },
  fr: { investigating: 'Investigation', identified: 'Identifié', monitoring: 'Surveillance', resolved: 'Résolu' },
};

const STATUS_EMOJI: Record<IncidentStatus, string> = {
  investigating: ':mag:',
  identified: ':dart:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
};

export function statusLabel(status: IncidentStatus, locale: Locale, withEmoji = false): string {
  return withEmoji ? `${STATUS_EMOJI[status]} ${STATUS[locale][status]}` : STATUS[locale][status];
}

export type Role = 'commander' | 'comms';

const ROLE: Record<Locale, Record<Role, string>> = {
  en: { commander: 'Commander', comms: 'Comms lead' },
  fr: { commander: 'Responsable', comms: 'Responsable communication' },
};

export const roleLabel = (role: Role, locale: Locale): string => ROLE[locale][role];

/** Short words used across cards and messages. */
export const WORDS = {
  en: {
    severity: 'Severity', status: 'Status', declared: 'Declared', acknowledged: 'Acknowledged', notYet: 'not yet',
    lastUpdate: 'Last update', nextUpdate: 'Next update due', resolved: 'Resolved', nobody: 'nobody yet',
    checklist: 'Checklist', done: 'done', channel: 'Channel', by: 'by', acknowledge: 'Acknowledge',
    join: 'Join channel', postUpdate: 'Post update', links: 'Links', after: 'after', colon: ':',
  },
  fr: {
    severity: 'Sévérité', status: 'Statut', declared: 'Déclaré', acknowledged: 'Pris en charge', notYet: 'pas encore',
    lastUpdate: 'Dernière mise à jour', nextUpdate: 'Prochaine mise à jour', resolved: 'Résolu', nobody: 'personne pour l’instant',
    checklist: 'Check-list', done: 'faits', channel: 'Canal', by: 'par', acknowledge: 'Prendre en charge',
    join: 'Rejoindre le canal', postUpdate: 'Publier une mise à jour', links: 'Liens', after: 'après', colon: ' :',
  },
} as const satisfies Record<Locale, Record<string, string>>;
