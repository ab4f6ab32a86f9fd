/** `rich_text` blocks (what Slack clients post for typed messages) → HTML. Their text is raw, not entity-escaped. */
import { lookup, type RenderContext } from './context.js';
import { formatSlackDate } from './dates.js';
import { emojiFor } from './emoji.js';
import { escapeHtml, safeLinkHref } from './escape.js';
import { isObject, type Json } from './text.js';

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function styled(html: string, style: unknown): string {
  if (!isObject(style)) return html;
  let out = html;
  if (style.code === true) out = `<code class="sk-code">${out}</code>`;
  if (style.strike === true) out = `<s>${out}</s>`;
  if (style.italic === true) out = `<i>${out}</i>`;
  if (style.bold === true) out = `<b>${out}</b>`;
  return out;
}

function leaf(e: Json, ctx: RenderContext): string {
  switch (e.type) {
    case 'text':
      return styled(escapeHtml(str(e.text)).replace(/\n/g, '<br>'), e.style);
    case 'link': {
      const href = safeLinkHref(str(e.url));
      const text = escapeHtml(str(e.text) || str(e.url));
      return styled(href ? `<a class="sk-link" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${text}</a>` : text, e.style);
    }
    case 'emoji': {
      const name = str(e.name);
      return escapeHtml(emojiFor(name) ?? `:${name}:`);
    }
    case 'user': {
      const id = str(e.user_id);
      const me = ctx.me !== undefined && id === ctx.me ? ' sk-mention-me' : '';
      return `<span class="sk-mention${me}" data-user-id="${escapeHtml(id)}">@${escapeHtml(lookup(ctx.users, id)?.name ?? id)}</span>`;
    }
    case 'channel': {
      const id = str(e.channel_id);
      return `<span class="sk-channel" data-channel-link="${escapeHtml(id)}">#${escapeHtml(lookup(ctx.channels, id)?.name ?? id)}</span>`;
    }
    case 'usergroup':
      return `<span class="sk-mention sk-usergroup">@${escapeHtml(str(e.usergroup_id))}</span>`;
    case 'broadcast':
      return `<span class="sk-mention sk-broadcast">@${escapeHtml(str(e.range))}</span>`;
    case 'date': {
      const drawn = typeof e.timestamp === 'number' ? formatSlackDate(e.timestamp, str(e.format), ctx) : null;
      return `<time class="sk-date">${escapeHtml(drawn ?? str(e.fallback))}</time>`;
    }
    default:
      return '';
  }
}

const leaves = (e: Json, ctx: RenderContext) => list(e.elements).map((x) => leaf(x, ctx)).join('');

function part(e: Json, ctx: RenderContext): string {
  switch (e.type) {
    case 'rich_text_section':
      return `<div class="sk-rt-section">${leaves(e, ctx)}</div>`;
    case 'rich_text_preformatted':
      return `<pre class="sk-pre">${leaves(e, ctx)}</pre>`;
    case 'rich_text_quote':
      return `<blockquote class="sk-quote">${leaves(e, ctx)}</blockquote>`;
    case 'rich_text_list': {
      const tag = e.style === 'ordered' ? 'ol' : 'ul';
      return `<${tag} class="sk-rt-list">${list(e.elements).map((x) => `<li>${leaves(x, ctx)}</li>`).join('')}</${tag}>`;
    }
    default:
      return `<div class="sk-unsupported">unsupported rich text: ${escapeHtml(str(e.type) || 'none')}</div>`;
  }
}

export function renderRichText(block: Json, ctx: RenderContext): string {
  return list(block.elements).map((e) => part(e, ctx)).join('');
}
