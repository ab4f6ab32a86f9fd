/**
 * Neutral message → Block Kit. Every Slack limit is enforced here, whatever the use case produced:
 * 50 blocks per message, 3,000 chars per text, 150 per header, 10 fields per section (2,000 each),
 * 10 context elements, 25 actions, 75 chars per button label, 2,000 per button value.
 */
import type { Block, Button, Message } from '../../core/render/message.js';
import { toPlainLine, truncate } from '../../core/render/text.js';

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  checkboxOptions: 10,
  optionText: 75,
  optionValue: 150,
  messageText: 4000,
} as const;

export type SlackBlock = Record<string, unknown>;

const mrkdwn = (text: string, max: number) => ({ type: 'mrkdwn', text: truncate(text.trim() ? text : '—', max) });
const plainText = (text: string, max: number) => ({ type: 'plain_text', text: truncate(toPlainLine(text) || '—', max), emoji: true });

function button(b: Button): SlackBlock {
  const out: SlackBlock = {
    type: 'button',
    action_id: b.action.slice(0, LIMITS.actionId),
    text: plainText(b.label, LIMITS.buttonText),
    value: b.value.slice(0, LIMITS.buttonValue),
  };
  if (b.style) out.style = b.style;
  if (b.url) out.url = b.url;
  if (b.confirm) {
    out.confirm = {
      title: plainText(b.confirm.title, 100),
      text: plainText(b.confirm.text, 300),
      confirm: plainText(b.confirm.confirm, 30),
      deny: plainText(b.confirm.deny, 30),
      ...(b.style === 'danger' ? { style: 'danger' } : {}),
    };
  }
  return out;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function renderBlock(block: Block): SlackBlock[] {
  switch (block.type) {
    case 'header':
      return [{ type: 'header', text: plainText(block.text, LIMITS.headerText) }];
    case 'text':
      return [{ type: 'section', text: mrkdwn(block.text, LIMITS.sectionText) }];
    case 'fields':
      return chunk(block.fields, LIMITS.fieldsPerSection).map((fields) => ({
        type: 'section',
        fields: fields.map((f) => mrkdwn(`*${f.label}*\n${f.value}`, LIMITS.fieldText)),
      }));
    case 'context':
      return chunk(block.items, LIMITS.contextElements).map((items) => ({
        type: 'context',
        elements: items.map((t) => mrkdwn(t, LIMITS.sectionText)),
      }));
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions':
      return chunk(block.buttons, LIMITS.actionsElements).map((buttons) => ({ type: 'actions', elements: buttons.map(button) }));
    case 'checklist':
      // One checkboxes element holds at most 10 options; each group is its own block so a tick
      // reports the group (block_id) it belongs to.
      return chunk(block.items, LIMITS.checkboxOptions).map((items, i) => {
        const options = items.map((item) => ({ text: mrkdwn(item.text, LIMITS.optionText), value: item.key.slice(0, LIMITS.optionValue) }));
        const initial = options.filter((o) => block.checked.includes(o.value));
        return {
          type: 'actions',
          block_id: `${block.id}:${i}`.slice(0, LIMITS.blockId),
          elements: [{ type: 'checkboxes', action_id: block.action.slice(0, LIMITS.actionId), options, ...(initial.length ? { initial_options: initial } : {}) }],
        };
      });
  }
}

/** Block Kit for chat.postMessage / chat.update / respond(): never more than Slack accepts. */
export function toBlockKit(message: Message): { text: string; blocks: SlackBlock[] } {
  let blocks = message.blocks.flatMap(renderBlock);
  if (blocks.length > LIMITS.blocksPerMessage) {
    const dropped = blocks.length - (LIMITS.blocksPerMessage - 1);
    blocks = [
      ...blocks.slice(0, LIMITS.blocksPerMessage - 1),
      { type: 'context', elements: [mrkdwn(`+${dropped} more blocks not shown`, LIMITS.sectionText)] },
    ];
  }
  return { text: truncate(message.text.trim() ? message.text : '—', LIMITS.messageText), blocks };
}
