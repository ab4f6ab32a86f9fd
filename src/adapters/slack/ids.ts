/**
 * Slack's ids as they arrive in payloads: a kind letter, then upper-case letters and digits. Every
 * id that reaches a use case passes one of these first: an id is echoed into messages as `<@…>` or
 * `<#…>`, so a value like `<!channel>` must never get that far.
 */
import { z } from 'zod';

const slackId = (letters: string, what: string) =>
  z.string().regex(new RegExp(`^[${letters}][A-Z0-9]{1,30}$`), { message: `not a Slack ${what} id` });

/** A person: `U…`, or `W…` on Enterprise Grid. */
export const userId = slackId('UW', 'user');
/** A conversation: public `C…`, private `G…`, direct message `D…`. */
export const channelId = slackId('CGD', 'channel');
/** A workspace `T…`, or an Enterprise Grid organisation `E…`. */
export const teamId = slackId('TE', 'team');
/** A message's ts: seconds, a dot, microseconds. */
export const messageTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/, { message: 'not a Slack message ts' });
/** Where an answer goes: a conversation, or a person (their direct messages with the app). */
export const replyTarget = z.union([channelId, userId]);
