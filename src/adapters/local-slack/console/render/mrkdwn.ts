/**
 * Slack mrkdwn → HTML, as Slack draws it: `*bold*`, `_italic_`, `~strike~`, `` `code` ``,
 * ```` ```pre``` ````, `>` quotes, line breaks, and the `<…>` sequences (links, mentions, channels,
 * broadcasts, user groups, dates). Everything that is not markup is escaped. Pure.
 */
import { formatSlackDate } from './dates.js';
import { lookup, type RenderContext } from './context.js';
import { replaceEmoji } from './emoji.js';
import { decodeSlackEntities, escapeHtml, safeLinkHref } from './escape.js';

/** Marks standing for already-drawn HTML while the surrounding text is escaped and formatted. */
const HOLE_OPEN = '\uE000';
const HOLE_CLOSE = '\uE001';
const HOLE = /\uE000(\d+)\uE001/g;
const ZWSP = '\u200B';

type Mode = 'rich' | 'code';

class Holes {
  private readonly html: string[] = [];
  add(html: string): string {
    this.html.push(html);
    return `${HOLE_OPEN}${this.html.length - 1}${HOLE_CLOSE}`;
  }
  fill(text: string): string {
    // Holes may hold holes (a code span holding a mention): fill until none is left.
    let out = text;
    for (let i = 0; i < 4 && out.includes(HOLE_OPEN); i++) out = out.replace(HOLE, (_m, n: string) => this.html[Number(n)] ?? '');
    return out;
  }
}

/**
 * Bold, italic and strike, as Slack reads them: the opening mark follows the start or a
 * non-alphanumeric character and is followed by a non-space; the closing mark follows a non-space
 * and is followed by the end or a non-alphanumeric character. A zero-width space before a mark
 * (how Firebreak makes typed asterisks inert) turns it off.
 *
 * They are drawn one after the other (bold, italic, strike), so a span may hold whole elements the
 * earlier ones drew (`_*x*_` is bold inside italic) but never half of one: in `*~*~` the strike
 * would close outside the bold it opened in, and is left as typed.
 */
function formatting(mark: '*' | '_' | '~', elements: readonly string[]): RegExp {
  const m = mark === '*' ? '\\*' : mark;
  const whole = elements.map((e) => `|${e}`).join('');
  return new RegExp(`(^|[^\\p{L}\\p{N}${m}${ZWSP}])${m}(?![\\s${m}])((?:[^${m}<>]${whole})*?(?:[^\\s${m}${ZWSP}<>]${whole}))${m}(?![\\p{L}\\p{N}${m}])`, 'gu');
}
/** The elements the earlier marks drew, whole (the text between them holds no tag: it is escaped). */
const BOLD_ELEMENT = '<b>[^<>]*</b>';
const ITALIC_ELEMENT = `<i>(?:[^<>]|${BOLD_ELEMENT})*</i>`;
const BOLD = formatting('*', []);
const ITALIC = formatting('_', [BOLD_ELEMENT]);
const STRIKE = formatting('~', [BOLD_ELEMENT, ITALIC_ELEMENT]);

/** Escaped text (no holes filled yet) → with emoji and formatting. */
function formatText(escaped: string): string {
  return replaceEmoji(escaped)
    .replace(BOLD, '$1<b>$2</b>')
    .replace(ITALIC, '$1<i>$2</i>')
    .replace(STRIKE, '$1<s>$2</s>');
}

/** One `<…>` sequence (without the brackets) → HTML. */
function renderToken(inner: string, ctx: RenderContext): string {
  const bar = inner.indexOf('|');
  const head = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : decodeSlackEntities(inner.slice(bar + 1));
  if (head.startsWith('@')) {
    const id = head.slice(1);
    const name = lookup(ctx.users, id)?.name ?? (label ? label.replace(/^@/, '') : id);
    const me = ctx.me !== undefined && id === ctx.me ? ' sk-mention-me' : '';
    return `<span class="sk-mention${me}" data-user-id="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (head.startsWith('#')) {
    const id = head.slice(1);
    const name = lookup(ctx.channels, id)?.name ?? (label || id);
    return `<span class="sk-channel" data-channel-link="${escapeHtml(id)}">#${escapeHtml(name)}</span>`;
  }
  if (head.startsWith('!')) return renderSpecial(head.slice(1), label, inner, ctx);
  const url = decodeSlackEntities(head);
  // Not a link at all (`<b>`, `<script>`): shown as it was sent, so a stray tag is visible and inert.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return escapeHtml(`<${decodeSlackEntities(inner)}>`);
  const shown = label !== undefined && label !== '' ? label : url;
  const href = safeLinkHref(url);
  // A scheme Slack would not link (`javascript:`, `data:`): the words, never a link.
  if (!href) return escapeHtml(shown);
  return `<a class="sk-link" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${replaceEmoji(escapeHtml(shown))}</a>`;
}

function renderSpecial(command: string, label: string | undefined, inner: string, ctx: RenderContext): string {
  if (command === 'here' || command === 'channel' || command === 'everyone') {
    return `<span class="sk-mention sk-broadcast">@${command}</span>`;
  }
  if (command.startsWith('subteam^')) {
    const id = command.slice('subteam^'.length);
    const name = label ? (label.startsWith('@') ? label : `@${label}`) : `@${id}`;
    return `<span class="sk-mention sk-usergroup">${escapeHtml(name)}</span>`;
  }
  if (command.startsWith('date^')) {
    const fallback = label ?? decodeSlackEntities(inner);
    const [, epoch = '', format = '', link] = command.split('^');
    const drawn = /^-?\d+$/.test(epoch) ? formatSlackDate(Number(epoch), decodeSlackEntities(format), ctx) : null;
    const text = escapeHtml(drawn ?? fallback);
    const href = link === undefined ? null : safeLinkHref(decodeSlackEntities(link));
    const time = drawn !== null ? ` datetime="${new Date(Number(epoch) * 1000).toISOString()}"` : '';
    const body = `<time class="sk-date"${time}>${text}</time>`;
    return href ? `<a class="sk-link" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${body}</a>` : body;
  }
  return escapeHtml(label ?? command);
}

/**
 * A run of text: `<…>` sequences and (in rich mode) `` `code` `` spans become holes; the rest is
 * decoded, escaped and (in rich mode) formatted. Returns text with holes.
 */
function inline(text: string, ctx: RenderContext, mode: Mode, holes: Holes): string {
  let out = '';
  let plain = '';
  const flush = () => {
    const escaped = escapeHtml(decodeSlackEntities(plain));
    out += mode === 'rich' ? formatText(escaped) : escaped;
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '<') {
      const end = text.indexOf('>', i + 1);
      if (end > i + 1) {
        const token = holes.add(renderToken(text.slice(i + 1, end), ctx));
        // Keep the hole inside the run so formatting marks around it (`*<@U1>*`) still pair up.
        plain += token;
        i = end + 1;
        continue;
      }
    }
    if (c === '`' && mode === 'rich' && text[i - 1] !== ZWSP) {
      const end = text.indexOf('`', i + 1);
      if (end > i + 1) {
        plain += holes.add(`<code class="sk-code">${inline(text.slice(i + 1, end), ctx, 'code', holes)}</code>`);
        i = end + 1;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

const QUOTE_LINE = /^(?:>|&gt;)(?!>|&gt;) ?/;
const QUOTE_REST = /^(?:>>>|&gt;&gt;&gt;) ?/;

/** Text without fences: lines, quotes (`>` per line, `>>>` for the rest). */
function renderLines(text: string, ctx: RenderContext, holes: Holes): string {
  const lines = text.split('\n');
  const parts: string[] = [];
  let quote: string[] = [];
  let plain: string[] = [];
  const flushPlain = () => {
    if (plain.length) parts.push(plain.join('<br>'));
    plain = [];
  };
  const flushQuote = () => {
    if (quote.length) parts.push(`<blockquote class="sk-quote">${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    const rest = QUOTE_REST.exec(line);
    if (rest) {
      flushPlain();
      quote.push(...[line.slice(rest[0].length), ...lines.slice(n + 1)].map((l) => inline(l, ctx, 'rich', holes)));
      break;
    }
    const q = QUOTE_LINE.exec(line);
    if (q) {
      flushPlain();
      quote.push(inline(line.slice(q[0].length), ctx, 'rich', holes));
    } else {
      flushQuote();
      plain.push(inline(line, ctx, 'rich', holes));
    }
  }
  flushPlain();
  flushQuote();
  return parts.join('');
}

/** Slack mrkdwn → HTML (escaped). `verbatim` changes nothing here: the console never auto-links. */
export function renderMrkdwn(text: string, ctx: RenderContext): string {
  const source = String(text).replace(/[\uE000-\uE001]/g, '');
  const holes = new Holes();
  const fence = /```([\s\S]*?)```/g;
  const parts: string[] = [];
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(source)) !== null) {
    const before = source.slice(last, m.index).replace(/\n$/, '');
    if (before) parts.push(renderLines(before, ctx, holes));
    const body = (m[1] ?? '').replace(/^\n/, '').replace(/\n$/, '');
    parts.push(`<pre class="sk-pre">${inline(body, ctx, 'code', holes)}</pre>`);
    last = m.index + m[0].length;
    if (source[last] === '\n') last++;
  }
  const after = source.slice(last);
  if (after || parts.length === 0) parts.push(renderLines(after, ctx, holes));
  return holes.fill(parts.join(''));
}

/** Plain text → HTML: escaped, line breaks kept, emoji shortcodes drawn unless `emoji` is false. */
export function renderPlain(text: string, emoji = true): string {
  const escaped = escapeHtml(decodeSlackEntities(String(text)));
  return (emoji ? replaceEmoji(escaped) : escaped).replace(/\n/g, '<br>');
}
