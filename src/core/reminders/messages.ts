/** The reminder posted when an update is due, and the escalation notice. Pure. */
import { formatDuration } from '../duration.js';
import { ACTIONS } from '../incident/card.js';
import { humanId, type Incident } from '../incident/incident.js';
import { formatResponseTime, localizeSeverity, severityTag, type Severity } from '../incident/severity.js';
import type { Message } from '../render/message.js';
import { renderTemplate, type Template } from '../render/template.js';
import type { Locale, TemplateValues } from '../render/templates-catalogue.js';
import { channelMention, dateToken, escapeMrkdwn, toPlainLine, truncate, userMention } from '../render/text.js';
import type { EscalationLevel } from './plan.js';

export const SNOOZE_ACTION = 'reminder_snooze';
export const SNOOZE_CHOICES = [
  { label: { en: 'Snooze 15 min', fr: 'Reporter 15 min' }, duration: '15m', ms: 15 * 60_000 },
  { label: { en: '30 min', fr: '30 min' }, duration: '30m', ms: 30 * 60_000 },
  { label: { en: '1 h', fr: '1 h' }, duration: '1h', ms: 60 * 60_000 },
] as const;

/** Only this is late enough to say so (timers and posting take a moment). */
const LATE_ENOUGH_MS = 60_000;

const WORDS = {
  en: {
    needsUpdate: (id: string) => `${id} needs an update`,
    noUpdate: (who: string, id: string, title: string, since: string, every: string) =>
      `${who} :alarm_clock: *${id}: ${title}*: no update for *${since}*; stakeholders were promised one every ${every}.`,
    late: (late: string) => `_Firebreak was unavailable when this fell due; it is ${late} late._`,
    postUpdate: 'Post update',
    snoozed: (who: string, until: string) => `:zzz: Snoozed by ${who} until ${until}.`,
    unacked: 'Nobody has acknowledged it within its response target',
    stillOpen: (level: string, until: string) => `${level}: still ${until}`,
    unacknowledged: 'unacknowledged',
    unresolved: 'unresolved',
    nobody: 'no one is configured for this level (escalation.levels in the configuration)',
    responseLevel: 'response deadline',
    thread: 'the thread of its announcement',
  },
  fr: {
    needsUpdate: (id: string) => `${id} attend une mise à jour`,
    noUpdate: (who: string, id: string, title: string, since: string, every: string) =>
      `${who} :alarm_clock: *${id} : ${title}* : aucune mise à jour depuis *${since}* ; une mise à jour toutes les ${every} a été promise.`,
    late: (late: string) => `_Firebreak était indisponible à l’échéance ; ce rappel arrive avec ${late} de retard._`,
    postUpdate: 'Publier une mise à jour',
    snoozed: (who: string, until: string) => `:zzz: Reporté par ${who} jusqu’à ${until}.`,
    unacked: 'Personne ne l’a pris en charge dans le délai de réponse',
    stillOpen: (level: string, until: string) => `${level} : toujours ${until}`,
    unacknowledged: 'sans prise en charge',
    unresolved: 'non résolu',
    nobody: 'personne n’est configuré pour ce niveau (escalation.levels dans la configuration)',
    responseLevel: 'délai de réponse',
    thread: 'le fil de son annonce',
  },
} as const;

export interface ReminderInput {
  incident: Incident;
  locale: Locale;
  now: Date;
  intervalMs: number;
  lateMs: number;
  /** Set once someone snoozed it: the buttons give way to who and until when. */
  snoozed?: { by: string; until: Date };
}

export function reminderMessage(input: ReminderInput): Message {
  const { incident, locale } = input;
  const w = WORDS[locale];
  const id = humanId(incident);
  const who = userMention(incident.commanderId ?? incident.reporterId) ?? '';
  const since = formatDuration(input.now.getTime() - incident.lastUpdateAt.getTime());
  const body = w.noUpdate(who, id, escapeMrkdwn(truncate(toPlainLine(incident.title), 150)), since, formatDuration(input.intervalMs));
  const blocks: Message['blocks'] = [{ type: 'text', text: body }];
  if (input.lateMs >= LATE_ENOUGH_MS) blocks.push({ type: 'context', items: [w.late(formatDuration(input.lateMs))] });
  if (input.snoozed) {
    blocks.push({ type: 'context', items: [w.snoozed(userMention(input.snoozed.by) ?? '', dateToken(input.snoozed.until, '{time}'))] });
  } else {
    blocks.push({
      type: 'actions',
      buttons: [
        { action: ACTIONS.postUpdate, label: w.postUpdate, value: incident.id, style: 'primary' },
        ...SNOOZE_CHOICES.map((c) => ({ action: `${SNOOZE_ACTION}:${c.duration}`, label: c.label[locale], value: `${incident.id}|${c.duration}` })),
      ],
    });
  }
  return { text: `:alarm_clock: ${w.needsUpdate(id)}: ${since}`, blocks };
}

/** `<@U1>`, `<!subteam^S1>`: how Slack mentions a person or a user group. */
export function mentionOf(id: string): string {
  if (/^S[A-Z0-9]+$/.test(id)) return `<!subteam^${id}>`;
  return userMention(id) ?? '';
}

export function escalationMessage(args: { incident: Incident; level: EscalationLevel; severity: Severity; template: Template; locale: Locale; now: Date }): Message {
  const { incident, level, locale } = args;
  const w = WORDS[locale];
  const s = localizeSeverity(args.severity, locale);
  const mentions = level.notify.map(mentionOf).filter(Boolean);
  const target = formatResponseTime(s.responseSeconds);
  const reason = level.name === 'response' ? w.unacked : w.stillOpen(level.name, level.until === 'acknowledged' ? w.unacknowledged : w.unresolved);
  const values: TemplateValues<'escalation'> = {
    incident_id: humanId(incident),
    title: incident.title,
    severity_tag: { mrkdwn: severityTag(s) },
    level: level.name === 'response' ? w.responseLevel : level.name,
    elapsed: formatDuration(args.now.getTime() - incident.declaredAt.getTime()),
    reason,
    notify: { mrkdwn: mentions.length ? mentions.join(' ') : `_(${w.nobody})_` },
    response_time: target,
    incident_link: { mrkdwn: incident.channelId ? channelMention(incident.channelId) : w.thread },
  };
  return {
    text: truncate(`:rotating_light: ${level.name === 'response' ? w.responseLevel : level.name} · ${humanId(incident)}: ${escapeMrkdwn(toPlainLine(incident.title))}`, 3000),
    blocks: [{ type: 'text', text: renderTemplate(args.template, values) }],
  };
}
