/** The messages of an incident's life, rendered from the communication templates. Pure. */
import { formatDuration } from '../duration.js';
import { checklistHeading, checklistItems } from '../render/checklist.js';
import type { Message } from '../render/message.js';
import { renderTemplate, type Template } from '../render/template.js';
import type { Locale, TemplateValues } from '../render/templates-catalogue.js';
import { channelMention, dateToken, escapeMrkdwn, toPlainLine, truncate, userMention } from '../render/text.js';
import { ACTIONS } from './card.js';
import { humanId, type Incident, type IncidentStatus } from './incident.js';
import { statusLabel } from './labels.js';
import { localizeSeverity, severityTag, type Severity } from './severity.js';

const mention = (id: string | null | undefined) => {
  const m = userMention(id);
  return m ? { mrkdwn: m } : null;
};

function incidentLink(incident: Incident) {
  return incident.channelId ? { mrkdwn: channelMention(incident.channelId) } : null;
}

function titled(incident: Incident, s: Severity, body: string, lead: string): Message {
  return {
    text: truncate(`${lead} ${severityTag(s)} · ${humanId(incident)}: ${escapeMrkdwn(toPlainLine(incident.title))}`, 3000),
    blocks: [{ type: 'text', text: body }],
  };
}

export interface UpdateForm {
  status: IncidentStatus;
  progress: string | null;
  blockers: string | null;
  nextSteps: string | null;
  eta: string | null;
}

export function updateMessage(args: { incident: Incident; severity: Severity; template: Template; locale: Locale; form: UpdateForm; author: string; at: Date; updateIntervalMs: number }): Message {
  const s = localizeSeverity(args.severity, args.locale);
  const values: TemplateValues<'update'> = {
    incident_id: humanId(args.incident),
    title: args.incident.title,
    severity_tag: { mrkdwn: severityTag(s) },
    status: { mrkdwn: statusLabel(args.form.status, args.locale, true) },
    progress: args.form.progress,
    blockers: args.form.blockers,
    next_steps: args.form.nextSteps,
    eta: args.form.eta,
    author: mention(args.author),
    posted_at: { mrkdwn: dateToken(args.at, '{time}') },
    next_update_at: { mrkdwn: dateToken(new Date(args.at.getTime() + args.updateIntervalMs), '{time}') },
    update_interval: formatDuration(args.updateIntervalMs),
  };
  return titled(args.incident, s, renderTemplate(args.template, values), ':bar_chart:');
}

export function resolutionMessage(args: { incident: Incident; severity: Severity; template: Template; locale: Locale; resolvedBy: string }): Message {
  const { incident } = args;
  const s = localizeSeverity(args.severity, args.locale);
  const resolvedAt = incident.resolvedAt ?? incident.lastUpdateAt;
  const r = incident.resolution;
  const values: TemplateValues<'resolution'> = {
    incident_id: humanId(incident),
    title: incident.title,
    severity_tag: { mrkdwn: severityTag(s) },
    resolved_at: { mrkdwn: dateToken(resolvedAt) },
    duration: formatDuration(resolvedAt.getTime() - incident.declaredAt.getTime()),
    root_cause: r?.rootCause,
    fix_applied: r?.fixApplied,
    final_impact: r?.finalImpact,
    postmortem_date: r?.postmortemDate,
    resolved_by: mention(args.resolvedBy),
  };
  return titled(incident, s, renderTemplate(args.template, values), ':white_check_mark:');
}

export function severityRaisedMessage(args: { incident: Incident; severity: Severity; previous: Severity; template: Template; locale: Locale; changedBy: string }): Message {
  const s = localizeSeverity(args.severity, args.locale);
  const prev = localizeSeverity(args.previous, args.locale);
  const values: TemplateValues<'severity'> = {
    incident_id: humanId(args.incident),
    title: args.incident.title,
    severity_tag: { mrkdwn: severityTag(s) },
    previous: `${prev.level} ${prev.name}`,
    changed_by: mention(args.changedBy),
    incident_link: incidentLink(args.incident),
  };
  return titled(args.incident, s, renderTemplate(args.template, values), ':arrow_double_up:');
}

/** The post-incident checklist as checkboxes; ticks come back with the incident id in the block id. */
export function checklistMessage(args: { incident: Incident; template: Template }): Message {
  const heading = renderTemplate(checklistHeading(args.template), { incident_id: humanId(args.incident), title: args.incident.title });
  return {
    text: heading,
    blocks: [
      { type: 'text', text: heading },
      { type: 'checklist', id: `checklist:${args.incident.id}`, action: ACTIONS.checklist, items: checklistItems(args.template), checked: args.incident.checklist },
    ],
  };
}

const NOTICES = {
  en: {
    acknowledged: (id: string, who: string) => `:ok_hand: ${id} acknowledged by ${who}.`,
    commanderFromAck: (who: string) => `${who} is now the incident commander.`,
    role: (id: string, role: string, who: string) => `:busts_in_silhouette: ${who} is now ${role} of ${id}.`,
    severity: (id: string, from: string, to: string, who: string) => `:label: ${id} severity changed from ${from} to ${to} by ${who}.`,
    reopened: (id: string, who: string) => `:arrows_counterclockwise: ${id} reopened by ${who}; back to investigating.`,
    note: (who: string) => `:memo: Note added to the timeline by ${who}.`,
    sideStep: (id: string, step: string, why: string) => `:warning: ${id}: ${step} failed (${why}). The incident is recorded; everything else went on.`,
  },
  fr: {
    acknowledged: (id: string, who: string) => `:ok_hand: ${id} pris en charge par ${who}.`,
    commanderFromAck: (who: string) => `${who} est maintenant responsable de l’incident.`,
    role: (id: string, role: string, who: string) => `:busts_in_silhouette: ${who} est maintenant ${role.toLowerCase()} de ${id}.`,
    severity: (id: string, from: string, to: string, who: string) => `:label: Sévérité de ${id} changée de ${from} à ${to} par ${who}.`,
    reopened: (id: string, who: string) => `:arrows_counterclockwise: ${id} rouvert par ${who} ; retour en investigation.`,
    note: (who: string) => `:memo: Note ajoutée à la timeline par ${who}.`,
    sideStep: (id: string, step: string, why: string) => `:warning: ${id} : ${step} a échoué (${why}). L’incident est enregistré ; le reste a continué.`,
  },
} as const;

export const notices = (locale: Locale) => NOTICES[locale];
