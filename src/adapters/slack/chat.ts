/**
 * The Chat port over Slack's Web API. Every call is bounded by the clients' timeout (compose.ts).
 * Posts and channel creation go through callOnce: retried without being repeated (a post carries a
 * key in its message metadata, so Slack can be asked whether an attempt that got no answer landed),
 * with 429 Retry-After honoured. Other calls retry inside the client: updates, topics, pins and
 * invites come to the same end however often they run; an ephemeral message cannot be looked up,
 * so one whose answer was lost may show twice to its one reader, which beats not showing at all.
 * Posts to one channel are paced to about one a second, as Slack asks.
 */
import { randomUUID } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { MessageRef } from '../../core/incident/incident.js';
import type { Chat } from '../../ports.js';
import { toBlockKit } from './block-kit.js';
import { callOnce, type CallOncePolicy } from './call-once.js';
import { createPacer, type Pace, type Pacer } from './pacer.js';
import type { BotIdentity } from './slack-auth.js';

/** Errors of chat.postEphemeral that a direct message can get around. */
const EPHEMERAL_UNREACHABLE = new Set(['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived']);
/** The metadata event type of Firebreak's posts; its payload's `post` is the key of one post() call. */
export const POST_EVENT = 'firebreak_post';
/** Slack's clock and ours may differ a little: a landed attempt is looked for from this long before the first. */
const CLOCK_SLACK_S = 60;
/** A keyed post's earlier attempts (failed ones retried with backoff, a dead process's) are looked for this far back. */
const KEYED_LOOKBACK_S = 3600;

export interface SlackChatOptions {
  /** A client that makes one attempt per call (no retries of its own): callOnce decides what is retried. */
  oneAttempt?: webApi.WebClient;
  policy?: CallOncePolicy;
  /** The bot's ids, to recognise a channel it created itself. */
  identity?: () => BotIdentity | undefined;
  /** How its posts take their turn in a channel (`background`: scheduled posts, after those people wait for). */
  pace?: Pace;
}

const DEFAULT_POLICY: CallOncePolicy = { budgetMs: 60_000, onRateLimit: 'wait' };

export function slackError(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export function slackChat(client: webApi.WebClient, pacer: Pacer = createPacer(), options: SlackChatOptions = {}): Chat {
  const oneAttempt = options.oneAttempt ?? client;
  const policy = options.policy ?? DEFAULT_POLICY;
  const chat: Chat = {
    async post(channel, message, postOptions) {
      await pacer.take(channel, options.pace);
      const once = postOptions?.once;
      const key = once?.key ?? randomUUID();
      const since = Date.now() / 1000 - (once ? KEYED_LOOKBACK_S : CLOCK_SLACK_S);
      const threadTs = postOptions?.threadTs;
      return callOnce(
        async () => {
          const res = await oneAttempt.chat.postMessage({
            channel,
            ...toBlockKit(message),
            ...(threadTs ? { thread_ts: threadTs } : {}),
            unfurl_links: false,
            metadata: { event_type: POST_EVENT, event_payload: { post: key } },
          });
          return { channel: res.channel ?? channel, ts: res.ts as string } satisfies MessageRef;
        },
        () => findPost(oneAttempt, { channel, threadTs, key, since }),
        policy,
        once?.lookFirst ?? false,
      );
    },
    async postEphemeral(channel, user, message) {
      try {
        await client.chat.postEphemeral({ channel, user, ...toBlockKit(message) });
      } catch (err) {
        const code = slackError(err);
        if (!code || !EPHEMERAL_UNREACHABLE.has(code)) throw err;
        // Firebreak is not in that channel (or it is a DM): say it privately instead.
        await chat.post(user, message);
      }
    },
    async update(ref, message) {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, ...toBlockKit(message) });
    },
    async createChannel(name) {
      const since = Date.now() / 1000 - CLOCK_SLACK_S;
      // After an attempt that got no answer, "name_taken" may be that attempt's own channel.
      let unsure = false;
      const find = async () => {
        unsure = true;
        const id = await findChannel(oneAttempt, name, since, options.identity?.());
        return id ? { id } : undefined;
      };
      try {
        return await callOnce(async () => ({ id: (await oneAttempt.conversations.create({ name, is_private: false })).channel?.id as string }), find, policy);
      } catch (err) {
        if (slackError(err) !== 'name_taken') throw err;
        return (unsure && (await find())) || { taken: true };
      }
    },
    async invite(channel, userIds) {
      const users = [...new Set(userIds)].filter((u) => /^[UW][A-Z0-9]+$/.test(u));
      if (users.length === 0) return;
      try {
        await client.conversations.invite({ channel, users: users.join(',') });
      } catch (err) {
        // Already there, or inviting oneself (the bot created the channel): nothing to do.
        if (!['already_in_channel', 'cant_invite_self'].includes(slackError(err) ?? '')) throw err;
      }
    },
    async setTopic(channel, topic) {
      await client.conversations.setTopic({ channel, topic: topic.slice(0, 250) });
    },
    async pin(ref) {
      try {
        await client.pins.add({ channel: ref.channel, timestamp: ref.ts });
      } catch (err) {
        if (slackError(err) !== 'already_pinned') throw err;
      }
    },
    async permalink(ref) {
      const res = await client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts });
      return res.permalink ?? null;
    },
    async messageText(ref) {
      const history = await client.conversations.history({ channel: ref.channel, latest: ref.ts, inclusive: true, limit: 1 });
      const top = history.messages?.find((m) => m.ts === ref.ts);
      if (top) return top.text ?? null;
      // Not a top-level message: it lives in a thread.
      const replies = await client.conversations.replies({ channel: ref.channel, ts: ref.ts });
      return replies.messages?.find((m) => m.ts === ref.ts)?.text ?? null;
    },
    async uploadFile(file) {
      await pacer.take(file.channel, options.pace);
      await client.filesUploadV2({
        channel_id: file.channel,
        ...(file.threadTs ? { thread_ts: file.threadTs } : {}),
        filename: file.filename,
        title: file.title,
        content: file.content,
        ...(file.comment ? { initial_comment: file.comment } : {}),
        // The SDK's argument type is a union keyed on which of channel/thread are present.
      } as webApi.FilesUploadV2Arguments);
    },
    async userGroupMembers(groupId) {
      const res = await client.usergroups.users.list({ usergroup: groupId });
      return res.users ?? [];
    },
  };
  return chat;
}

/** The message one post() call produced, if an attempt of it landed in `channel` (or in its thread). */
async function findPost(client: webApi.WebClient, where: { channel: string; threadTs: string | undefined; key: string; since: number }): Promise<MessageRef | undefined> {
  const common = { channel: where.channel, oldest: where.since.toFixed(6), include_all_metadata: true, limit: 200 };
  const res = where.threadTs ? await client.conversations.replies({ ...common, ts: where.threadTs }) : await client.conversations.history(common);
  const landed = res.messages?.find((m) => {
    const metadata = (m as { metadata?: { event_type?: string; event_payload?: { post?: unknown } } }).metadata;
    return metadata?.event_type === POST_EVENT && metadata.event_payload?.post === where.key;
  });
  return landed?.ts ? { channel: where.channel, ts: landed.ts } : undefined;
}

/** The channel named `name` that the bot created since `since` (a retry's "name_taken" is then its own). */
async function findChannel(client: webApi.WebClient, name: string, since: number, bot: BotIdentity | undefined): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await client.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) });
    const found = res.channels?.find((c) => c.name === name && (c.created ?? 0) >= Math.floor(since) && (!bot?.botUserId || c.creator === bot.botUserId));
    if (found?.id) return found.id;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
