/**
 * Communication templates: text files with `{{placeholder}}` markers, editable without touching
 * code. Parsing checks each marker against the placeholders its kind of template may use, so a
 * typo stops start-up instead of showing up in front of stakeholders.
 */
import { FirebreakError } from '../errors.js';
import { escapeMrkdwn, truncate } from './text.js';

/** A value to put in a template: plain text is escaped; `{ mrkdwn }` is trusted markup built by Firebreak. */
export type TemplateValue = string | number | null | undefined | { mrkdwn: string };

export interface Template {
  /** Where it came from, for error messages. */
  source: string;
  parts: Array<{ literal: string } | { placeholder: string }>;
}

/** A template that cannot be used: the message names the file, the line and the placeholder. */
export class TemplateError extends FirebreakError {
  constructor(message: string) {
    super('TEMPLATE_INVALID', message);
    this.name = 'TemplateError';
  }
}

const MARKER = /\{\{\s*([^}]*?)\s*\}\}/g;
const MISSING = '—';
/** A single value never takes more than this, so one huge field cannot crowd out the others. */
export const MAX_VALUE_LENGTH = 1500;

export function parseTemplate(source: string, text: string, allowed: readonly string[]): Template {
  const parts: Template['parts'] = [];
  let last = 0;
  for (const m of text.matchAll(MARKER)) {
    const name = m[1] ?? '';
    const line = text.slice(0, m.index).split('\n').length;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new TemplateError(`${source}:${line}: "{{${name}}}" is not a valid placeholder name`);
    if (!allowed.includes(name)) {
      throw new TemplateError(`${source}:${line}: unknown placeholder "{{${name}}}"; this template may use: ${allowed.join(', ')}`);
    }
    parts.push({ literal: text.slice(last, m.index) }, { placeholder: name });
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push({ literal: text.slice(last) });
  const unclosed = text.slice(last).indexOf('{{');
  if (unclosed !== -1) throw new TemplateError(`${source}: "{{" without a closing "}}"`);
  return { source, parts };
}

function renderValue(value: TemplateValue): string {
  if (value === null || value === undefined) return MISSING;
  if (typeof value === 'object') return value.mrkdwn.trim() === '' ? MISSING : value.mrkdwn;
  const text = String(value).trim();
  return text === '' ? MISSING : escapeMrkdwn(truncate(text, MAX_VALUE_LENGTH));
}

/** Renders to mrkdwn, cut to `maxLength` with "…". Missing values render as "—". */
export function renderTemplate(template: Template, values: Record<string, TemplateValue>, maxLength = 3000): string {
  const out = template.parts.map((p) => ('literal' in p ? p.literal : renderValue(values[p.placeholder]))).join('');
  return truncate(out.trim(), maxLength);
}
