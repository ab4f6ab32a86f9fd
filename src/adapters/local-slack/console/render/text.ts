/** Text objects (`{ type: 'plain_text' | 'mrkdwn', text }`) → HTML. */
import type { RenderContext } from './context.js';
import { replaceEmoji } from './emoji.js';
import { decodeSlackEntities, escapeHtml } from './escape.js';
import { renderMrkdwn, renderPlain } from './mrkdwn.js';

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The raw text of a text object ('' when it is not one). */
export function rawText(t: unknown): string {
  if (typeof t === 'string') return t;
  return isObject(t) && typeof t.text === 'string' ? t.text : '';
}

/**
 * A text object → HTML: mrkdwn drawn as Slack does (`verbatim` only turns off auto-linking, which
 * the console never does), plain_text escaped with its emoji shortcodes unless `emoji: false`.
 */
export function renderText(t: unknown, ctx: RenderContext): string {
  if (typeof t === 'string') return renderPlain(t);
  if (!isObject(t) || typeof t.text !== 'string') return '';
  if (t.type === 'mrkdwn') return renderMrkdwn(t.text, ctx);
  return renderPlain(t.text, t.emoji !== false);
}

/** A text object on one line, for places that cannot hold markup (`<option>`, attributes): escaped, emoji drawn. */
export function renderTextLine(t: unknown): string {
  const raw = rawText(t);
  const emoji = !(isObject(t) && t.emoji === false);
  const escaped = escapeHtml(decodeSlackEntities(raw).replace(/\s*\n\s*/g, ' '));
  return emoji ? replaceEmoji(escaped) : escaped;
}
