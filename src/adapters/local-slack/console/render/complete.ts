/**
 * What the composer offers as the person types, as Slack does: the bot's commands after `/`, a
 * command's subcommands after `/incident `, people after `@`. Pure (the page draws the list).
 */
import type { ConsoleCommand, ConsoleState } from '../protocol.js';

export interface Suggestion {
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

type Known = Pick<ConsoleState, 'commands' | 'users'>;

function findCommand(state: Pick<ConsoleState, 'commands'>, name: string): ConsoleCommand | undefined {
  return state.commands.find((c) => c.command.toLowerCase() === name.toLowerCase());
}

/** What to offer for the text before the caret. */
export function suggestionsFor(state: Known, value: string, caret: number): Suggestion[] {
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
export function usageFor(state: Pick<ConsoleState, 'commands'>, value: string): string | null {
  const m = /^(\/\S+)(?:\s+(\S+))?/.exec(value);
  if (!m) return null;
  const c = findCommand(state, m[1] ?? '');
  if (!c) return null;
  const word = (m[2] ?? '').toLowerCase();
  const s = word ? c.subcommands.find((x) => x.name.toLowerCase() === word) : undefined;
  if (s) return `${c.command} ${s.usage} — ${s.summary}`;
  return `${c.command} ${c.usageHint}`;
}

/** The text and caret after choosing a suggestion (one space after it, never two). */
export function applySuggestion(value: string, s: Suggestion): { value: string; caret: number } {
  const rest = value.slice(s.to).replace(/^ /, '');
  return { value: value.slice(0, s.from) + s.insert + rest, caret: s.from + s.insert.length };
}
