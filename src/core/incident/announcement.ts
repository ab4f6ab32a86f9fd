/** The severity-tagged announcement posted when an incident is declared. Pure: no I/O. */
import { formatDuration } from '../duration.js';
import type { Message } from '../render/message.js';
import { renderTemplate, type Template } from '../render/template.js';
import type { Locale, TemplateValues } from '../render/templates-catalogue.js';
import { channelMention, dateToken, escapeMrkdwn, toPlainLine, truncate, userMention } from '../render/text.js';
import { incidentButtons } from './card.js';
import { statusLabel, WORDS } from './labels.js';
import { humanId, type Incident } from './incident.js';
import { formatResponseTime, localizeSeverity, severityTag, type Severity } from './severity.js';

export interface AnnouncementInput {
  incident: Incident;
  severity: Severity;
  template: Template;
  locale: Locale;
  updateIntervalMs: number;
}

export function initialNoticeValues({ incident, severity, locale, updateIntervalMs }: Omit<AnnouncementInput, 'template'>): TemplateValues<'initial'> {
  const s = localizeSeverity(severity, locale);
  const mention = (id: string | null) => {
    const m = userMention(id);
    return m ? { mrkdwn: m } : null;
  };
  return {
    incident_id: humanId(incident),
    title: incident.title,
    // Built from the severity model, not from user input: trusted markup (escaping would break the emoji).
    severity_tag: { mrkdwn: severityTag(s) },
    severity: s.level,
    severity_name: s.name,
    response_time: formatResponseTime(s.responseSeconds),
    symptoms: incident.symptoms,
    impact: incident.impact,
    actions: incident.actions,
    eta: incident.eta,
    reporter: mention(incident.reporterId),
    commander: mention(incident.commanderId),
    declared_at: { mrkdwn: dateToken(incident.declaredAt) },
    update_interval: formatDuration(updateIntervalMs),
    next_update_at: { mrkdwn: dateToken(new Date(incident.declaredAt.getTime() + updateIntervalMs), '{time}') },
  };
}

/**
 * `text` carries the tag, id and title so notifications and screen readers have them; the blocks
 * carry a header with the same and the rendered initial notice.
 */
export function announcementMessage(input: AnnouncementInput): Message {
  const { incident } = input;
  const s = localizeSeverity(input.severity, input.locale);
  const id = humanId(incident);
  const body = renderTemplate(input.template, initialNoticeValues(input));
  const w = WORDS[input.locale];
  const context = [`*${w.status}${w.colon}* ${statusLabel(incident.status, input.locale, true)}`];
  if (incident.channelId) context.push(`*${w.channel}${w.colon}* ${channelMention(incident.channelId)}`);
  const buttons = incidentButtons(incident, input.locale, { join: true });
  return {
    text: truncate(`${severityTag(s)} · ${id}: ${escapeMrkdwn(toPlainLine(incident.title))}`, 3000),
    blocks: [
      { type: 'header', text: `${s.level} · ${id}: ${toPlainLine(incident.title)}` },
      { type: 'text', text: body },
      { type: 'context', items: [context.join(' · ')] },
      ...(buttons.length ? [{ type: 'actions' as const, buttons }] : []),
    ],
  };
}
