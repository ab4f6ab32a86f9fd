/** One message as Slack shows it in a channel or a thread, and the console's notices. */
import { messageProblems } from '../../block-kit-rules.js';
import type { ConsoleFile, ConsoleMessage, ConsoleNotice } from '../protocol.js';
import { renderBlocks, renderRefusal, attrs } from './blocks.js';
import { lookup, type RenderContext } from './context.js';
import { formatClock, zonedParts } from './dates.js';
import { emojiFor } from './emoji.js';
import { escapeHtml, safeFileHref } from './escape.js';
import { renderMrkdwn } from './mrkdwn.js';

/** The emoji a reaction draws (`:name:` when it is not in the table). */
export const reactionEmoji = (name: string): string => emojiFor(name) ?? `:${name}:`;

/** "512 B", "1.5 KB", "3.2 MB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let n = bytes / 1024;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[u]}`;
}

/** Who a message is from, as the channel shows it. */
export function authorName(m: ConsoleMessage, ctx: RenderContext): string {
  if (m.bot || m.user === ctx.botUserId) return ctx.botName ?? lookup(ctx.users, m.user)?.name ?? 'bot';
  const u = lookup(ctx.users, m.user);
  return u?.realName || u?.name || m.user;
}

/** Milliseconds of a Slack ts ("1700000000.000100"). */
export const tsToMs = (ts: string): number => Math.floor(Number(ts) * 1000);

function fullDate(ms: number, ctx: RenderContext): string {
  const p = zonedParts(ms, ctx.timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${formatClock(ms, ctx.timeZone, true)}`;
}

/** The message's content: its blocks when it has some (or the red box when Slack would refuse them), else its text. */
export function renderMessageBody(m: Pick<ConsoleMessage, 'blocks' | 'text' | 'ts'>, ctx: RenderContext): string {
  const problems = messageProblems(m.blocks, m.text);
  if (problems) return renderRefusal('message', problems.error, problems.errors);
  if (Array.isArray(m.blocks) && m.blocks.length > 0) return renderBlocks(m.blocks, ctx, { surface: 'message', scope: `m${m.ts}` });
  return `<div class="message-text">${renderMrkdwn(m.text, ctx)}</div>`;
}

function file(f: ConsoleFile): string {
  const view = safeFileHref(f.viewUrl);
  const download = safeFileHref(f.downloadUrl);
  const title = f.title || f.name;
  const links = [
    view ? `<a class="file-link" href="${escapeHtml(view)}" target="_blank" rel="noopener noreferrer">View</a>` : '',
    download ? `<a class="file-link" href="${escapeHtml(download)}" download="${escapeHtml(f.name)}">Download</a>` : '',
  ].join('');
  return (
    `<div class="file" data-file-id="${escapeHtml(f.id)}"><span class="file-icon" aria-hidden="true">📄</span>` +
    `<span class="file-info"><span class="file-title">${escapeHtml(title)}</span>` +
    `<span class="file-meta">${escapeHtml(f.name !== title ? `${f.name} · ` : '')}${escapeHtml(formatSize(f.size))}</span></span>` +
    `<span class="file-links">${links}</span></div>`
  );
}

function reactions(m: ConsoleMessage, ctx: RenderContext): string {
  const items = m.reactions
    .filter((r) => r.users.length > 0)
    .map((r) => {
      const mine = ctx.me !== undefined && r.users.includes(ctx.me);
      const who = r.users.map((id) => `@${lookup(ctx.users, id)?.name ?? id}`).join(', ');
      return (
        `<button type="button" class="reaction${mine ? ' reaction-mine' : ''}"${attrs({ 'data-reaction': r.name, title: `${who} reacted with :${r.name}:`, 'aria-pressed': mine ? 'true' : 'false' })}>` +
        `<span class="reaction-emoji">${escapeHtml(reactionEmoji(r.name))}</span> <span class="reaction-count">${r.users.length}</span></button>`
      );
    })
    .join('');
  return items ? `<div class="message-reactions">${items}<button type="button" class="reaction-add reaction-add-inline" data-add-reaction title="Add reaction">+🙂</button></div>` : '';
}

export interface MessageOptions {
  /** Drawn in the thread pane: no "N replies" link. */
  inThread?: boolean;
}

/**
 * A message: avatar, author, time (HH:MM in the reader's zone), ephemeral note, pinned marker,
 * content, "(edited)", files, reactions, thread link and the hover actions (add reaction, reply).
 */
export function renderMessage(m: ConsoleMessage, ctx: RenderContext, options: MessageOptions = {}): string {
  const ms = tsToMs(m.ts);
  const name = authorName(m, ctx);
  const bot = m.bot || m.user === ctx.botUserId;
  const classes = ['message', bot ? 'message-bot' : '', m.ephemeralTo ? 'message-ephemeral' : '', m.pinned ? 'message-pinned' : ''].filter(Boolean).join(' ');
  const avatar = bot ? '🔥' : escapeHtml((name.trim()[0] ?? '?').toUpperCase());
  // A colour per person, by class: the page's content policy allows no inline style.
  const hue = [...m.user].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 997, 7) % 8;
  const ephemeral = m.ephemeralTo ? '<div class="message-ephemeral-note"><span aria-hidden="true">👁</span> Only visible to you</div>' : '';
  const pinned = m.pinned ? '<span class="message-pin-marker" title="Pinned to this channel">📌 Pinned</span>' : '';
  const edited = m.edited ? ' <span class="message-edited">(edited)</span>' : '';
  const replies = !options.inThread && m.replyCount > 0
    ? `<button type="button" class="thread-link" data-open-thread="${escapeHtml(m.ts)}">${m.replyCount} ${m.replyCount === 1 ? 'reply' : 'replies'}</button>`
    : '';
  // Slack offers neither reactions nor a thread on an ephemeral message.
  const reply = options.inThread ? '' : `<button type="button" class="message-reply" data-open-thread="${escapeHtml(m.ts)}" title="Reply in thread">Reply</button>`;
  const hover = m.ephemeralTo ? '' : `<div class="message-actions"><button type="button" class="reaction-add" data-add-reaction title="Add reaction">+🙂</button>${reply}</div>`;
  const files = m.files.length ? `<div class="message-files">${m.files.map(file).join('')}</div>` : '';
  return (
    `<div class="${classes}"${attrs({ 'data-ts': m.ts, 'data-channel': m.channel, 'data-thread-ts': m.threadTs, 'data-user': m.user })}>` +
    `<div class="avatar avatar-${bot ? 'bot' : hue}" aria-hidden="true">${avatar}</div>` +
    `<div class="message-main">${ephemeral}` +
    `<div class="message-meta"><span class="message-author">${escapeHtml(name)}</span>${bot ? '<span class="message-app">APP</span>' : ''}` +
    `<time class="message-time"${attrs({ datetime: Number.isFinite(ms) ? new Date(ms).toISOString() : undefined, title: Number.isFinite(ms) ? fullDate(ms, ctx) : undefined })}>${Number.isFinite(ms) ? formatClock(ms, ctx.timeZone) : ''}</time>${pinned}</div>` +
    `<div class="message-body">${renderMessageBody(m, ctx)}${edited}</div>` +
    `${files}${reactions(m, ctx)}${replies}</div>${hover}</div>`
  );
}

/** A refusal or failure the console reports: a red system line. */
export function renderNotice(n: ConsoleNotice, ctx: RenderContext): string {
  const where = n.method ? `${escapeHtml(n.method)}: ` : '';
  const details = n.details.length ? `<ul class="notice-details">${n.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '';
  return (
    `<div class="notice" role="alert"${attrs({ 'data-notice-id': n.id })}><span class="notice-icon" aria-hidden="true">⚠</span>` +
    `<div class="notice-main"><div class="notice-title">Slack refused ${where}<code>${escapeHtml(n.error)}</code>` +
    ` <time class="notice-time">${formatClock(n.at, ctx.timeZone)}</time></div>${details}</div></div>`
  );
}
