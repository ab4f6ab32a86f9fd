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
} as const satisfies Record<string, { file: string; placeholders: readonly string[] }>;

export type TemplateKind = keyof typeof TEMPLATE_KINDS;
export type TemplateValues<K extends TemplateKind> = Record<(typeof TEMPLATE_KINDS)[K]['placeholders'][number], import('./template.js').TemplateValue>;
