/**
 * The kinds of communication template, the file each lives in, and the placeholders each may use.
 * Files are `runbooks/templates/<locale>/<file>`; every kind must exist in every locale.
 */
export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

export const TEMPLATE_KINDS = {
  /** Sent when an incident is declared (playbook: "initial communication", T+5 min). */
  initial: {
    file: 'initial.md',
    placeholders: [
      'incident_id', 'title', 'severity_tag', 'severity', 'severity_name', 'response_time',
      'symptoms', 'impact', 'actions', 'eta', 'reporter', 'commander',
      'declared_at', 'update_interval', 'next_update_at',
    ],
  },
  /** Posted in the incident's channel (and the announcement's thread) by /incident update. */
  update: {
    file: 'update.md',
    placeholders: [
      'incident_id', 'title', 'severity_tag', 'status', 'progress', 'blockers', 'next_steps', 'eta',
      'author', 'posted_at', 'next_update_at', 'update_interval',
    ],
  },
  /** Posted when the incident is resolved. */
  resolution: {
    file: 'resolution.md',
    placeholders: [
      'incident_id', 'title', 'severity_tag', 'resolved_at', 'duration', 'root_cause', 'fix_applied',
      'final_impact', 'postmortem_date', 'resolved_by',
    ],
  },
  /** Sent to the people of an escalation level when nobody responds in time. */
  escalation: {
    file: 'escalation.md',
    placeholders: ['incident_id', 'title', 'severity_tag', 'level', 'elapsed', 'reason', 'notify', 'response_time', 'incident_link'],
  },
  /** Announced in the incidents channel when an incident rises to P0 or P1. */
  severity: {
    file: 'severity.md',
    placeholders: ['incident_id', 'title', 'severity_tag', 'previous', 'changed_by', 'incident_link'],
  },
  /** Post-incident checklist: lines starting with "- " are the items, ticked from Slack. */
  checklist: {
    file: 'checklist.md',
    placeholders: ['incident_id', 'title'],
  },
} as const satisfies Record<string, { file: string; placeholders: readonly string[] }>;

export type TemplateKind = keyof typeof TEMPLATE_KINDS;
export type TemplateValues<K extends TemplateKind> = Record<(typeof TEMPLATE_KINDS)[K]['placeholders'][number], import('./template.js').TemplateValue>;
