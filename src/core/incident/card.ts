/**
 * The incident's summary card (pinned in its channel, kept current with every change) and the
 * channel topic. Pure: the same blocks serve the pinned card and `/incident status`.
 */
import { formatDuration } from '../duration.js';
import type { Block, Button, Message } from '../render/message.js';
import type { ChecklistItem } from '../render/checklist.js';
import type { Locale } from '../render/templates-catalogue.js';
import { channelMention, dateToken, escapeMrkdwn, escapeTokens, toPlainLine, truncate, userMention } from '../render/text.js';
import { humanId, isOpen, type Incident } from './incident.js';
import { roleLabel, statusLabel, WORDS } from './labels.js';
import { localizeSeverity, severityTag, type Severity, type SeverityLevel } from './severity.js';

export const ACTIONS = {
  acknowledge: 'incident_ack',
  join: 'incident_join',
  postUpdate: 'incident_post_update',
  checklist: 'incident_checklist',
} as const;

export interface CardInput {
  incident: Incident;
  severities: Readonly<Record<SeverityLevel, Severity>>;
  locale: Locale;
  links: ReadonlyArray<{ label: string; url: string }>;
  checklist: ChecklistItem[];
  /** When the next update is due; null when none is (resolved). */
  nextUpdateDue: Date | null;
  now: Date;
}

const who = (id: string | null, locale: Locale) => userMention(id) ?? `— (${WORDS[locale].nobody})`;

/** Buttons that make sense for the incident's current state. */
export function incidentButtons(incident: Incident, locale: Locale, options: { join: boolean }): Button[] {
  const w = WORDS[locale];
  const buttons: Button[] = [];
  if (isOpen(incident) && !incident.acknowledgedAt) buttons.push({ action: ACTIONS.acknowledge, label: w.acknowledge, value: incident.id, style: 'primary' });
  if (options.join && incident.channelId) buttons.push({ action: ACTIONS.join, label: w.join, value: incident.id });
  if (isOpen(incident)) buttons.push({ action: ACTIONS.postUpdate, label: w.postUpdate, value: incident.id });
  return buttons;
}

export function summaryCard(input: CardInput): Message {
  const { incident, locale } = input;
  const w = WORDS[locale];
  const s = localizeSeverity(input.severities[incident.severity], locale);
  const id = humanId(incident);
  const title = toPlainLine(incident.title);
  const fields = [
    { label: w.severity, value: severityTag(s) },
    { label: w.status, value: statusLabel(incident.status, locale, true) },
    { label: roleLabel('commander', locale), value: who(incident.commanderId, locale) },
    { label: roleLabel('comms', locale), value: who(incident.commsLeadId, locale) },
    { label: w.declared, value: `${dateToken(incident.declaredAt)} ${w.by} ${userMention(incident.reporterId) ?? '—'}` },
    {
      label: w.acknowledged,
      value: incident.acknowledgedAt ? `${dateToken(incident.acknowledgedAt)} ${w.by} ${userMention(incident.acknowledgedBy) ?? '—'}` : w.notYet,
    },
    { label: w.lastUpdate, value: incident.lastUpdateAt.getTime() === incident.declaredAt.getTime() ? '—' : dateToken(incident.lastUpdateAt) },
  ];
  if (incident.resolvedAt) {
    fields.push({ label: w.resolved, value: `${dateToken(incident.resolvedAt)} (${w.after} ${formatDuration(incident.resolvedAt.getTime() - incident.declaredAt.getTime())})` });
  } else {
    const due = input.nextUpdateDue;
    const overdue = due && due.getTime() < input.now.getTime() ? ' :warning:' : '';
    fields.push({ label: w.nextUpdate, value: due ? `${dateToken(due)}${overdue}` : '—' });
  }

  const blocks: Block[] = [
    { type: 'header', text: `${s.emoji} ${s.level} · ${id}: ${title}` },
    { type: 'fields', fields },
  ];
  if (incident.status === 'resolved' && input.checklist.length) {
    const done = input.checklist.filter((i) => incident.checklist.includes(i.key)).length;
    blocks.push({ type: 'text', text: `*${w.checklist}${w.colon}* ${done}/${input.checklist.length} ${w.done}` });
  }
  const context = [
    ...(incident.channelId ? [`${w.channel}${w.colon} ${channelMention(incident.channelId)}`] : []),
    ...input.links.map((l) => `<${l.url}|${escapeMrkdwn(l.label)}>`),
  ];
  if (context.length) blocks.push({ type: 'context', items: [context.join(' · ')] });
  const buttons = incidentButtons(incident, locale, { join: false });
  if (buttons.length) blocks.push({ type: 'actions', buttons });

  return {
    text: truncate(`${severityTag(s)} · ${id}: ${escapeMrkdwn(title)} · ${statusLabel(incident.status, locale)}`, 3000),
    blocks,
  };
}

/**
 * Channel topic: severity · status · commander, in plain words (topics show no formatting, but
 * Slack still turns `<!everyone>` or `<@U…>` in one into a mention: the title's tokens are made inert).
 */
export function channelTopic(incident: Incident, severities: Readonly<Record<SeverityLevel, Severity>>, locale: Locale): string {
  const s = localizeSeverity(severities[incident.severity], locale);
  const commander = userMention(incident.commanderId) ?? WORDS[locale].nobody;
  return truncate(`${s.level} ${s.name} · ${statusLabel(incident.status, locale)} · ${roleLabel('commander', locale)}: ${commander} · ${humanId(incident)}: ${escapeTokens(toPlainLine(incident.title))}`, 250);
}
