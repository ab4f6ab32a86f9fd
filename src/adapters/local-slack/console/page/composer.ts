/**
 * A message box as Slack has it: Enter sends, Shift+Enter breaks the line, `/` lists the bot's
 * commands, `/incident ` its subcommands, `@` the people; arrows and Enter/Tab (or a click)
 * complete, Escape closes the list; the chosen command's usage shows above the box.
 */
import type { ConsoleCommand, ConsoleState } from '../protocol.js';

export interface ComposerOptions {
  textarea: HTMLTextAreaElement;
  list: HTMLUListElement;
  hint: HTMLElement;
  sendButton: HTMLButtonElement;
  state: () => ConsoleState | null;
  /** Sends the text; resolves true when it was taken (the box is then emptied). */
  submit: (text: string) => Promise<boolean>;
}

interface Suggestion {
  label: string;
  detail: string;
  /** Replaces value[from, to) with insert. */
  from: number;
  to: number;
  insert: string;
}

const wordEnd = (value: string, at: number) => {
  const m = /^\S*/.exec(value.slice(at));
  return at + (m ? m[0].length : 0);
};

function findCommand(state: ConsoleState, name: string): ConsoleCommand | undefined {
  return state.commands.find((c) => c.command.toLowerCase() === name.toLowerCase());
}

/** What to offer for the text before the caret. */
export function suggestionsFor(state: ConsoleState, value: string, caret: number): Suggestion[] {
  const before = value.slice(0, caret);
  const end = wordEnd(value, caret);
  const mention = /(^|[\s(])@([\w.-]*)$/.exec(before);
  if (mention) {
    const q = (mention[2] ?? '').toLowerCase();
    const from = caret - q.length - 1;
    return state.users
      .filter((u) => u.name.toLowerCase().startsWith(q) || u.realName.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)))
      .map((u) => ({ label: `@${u.name}`, detail: `${u.realName} · ${u.title}${u.approver ? ' · approver' : ''}`, from, to: end, insert: `@${u.name} ` }));
  }
  if (!value.startsWith('/') || before.includes('\n')) return [];
  const command = /^\/(\S*)$/.exec(before);
  if (command) {
    const typed = `/${(command[1] ?? '').toLowerCase()}`;
    return state.commands
      .filter((c) => c.command.toLowerCase().startsWith(typed))
      .map((c) => ({ label: c.command, detail: c.description, from: 0, to: end, insert: `${c.command} ` }));
  }
  const sub = /^(\/\S+)\s+(\S*)$/.exec(before);
  if (sub) {
    const c = findCommand(state, sub[1] ?? '');
    if (!c) return [];
    const q = (sub[2] ?? '').toLowerCase();
    const from = caret - q.length;
    return c.subcommands
      .filter((s) => s.name.toLowerCase().startsWith(q))
      .map((s) => ({ label: `${c.command} ${s.usage}`, detail: s.summary, from, to: end, insert: `${s.name} ` }));
  }
  return [];
}

/** The usage line for what is typed: the subcommand's when one is named, else the command's hint. */
export function usageFor(state: ConsoleState, value: string): string | null {
  const m = /^(\/\S+)(?:\s+(\S+))?/.exec(value);
  if (!m) return null;
  const c = findCommand(state, m[1] ?? '');
  if (!c) return null;
  const word = (m[2] ?? '').toLowerCase();
  const s = word ? c.subcommands.find((x) => x.name.toLowerCase() === word) : undefined;
  if (s) return `${c.command} ${s.usage} — ${s.summary}`;
  return `${c.command} ${c.usageHint}`;
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
    t.value = t.value.slice(0, s.from) + s.insert + t.value.slice(s.to).replace(/^ /, '');
    const caret = s.from + s.insert.length;
    t.setSelectionRange(caret, caret);
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
