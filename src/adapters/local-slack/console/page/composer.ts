/**
 * A message box as Slack has it: Enter sends, Shift+Enter breaks the line, `/` lists the bot's
 * commands, `/incident ` its subcommands, `@` the people; arrows and Enter/Tab (or a click)
 * complete, Escape closes the list; the chosen command's usage shows above the box.
 */
import type { ConsoleState } from '../protocol.js';
import { applySuggestion, suggestionsFor, usageFor, type Suggestion } from '../render/complete.js';

export interface ComposerOptions {
  textarea: HTMLTextAreaElement;
  list: HTMLUListElement;
  hint: HTMLElement;
  sendButton: HTMLButtonElement;
  state: () => ConsoleState | null;
  /** Sends the text; resolves true when it was taken (the box is then emptied). */
  submit: (text: string) => Promise<boolean>;
}

export class Composer {
  private items: Suggestion[] = [];
  private active = 0;
  private dismissed = false;
  private busy = false;

  constructor(private readonly o: ComposerOptions) {
    const t = o.textarea;
    t.addEventListener('input', () => {
      this.dismissed = false;
      this.grow();
      this.refresh();
    });
    t.addEventListener('click', () => this.refresh());
    t.addEventListener('keyup', (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') this.refresh();
    });
    t.addEventListener('blur', () => window.setTimeout(() => this.close(), 150));
    t.addEventListener('keydown', (e) => this.onKey(e));
    o.list.addEventListener('mousedown', (e) => {
      // Keep the focus in the box while a suggestion is clicked.
      e.preventDefault();
      const li = (e.target as HTMLElement).closest<HTMLElement>('li[data-index]');
      if (li) this.complete(Number(li.dataset.index));
    });
    o.sendButton.addEventListener('click', () => void this.send());
  }

  /** Redraws suggestions and the usage hint (after a state change too: new commands, people). */
  refresh(): void {
    const state = this.o.state();
    const t = this.o.textarea;
    if (!state) return;
    const usage = t.value.startsWith('/') ? usageFor(state, t.value) : null;
    this.o.hint.hidden = usage === null;
    this.o.hint.textContent = usage ?? '';
    const next = this.dismissed || document.activeElement !== t ? [] : suggestionsFor(state, t.value, t.selectionStart ?? t.value.length);
    const same = next.length === this.items.length && next.every((s, i) => s.label === this.items[i]?.label);
    this.items = next;
    if (!same) this.active = 0;
    this.draw();
  }

  private draw(): void {
    const list = this.o.list;
    list.replaceChildren();
    list.hidden = this.items.length === 0;
    this.items.forEach((s, i) => {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.id = `${list.id}-${i}`;
      li.dataset.index = String(i);
      li.setAttribute('aria-selected', i === this.active ? 'true' : 'false');
      const label = document.createElement('span');
      label.className = 'suggestion-label';
      label.textContent = s.label;
      const detail = document.createElement('span');
      detail.className = 'suggestion-detail';
      detail.textContent = s.detail;
      li.append(label, detail);
      list.append(li);
    });
    const t = this.o.textarea;
    if (this.items.length) {
      t.setAttribute('aria-controls', list.id);
      t.setAttribute('aria-activedescendant', `${list.id}-${this.active}`);
      list.querySelector<HTMLElement>('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
    } else {
      t.removeAttribute('aria-activedescendant');
    }
  }

  private close(): void {
    this.items = [];
    this.draw();
  }

  private complete(index: number): void {
    const s = this.items[index];
    if (!s) return;
    const t = this.o.textarea;
    const next = applySuggestion(t.value, s);
    t.value = next.value;
    t.setSelectionRange(next.caret, next.caret);
    t.focus();
    this.grow();
    this.refresh();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.isComposing) return;
    if (this.items.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.items.length;
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.draw();
        return;
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault();
        this.complete(this.active);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.dismissed = true;
        this.close();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void this.send();
    }
  }

  private async send(): Promise<void> {
    const t = this.o.textarea;
    const text = t.value.trim();
    if (!text || this.busy) return;
    this.busy = true;
    this.o.sendButton.disabled = true;
    try {
      if (await this.o.submit(text)) {
        // Only clear what was sent (the person may have typed on meanwhile).
        if (t.value.trim() === text) t.value = '';
        this.dismissed = false;
        this.grow();
        this.refresh();
      }
    } finally {
      this.busy = false;
      this.o.sendButton.disabled = false;
    }
  }

  private grow(): void {
    const t = this.o.textarea;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight, 220)}px`;
  }
}
