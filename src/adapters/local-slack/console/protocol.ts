/**
 * What the console's page and the console's server say to each other (local mode). The server
 * holds the workspace (the Web API stand-in's world); the page shows one person's view of it and
 * sends what that person does. Every change on the server is announced on the event stream
 * (`GET /console/events`, server-sent events, `event: changed`), and the page then reads the state
 * again (`GET /console/state?user=<id>`). Types only: both sides import this file.
 */

/** A local person. One is an approver and one is not, so the two-person rule can be tried. */
export interface ConsoleUser {
  id: string;
  /** Handle, as in `@alice`. */
  name: string;
  realName: string;
  /** What they are in the demo ("On-call engineer", "Approver"). */
  title: string;
  approver: boolean;
}

export interface ConsoleChannel {
  id: string;
  /** Without the `#`. For a DM, the other person's handle. */
  name: string;
  kind: 'channel' | 'dm';
  topic: string;
  /** Created by the bot (an incident's channel). */
  createdByBot: boolean;
  /** Seconds since the epoch. */
  created: number;
}

export interface ConsoleFile {
  id: string;
  name: string;
  title: string;
  size: number;
  /** Opens the file in the browser (text/plain for text). */
  viewUrl: string;
  /** Same bytes with Content-Disposition: attachment. */
  downloadUrl: string;
}

export interface ConsoleReaction {
  /** Emoji name without colons, e.g. `pushpin`. */
  name: string;
  users: string[];
}

export interface ConsoleMessage {
  channel: string;
  ts: string;
  /** Set on a reply: the ts of the thread's first message. Absent on top-level messages. */
  threadTs?: string;
  /** Author: a user id, or the bot's user id. */
  user: string;
  bot: boolean;
  /** Fallback text (mrkdwn); what is drawn when there are no blocks. */
  text: string;
  blocks?: unknown[];
  /** Changed by chat.update since it was posted. */
  edited: boolean;
  pinned: boolean;
  reactions: ConsoleReaction[];
  files: ConsoleFile[];
  /** Only this user sees it ("Only visible to you"); the state sent to a user holds only theirs. */
  ephemeralTo?: string;
  /** Number of replies in its thread (top-level messages). */
  replyCount: number;
}

/** Something Slack refused or the console could not do, shown to the person (and logged by the bot's side). */
export interface ConsoleNotice {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** Channel it concerns, when there is one. */
  channel?: string;
  /** e.g. `chat.postMessage` */
  method?: string;
  /** Slack's error code, e.g. `invalid_blocks`. */
  error: string;
  /** Slack's details (response_metadata.messages), e.g. "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]". */
  details: string[];
}

/** A modal open for the user. The state holds the stack, root first; the last one is shown. */
export interface ConsoleView {
  id: string;
  hash: string;
  /** The view as the bot sent it: type, title, blocks, submit, close, callback_id, private_metadata… */
  view: Record<string, unknown>;
  /** After a submission answered `response_action: errors`: block_id → message, shown under that input. */
  errors: Record<string, string>;
}

export interface ConsoleCommand {
  /** e.g. `/incident` */
  command: string;
  description: string;
  /** Slack's usage hint, e.g. "open [title] | update [INC-n] | …". */
  usageHint: string;
  /** Each subcommand with its usage and summary, for the autocompletion list. */
  subcommands: Array<{ name: string; usage: string; summary: string }>;
}

export interface ConsoleClock {
  /** The bot's clock now (ms since the epoch), as the reminders engine reads it. */
  now: number;
  /** 1 = real time; 60 = one minute passes every second. */
  factor: number;
  /** Factors the switch offers. */
  factors: number[];
}

export interface ConsoleState {
  /** Increases with every change; the events stream sends it. */
  version: number;
  /** The user whose view this is. */
  me: string;
  bot: { userId: string; name: string };
  users: ConsoleUser[];
  /** Every channel, in sidebar order: channels first (general, incidents, then incident channels by creation), then DMs. */
  channels: ConsoleChannel[];
  /** Pinned message ts per channel id. */
  pins: Record<string, string[]>;
  /** Every message `me` can see, in every channel, oldest first (replies included, with threadTs). */
  messages: ConsoleMessage[];
  /** The modal stack of `me`, root first; empty when no modal is open. */
  views: ConsoleView[];
  notices: ConsoleNotice[];
  clock: ConsoleClock;
  commands: ConsoleCommand[];
  /** The incidents channel's id (opened first). */
  defaultChannel: string;
}

/** The state of one input in a view, as Slack puts it in `view.state.values[block_id][action_id]`. */
export type ElementState =
  | { type: 'plain_text_input'; value: string | null }
  | { type: 'static_select'; selected_option: { text: { type: 'plain_text'; text: string }; value: string } | null }
  | { type: 'users_select'; selected_user: string | null }
  | { type: 'checkboxes'; selected_options: Array<{ text: { type: 'plain_text' | 'mrkdwn'; text: string }; value: string }> }
  | { type: 'datepicker'; selected_date: string | null }
  | { type: 'radio_buttons'; selected_option: { text: { type: 'plain_text'; text: string }; value: string } | null };

/** `state.values`: block_id → action_id → element state. */
export type ViewValues = Record<string, Record<string, ElementState>>;

/**
 * The action a person took on an interactive element, as Slack describes it in
 * `block_actions.actions[0]` (the server adds action_ts and the texts).
 */
export type ConsoleAction =
  | { type: 'button'; action_id: string; block_id: string; value?: string; text: string; style?: 'primary' | 'danger' }
  | { type: 'static_select'; action_id: string; block_id: string; selected_option: { text: string; value: string } }
  | { type: 'users_select'; action_id: string; block_id: string; selected_user: string }
  | { type: 'overflow'; action_id: string; block_id: string; selected_option: { text: string; value: string } }
  | { type: 'checkboxes'; action_id: string; block_id: string; selected_options: Array<{ text: string; value: string }> }
  | { type: 'datepicker'; action_id: string; block_id: string; selected_date: string };

/** `POST /console/send` bodies (JSON). Every request names the acting user. */
export type ConsoleRequest =
  /** Composer text starting with `/`: sent as a signed slash command. */
  | { kind: 'command'; user: string; channel: string; text: string }
  /** A plain message typed in the composer (in a thread when threadTs is set). */
  | { kind: 'message'; user: string; channel: string; text: string; threadTs?: string }
  /** A click or choice on a message's element (channel + messageTs) or a modal's element (viewId, with the modal's current values). */
  | { kind: 'action'; user: string; action: ConsoleAction; channel?: string; messageTs?: string; viewId?: string; values?: ViewValues }
  /** The modal's submit button. */
  | { kind: 'submit'; user: string; viewId: string; values: ViewValues }
  /** The modal's close button or ✕ (closes the whole stack, as Slack does; view_closed is sent when the view asks for it). */
  | { kind: 'close'; user: string; viewId: string }
  /** An emoji reaction added to a message (sent to the bot as a reaction_added event). */
  | { kind: 'reaction'; user: string; channel: string; ts: string; name: string }
  /** The fast-clock switch. */
  | { kind: 'clock'; factor: number };

/** `POST /console/send` answer. `error` is a sentence for the person (what was wrong, what to do). */
export type ConsoleAnswer = { ok: true } | { ok: false; error: string };
