/** What the renderer needs to know about the workspace to draw a message: names, the reader's time zone, now. */
import type { ConsoleState } from '../protocol.js';

export interface RenderUser {
  /** Handle, as in `@alice`. */
  name: string;
  realName?: string;
}

export interface RenderContext {
  /** Known people by id (the bot included). */
  users: Readonly<Record<string, RenderUser>>;
  /** Known channels by id. */
  channels: Readonly<Record<string, { name: string }>>;
  /** IANA time zone the reader sees dates in, e.g. `Europe/Paris`; `UTC` in tests. */
  timeZone: string;
  /** Now, in ms since the epoch (the bot's clock), for `{ago}` and "today". */
  now: number;
  botUserId: string;
  /** Shown as the bot's author name; defaults to its handle. */
  botName?: string;
  /** The reader; mentions of them are highlighted. */
  me?: string;
}

/** A context for one state as the page shows it. */
export function contextFromState(state: ConsoleState, timeZone: string, now: number): RenderContext {
  const users: Record<string, RenderUser> = { [state.bot.userId]: { name: state.bot.name, realName: state.bot.name } };
  for (const u of state.users) users[u.id] = { name: u.name, realName: u.realName };
  const channels: Record<string, { name: string }> = {};
  for (const c of state.channels) channels[c.id] = { name: c.name };
  return { users, channels, timeZone, now, botUserId: state.bot.userId, botName: state.bot.name, me: state.me };
}

/** Own-property lookup (ids like `constructor` must not find Object.prototype's members). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
