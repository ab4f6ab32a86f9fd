/**
 * How user values are written in a given output: Slack mrkdwn (escaped, `<@U1>` mentions, `<url|label>`
 * links) or plain Markdown for a file (`@U1`, `[label](url)`). The timeline describes events once
 * against this interface and gets both.
 */
import { dateToken, escapeMrkdwn, toPlainLine, userMention } from '../render/text.js';

export interface Format {
  /** User text on one line, made safe for the output. */
  text(value: string): string;
  /** A user reference, or null when the id is not a valid user id. */
  user(id: unknown): string | null;
  /** A link on `label` (already formatted) when `url` is a safe https URL; just the label otherwise. */
  link(url: unknown, label: string): string;
  /** A moment in time: a Slack date token, or UTC text in a file. */
  time(at: Date): string;
}

const USER_ID = /^[UW][A-Z0-9]+$/;

/** An https URL with nothing in it that could end or bend the surrounding markup. */
export function safeHttpsUrl(url: unknown): string | null {
  if (typeof url !== 'string' || !/^https:\/\/[^\s<>|()[\]"'`]+$/.test(url)) return null;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

export const slackFormat: Format = {
  text: (value) => escapeMrkdwn(toPlainLine(value)),
  user: (id) => (typeof id === 'string' ? userMention(id) : null),
  link: (url, label) => {
    const safe = safeHttpsUrl(url);
    return safe ? `<${safe}|${label}>` : label;
  },
  time: (at) => dateToken(at, '{time}'),
};

/**
 * Text for a Markdown file: `<` and `>` become entities so `<!channel>` or `<script>` show as typed
 * (CommonMark would otherwise swallow them as HTML), and an `&` that would start an entity is escaped.
 * Markdown emphasis is left alone: the file is for people, and nothing in it pings anyone.
 */
export function markdownText(value: string): string {
  return value
    .replace(/&(?=#?[a-z0-9]+;)/gi, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export const markdownFormat: Format = {
  text: (value) => markdownText(toPlainLine(value)),
  user: (id) => (typeof id === 'string' && USER_ID.test(id) ? `@${id}` : null),
  link: (url, label) => {
    const safe = safeHttpsUrl(url);
    return safe ? `[${label.replace(/[[\]]/g, '\\$&')}](${safe})` : label;
  },
  time: (at) => `${at.toISOString().slice(11, 16)} UTC`,
};

/** A non-empty string (numbers are written out), or null: never "undefined" or "[object Object]". */
export function field(data: Record<string, unknown>, key: string): string | null {
  const v = data[key];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  return null;
}

/** A finite number, or null. */
export function numberField(data: Record<string, unknown>, key: string): number | null {
  const v = data[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
