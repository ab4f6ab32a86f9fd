/**
 * What Slack refuses in a message or a view, as the stand-in checks it: the limits of Slack's
 * Block Kit reference (blocks, block elements, composition objects, modals), written down here
 * from the documentation and never imported from the code under test, so that raising a limit in
 * the code cannot raise it in the tests too. Problems are reported as Slack reports them: a
 * message and a JSON pointer ("must be less than 3001 characters [json-pointer:/blocks/0/text/text]").
 */

/** Slack's documented limits (Block Kit reference; modals; chat.postMessage). */
export const SLACK_LIMITS = Object.freeze({
  blocksPerMessage: 50,
  blocksPerView: 100,
  blockId: 255,
  actionId: 255,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  checkboxOptions: 10,
  overflowOptions: 5,
  placeholder: 150,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** chat.postMessage `text`: Slack truncates beyond this; the stand-in refuses it (msg_too_long). */
  messageText: 40_000,
});

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(message: string, pointer: string): void {
    this.list.push(`${message} [json-pointer:${pointer}]`);
  }
  length(value: unknown, max: number, pointer: string, min = 0): void {
    if (typeof value !== 'string') return this.add('must be a string', pointer);
    if (value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
    if (value.length < min) this.add(`must be at least ${min} characters`, pointer);
  }
  count(value: unknown, max: number, pointer: string, min = 0): unknown[] {
    if (!Array.isArray(value)) {
      this.add('must be an array', pointer);
      return [];
    }
    if (value.length > max) this.add(`must provide no more than ${max} items`, pointer);
    if (value.length < min) this.add(`must provide at least ${min} items`, pointer);
    return value;
  }
}

const L = SLACK_LIMITS;

function textObject(p: Problems, t: unknown, pointer: string, max: number = L.textObject, kinds = ['plain_text', 'mrkdwn']): void {
  if (!isObject(t)) return p.add('must be a text object', pointer);
  if (!kinds.includes(String(t.type))) p.add(`type must be one of ${kinds.join(', ')}`, `${pointer}/type`);
  p.length(t.text, max, `${pointer}/text`, 1);
}

function option(p: Problems, o: unknown, pointer: string): void {
  if (!isObject(o)) return p.add('must be an option object', pointer);
  textObject(p, o.text, `${pointer}/text`, L.optionText);
  p.length(o.value, L.optionValue, `${pointer}/value`, 1);
}

function confirm(p: Problems, c: unknown, pointer: string): void {
  if (!isObject(c)) return p.add('must be a confirm object', pointer);
  textObject(p, c.title, `${pointer}/title`, L.confirmTitle, ['plain_text']);
  textObject(p, c.text, `${pointer}/text`, L.confirmText);
  textObject(p, c.confirm, `${pointer}/confirm`, L.confirmButton, ['plain_text']);
  textObject(p, c.deny, `${pointer}/deny`, L.confirmButton, ['plain_text']);
}

function element(p: Problems, e: unknown, pointer: string): void {
  if (!isObject(e)) return p.add('must be an element', pointer);
  if (e.action_id !== undefined) p.length(e.action_id, L.actionId, `${pointer}/action_id`);
  if (e.placeholder !== undefined) textObject(p, e.placeholder, `${pointer}/placeholder`, L.placeholder, ['plain_text']);
  if (e.confirm !== undefined) confirm(p, e.confirm, `${pointer}/confirm`);
  switch (e.type) {
    case 'button':
      textObject(p, e.text, `${pointer}/text`, L.buttonText, ['plain_text']);
      if (e.value !== undefined) p.length(e.value, L.buttonValue, `${pointer}/value`);
      if (e.url !== undefined) p.length(e.url, L.buttonUrl, `${pointer}/url`);
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') p.add('style must be primary or danger', `${pointer}/style`);
      return;
    case 'static_select':
    case 'multi_static_select':
      if (e.options !== undefined) p.count(e.options, L.selectOptions, `${pointer}/options`, 1).forEach((o, i) => option(p, o, `${pointer}/options/${i}`));
      return;
    case 'checkboxes':
    case 'radio_buttons':
      p.count(e.options, L.checkboxOptions, `${pointer}/options`, 1).forEach((o, i) => option(p, o, `${pointer}/options/${i}`));
      return;
    case 'overflow':
      p.count(e.options, L.overflowOptions, `${pointer}/options`, 1).forEach((o, i) => option(p, o, `${pointer}/options/${i}`));
      return;
    case 'plain_text_input':
      if (e.max_length !== undefined && (typeof e.max_length !== 'number' || e.max_length < 1 || e.max_length > 3000)) p.add('max_length must be between 1 and 3000', `${pointer}/max_length`);
      if (e.min_length !== undefined && (typeof e.min_length !== 'number' || e.min_length < 0 || e.min_length > 3000)) p.add('min_length must be between 0 and 3000', `${pointer}/min_length`);
      return;
    case 'image':
    case 'users_select':
    case 'multi_users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'datepicker':
    case 'timepicker':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'rich_text_input':
      return;
    default:
      p.add(`unknown element type ${JSON.stringify(e.type)}`, `${pointer}/type`);
  }
}

function block(p: Problems, b: unknown, pointer: string): void {
  if (!isObject(b)) return p.add('must be a block', pointer);
  if (b.block_id !== undefined) p.length(b.block_id, L.blockId, `${pointer}/block_id`);
  switch (b.type) {
    case 'section':
      if (b.text === undefined && b.fields === undefined) p.add('must provide text or fields', pointer);
      if (b.text !== undefined) textObject(p, b.text, `${pointer}/text`, L.sectionText);
      if (b.fields !== undefined) p.count(b.fields, L.sectionFields, `${pointer}/fields`, 1).forEach((f, i) => textObject(p, f, `${pointer}/fields/${i}`, L.fieldText));
      if (b.accessory !== undefined) element(p, b.accessory, `${pointer}/accessory`);
      return;
    case 'header':
      textObject(p, b.text, `${pointer}/text`, L.headerText, ['plain_text']);
      return;
    case 'context':
      p.count(b.elements, L.contextElements, `${pointer}/elements`, 1).forEach((e, i) => {
        if (isObject(e) && e.type === 'image') return;
        textObject(p, e, `${pointer}/elements/${i}`);
      });
      return;
    case 'actions':
      p.count(b.elements, L.actionsElements, `${pointer}/elements`, 1).forEach((e, i) => element(p, e, `${pointer}/elements/${i}`));
      return;
    case 'input':
      textObject(p, b.label, `${pointer}/label`, L.inputLabel, ['plain_text']);
      if (b.hint !== undefined) textObject(p, b.hint, `${pointer}/hint`, L.inputHint, ['plain_text']);
      element(p, b.element, `${pointer}/element`);
      return;
    case 'divider':
    case 'image':
    case 'rich_text':
    case 'file':
      return;
    default:
      p.add(`unknown block type ${JSON.stringify(b.type)}`, `${pointer}/type`);
  }
}

/** Problems Slack would report for a message's `blocks` (an array, or the JSON string the Web API form carries). */
export function messageProblems(blocks: unknown, text?: unknown): { error: 'invalid_blocks' | 'invalid_blocks_format' | 'msg_too_long'; errors: string[] } | null {
  if (typeof text === 'string' && text.length > L.messageText) return { error: 'msg_too_long', errors: [] };
  if (blocks === undefined) return null;
  const parsed = parseMaybe(blocks);
  if (parsed === PARSE_FAILED || !Array.isArray(parsed)) return { error: 'invalid_blocks_format', errors: [] };
  const p = new Problems();
  p.count(parsed, L.blocksPerMessage, '/blocks');
  parsed.forEach((b, i) => block(p, b, `/blocks/${i}`));
  return p.list.length ? { error: 'invalid_blocks', errors: p.list } : null;
}

/** Problems Slack would report for a view (views.open, views.update, views.push). */
export function viewProblems(view: unknown): string[] {
  const v = parseMaybe(view);
  const p = new Problems();
  if (!isObject(v)) {
    p.add('must be a view object', '/view');
    return p.list;
  }
  if (v.type === 'modal') {
    textObject(p, v.title, '/view/title', L.viewTitle, ['plain_text']);
    if (v.close !== undefined) textObject(p, v.close, '/view/close', L.viewButton, ['plain_text']);
    if (v.submit !== undefined) textObject(p, v.submit, '/view/submit', L.viewButton, ['plain_text']);
    const blocks = Array.isArray(v.blocks) ? v.blocks : [];
    if (blocks.some((b) => isObject(b) && b.type === 'input') && v.submit === undefined) p.add('a view with input blocks must have a submit button', '/view/submit');
  }
  if (v.private_metadata !== undefined) p.length(v.private_metadata, L.privateMetadata, '/view/private_metadata');
  if (v.callback_id !== undefined) p.length(v.callback_id, L.callbackId, '/view/callback_id');
  p.count(v.blocks, L.blocksPerView, '/view/blocks').forEach((b, i) => block(p, b, `/view/blocks/${i}`));
  return p.list;
}

const PARSE_FAILED = Symbol('unparsable');
function parseMaybe(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return PARSE_FAILED;
  }
}
