/**
 * Reading the renderer's elements back: the action a click or a choice makes (ConsoleAction, as
 * Slack describes it in block_actions), the values of a modal (view.state.values), and the
 * checks Slack's client makes before it submits a form.
 */
import type { ConsoleAction, ElementState, ViewValues } from '../protocol.js';

const checkedIn = (el: HTMLElement) => Array.from(el.querySelectorAll<HTMLInputElement>('input:checked'));
const selectedOf = (el: HTMLElement) => (el instanceof HTMLSelectElement && el.value !== '' ? (el.selectedOptions[0] ?? null) : null);

/** Elements whose value travels in view.state.values. */
export const STATEFUL = new Set(['plain_text_input', 'static_select', 'users_select', 'checkboxes', 'datepicker', 'radio_buttons']);

/** One element's state, exactly as Slack carries it in `view.state.values[block_id][action_id]`. */
export function elementState(el: HTMLElement): ElementState | null {
  switch (el.dataset.elementType) {
    case 'plain_text_input': {
      const value = (el as HTMLInputElement | HTMLTextAreaElement).value;
      return { type: 'plain_text_input', value: value === '' ? null : value };
    }
    case 'static_select': {
      const o = selectedOf(el);
      return { type: 'static_select', selected_option: o ? { text: { type: 'plain_text', text: o.dataset.text ?? o.text }, value: o.value } : null };
    }
    case 'users_select': {
      const value = (el as HTMLSelectElement).value;
      return { type: 'users_select', selected_user: value === '' ? null : value };
    }
    case 'checkboxes':
      return {
        type: 'checkboxes',
        selected_options: checkedIn(el).map((i) => ({ text: { type: i.dataset.textType === 'mrkdwn' ? 'mrkdwn' : 'plain_text', text: i.dataset.text ?? '' }, value: i.value })),
      };
    case 'datepicker': {
      const value = (el as HTMLInputElement).value;
      return { type: 'datepicker', selected_date: value === '' ? null : value };
    }
    case 'radio_buttons': {
      const i = checkedIn(el)[0];
      return { type: 'radio_buttons', selected_option: i ? { text: { type: 'plain_text', text: i.dataset.text ?? '' }, value: i.value } : null };
    }
    default:
      return null;
  }
}

/** `view.state.values` of everything in `root` that holds a value. */
export function collectValues(root: ParentNode): ViewValues {
  const values: ViewValues = {};
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-element-type]'))) {
    const state = elementState(el);
    const { blockId, actionId } = el.dataset;
    if (!state || blockId === undefined || actionId === undefined) continue;
    (values[blockId] ??= {})[actionId] = state;
  }
  return values;
}

type Snapshot = string | string[];
const keyOf = (el: HTMLElement) => `${el.dataset.blockId ?? ''}\u0000${el.dataset.actionId ?? ''}\u0000${el.dataset.elementType ?? ''}`;

function snapshotOf(el: HTMLElement): Snapshot | undefined {
  const type = el.dataset.elementType;
  if (type === 'checkboxes' || type === 'radio_buttons') return checkedIn(el).map((i) => i.value);
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return el.value;
  return undefined;
}

/** What the person has entered in a form, to put back after it is drawn again (same block and action ids, as Slack keeps it). */
export function snapshotInputs(root: ParentNode): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-element-type]'))) {
    if (!STATEFUL.has(el.dataset.elementType ?? '')) continue;
    const s = snapshotOf(el);
    if (s !== undefined) out.set(keyOf(el), s);
  }
  return out;
}

export function restoreInputs(root: ParentNode, saved: Map<string, Snapshot>): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-element-type]'))) {
    const s = saved.get(keyOf(el));
    if (s === undefined) continue;
    if (Array.isArray(s)) {
      for (const i of Array.from(el.querySelectorAll<HTMLInputElement>('input'))) i.checked = s.includes(i.value);
    } else if (el instanceof HTMLSelectElement) {
      if (Array.from(el.options).some((o) => o.value === s)) el.value = s;
    } else if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      el.value = s;
    }
  }
}

/**
 * What Slack's client refuses to submit: an empty required input, a text shorter than its
 * min_length. Returns block_id → message (empty when the form can go).
 */
export function checkRequired(root: ParentNode): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const block of Array.from(root.querySelectorAll<HTMLElement>('[data-input-block]'))) {
    const el = block.querySelector<HTMLElement>('[data-element-type]');
    const id = block.dataset.blockId;
    if (!el || id === undefined) continue;
    const state = elementState(el);
    if (!state) continue;
    const empty =
      (state.type === 'plain_text_input' && (state.value === null || state.value.trim() === '')) ||
      ((state.type === 'static_select' || state.type === 'radio_buttons') && state.selected_option === null) ||
      (state.type === 'users_select' && state.selected_user === null) ||
      (state.type === 'datepicker' && state.selected_date === null) ||
      (state.type === 'checkboxes' && state.selected_options.length === 0);
    if (empty && block.dataset.optional === undefined) {
      problems[id] = 'Please complete this required field.';
      continue;
    }
    if (state.type === 'plain_text_input' && state.value !== null) {
      const min = Number(el.getAttribute('minlength') ?? 0);
      if (min > 0 && state.value.length < min) problems[id] = `Please enter at least ${min} characters (${state.value.length} now).`;
    }
  }
  return problems;
}

/**
 * The action an element makes (Slack's block_actions.actions[0], without what the server adds),
 * or null when the element makes none (a text input, radio buttons: they travel in the values).
 */
export function actionFor(el: HTMLElement, item?: HTMLElement): ConsoleAction | null {
  const action_id = el.dataset.actionId ?? '';
  const block_id = el.dataset.blockId ?? '';
  switch (el.dataset.elementType) {
    case 'button': {
      const style = el.dataset.style === 'primary' || el.dataset.style === 'danger' ? el.dataset.style : undefined;
      return {
        type: 'button',
        action_id,
        block_id,
        text: el.dataset.text ?? el.textContent ?? '',
        ...(el.dataset.value !== undefined ? { value: el.dataset.value } : {}),
        ...(style ? { style } : {}),
      };
    }
    case 'overflow':
      if (!item) return null;
      return { type: 'overflow', action_id, block_id, selected_option: { text: item.dataset.optionText ?? '', value: item.dataset.optionValue ?? '' } };
    case 'static_select': {
      const o = selectedOf(el);
      return o ? { type: 'static_select', action_id, block_id, selected_option: { text: o.dataset.text ?? o.text, value: o.value } } : null;
    }
    case 'users_select': {
      const value = (el as HTMLSelectElement).value;
      return value ? { type: 'users_select', action_id, block_id, selected_user: value } : null;
    }
    case 'checkboxes':
      return { type: 'checkboxes', action_id, block_id, selected_options: checkedIn(el).map((i) => ({ text: i.dataset.text ?? '', value: i.value })) };
    case 'datepicker': {
      const value = (el as HTMLInputElement).value;
      return value ? { type: 'datepicker', action_id, block_id, selected_date: value } : null;
    }
    default:
      return null;
  }
}

/** The element's confirm object (data-confirm), or undefined. */
export function confirmOf(el: HTMLElement): unknown {
  const raw = el.dataset.confirm;
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
