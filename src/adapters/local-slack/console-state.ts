/**
 * The workspace as one person of the console sees it (`GET /console/state`): the channels in
 * sidebar order, every message they may read (their own ephemerals included, replies counted),
 * their modal stack, the notices, the clock. Read from the stand-in's world; nothing is changed.
 */
import type { ConsoleChannel, ConsoleCommand, ConsoleFile, ConsoleMessage, ConsoleNotice, ConsoleState, ConsoleUser, ConsoleView } from './console/protocol.js';
import { CLOCK_FACTORS, type FastClock } from './fast-clock.js';
import { BOT_USER_ID, type SlackWorld } from './web-api.js';

export interface StateInput {
  world: SlackWorld;
  me: string;
  version: number;
  notices: readonly ConsoleNotice[];
  /** block_id → message per view id, from the last submission answered with errors. */
  viewErrors: ReadonlyMap<string, Record<string, string>>;
  clock: FastClock;
  users: readonly ConsoleUser[];
  commands: readonly ConsoleCommand[];
  seededChannels: ReadonlyArray<{ id: string; name: string }>;
  defaultChannel: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Ids of users and direct messages, as opposed to channels. */
const PERSONAL = /^[UWD]/;

function channelsFor(input: StateInput): ConsoleChannel[] {
  const { world, seededChannels, me } = input;
  const seeded = new Set(seededChannels.map((c) => c.id));
  const channels = world
    .allChannels()
    .filter((c) => !PERSONAL.test(c.id))
    .map((c) => ({ id: c.id, name: c.name, kind: 'channel' as const, topic: c.topic.value, createdByBot: c.creator === BOT_USER_ID, created: c.created }));
  const order = (c: ConsoleChannel) => (seeded.has(c.id) ? seededChannels.findIndex((s) => s.id === c.id) : seededChannels.length);
  channels.sort((a, b) => order(a) - order(b) || a.created - b.created || a.id.localeCompare(b.id));
  // A message to a user id lands in that person's direct messages with the bot.
  const dm: ConsoleChannel = { id: me, name: 'firebreak', kind: 'dm', topic: 'Direct messages between you and the bot', createdByBot: false, created: 0 };
  return [...channels, dm];
}

function filesOf(message: Record<string, unknown>): ConsoleFile[] {
  if (!Array.isArray(message.files)) return [];
  return message.files.filter(isRecord).map((f) => {
    const id = String(f.id);
    return {
      id,
      name: String(f.name ?? id),
      title: String(f.title ?? f.name ?? id),
      size: Number(f.size ?? 0),
      viewUrl: `/console/file?id=${encodeURIComponent(id)}`,
      downloadUrl: `/console/file?id=${encodeURIComponent(id)}&download=1`,
    };
  });
}

function messagesFor(input: StateInput, channels: readonly ConsoleChannel[]): ConsoleMessage[] {
  const { world, me } = input;
  const out: ConsoleMessage[] = [];
  for (const channel of channels) {
    const list = world.messagesIn(channel.id);
    const pinned = new Set(world.pinsIn(channel.id));
    // Replies per thread, counted once for the channel (the state is read at every change).
    const replies = new Map<string, number>();
    for (const m of list) if (typeof m.thread_ts === 'string' && m.thread_ts !== m.ts) replies.set(m.thread_ts, (replies.get(m.thread_ts) ?? 0) + 1);
    for (const m of list) {
      const ts = String(m.ts);
      const threadTs = typeof m.thread_ts === 'string' && m.thread_ts !== ts ? m.thread_ts : undefined;
      out.push({
        channel: channel.id,
        ts,
        ...(threadTs ? { threadTs } : {}),
        user: String(m.user ?? BOT_USER_ID),
        bot: m.bot_id !== undefined,
        text: typeof m.text === 'string' ? m.text : '',
        ...(Array.isArray(m.blocks) ? { blocks: m.blocks as unknown[] } : {}),
        edited: m.edited !== undefined,
        pinned: pinned.has(ts),
        reactions: world.reactionsOn(channel.id, ts),
        files: filesOf(m),
        replyCount: threadTs ? 0 : (replies.get(ts) ?? 0),
      });
    }
  }
  const visible = new Set(channels.map((c) => c.id));
  for (const e of world.ephemerals) {
    if (e.user !== me || !visible.has(e.channel)) continue;
    out.push({
      channel: e.channel,
      ts: e.ts,
      ...(e.thread_ts ? { threadTs: e.thread_ts } : {}),
      user: BOT_USER_ID,
      bot: true,
      text: e.text,
      ...(Array.isArray(e.blocks) ? { blocks: e.blocks as unknown[] } : {}),
      edited: false,
      pinned: false,
      reactions: [],
      files: [],
      ephemeralTo: me,
      replyCount: 0,
    });
  }
  return out.sort((a, b) => Number(a.ts) - Number(b.ts));
}

export function consoleState(input: StateInput): ConsoleState {
  const { world, me, clock } = input;
  const channels = channelsFor(input);
  const views: ConsoleView[] = world.viewStack(me).map(({ view }) => ({ id: String(view.id), hash: String(view.hash), view, errors: input.viewErrors.get(String(view.id)) ?? {} }));
  const visible = new Set(channels.map((c) => c.id));
  return {
    version: input.version,
    me,
    bot: { userId: BOT_USER_ID, name: 'firebreak' },
    users: [...input.users],
    channels,
    pins: Object.fromEntries(channels.map((c) => [c.id, world.pinsIn(c.id)])),
    messages: messagesFor(input, channels),
    views,
    // Another person's direct messages, and what went wrong there, are not this person's to see.
    notices: input.notices.filter((n) => n.channel === undefined || visible.has(n.channel) || !PERSONAL.test(n.channel)),
    clock: { now: clock.now().getTime(), factor: clock.factor(), factors: [...CLOCK_FACTORS] },
    commands: [...input.commands],
    defaultChannel: input.defaultChannel,
  };
}
