/**
 * A platform-neutral message: what use cases produce. The Slack adapter turns it into Block Kit
 * (and enforces Slack's limits there); a console or CLI renderer can turn it into plain text.
 * `text` is the notification / fallback text and must make sense on its own.
 */
export type Block =
  | { type: 'header'; text: string }
  /** Body text in Slack mrkdwn; values inside it must already be escaped. */
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: Array<{ label: string; value: string }> }
  | { type: 'context'; items: string[] }
  | { type: 'divider' }
  | { type: 'actions'; buttons: Button[] }
  /** Tickable items; `id` comes back with every tick so the handler knows which list it was. */
  | { type: 'checklist'; id: string; action: string; items: Array<{ key: string; text: string }>; checked: string[] };

export interface Button {
  /** Stable identifier of what the button does (becomes the Slack action_id). */
  action: string;
  label: string;
  /** Opaque value carried back on click: an id, never a payload. */
  value: string;
  style?: 'primary' | 'danger';
  url?: string;
  /** Slack's own "are you sure?" dialog before the click counts. */
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export interface Message {
  text: string;
  blocks: Block[];
}

export const plain = (text: string): Message => ({ text, blocks: [{ type: 'text', text }] });
