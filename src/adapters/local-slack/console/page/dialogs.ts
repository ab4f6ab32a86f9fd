/** The confirmation dialog of elements with a `confirm` object, and the short-lived messages near a composer. */
import { renderConfirm, type RenderContext } from '../render/index.js';
import { byId, fromHtml } from './dom.js';

let openConfirm: ((ok: boolean) => void) | undefined;

export const confirmIsOpen = () => openConfirm !== undefined;

/**
 * Shows Slack's confirmation dialog (title, mrkdwn text, confirm and deny buttons) and resolves
 * true on confirm, false on deny, Escape or a click outside.
 */
export function confirmDialog(confirm: unknown, ctx: RenderContext): Promise<boolean> {
  openConfirm?.(false);
  const c = renderConfirm(confirm, ctx);
  const root = byId('confirm-root');
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const el = fromHtml(
    `<div class="confirm-backdrop"><div class="confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">` +
      `<h2 id="confirm-title" class="confirm-title">${c.title}</h2><div id="confirm-text" class="confirm-text">${c.text}</div>` +
      `<div class="confirm-buttons"><button type="button" class="sk-button" data-confirm-deny>${c.deny}</button>` +
      `<button type="button" class="sk-button ${c.danger ? 'sk-button-danger' : 'sk-button-primary'}" data-confirm-ok>${c.confirm}</button></div></div></div>`,
  );
  root.replaceChildren(el);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      openConfirm = undefined;
      document.removeEventListener('keydown', onKey, true);
      el.remove();
      previous?.focus();
      resolve(ok);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        e.preventDefault();
        done(false);
      }
    };
    openConfirm = done;
    document.addEventListener('keydown', onKey, true);
    el.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      if (target === el || target.closest('[data-confirm-deny]')) done(false);
      else if (target.closest('[data-confirm-ok]')) done(true);
    });
    el.querySelector<HTMLElement>('[data-confirm-ok]')?.focus();
  });
}

const timers = new WeakMap<HTMLElement, number>();

/** A message for the person near the composer (`toast`), kept 10 s or until closed. */
export function showToast(el: HTMLElement, message: string, kind: 'error' | 'info' = 'error'): void {
  el.replaceChildren();
  const text = document.createElement('span');
  text.textContent = message;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.title = 'Dismiss';
  close.textContent = '✕';
  close.addEventListener('click', () => hideToast(el));
  el.append(text, close);
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  const old = timers.get(el);
  if (old !== undefined) window.clearTimeout(old);
  timers.set(el, window.setTimeout(() => hideToast(el), 10_000));
}

export function hideToast(el: HTMLElement): void {
  el.hidden = true;
  el.replaceChildren();
}
