/**
 * Block Kit blocks and elements → HTML, as Slack lays them out. Interactive elements carry data
 * attributes the page reads with event delegation:
 *   data-element-type, data-block-id, data-action-id   on every element (the control itself, or the
 *                                                       group for checkboxes and radio buttons)
 *   data-value, data-text, data-style, data-url        on buttons (raw values, as the action carries them)
 *   data-confirm                                       the element's confirm object, as JSON
 *   data-text / data-text-type on options               the option's raw text and its text type
 *   data-in-input, data-dispatch                        inside an input block / with dispatch_action
 * Unknown blocks and elements draw a grey "unsupported" line; nothing here throws on odd input.
 */
import { lookup, type RenderContext } from './context.js';
import { escapeHtml, safeImageSrc, safeLinkHref } from './escape.js';
import { renderRichText } from './rich-text.js';
import { isObject, rawText, renderText, renderTextLine, type Json } from './text.js';

export type Surface = 'message' | 'modal';

export interface BlocksOptions {
  surface: Surface;
  /** block_id → message, drawn under that input (a modal after `response_action: errors`). */
  errors?: Readonly<Record<string, string>>;
  /** Makes element ids and radio group names unique on the page (a message's ts, a view's id). */
  scope?: string;
}

interface Env {
  ctx: RenderContext;
  surface: Surface;
  scope: string;
  blockId: string;
  inInput: boolean;
  dispatch: boolean;
  /** Id of the input block's label, for groups (checkboxes, radio buttons). */
  labelId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** ` name="value"` pairs; undefined and false are left out, true is a bare attribute. */
export function attrs(map: Record<string, string | number | boolean | undefined>): string {
  let out = '';
  for (const [name, value] of Object.entries(map)) {
    if (value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}

const idPart = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

function elementId(env: Env, actionId: string): string {
  return `sk-${idPart(env.scope)}-${idPart(env.blockId)}-${idPart(actionId)}`;
}

function actionIdOf(e: Json, index: number): string {
  return str(e.action_id) ?? `action-${index}`;
}

function common(e: Json, env: Env, actionId: string, type: string): string {
  return attrs({
    'data-element-type': type,
    'data-block-id': env.blockId,
    'data-action-id': actionId,
    'data-in-input': env.inInput,
    'data-dispatch': env.dispatch,
    'data-confirm': isObject(e.confirm) ? JSON.stringify(e.confirm) : undefined,
  });
}

const unsupported = (what: string, type: unknown) =>
  `<div class="sk-unsupported">unsupported ${what}: ${escapeHtml(typeof type === 'string' ? type : JSON.stringify(type) ?? 'none')}</div>`;

interface OptionObject {
  text: unknown;
  value: string;
  description?: unknown;
  url?: string;
}

function optionsOf(v: unknown): OptionObject[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((o) => ({ text: o.text, value: str(o.value) ?? '', description: o.description, url: str(o.url) }));
}

const textType = (t: unknown) => (isObject(t) && t.type === 'mrkdwn' ? 'mrkdwn' : 'plain_text');

function button(e: Json, env: Env, index: number): string {
  const actionId = actionIdOf(e, index);
  const style = e.style === 'primary' || e.style === 'danger' ? e.style : undefined;
  const url = str(e.url) !== undefined ? safeLinkHref(str(e.url) as string) : null;
  const extra = attrs({ 'data-value': str(e.value), 'data-text': rawText(e.text), 'data-style': style, 'data-url': url ?? undefined });
  const external = url ? ' <span class="sk-external" aria-hidden="true">↗</span>' : '';
  return `<button type="button" class="sk-button${style ? ` sk-button-${style}` : ''}"${common(e, env, actionId, 'button')}${extra}>${renderTextLine(e.text)}${external}</button>`;
}

function overflow(e: Json, env: Env, index: number): string {
  const actionId = actionIdOf(e, index);
  const items = optionsOf(e.options)
    .map((o) => {
      const url = o.url ? safeLinkHref(o.url) : null;
      return `<button type="button" role="menuitem" class="sk-menu-item"${attrs({ 'data-option-value': o.value, 'data-option-text': rawText(o.text), 'data-url': url ?? undefined })}>${renderTextLine(o.text)}</button>`;
    })
    .join('');
  return (
    `<div class="sk-overflow"${common(e, env, actionId, 'overflow')}>` +
    `<button type="button" class="sk-overflow-toggle" aria-haspopup="menu" aria-expanded="false" title="More actions">⋯</button>` +
    `<div class="sk-menu" role="menu" hidden>${items}</div></div>`
  );
}

function controlLabel(e: Json, env: Env, fallback: string): string {
  // Inside an input block the <label for> names the control; elsewhere the placeholder does.
  if (env.inInput) return '';
  return attrs({ 'aria-label': rawText(e.placeholder) || fallback });
}

function selectOption(o: OptionObject, selected: boolean): string {
  return `<option${attrs({ value: o.value, 'data-text': rawText(o.text), selected })}>${renderTextLine(o.text)}</option>`;
}

function staticSelect(e: Json, env: Env, index: number): string {
  const actionId = actionIdOf(e, index);
  const initial = isObject(e.initial_option) ? str(e.initial_option.value) : undefined;
  let chosen = false;
  const option = (o: OptionObject) => {
    const selected = !chosen && initial !== undefined && o.value === initial;
    if (selected) chosen = true;
    return selectOption(o, selected);
  };
  let body = '';
  if (Array.isArray(e.option_groups)) {
    for (const g of e.option_groups.filter(isObject)) {
      body += `<optgroup label="${renderTextLine(g.label)}">${optionsOf(g.options).map(option).join('')}</optgroup>`;
    }
  } else {
    body = optionsOf(e.options).map(option).join('');
  }
  const placeholder = rawText(e.placeholder) || 'Select an option';
  const head = `<option value="" disabled${chosen ? '' : ' selected'}>${renderTextLine(e.placeholder) || escapeHtml(placeholder)}</option>`;
  return `<select class="sk-select" id="${elementId(env, actionId)}"${common(e, env, actionId, 'static_select')}${controlLabel(e, env, 'Select an option')}>${head}${body}</select>`;
}

function usersSelect(e: Json, env: Env, index: number): string {
  const actionId = actionIdOf(e, index);
  const initial = str(e.initial_user);
  const people = Object.entries(env.ctx.users).filter(([id]) => id !== env.ctx.botUserId);
  if (initial !== undefined && !people.some(([id]) => id === initial)) people.push([initial, { name: initial }]);
  const options = people
    .map(([id, u]) => {
      const label = u.realName && u.realName !== u.name ? `${u.realName} (@${u.name})` : `@${u.name}`;
      return `<option${attrs({ value: id, selected: id === initial })}>${escapeHtml(label)}</option>`;
    })
    .join('');
  const placeholder = renderTextLine(e.placeholder) || 'Select a person';
  const head = `<option value="" disabled${initial !== undefined ? '' : ' selected'}>${placeholder}</option>`;
  return `<select class="sk-select sk-users-select" id="${elementId(env, actionId)}"${common(e, env, actionId, 'users_select')}${controlLabel(e, env, 'Select a person')}>${head}${options}</select>`;
}

function choices(e: Json, env: Env, index: number, kind: 'checkboxes' | 'radio_buttons'): string {
  const actionId = actionIdOf(e, index);
  const name = elementId(env, actionId);
  const initial = new Set<string>();
  if (kind === 'checkboxes' && Array.isArray(e.initial_options)) {
    for (const o of e.initial_options) if (isObject(o) && typeof o.value === 'string') initial.add(o.value);
  }
  if (kind === 'radio_buttons' && isObject(e.initial_option) && typeof e.initial_option.value === 'string') initial.add(e.initial_option.value);
  const inputType = kind === 'checkboxes' ? 'checkbox' : 'radio';
  const items = optionsOf(e.options)
    .map((o) => {
      const desc = o.description !== undefined ? `<span class="sk-choice-desc">${renderText(o.description, env.ctx)}</span>` : '';
      const input = `<input${attrs({ type: inputType, name, value: o.value, 'data-text': rawText(o.text), 'data-text-type': textType(o.text), checked: initial.has(o.value) })}>`;
      return `<label class="sk-choice">${input}<span class="sk-choice-body"><span class="sk-choice-text">${renderText(o.text, env.ctx)}</span>${desc}</span></label>`;
    })
    .join('');
  const label = env.labelId ? attrs({ 'aria-labelledby': env.labelId }) : '';
  return `<div class="sk-${kind === 'checkboxes' ? 'checkboxes' : 'radios'}" role="${kind === 'checkboxes' ? 'group' : 'radiogroup'}"${label}${common(e, env, actionId, kind)}>${items}</div>`;
}

function datepicker(e: Json, env: Env, index: number): string {
  const actionId = actionIdOf(e, index);
  const initial = str(e.initial_date);
  const value = initial !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(initial) ? initial : undefined;
  return `<input type="date" class="sk-date-input" id="${elementId(env, actionId)}"${attrs({ value })}${common(e, env, actionId, 'datepicker')}${controlLabel(e, env, 'Pick a date')}>`;
}

function textInput(e: Json, env: Env, index: number): string {
  const actionId = actionIdOf(e, index);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const a = attrs({
    id: elementId(env, actionId),
    class: 'sk-text-input',
    placeholder: rawText(e.placeholder) || undefined,
    minlength: num(e.min_length),
    maxlength: num(e.max_length),
  });
  const initial = str(e.initial_value) ?? '';
  const rest = `${common(e, env, actionId, 'plain_text_input')}${controlLabel(e, env, 'Text')}`;
  if (e.multiline === true) return `<textarea rows="4"${a}${rest}>${escapeHtml(initial)}</textarea>`;
  return `<input type="text"${a}${attrs({ value: initial })}${rest}>`;
}

function imageElement(e: Json, cls: string): string {
  const src = safeImageSrc(e.image_url);
  const alt = str(e.alt_text) ?? '';
  if (!src) return `<span class="${cls} sk-image-missing" title="${escapeHtml(alt)}">🖼</span>`;
  return `<img class="${cls}" src="${escapeHtml(src)}" alt="${escapeHtml(alt)}" loading="lazy">`;
}

function element(e: unknown, env: Env, index: number): string {
  if (!isObject(e)) return unsupported('element', e);
  switch (e.type) {
    case 'button':
      return button(e, env, index);
    case 'overflow':
      return overflow(e, env, index);
    case 'static_select':
      return staticSelect(e, env, index);
    case 'users_select':
      return usersSelect(e, env, index);
    case 'checkboxes':
      return choices(e, env, index, 'checkboxes');
    case 'radio_buttons':
      return choices(e, env, index, 'radio_buttons');
    case 'datepicker':
      return datepicker(e, env, index);
    case 'plain_text_input':
      return textInput(e, env, index);
    case 'image':
      return imageElement(e, 'sk-accessory-image');
    default:
      return unsupported('element', e.type);
  }
}

function section(b: Json, env: Env): string {
  const text = b.text !== undefined ? `<div class="sk-section-text">${renderText(b.text, env.ctx)}</div>` : '';
  const fields = Array.isArray(b.fields) ? `<div class="sk-fields">${b.fields.map((f) => `<div class="sk-field">${renderText(f, env.ctx)}</div>`).join('')}</div>` : '';
  const accessory = b.accessory !== undefined ? `<div class="sk-accessory">${element(b.accessory, env, 0)}</div>` : '';
  return `<div class="sk-section-body">${text}${fields}</div>${accessory}`;
}

function context(b: Json, env: Env): string {
  const elements = Array.isArray(b.elements) ? b.elements : [];
  return elements
    .map((e) => {
      if (isObject(e) && e.type === 'image') return imageElement(e, 'sk-context-image');
      return `<span class="sk-context-text">${renderText(e, env.ctx)}</span>`;
    })
    .join('');
}

function imageBlock(b: Json): string {
  const title = b.title !== undefined ? `<figcaption class="sk-image-title">${renderTextLine(b.title)}</figcaption>` : '';
  const src = safeImageSrc(b.image_url);
  const alt = str(b.alt_text) ?? '';
  const img = src ? `<img class="sk-image" src="${escapeHtml(src)}" alt="${escapeHtml(alt)}" loading="lazy">` : `<div class="sk-image-missing">🖼 ${escapeHtml(alt || 'image')}</div>`;
  return `${title}${img}`;
}

function input(b: Json, env: Env, errors: Readonly<Record<string, string>>): string {
  const e = isObject(b.element) ? b.element : {};
  const actionId = actionIdOf(e, 0);
  const inner: Env = { ...env, inInput: true, dispatch: b.dispatch_action === true };
  const group = e.type === 'checkboxes' || e.type === 'radio_buttons';
  const labelId = `${elementId(env, actionId)}-label`;
  if (group) inner.labelId = labelId;
  const optional = b.optional === true ? '<span class="sk-optional"> (optional)</span>' : '';
  const labelText = `${renderTextLine(b.label)}${optional}`;
  const label = group ? `<div class="sk-label" id="${labelId}">${labelText}</div>` : `<label class="sk-label" for="${elementId(env, actionId)}">${labelText}</label>`;
  const hint = b.hint !== undefined ? `<div class="sk-hint">${renderTextLine(b.hint)}</div>` : '';
  const error = lookup(errors, env.blockId);
  const errorHtml = error !== undefined ? `<div class="sk-error" role="alert">${escapeHtml(error)}</div>` : '';
  return `${label}<div class="sk-input-control">${element(e, inner, 0)}</div>${errorHtml}${hint}`;
}

function block(b: unknown, index: number, ctx: RenderContext, options: BlocksOptions): string {
  if (!isObject(b)) return `<div class="block block-unsupported">unsupported block: ${escapeHtml(JSON.stringify(b) ?? 'none')}</div>`;
  const blockId = str(b.block_id) ?? `block-${index}`;
  const env: Env = { ctx, surface: options.surface, scope: options.scope ?? '', blockId, inInput: false, dispatch: false };
  const errors = options.errors ?? {};
  const type = typeof b.type === 'string' ? b.type : '';
  const open = (tag: string, extra: Record<string, string | boolean | undefined> = {}, cls = '') =>
    `<${tag} class="block block-${escapeHtml(type)}${cls}"${attrs({ 'data-block-id': blockId, ...extra })}>`;
  switch (type) {
    case 'header':
      return `${open('div')}<h3 class="sk-header">${renderTextLine(b.text)}</h3></div>`;
    case 'section':
      return `${open('div')}${section(b, env)}</div>`;
    case 'context':
      return `${open('div')}${context(b, env)}</div>`;
    case 'divider':
      return `${open('div')}<hr class="sk-divider"></div>`;
    case 'image':
      return `${open('figure')}${imageBlock(b)}</figure>`;
    case 'actions': {
      const elements = Array.isArray(b.elements) ? b.elements : [];
      return `${open('div')}${elements.map((e, i) => element(e, env, i)).join('')}</div>`;
    }
    case 'input': {
      const failed = lookup(errors, blockId) !== undefined;
      return `${open('div', { 'data-input-block': true, 'data-optional': b.optional === true }, failed ? ' has-error' : '')}${input(b, env, errors)}</div>`;
    }
    case 'rich_text':
      return `${open('div')}${renderRichText(b, ctx)}</div>`;
    default:
      return `<div class="block block-unsupported"${attrs({ 'data-block-id': blockId })}>unsupported block: ${escapeHtml(type || (JSON.stringify(b.type) ?? 'none'))}</div>`;
  }
}

/** Blocks → HTML. Draws what it is given; callers check Slack's refusals first (see message.ts, view.ts). */
export function renderBlocks(blocks: unknown, ctx: RenderContext, options: BlocksOptions): string {
  if (!Array.isArray(blocks)) return '';
  return `<div class="sk-blocks sk-blocks-${options.surface}">${blocks.map((b, i) => block(b, i, ctx, options)).join('')}</div>`;
}

/** The red box drawn instead of what Slack would refuse. */
export function renderRefusal(what: 'message' | 'modal', error: string, details: readonly string[]): string {
  const list = details.length ? `<ul class="sk-refusal-details">${details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>` : '';
  return `<div class="sk-refusal" role="alert"><div class="sk-refusal-title">Slack would refuse this ${what}: ${escapeHtml(error)}</div>${list}</div>`;
}

/** A confirm object (from data-confirm) → the body of the confirmation dialog. */
export function renderConfirm(confirm: unknown, ctx: RenderContext): { title: string; text: string; confirm: string; deny: string; danger: boolean } {
  const c = isObject(confirm) ? confirm : {};
  return {
    title: renderTextLine(c.title) || 'Are you sure?',
    text: renderText(c.text, ctx),
    confirm: renderTextLine(c.confirm) || 'Yes',
    deny: renderTextLine(c.deny) || 'Cancel',
    danger: c.style === 'danger',
  };
}

