/**
 * The Chat port over Slack's Web API. Rate limits: the Web API client honours Retry-After on 429
 * (it pauses and retries, see the retry policy in server.ts); on top of that, posts to one channel
 * are paced to about one a second, as Slack asks.
 */
import type { webApi } from '@slack/bolt';
import type { MessageRef } from '../../core/incident/incident.js';
import type { Chat } from '../../ports.js';
import { toBlockKit } from './block-kit.js';
import { createPacer, type Pacer } from './pacer.js';

/** Errors of chat.postEphemeral that a direct message can get around. */
const EPHEMERAL_UNREACHABLE = new Set(['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived']);

export function slackError(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export function slackChat(client: webApi.WebClient, pacer: Pacer = createPacer()): Chat {
  const chat: Chat = {
    async post(channel, message, options) {
      await pacer.take(channel);
      const res = await client.chat.postMessage({
        channel,
        ...toBlockKit(message),
        ...(options?.threadTs ? { thread_ts: options.threadTs } : {}),
        unfurl_links: false,
      });
      return { channel: res.channel ?? channel, ts: res.ts as string } satisfies MessageRef;
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
      try {
        const res = await client.conversations.create({ name, is_private: false });
        return { id: res.channel?.id as string };
      } catch (err) {
        if (slackError(err) === 'name_taken') return { taken: true };
        throw err;
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
      await pacer.take(file.channel);
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
