/** Text helpers for Slack mrkdwn: escaping user values and cutting to a limit without breaking markup. */

const ZWSP = '\u200B';

/**
 * Makes user-supplied text inert in mrkdwn: `&`, `<` and `>` become entities (so `<!channel>` or
 * `<@U123>` typed by a user never pings anyone), and a zero-width space goes before each
 * formatting character so `*x*`, `_x_`, `~x~` and backticks show as typed instead of formatting.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_~`])/g, `${ZWSP}$1`);
}

/** Plain text for plain_text fields (headers, buttons, options): no markup, single line. */
export function toPlainLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Cuts `text` to at most `max` characters (UTF-16 code units, as Slack counts), ending with "…",
 * never inside an entity (`&amp;`), a Slack token (`<@U1>`, `<!date^…>`), or a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const amp = text.lastIndexOf('&', cut);
  if (amp !== -1 && amp > cut - 8 && !text.slice(amp, cut).includes(';')) cut = amp;
  const lt = text.lastIndexOf('<', cut);
  if (lt !== -1 && text.indexOf('>', lt) >= cut) cut = lt;
  return cutAt(text, cut);
}

/** Plain text (no markup) cut to at most `max` UTF-16 code units, ending with "…", never inside a surrogate pair. */
export function truncatePlain(text: string, max: number): string {
  return text.length <= max ? text : cutAt(text, Math.max(0, max - 1));
}

function cutAt(text: string, at: number): string {
  const code = text.charCodeAt(at - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
  return `${text.slice(0, end)}…`;
}

/** "1 session", "3 sessions" (or the plural given: "2 replicas"). */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/**
 * A Slack date token: each reader sees the date and time in their own time zone; clients that
 * cannot render it show the UTC fallback.
 */
export function dateToken(date: Date, format = '{date_short_pretty} {time}'): string {
  const epoch = Math.floor(date.getTime() / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${epoch}^${format}|${fallback}>`;
}

/** A user mention; ids are checked so a crafted id cannot inject markup. */
export function userMention(userId: string | null | undefined): string | null {
  return userId && /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : null;
}

export function channelMention(channelId: string): string {
  return /^[CG][A-Z0-9]+$/.test(channelId) ? `<#${channelId}>` : escapeMrkdwn(channelId);
}

/**
 * Makes `&`, `<` and `>` entities, so the text can never become a mention, a broadcast or a link,
 * but leaves formatting characters alone: for error codes such as not_in_channel, shown as sent.
 */
export function escapeTokens(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A user in mrkdwn: their mention when `userId` is a user id; anything else (a crafted id) is
 * shown escaped, as it was given, and never acts as a token; `absent` when there is none.
 */
export function userRef(userId: string | null | undefined, absent = '—'): string {
  if (userId === null || userId === undefined || userId === '') return absent;
  return userMention(userId) ?? escapeMrkdwn(userId);
}

/** A sentence in two forms: mrkdwn for Slack, and raw for logs and the audit trail. */
export interface Phrase {
  mrkdwn: string;
  raw: string;
}

/**
 * Tagged template for a sentence with values in it: in `mrkdwn` every value is escaped while the
 * template's own markup (backticks, bold) is kept; in `raw` the values are as given.
 */
export function phrase(strings: TemplateStringsArray, ...values: Array<string | number>): Phrase {
  const join = (show: (v: string) => string) => strings.reduce((out, s, i) => out + s + (i < values.length ? show(String(values[i])) : ''), '');
  return { mrkdwn: join(escapeMrkdwn), raw: join((v) => v) };
}
