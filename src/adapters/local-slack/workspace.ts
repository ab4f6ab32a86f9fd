/**
 * The fake workspace behind the Slack Web API stand-in: the state Slack would hold (channels and
 * their members, messages and ephemerals, pins, reactions, views on each person's screen, trigger
 * ids, uploads, where a response_url belongs). The Web API methods that act on it are in
 * web-api-methods.ts; transport, recording and failure injection in web-api.ts.
 */
import { randomBytes } from 'node:crypto';

export const TEAM_ID = 'T0TEST';
export const BOT_USER_ID = 'U0BOT';
export const BOT_ID = 'B0BOT';
export const APP_ID = 'A0FIREBREAK';
/** A trigger id is usable for this long (Slack: "They expire in three seconds"). */
export const TRIGGER_TTL_MS = 3000;

let triggerSeq = 0;
/** Trigger ids in the form the stand-in validates: `<epochMillis>.<n>.<hex>`; pass `at` to forge an old one. */
export function newTriggerId(at: number = Date.now()): string {
  triggerSeq += 1;
  return `${at}.${triggerSeq}.${randomBytes(8).toString('hex')}`;
}

/** Deterministic handle for a user id: `U0ALICE` → `alice`. */
export function userNameFor(userId: string): string {
  return userId.replace(/^[UW]0?/, '').toLowerCase() || userId.toLowerCase();
}

export interface Channel {
  id: string;
  name: string;
  is_channel: true;
  is_private: boolean;
  is_archived: boolean;
  created: number;
  creator: string;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
}

/** A person of the workspace, as users.info shows them (local mode has a few; tests derive names from ids). */
export interface WorkspaceUser {
  id: string;
  name: string;
  realName: string;
}

/** A message only one person sees (chat.postEphemeral, or an ephemeral response_url answer). */
export interface EphemeralMessage {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
}

/** A modal as Slack holds it: the stored view (id, hash, blocks…) and whose screen it is on. */
export interface OpenView {
  user: string;
  view: Record<string, unknown>;
}

/** What a response_url belongs to: Slack knows which command or click it was handed out for. */
export interface ResponseTarget {
  channel: string;
  user: string;
  /** The message the click was on (replace_original / delete_original act on it). */
  messageTs?: string;
  /** That message is an ephemeral one of `user`. */
  ephemeral?: boolean;
}

/** Slack keeps at most three views in a modal's stack (views.push beyond: push_limit_reached). */
export const VIEW_STACK_LIMIT = 3;

export class SlackWorld {
  private lastTsMicros = 0;
  private idSeq = 0;
  private readonly channels = new Map<string, Channel>();
  private readonly directory = new Map<string, WorkspaceUser>();
  /** Emoji reactions per message (`channel/ts`): name → who. */
  private readonly messageReactions = new Map<string, Map<string, Set<string>>>();
  private readonly pinned = new Map<string, Set<string>>();
  readonly ephemerals: EphemeralMessage[] = [];
  /** Open modals by view id, and each person's stack (root first). */
  private readonly views = new Map<string, OpenView>();
  private readonly stacks = new Map<string, string[]>();
  private readonly triggerOwners = new Map<string, string>();
  private readonly responseTargets = new Map<string, ResponseTarget>();
  private readonly members = new Map<string, Set<string>>();
  private readonly viewHashes = new Map<string, string>();
  private readonly usedTriggers = new Set<string>();
  private readonly reactions = new Set<string>();
  private readonly pendingUploads = new Map<string, { filename: string; length: number }>();
  readonly uploads = new Map<string, Buffer>();
  /** Messages per channel, oldest first, as conversations.history and .replies return them. */
  private readonly history = new Map<string, Array<Record<string, unknown>>>();

  constructor(private readonly baseUrl: string) {}

  /** Forget the workspace state. Id and ts counters keep going so values stay unique across resets. */
  reset(): void {
    for (const m of [this.channels, this.members, this.viewHashes, this.pendingUploads, this.uploads, this.history]) m.clear();
    for (const m of [this.messageReactions, this.pinned, this.views, this.stacks, this.triggerOwners, this.responseTargets]) m.clear();
    this.usedTriggers.clear();
    this.reactions.clear();
    this.ephemerals.length = 0;
  }

  // ---- the workspace as people see it (local mode's console reads these) ----

  addUser(user: WorkspaceUser): void {
    this.directory.set(user.id, user);
  }

  user(id: string): WorkspaceUser {
    const known = this.directory.get(id);
    if (known) return known;
    const name = userNameFor(id);
    return { id, name, realName: name.charAt(0).toUpperCase() + name.slice(1) };
  }

  /** A channel that exists before the app starts (the incidents channel, #general), with its name. */
  seedChannel(id: string, name: string): void {
    const c = this.makeChannel(id, name, false, '');
    this.channels.set(id, c);
  }

  message(channel: string, ts: string): Record<string, unknown> | undefined {
    return this.history.get(channel)?.find((m) => m.ts === ts);
  }

  /** chat.update's effect: the message changes in place and is marked edited. False when there is no such message. */
  updateMessage(channel: string, ts: string, fields: { text?: unknown; blocks?: unknown }): boolean {
    const message = this.message(channel, ts);
    if (!message) return false;
    if (fields.text !== undefined) message.text = fields.text;
    if (fields.blocks !== undefined) message.blocks = fields.blocks;
    message.edited = { user: BOT_USER_ID, ts: this.nextTs() };
    return true;
  }

  deleteMessage(channel: string, ts: string): boolean {
    const list = this.history.get(channel);
    const index = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || index === -1) return false;
    list.splice(index, 1);
    return true;
  }

  postEphemeral(message: Omit<EphemeralMessage, 'ts'>): EphemeralMessage {
    const stored = { ...message, ts: this.nextTs() };
    this.ephemerals.push(stored);
    return stored;
  }

  /** A reaction by `user` (the bot when it calls reactions.add); false when that person already reacted so. */
  react(channel: string, ts: string, name: string, user: string): boolean {
    const key = `${channel}/${ts}`;
    const byName = this.messageReactions.get(key) ?? new Map<string, Set<string>>();
    this.messageReactions.set(key, byName);
    const who = byName.get(name) ?? new Set<string>();
    byName.set(name, who);
    if (who.has(user)) return false;
    who.add(user);
    return true;
  }

  reactionsOn(channel: string, ts: string): Array<{ name: string; users: string[] }> {
    return [...(this.messageReactions.get(`${channel}/${ts}`) ?? new Map<string, Set<string>>())].map(([name, who]) => ({ name, users: [...who] }));
  }

  /** pins.add's effect; false when the message was pinned already. */
  pin(channel: string, ts: string): boolean {
    const set = this.pinned.get(channel) ?? new Set<string>();
    this.pinned.set(channel, set);
    if (set.has(ts)) return false;
    set.add(ts);
    return true;
  }

  pinsIn(channel: string): string[] {
    return [...(this.pinned.get(channel) ?? [])];
  }

  /** A trigger id handed to the app for something `user` did: a modal it opens goes on that person's screen. */
  triggerFor(user: string): string {
    const id = newTriggerId();
    this.triggerOwners.set(id, user);
    return id;
  }

  rememberResponseTarget(url: string, target: ResponseTarget): void {
    this.responseTargets.set(url, target);
  }

  responseTarget(url: string): ResponseTarget | undefined {
    return this.responseTargets.get(url);
  }

  /** The modals open on `user`'s screen, root first. */
  viewStack(user: string): OpenView[] {
    return (this.stacks.get(user) ?? []).map((id) => this.views.get(id)).filter((v): v is OpenView => v !== undefined);
  }

  openView(id: string): OpenView | undefined {
    return this.views.get(id);
  }

  /** Shows a stored view: `open` starts the stack, `push` adds to it, `replace` swaps the view with that id. */
  placeView(view: Record<string, unknown>, how: { open: string } | { push: string } | { replace: string }): void {
    const id = String(view.id);
    if ('replace' in how) {
      const current = this.views.get(how.replace);
      if (current) this.views.set(how.replace, { ...current, view });
      return;
    }
    const user = 'open' in how ? how.open : how.push;
    this.views.set(id, { user, view });
    if ('open' in how) this.closeViews(user);
    const stack = this.stacks.get(user) ?? [];
    stack.push(id);
    this.stacks.set(user, stack);
  }

  /** Takes the top view off `user`'s stack (all of them with `all`). */
  closeViews(user: string, options: { all?: boolean; top?: boolean } = { all: true }): void {
    const stack = this.stacks.get(user) ?? [];
    const removed = options.top && !options.all ? stack.splice(-1, 1) : stack.splice(0, stack.length);
    for (const id of removed) this.views.delete(id);
    this.stacks.set(user, stack);
  }

  stackDepth(user: string): number {
    return this.stacks.get(user)?.length ?? 0;
  }

  triggerOwner(triggerId: string): string | undefined {
    return this.triggerOwners.get(triggerId);
  }

  remember(channel: string, message: Record<string, unknown>): void {
    const list = this.history.get(channel) ?? [];
    list.push(message);
    this.history.set(channel, list);
  }

  /** A message written by a person (not the bot), for tests of reactions and pins. */
  userMessage(channel: string, user: string, text: string, threadTs?: string): Record<string, unknown> {
    const message: Record<string, unknown> = { type: 'message', user, text, ts: this.nextTs(), team: TEAM_ID };
    if (threadTs) message.thread_ts = threadTs;
    this.remember(channel, message);
    return message;
  }

  messagesIn(channel: string): Array<Record<string, unknown>> {
    return this.history.get(channel) ?? [];
  }

  /** Message timestamps: `<seconds>.<6 digits>`, strictly increasing even within one millisecond. */
  nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    const micros = String(this.lastTsMicros % 1_000_000).padStart(6, '0');
    return `${Math.floor(this.lastTsMicros / 1_000_000)}.${micros}`;
  }

  nextId(prefix: string): string {
    this.idSeq += 1;
    return prefix + this.idSeq.toString(36).toUpperCase().padStart(8, '0');
  }


  recordUpload(fileId: string, bytes: Buffer): boolean {
    if (!this.pendingUploads.has(fileId)) return false;
    this.uploads.set(fileId, bytes);
    return true;
  }

  // ---- helpers used by the handlers ----

  /** A trigger id is single-use and short-lived; the error codes are those of views.open/views.push. */
  exchangeTrigger(triggerId: string | undefined): string | undefined {
    const m = triggerId === undefined ? null : /^(\d{13})\.\d+\.[0-9a-f]+$/.exec(triggerId);
    if (!m || triggerId === undefined) return 'invalid_trigger_id';
    if (this.usedTriggers.has(triggerId)) return 'exchanged_trigger_id';
    if (Date.now() - Number(m[1]) > TRIGGER_TTL_MS) return 'expired_trigger_id';
    this.usedTriggers.add(triggerId);
    return undefined;
  }

  storeView(id: string, view: Record<string, unknown>, rootId = id): Record<string, unknown> {
    const hash = `${this.nextTs()}.${randomBytes(4).toString('hex')}`;
    this.viewHashes.set(id, hash);
    return {
      type: 'modal',
      team_id: TEAM_ID,
      ...view,
      id,
      hash,
      state: { values: {} },
      root_view_id: rootId,
      previous_view_id: null,
      app_id: APP_ID,
      bot_id: BOT_ID,
    };
  }

  viewHash(id: string): string | undefined {
    return this.viewHashes.get(id);
  }

  /** Channels the app created are known; any other id is treated as an existing channel of the workspace. */
  channel(id: string): Channel {
    let c = this.channels.get(id);
    if (!c) {
      c = this.makeChannel(id, id.toLowerCase(), false, '');
      this.channels.set(id, c);
    }
    return c;
  }

  makeChannel(id: string, name: string, isPrivate: boolean, creator: string): Channel {
    const blank = { value: '', creator: '', last_set: 0 };
    return {
      id,
      name,
      is_channel: true,
      is_private: isPrivate,
      is_archived: false,
      created: Math.floor(Date.now() / 1000),
      creator,
      topic: { ...blank },
      purpose: { ...blank },
    };
  }

  createChannel(name: string, isPrivate: boolean): Channel | string {
    if (name === '') return 'invalid_name_required';
    if (name.length > 80) return 'invalid_name_maxlength';
    if (!/^[a-z0-9_-]{1,80}$/.test(name)) return 'invalid_name_specials';
    if ([...this.channels.values()].some((c) => c.name === name)) return 'name_taken';
    const c = this.makeChannel(this.nextId('C'), name, isPrivate, BOT_USER_ID);
    this.channels.set(c.id, c);
    this.membersOf(c.id).add(BOT_USER_ID);
    return c;
  }

  membersOf(channelId: string): Set<string> {
    let s = this.members.get(channelId);
    if (!s) this.members.set(channelId, (s = new Set()));
    return s;
  }

  allChannels(): Channel[] {
    return [...this.channels.values()];
  }

  addReaction(key: string): boolean {
    if (this.reactions.has(key)) return false;
    this.reactions.add(key);
    return true;
  }

  newUpload(filename: string, length: number): string {
    const id = this.nextId('F');
    this.pendingUploads.set(id, { filename, length });
    return id;
  }

  uploadInfo(id: string): { filename: string; length: number } | undefined {
    return this.pendingUploads.get(id);
  }

  url(path: string): string {
    return this.baseUrl + path;
  }
}
