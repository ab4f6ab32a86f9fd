/**
 * The console's page: one person's Slack, drawn from the server's state (GET /console/state),
 * redrawn on every change the event stream announces, and sending what the person does
 * (POST /console/send). All state text goes through the renderer, which escapes it.
 */
import type { ConsoleAction, ConsoleChannel, ConsoleMessage, ConsoleNotice, ConsoleRequest, ConsoleState } from '../protocol.js';
import {
  authorName,
  contextFromState,
  escapeHtml,
  formatClock,
  formatSlackDate,
  reactionEmoji,
  renderMessage,
  renderModal,
  renderMrkdwn,
  renderNotice,
  tsToMs,
  zonedParts,
  type RenderContext,
} from '../render/index.js';
import { fetchState, send, watchEvents } from './api.js';
import { Composer } from './composer.js';
import { confirmDialog, confirmIsOpen, hideToast, showToast } from './dialogs.js';
import { byId, fromHtml, setHtml, setText, syncChildren } from './dom.js';
import { actionFor, checkRequired, collectValues, confirmOf, restoreInputs, snapshotInputs } from './elements.js';

const STORAGE_KEY = 'firebreak.console.user';
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
/** What the add-reaction button offers. */
const PICKER = ['pushpin', 'white_check_mark', 'eyes', '+1', 'fire'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// ---- what the page holds ----

let state: ConsoleState | null = null;
let me: string | null = storedUser();
let fetchedAt = Date.now();
let activeChannel: string | null = null;
let thread: { channel: string; ts: string } | null = null;
/** Per channel: the newest message ts (ms) the person has had on screen. */
const lastSeen = new Map<string, number>();
/** Channels the page has shown in the sidebar; those appearing later are marked new until visited. */
const knownChannels = new Set<string>();
const newChannels = new Set<string>();
const dismissedNotices = new Set<number>();
let seenReady = false;
/** Set when the person changes: their view of the channel starts at its newest message. */
let forceBottom = false;
let modalKey: string | null = null;
let modalViewId: string | null = null;
/** What was typed in each view of the stack, kept while another view is on top or while a view is redrawn. */
const typed = new Map<string, ReturnType<typeof snapshotInputs>>();

function storedUser(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The bot's clock now: its reading at the last fetch, run on at its speed. */
function botNow(): number {
  if (!state) return Date.now();
  return state.clock.now + (Date.now() - fetchedAt) * state.clock.factor;
}

/** The renderer's context; "now" is rounded to the minute so `{ago}` does not redraw every message at every refresh. */
function ctx(): RenderContext {
  if (!state) throw new Error('no state yet');
  return contextFromState(state, TIME_ZONE, Math.floor(botNow() / 60_000) * 60_000);
}

const el = {
  userSwitcher: byId<HTMLSelectElement>('user-switcher'),
  clock: byId('clock'),
  clockSpeed: byId<HTMLSelectElement>('clock-speed'),
  connection: byId('connection'),
  channelList: byId('channel-list'),
  dmList: byId('dm-list'),
  channelName: byId('channel-name'),
  channelTopic: byId('channel-topic'),
  pinsButton: byId<HTMLButtonElement>('pins-button'),
  pinsPopover: byId('pins-popover'),
  notices: byId('notices'),
  messages: byId('messages'),
  jumpLatest: byId<HTMLButtonElement>('jump-latest'),
  composer: byId<HTMLTextAreaElement>('composer'),
  toast: byId('toast'),
  threadPane: byId('thread-pane'),
  threadChannel: byId('thread-channel'),
  threadMessages: byId('thread-messages'),
  threadComposer: byId<HTMLTextAreaElement>('thread-composer'),
  threadToast: byId('thread-toast'),
  modalRoot: byId('modal-root'),
  picker: byId('reaction-picker'),
};

// ---- reading the state ----

let refreshTimer: number | undefined;
let requestSeq = 0;
let appliedSeq = 0;
/** Set when the event stream (re)connects: the next state is taken whatever its version. */
let resync = false;
let streamDown = false;

function scheduleRefresh(): void {
  if (refreshTimer !== undefined) return;
  refreshTimer = window.setTimeout(() => {
    refreshTimer = undefined;
    void refresh();
  }, 50);
}

async function refresh(): Promise<void> {
  const seq = ++requestSeq;
  const asked = me;
  const result = await fetchState(asked);
  if (seq < appliedSeq || asked !== me) return;
  if (!result.ok) {
    if (result.status === 400 && asked !== null) {
      // A remembered person the server no longer has: start as its first person.
      me = null;
      void refresh();
      return;
    }
    showConnection(`cannot read the workspace: ${result.error} — retrying…`);
    window.setTimeout(scheduleRefresh, 2000);
    return;
  }
  const next = result.state;
  // An answer older than what is shown (a slow request overtaken by a newer one) is dropped;
  // after a reconnection any version goes (a restarted server counts from 0 again).
  if (state && state.me === next.me && next.version < state.version && !resync) return;
  resync = false;
  appliedSeq = seq;
  if (!streamDown) showConnection(null);
  apply(next);
}

function apply(next: ConsoleState): void {
  const firstForUser = !state || state.me !== next.me;
  state = next;
  fetchedAt = Date.now();
  if (me !== next.me) {
    me = next.me;
    remember(me);
  }
  if (!activeChannel || !next.channels.some((c) => c.id === activeChannel)) {
    activeChannel = next.channels.some((c) => c.id === next.defaultChannel) ? next.defaultChannel : (next.channels[0]?.id ?? null);
  }
  if (firstForUser || !seenReady) {
    // What exists when the page opens (or the person changes) counts as seen.
    for (const c of next.channels) lastSeen.set(c.id, newestIn(c.id));
    seenReady = true;
  }
  for (const c of next.channels) {
    if (!knownChannels.has(c.id)) {
      if (knownChannels.size > 0 && !firstForUser) newChannels.add(c.id);
      knownChannels.add(c.id);
    }
  }
  if (thread && !next.messages.some((m) => m.channel === thread?.channel && m.ts === thread.ts)) thread = null;
  draw();
}

function remember(user: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, user);
  } catch {
    // Private windows may refuse storage: the choice lasts until the page is reloaded.
  }
}

// ---- drawing ----

function draw(): void {
  if (!state) return;
  const c = ctx();
  drawTopbar();
  drawChannel(c);
  drawSidebar();
  drawThread(c);
  drawModal(c);
  drawNotices(c);
  mainComposer.refresh();
  threadComposer.refresh();
  tick();
}

function drawTopbar(): void {
  if (!state) return;
  const users = state.users.map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(`${u.realName} — ${u.title}${u.approver ? ' · approver' : ''}`)}</option>`).join('');
  setHtml(el.userSwitcher, users);
  if (el.userSwitcher.value !== state.me) el.userSwitcher.value = state.me;
  const factors = state.clock.factors.map((f) => `<option value="${f}">×${f}</option>`).join('');
  setHtml(el.clockSpeed, factors);
  if (document.activeElement !== el.clockSpeed && el.clockSpeed.value !== String(state.clock.factor)) el.clockSpeed.value = String(state.clock.factor);
}

/** The clock in the top bar, ticking between fetches at the bot's speed. */
function tick(): void {
  if (!state) return;
  const now = botNow();
  const p = zonedParts(now, TIME_ZONE);
  setText(el.clock, `${WEEKDAYS[p.weekday] ?? ''} ${formatClock(now, TIME_ZONE, true)}`);
  el.clock.setAttribute('datetime', new Date(now).toISOString());
  el.clock.classList.toggle('clock-fast', state.clock.factor !== 1);
}

const topLevel = (m: ConsoleMessage) => m.threadTs === undefined;

function newestIn(channel: string, exceptUser?: string): number {
  let newest = 0;
  for (const m of state?.messages ?? []) {
    if (m.channel !== channel || m.user === exceptUser) continue;
    newest = Math.max(newest, tsToMs(m.ts));
  }
  return newest;
}

function drawSidebar(): void {
  if (!state) return;
  const item = (c: ConsoleChannel) => {
    const active = c.id === activeChannel;
    const unread = !active && newestIn(c.id, state?.me) > (lastSeen.get(c.id) ?? 0);
    const noticed = !active && state?.notices.some((n) => n.channel === c.id && !dismissedNotices.has(n.id) && n.at > (lastSeen.get(c.id) ?? 0));
    const classes = ['sidebar-item', active ? 'is-active' : '', unread ? 'is-unread' : '', newChannels.has(c.id) ? 'is-new' : '', noticed ? 'has-notice' : ''].filter(Boolean).join(' ');
    const name = `<span class="sidebar-name">${escapeHtml(c.name)}</span>`;
    const label = c.kind === 'channel' ? `<span class="hash">#</span> ${name}` : `<span class="presence" aria-hidden="true"></span>${name}`;
    const title = ` title="${escapeHtml(c.kind === 'channel' ? `#${c.name}${c.createdByBot ? ' (created by the bot)' : ''}` : c.name)}"`;
    return `<li><button type="button" class="${classes}" data-channel-id="${escapeHtml(c.id)}"${active ? ' aria-current="page"' : ''}${title}>${label}</button></li>`;
  };
  setHtml(el.channelList, state.channels.filter((c) => c.kind === 'channel').map(item).join(''));
  setHtml(el.dmList, state.channels.filter((c) => c.kind === 'dm').map(item).join(''));
}

const channelOf = (id: string | null) => state?.channels.find((c) => c.id === id);
const channelLabel = (c: ConsoleChannel | undefined) => (!c ? '' : c.kind === 'channel' ? `#${c.name}` : c.name);

function dayLabel(ms: number, c: RenderContext): string {
  return formatSlackDate(ms / 1000, '{date_long_pretty}', c) ?? '';
}

function drawChannel(c: RenderContext): void {
  if (!state || !activeChannel) return;
  const channel = channelOf(activeChannel);
  setText(el.channelName, channelLabel(channel));
  // Topics are mrkdwn like messages (the bot names the commander there as <@U…>).
  setHtml(el.channelTopic, channel?.topic ? renderMrkdwn(channel.topic, c) : '');
  el.composer.placeholder = `Message ${channelLabel(channel)}`;
  const pins = state.pins[activeChannel] ?? [];
  setText(el.pinsButton, `📌 ${pins.length} pinned`);
  el.pinsButton.disabled = pins.length === 0;
  if (!el.pinsPopover.hidden) drawPins(c);

  const box = el.messages;
  const switched = box.dataset.channel !== activeChannel || forceBottom;
  forceBottom = false;
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  type Item = { at: number; key: string; html: string };
  const items: Item[] = [];
  for (const m of state.messages) {
    if (m.channel === activeChannel && topLevel(m)) items.push({ at: tsToMs(m.ts), key: `m:${m.ts}`, html: renderMessage(m, c) });
  }
  for (const n of state.notices) {
    if (n.channel === activeChannel) items.push({ at: n.at, key: `n:${n.id}`, html: `<div class="notice-line">${renderNotice(n, c)}</div>` });
  }
  items.sort((a, b) => a.at - b.at);
  const withDays: Array<{ key: string; html: string }> = [];
  let day = '';
  for (const item of items) {
    const label = dayLabel(item.at, c);
    if (label !== day) {
      day = label;
      withDays.push({ key: `d:${label}`, html: `<div class="day-divider"><span>${escapeHtml(label)}</span></div>` });
    }
    withDays.push(item);
  }
  if (items.length === 0) {
    withDays.push({ key: 'empty', html: `<div class="channel-empty">Nothing here yet. ${channel?.kind === 'dm' ? 'The bot writes here when it has something for you alone.' : 'Type <kbd>/incident open</kbd> below to declare an incident.'}</div>` });
  }
  const { added } = syncChildren(box, withDays);
  box.dataset.channel = activeChannel;
  if (switched || nearBottom) {
    box.scrollTop = box.scrollHeight;
    el.jumpLatest.hidden = true;
  } else if (added > 0) {
    el.jumpLatest.hidden = false;
  }
  lastSeen.set(activeChannel, Math.max(lastSeen.get(activeChannel) ?? 0, newestIn(activeChannel)));
  newChannels.delete(activeChannel);
}

function drawPins(c: RenderContext): void {
  if (!state || !activeChannel) return;
  const ts = new Set(state.pins[activeChannel] ?? []);
  const pinned = state.messages.filter((m) => m.channel === activeChannel && ts.has(m.ts));
  const items = pinned.map(
    (m) =>
      `<li class="pin-item"><div class="pin-meta">${escapeHtml(authorName(m, c))} · ${escapeHtml(formatClock(tsToMs(m.ts), c.timeZone))}</div>` +
      `<div class="pin-text">${renderMrkdwn(m.text, c)}</div><button type="button" class="pin-jump" data-jump-ts="${escapeHtml(m.ts)}">Show in channel</button></li>`,
  );
  setHtml(el.pinsPopover, `<h3 class="popover-title">Pinned in ${escapeHtml(channelLabel(channelOf(activeChannel)))}</h3><ul class="pin-list">${items.join('') || '<li class="pin-none">Nothing is pinned.</li>'}</ul>`);
}

function drawThread(c: RenderContext): void {
  if (!state) return;
  document.body.classList.toggle('thread-open', thread !== null);
  el.threadPane.hidden = thread === null;
  if (!thread) return;
  const t = thread;
  const parent = state.messages.find((m) => m.channel === t.channel && m.ts === t.ts);
  const replies = state.messages.filter((m) => m.channel === t.channel && m.threadTs === t.ts);
  setText(el.threadChannel, channelLabel(channelOf(t.channel)));
  const box = el.threadMessages;
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const switched = box.dataset.thread !== t.ts;
  const items = [
    ...(parent ? [{ key: `m:${parent.ts}`, html: renderMessage(parent, c, { inThread: true }) }] : []),
    { key: 'count', html: `<div class="thread-count">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</div>` },
    ...replies.map((m) => ({ key: `m:${m.ts}`, html: renderMessage(m, c, { inThread: true }) })),
  ];
  syncChildren(box, items);
  box.dataset.thread = t.ts;
  if (switched || nearBottom) box.scrollTop = box.scrollHeight;
}

function drawModal(c: RenderContext): void {
  if (!state) return;
  const root = el.modalRoot;
  const stack = new Set(state.views.map((v) => v.id));
  for (const id of typed.keys()) if (!stack.has(id)) typed.delete(id);
  const view = state.views[state.views.length - 1];
  if (!view) {
    if (modalKey !== null) root.replaceChildren();
    modalKey = null;
    modalViewId = null;
    setBackgroundInert(false);
    return;
  }
  const key = `${view.id}\u0000${view.hash}\u0000${JSON.stringify(view.errors)}`;
  // Redrawn only when the view itself changed: a refresh must not wipe what the person is typing.
  if (key === modalKey) return;
  if (modalViewId !== null && root.firstElementChild) typed.set(modalViewId, snapshotInputs(root));
  const sameView = modalViewId === view.id;
  const backdrop = fromHtml(`<div class="modal-backdrop">${renderModal(view, c)}</div>`);
  root.replaceChildren(backdrop);
  const saved = typed.get(view.id);
  if (saved) restoreInputs(backdrop, saved);
  modalKey = key;
  modalViewId = view.id;
  setBackgroundInert(true);
  const failed = backdrop.querySelector<HTMLElement>('.has-error [data-element-type], .has-error input');
  const first = backdrop.querySelector<HTMLElement>('.modal-body input, .modal-body textarea, .modal-body select');
  if (failed) failed.focus();
  else if (!sameView) (first ?? backdrop.querySelector<HTMLElement>('[data-modal-close]'))?.focus();
}

/** While a modal is open the rest of the page can be neither reached nor read (as behind Slack's modals). */
function setBackgroundInert(on: boolean): void {
  document.body.classList.toggle('modal-open', on);
  for (const id of ['topbar', 'connection', 'app']) byId(id).inert = on;
}

function drawNotices(c: RenderContext): void {
  if (!state) return;
  const channels = new Set(state.channels.map((ch) => ch.id));
  const loose = state.notices.filter((n: ConsoleNotice) => (n.channel === undefined || !channels.has(n.channel)) && !dismissedNotices.has(n.id)).slice(-5);
  syncChildren(
    el.notices,
    loose.map((n) => ({ key: `n:${n.id}`, html: `<div class="notice-wrap">${renderNotice(n, c)}<button type="button" class="notice-dismiss" data-dismiss-notice="${n.id}" title="Dismiss">✕</button></div>` })),
  );
}

// ---- doing things ----

function currentToast(from: Element | null): HTMLElement {
  return from?.closest('#thread-pane') ? el.threadToast : el.toast;
}

async function request(r: ConsoleRequest, errorsTo: HTMLElement | null = el.toast): Promise<boolean> {
  const answer = await send(r);
  if (!answer.ok) {
    if (errorsTo) showError(errorsTo, answer.error);
    return false;
  }
  scheduleRefresh();
  return true;
}

function showError(where: HTMLElement, message: string): void {
  const modal = where.closest('[role="dialog"]');
  if (modal) {
    const body = modal.querySelector<HTMLElement>('.modal-body');
    modal.querySelector('.modal-request-error')?.remove();
    const box = document.createElement('div');
    box.className = 'modal-request-error';
    box.setAttribute('role', 'alert');
    box.textContent = message;
    body?.prepend(box);
    return;
  }
  showToast(where, message);
}

function composerSubmit(channel: () => string | null, threadTs: () => string | undefined, toast: HTMLElement) {
  return async (text: string): Promise<boolean> => {
    const ch = channel();
    if (!me || !ch) return false;
    hideToast(toast);
    const ts = threadTs();
    if (text.startsWith('/')) return request({ kind: 'command', user: me, channel: ch, text }, toast);
    return request({ kind: 'message', user: me, channel: ch, text, ...(ts ? { threadTs: ts } : {}) }, toast);
  };
}

const mainComposer = new Composer({
  textarea: el.composer,
  list: byId<HTMLUListElement>('suggestions'),
  hint: byId('usage-hint'),
  sendButton: byId<HTMLButtonElement>('send-button'),
  state: () => state,
  submit: composerSubmit(() => activeChannel, () => undefined, el.toast),
});

const threadComposer = new Composer({
  textarea: el.threadComposer,
  list: byId<HTMLUListElement>('thread-suggestions'),
  hint: byId('thread-usage-hint'),
  sendButton: byId<HTMLButtonElement>('thread-send-button'),
  state: () => state,
  submit: composerSubmit(() => thread?.channel ?? null, () => thread?.ts, el.threadToast),
});

/** The value an element had before a change the person then declined in the confirmation. */
const committed = new WeakMap<HTMLElement, string>();

function revert(element: HTMLElement, changed: HTMLElement | null): void {
  if (changed instanceof HTMLInputElement && (changed.type === 'checkbox' || changed.type === 'radio')) changed.checked = !changed.checked;
  else if (element instanceof HTMLSelectElement || element instanceof HTMLInputElement) element.value = committed.get(element) ?? '';
}

/** A click or a choice on an element: its confirmation first when it has one, then the action. */
async function act(element: HTMLElement, item?: HTMLElement, changed: HTMLElement | null = null): Promise<void> {
  if (!me) return;
  const action: ConsoleAction | null = actionFor(element, item);
  if (!action) return;
  const confirm = confirmOf(element);
  if (confirm !== undefined && !(await confirmDialog(confirm, ctx()))) {
    revert(element, changed);
    return;
  }
  if (element instanceof HTMLSelectElement || element instanceof HTMLInputElement) committed.set(element, element.value);
  const url = item?.dataset.url ?? (action.type === 'button' ? element.dataset.url : undefined);
  if (url) window.open(url, '_blank', 'noopener,noreferrer');
  const dialog = element.closest<HTMLElement>('[role="dialog"][data-view-id]');
  if (dialog) {
    await request({ kind: 'action', user: me, action, viewId: dialog.dataset.viewId ?? '', values: collectValues(dialog) }, dialog);
    return;
  }
  const message = element.closest<HTMLElement>('.message[data-ts]');
  if (!message) return;
  await request({ kind: 'action', user: me, action, channel: message.dataset.channel ?? '', messageTs: message.dataset.ts ?? '' }, currentToast(element));
}

async function submitModal(dialog: HTMLElement, button: HTMLButtonElement): Promise<void> {
  if (!me) return;
  dialog.querySelectorAll('.local-error').forEach((e) => e.remove());
  dialog.querySelector('.modal-request-error')?.remove();
  const problems = checkRequired(dialog);
  const ids = Object.keys(problems);
  if (ids.length) {
    for (const [id, text] of Object.entries(problems)) {
      const block = Array.from(dialog.querySelectorAll<HTMLElement>('[data-input-block]')).find((b) => b.dataset.blockId === id);
      if (!block) continue;
      block.querySelector('.sk-error')?.remove();
      const error = document.createElement('div');
      error.className = 'sk-error local-error';
      error.setAttribute('role', 'alert');
      error.textContent = text;
      block.querySelector('.sk-input-control')?.after(error);
      block.classList.add('has-error');
    }
    const first = Array.from(dialog.querySelectorAll<HTMLElement>('[data-input-block]')).find((b) => ids.includes(b.dataset.blockId ?? ''));
    first?.querySelector<HTMLElement>('input, textarea, select')?.focus();
    return;
  }
  button.disabled = true;
  const label = button.textContent;
  button.textContent = `${label ?? ''}…`;
  try {
    await request({ kind: 'submit', user: me, viewId: dialog.dataset.viewId ?? '', values: collectValues(dialog) }, dialog);
  } finally {
    if (button.isConnected) {
      button.disabled = false;
      button.textContent = label;
    }
  }
}

function closeModal(dialog: HTMLElement): void {
  if (!me) return;
  void request({ kind: 'close', user: me, viewId: dialog.dataset.viewId ?? '' }, dialog);
}

function switchChannel(id: string): void {
  if (!state?.channels.some((c) => c.id === id)) return;
  activeChannel = id;
  if (thread && thread.channel !== id) thread = null;
  closePopovers();
  hideToast(el.toast);
  draw();
  el.composer.focus();
}

function openThread(channel: string, ts: string): void {
  thread = { channel, ts };
  draw();
  el.threadComposer.focus();
}

function openPicker(button: HTMLElement): void {
  const message = button.closest<HTMLElement>('.message[data-ts]');
  if (!message) return;
  const picker = el.picker;
  picker.replaceChildren(
    ...PICKER.map((name) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'menuitem');
      b.className = 'picker-emoji';
      b.dataset.pickReaction = name;
      b.title = `:${name}:`;
      b.textContent = reactionEmoji(name);
      return b;
    }),
  );
  picker.dataset.channel = message.dataset.channel ?? '';
  picker.dataset.ts = message.dataset.ts ?? '';
  picker.hidden = false;
  const r = button.getBoundingClientRect();
  const width = picker.offsetWidth;
  picker.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, r.right - width))}px`;
  picker.style.top = `${r.bottom + 4 + picker.offsetHeight > window.innerHeight ? r.top - picker.offsetHeight - 4 : r.bottom + 4}px`;
  picker.querySelector<HTMLElement>('button')?.focus();
}

function react(channel: string, ts: string, name: string, from: Element | null): void {
  if (!me || !channel || !ts) return;
  void request({ kind: 'reaction', user: me, channel, ts, name }, currentToast(from));
}

function closePopovers(except?: Element): void {
  if (except !== el.picker) el.picker.hidden = true;
  if (except !== el.pinsPopover) {
    el.pinsPopover.hidden = true;
    el.pinsButton.setAttribute('aria-expanded', 'false');
  }
  document.querySelectorAll<HTMLElement>('.sk-overflow [role="menu"]').forEach((m) => {
    if (m === except) return;
    m.hidden = true;
    m.parentElement?.querySelector('.sk-overflow-toggle')?.setAttribute('aria-expanded', 'false');
  });
}

// ---- events ----

document.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const hit = <T extends HTMLElement = HTMLElement>(selector: string) => target.closest<T>(selector);
  let b: HTMLElement | null;

  if ((b = hit('.sk-overflow-toggle'))) {
    const menu = b.parentElement?.querySelector<HTMLElement>('[role="menu"]');
    if (!menu) return;
    const open = menu.hidden;
    closePopovers(menu);
    menu.hidden = !open;
    b.setAttribute('aria-expanded', String(open));
    if (open) menu.querySelector<HTMLElement>('button')?.focus();
    return;
  }
  if ((b = hit('.sk-menu-item'))) {
    const overflow = b.closest<HTMLElement>('[data-element-type="overflow"]');
    closePopovers();
    if (overflow) void act(overflow, b);
    return;
  }
  if ((b = hit('[data-pick-reaction]'))) {
    react(el.picker.dataset.channel ?? '', el.picker.dataset.ts ?? '', b.dataset.pickReaction ?? '', b);
    el.picker.hidden = true;
    return;
  }
  // A click elsewhere closes the open menus (the pins button toggles its own list below).
  closePopovers(hit('#pins-popover, #pins-button') ? el.pinsPopover : undefined);

  if ((b = hit('[data-channel-id]'))) return switchChannel(b.dataset.channelId ?? '');
  if ((b = hit('[data-channel-link]'))) return switchChannel(b.dataset.channelLink ?? '');
  if ((b = hit('button[data-element-type="button"]'))) return void act(b);
  if ((b = hit('[data-add-reaction]'))) return openPicker(b);
  if ((b = hit('button.reaction[data-reaction]'))) {
    const m = b.closest<HTMLElement>('.message[data-ts]');
    return react(m?.dataset.channel ?? '', m?.dataset.ts ?? '', b.dataset.reaction ?? '', b);
  }
  if ((b = hit('[data-open-thread]'))) {
    const m = b.closest<HTMLElement>('.message[data-ts]');
    return openThread(m?.dataset.channel ?? activeChannel ?? '', b.dataset.openThread ?? '');
  }
  const dialog = hit('[role="dialog"][data-view-id]');
  if (dialog && (b = hit('[data-modal-close]'))) return closeModal(dialog);
  if (dialog && (b = hit<HTMLButtonElement>('[data-modal-submit]'))) return void submitModal(dialog, b as HTMLButtonElement);
  if (hit('#thread-close')) {
    thread = null;
    return draw();
  }
  if (hit('#jump-latest')) {
    el.messages.scrollTop = el.messages.scrollHeight;
    el.jumpLatest.hidden = true;
    return;
  }
  if (hit('#pins-button')) {
    const open = el.pinsPopover.hidden;
    el.pinsPopover.hidden = !open;
    el.pinsButton.setAttribute('aria-expanded', String(open));
    if (open && state) drawPins(ctx());
    return;
  }
  if ((b = hit('[data-jump-ts]'))) {
    closePopovers();
    const ts = b.dataset.jumpTs ?? '';
    const m = Array.from(el.messages.querySelectorAll<HTMLElement>('.message[data-ts]')).find((x) => x.dataset.ts === ts);
    m?.scrollIntoView({ block: 'center' });
    m?.classList.add('is-highlighted');
    window.setTimeout(() => m?.classList.remove('is-highlighted'), 2000);
    return;
  }
  if ((b = hit('[data-dismiss-notice]'))) {
    dismissedNotices.add(Number(b.dataset.dismissNotice));
    if (state) drawNotices(ctx());
  }
});

document.addEventListener('focusin', (e) => {
  const t = e.target;
  if ((t instanceof HTMLSelectElement || t instanceof HTMLInputElement) && t.dataset.elementType && !committed.has(t)) committed.set(t, t.value);
});

document.addEventListener('change', (e) => {
  const target = e.target as HTMLElement;
  if (target === el.userSwitcher) return switchUser(el.userSwitcher.value);
  if (target === el.clockSpeed) {
    void request({ kind: 'clock', factor: Number(el.clockSpeed.value) });
    return;
  }
  const element = target.closest<HTMLElement>('[data-element-type]');
  if (!element || element.dataset.elementType === 'plain_text_input') return;
  // Inside a modal's input block a choice is only sent with the form, unless the block dispatches actions.
  if (element.dataset.inInput !== undefined && element.dataset.dispatch === undefined) return;
  void act(element, undefined, target);
});

document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape' || confirmIsOpen()) return;
  const popoverOpen = !el.picker.hidden || !el.pinsPopover.hidden || document.querySelector('.sk-overflow [role="menu"]:not([hidden])');
  if (popoverOpen) {
    closePopovers();
    return;
  }
  const dialog = el.modalRoot.querySelector<HTMLElement>('[role="dialog"][data-view-id]');
  if (dialog) {
    e.preventDefault();
    closeModal(dialog);
  }
});

el.messages.addEventListener('scroll', () => {
  const box = el.messages;
  if (box.scrollHeight - box.scrollTop - box.clientHeight < 80) el.jumpLatest.hidden = true;
});

function switchUser(id: string): void {
  if (!id || id === me) return;
  me = id;
  remember(id);
  thread = null;
  typed.clear();
  modalKey = null;
  modalViewId = null;
  el.modalRoot.replaceChildren();
  setBackgroundInert(false);
  if (state && activeChannel === state.me) activeChannel = id;
  seenReady = false;
  forceBottom = true;
  void refresh();
}

function showConnection(text: string | null): void {
  el.connection.hidden = text === null;
  if (text !== null) el.connection.textContent = text;
}

watchEvents({
  changed(version) {
    if (!state || !Number.isFinite(version) || version !== state.version) scheduleRefresh();
  },
  open() {
    streamDown = false;
    showConnection(null);
    resync = true;
    void refresh();
  },
  down() {
    streamDown = true;
    showConnection('reconnecting…');
  },
});
window.setInterval(tick, 250);
void refresh();
