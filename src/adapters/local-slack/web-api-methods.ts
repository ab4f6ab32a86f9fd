/**
 * The Slack Web API methods the stand-in answers, one handler per method, with the shapes and
 * errors Slack documents, acting on the workspace of workspace.ts.
 */
import { messageProblems, viewProblems } from './block-kit-rules.js';
import { APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, VIEW_STACK_LIMIT, type SlackWorld } from './workspace.js';

export * from './workspace.js';

export type Args = Record<string, unknown>;
/** A Web API answer body: `{ ok: true, ... }` or `{ ok: false, error }`. */
export type Answer = { ok: boolean } & Record<string, unknown>;

const fail = (error: string): Answer => ({ ok: false, error });
const ok = (fields: Record<string, unknown> = {}): Answer => ({ ok: true, ...fields });

/** Slack's answer to blocks or text it will not take: the error, and what was wrong where (as Slack details it). */
export function blocksRefusal(a: { blocks?: unknown; text?: unknown }): Answer | null {
  const problem = messageProblems(a.blocks, a.text);
  if (!problem) return null;
  return { ok: false, error: problem.error, ...(problem.errors.length ? { errors: problem.errors, response_metadata: { messages: problem.errors.map((e) => `[ERROR] ${e}`) } } : {}) };
}

function viewRefusal(view: unknown): Answer | null {
  const problems = viewProblems(view);
  return problems.length ? { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems.map((e) => `[ERROR] ${e}`) } } : null;
}
const str = (a: Args, key: string): string | undefined => {
  const v = a[key];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
// Form-encoded booleans arrive as the strings "true"/"false".
const truthy = (v: unknown): boolean => v === true || v === 'true' || v === '1';

function openView(push: boolean): (w: SlackWorld, a: Args) => Answer {
  return (w, a) => {
    const trigger = str(a, 'trigger_id');
    const triggerError = w.exchangeTrigger(trigger);
    if (triggerError) return fail(triggerError);
    if (!isObject(a.view)) return fail('invalid_arguments');
    const refusal = viewRefusal(a.view);
    if (refusal) return refusal;
    const owner = trigger === undefined ? undefined : w.triggerOwner(trigger);
    if (push && owner !== undefined && w.stackDepth(owner) >= VIEW_STACK_LIMIT) return fail('push_limit_reached');
    const view = w.storeView(w.nextId('V'), a.view);
    // Only triggers handed out for a person (local mode) say whose screen the modal is on.
    if (owner !== undefined) w.placeView(view, push && w.stackDepth(owner) > 0 ? { push: owner } : { open: owner });
    return ok({ view });
  };
}

function postMessage(w: SlackWorld, a: Args): Answer {
  const channel = str(a, 'channel');
  if (!channel) return fail('channel_not_found');
  if (!str(a, 'text') && a.blocks === undefined && a.attachments === undefined) return fail('no_text');
  const refusal = blocksRefusal(a);
  if (refusal) return refusal;
  const ts = w.nextTs();
  const message: Record<string, unknown> = {
    type: 'message',
    user: BOT_USER_ID,
    bot_id: BOT_ID,
    app_id: APP_ID,
    team: TEAM_ID,
    text: a.text ?? '',
    blocks: a.blocks,
    ts,
  };
  if (a.thread_ts !== undefined) message.thread_ts = a.thread_ts;
  // Message metadata is kept, and shown only to readers that ask for it (include_all_metadata).
  if (isObject(a.metadata)) message.metadata = a.metadata;
  w.remember(channel, message);
  return ok({ channel, ts, message: withoutMetadata(message) });
}

function withoutMetadata(message: Record<string, unknown>): Record<string, unknown> {
  if (!('metadata' in message)) return message;
  const { metadata: _hidden, ...rest } = message;
  return rest;
}

/** What conversations.history and .replies return of `messages`: newer than `oldest`, metadata only on request. */
function readable(messages: Array<Record<string, unknown>>, a: Args): Array<Record<string, unknown>> {
  const oldest = str(a, 'oldest');
  const after = oldest ? messages.filter((m) => Number(m.ts) > Number(oldest)) : messages;
  return truthy(a.include_all_metadata) ? after : after.map(withoutMetadata);
}

const HANDLERS: Record<string, (w: SlackWorld, a: Args) => Answer> = {
  'auth.test': () =>
    ok({ url: 'https://firebreak-test.slack.com/', team: 'Firebreak Test', user: 'firebreak', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID }),

  'chat.postMessage': postMessage,
  'chat.update': (w, a) => {
    const channel = str(a, 'channel');
    if (!channel) return fail('channel_not_found');
    const ts = str(a, 'ts');
    if (!ts) return fail('message_not_found');
    const refusal = blocksRefusal(a);
    if (refusal) return refusal;
    w.updateMessage(channel, ts, { text: a.text, blocks: a.blocks });
    return ok({ channel, ts, text: a.text ?? '', message: { type: 'message', text: a.text ?? '', blocks: a.blocks, bot_id: BOT_ID, user: BOT_USER_ID } });
  },
  'chat.postEphemeral': (w, a) => {
    if (!str(a, 'channel')) return fail('channel_not_found');
    if (!str(a, 'user')) return fail('user_not_in_channel');
    if (!str(a, 'text') && a.blocks === undefined && a.attachments === undefined) return fail('no_text');
    const refusal = blocksRefusal(a);
    if (refusal) return refusal;
    const thread = str(a, 'thread_ts');
    const stored = w.postEphemeral({ channel: str(a, 'channel') ?? '', user: str(a, 'user') ?? '', text: str(a, 'text') ?? '', blocks: a.blocks, ...(thread ? { thread_ts: thread } : {}) });
    return ok({ message_ts: stored.ts });
  },
  'chat.getPermalink': (_w, a) => {
    const channel = str(a, 'channel');
    const ts = str(a, 'message_ts');
    if (!channel) return fail('channel_not_found');
    if (!ts) return fail('message_not_found');
    return ok({ channel, permalink: `https://firebreak-test.slack.com/archives/${channel}/p${ts.replace('.', '')}` });
  },

  'views.open': openView(false),
  'views.push': openView(true),
  'views.update': (w, a) => {
    const id = str(a, 'view_id');
    if (!id && !str(a, 'external_id')) return fail('invalid_arguments');
    if (!isObject(a.view)) return fail('invalid_arguments');
    const viewRefused = viewRefusal(a.view);
    if (viewRefused) return viewRefused;
    const viewId = id ?? w.nextId('V');
    // Optimistic locking as Slack does it: a stale hash means someone else updated the view first.
    const current = w.viewHash(viewId);
    const hash = str(a, 'hash');
    if (hash && current && hash !== current) return fail('hash_conflict');
    const view = w.storeView(viewId, a.view);
    w.placeView(view, { replace: viewId });
    return ok({ view });
  },

  'conversations.create': (w, a) => {
    const c = w.createChannel(str(a, 'name') ?? '', truthy(a.is_private));
    return typeof c === 'string' ? fail(c) : ok({ channel: c });
  },
  'conversations.invite': (w, a) => {
    const channel = str(a, 'channel');
    if (!channel) return fail('channel_not_found');
    const users = (str(a, 'users') ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    if (users.length === 0) return fail('no_user');
    const members = w.membersOf(channel);
    if (users.every((u) => members.has(u))) return fail('already_in_channel');
    for (const u of users) members.add(u);
    return ok({ channel: w.channel(channel) });
  },
  'conversations.join': (w, a) => {
    const channel = str(a, 'channel');
    if (!channel) return fail('channel_not_found');
    w.membersOf(channel).add(BOT_USER_ID);
    return ok({ channel: w.channel(channel) });
  },
  'conversations.info': (w, a) => {
    const channel = str(a, 'channel');
    return channel ? ok({ channel: w.channel(channel) }) : fail('channel_not_found');
  },
  'conversations.setTopic': (w, a) => {
    const channel = str(a, 'channel');
    if (!channel) return fail('channel_not_found');
    const c = w.channel(channel);
    c.topic = { value: str(a, 'topic') ?? '', creator: BOT_USER_ID, last_set: Math.floor(Date.now() / 1000) };
    return ok({ channel: c });
  },
  'conversations.members': (w, a) => {
    const channel = str(a, 'channel');
    if (!channel) return fail('channel_not_found');
    return ok({ members: [...w.membersOf(channel)], response_metadata: { next_cursor: '' } });
  },
  'conversations.history': (w, a) => {
    const channel = str(a, 'channel');
    if (!channel) return fail('channel_not_found');
    const latest = str(a, 'latest');
    const inclusive = truthy(a.inclusive);
    const limit = Number(str(a, 'limit') ?? 100);
    const top = w.messagesIn(channel).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
    const upTo = readable(top, a).filter((m) => !latest || (inclusive ? Number(m.ts) <= Number(latest) : Number(m.ts) < Number(latest)));
    return ok({ messages: upTo.reverse().slice(0, limit), has_more: upTo.length > limit });
  },
  'conversations.replies': (w, a) => {
    const channel = str(a, 'channel');
    const ts = str(a, 'ts');
    if (!channel) return fail('channel_not_found');
    const all = w.messagesIn(channel);
    const parent = all.find((m) => m.ts === ts);
    if (!parent) return fail('thread_not_found');
    const root = (parent.thread_ts as string | undefined) ?? ts;
    const thread = all.filter((m) => m.ts === root || m.thread_ts === root);
    // The thread's first message always comes first, as Slack returns it; `oldest` applies to the replies.
    const [first, ...rest] = thread;
    const shown = first && !truthy(a.include_all_metadata) ? withoutMetadata(first) : first;
    return ok({ messages: [...(shown ? [shown] : []), ...readable(rest, a)], has_more: false });
  },
  'conversations.list': (w) => ok({ channels: w.allChannels(), response_metadata: { next_cursor: '' } }),

  'pins.add': (w, a) => {
    const [channel, ts] = [str(a, 'channel'), str(a, 'timestamp')];
    if (!channel || !ts) return fail('no_item_specified');
    // A message the workspace holds can be pinned once; others (ids a test made up) are accepted as before.
    if (w.message(channel, ts) && !w.pin(channel, ts)) return fail('already_pinned');
    return ok();
  },
  'reactions.add': (w, a) => {
    const [channel, ts, name] = [str(a, 'channel'), str(a, 'timestamp'), str(a, 'name')];
    if (!channel || !ts) return fail('no_item_specified');
    if (!name) return fail('invalid_name');
    if (!w.addReaction(`${channel}/${ts}/${name}`)) return fail('already_reacted');
    w.react(channel, ts, name, BOT_USER_ID);
    return ok();
  },
  'bookmarks.add': (w, a) => {
    const channel = str(a, 'channel_id');
    if (!channel) return fail('channel_not_found');
    const now = Math.floor(Date.now() / 1000);
    return ok({
      bookmark: {
        id: w.nextId('Bk'),
        channel_id: channel,
        title: a.title ?? '',
        link: a.link ?? '',
        emoji: a.emoji ?? null,
        type: a.type ?? 'link',
        date_created: now,
        date_updated: 0,
        created_by: BOT_USER_ID,
      },
    });
  },

  'users.info': (w, a) => {
    const id = str(a, 'user');
    if (!id) return fail('user_not_found');
    const { name, realName } = w.user(id);
    return ok({
      user: { id, team_id: TEAM_ID, name, real_name: realName, tz: 'Europe/Paris', tz_offset: 3600, is_bot: false, profile: { display_name: name, real_name: realName } },
    });
  },
  'usergroups.users.list': () => ok({ users: [] }),

  'files.getUploadURLExternal': (w, a) => {
    const filename = str(a, 'filename');
    const length = Number(str(a, 'length'));
    if (!filename || !Number.isFinite(length)) return fail('invalid_arguments');
    const fileId = w.newUpload(filename, length);
    return ok({ upload_url: w.url(`/upload/${fileId}`), file_id: fileId });
  },
  'files.completeUploadExternal': (w, a) => {
    if (!Array.isArray(a.files) || a.files.length === 0) return fail('invalid_arguments');
    const files: Record<string, unknown>[] = [];
    for (const f of a.files as unknown[]) {
      const id = isObject(f) && typeof f.id === 'string' ? f.id : undefined;
      const info = id === undefined ? undefined : w.uploadInfo(id);
      if (!id || !info) return fail('file_not_found');
      const title = isObject(f) && typeof f.title === 'string' ? f.title : info.filename;
      files.push({ id, title, name: info.filename, size: w.uploads.get(id)?.length ?? 0 });
    }
    // Shared into a channel (channel_id), the files arrive there as a message, with the comment as its text.
    const channel = str(a, 'channel_id');
    if (channel) {
      const message: Record<string, unknown> = { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, text: str(a, 'initial_comment') ?? '', files, ts: w.nextTs(), team: TEAM_ID };
      const thread = str(a, 'thread_ts');
      if (thread) message.thread_ts = thread;
      w.remember(channel, message);
    }
    return ok({ files });
  },
};

/** The method's answer, or undefined when the stand-in does not know the method. */
export function handleMethod(world: SlackWorld, method: string, args: Args): Answer | undefined {
  const handler = HANDLERS[method];
  return handler ? handler(world, args) : undefined;
}
