/** The Chat port over Slack's Web API. */
import type { webApi } from '@slack/bolt';
import type { MessageRef } from '../../core/incident/incident.js';
import type { Message } from '../../core/render/message.js';
import type { Chat } from '../../ports.js';
import { toBlockKit } from './block-kit.js';

/** Errors of chat.postEphemeral that a direct message can get around. */
const EPHEMERAL_UNREACHABLE = new Set(['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived']);

function slackError(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export function slackChat(client: webApi.WebClient): Chat {
  return {
    async post(channel, message, options) {
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
        await client.chat.postMessage({ channel: user, ...toBlockKit(message) });
      }
    },
    async update(ref, message) {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, ...toBlockKit(message) });
    },
  };
}
