/** Talks to a running local mode's console the way its page does: state, send, and the event stream. */
import type { ConsoleAnswer, ConsoleMessage, ConsoleRequest, ConsoleState } from '../../src/adapters/local-slack/console/protocol.js';

export interface ConsoleClient {
  state(user: string): Promise<ConsoleState>;
  send(request: ConsoleRequest): Promise<ConsoleAnswer & { status: number }>;
  /** Polls the state of `user` until `predicate` returns something truthy; returns it. */
  waitFor<T>(user: string, predicate: (state: ConsoleState) => T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
}

/** Everything a message shows, as text: its fallback and every text of its blocks. */
export function messageText(m: ConsoleMessage): string {
  return `${m.text}\n${JSON.stringify(m.blocks ?? [])}`;
}

export function consoleClient(baseUrl: string): ConsoleClient {
  const state = async (user: string): Promise<ConsoleState> => {
    const res = await fetch(new URL(`/console/state?user=${encodeURIComponent(user)}`, baseUrl));
    if (res.status !== 200) throw new Error(`GET /console/state answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as ConsoleState;
  };
  return {
    state,
    async send(request) {
      const res = await fetch(new URL('/console/send', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      return { ...((await res.json()) as ConsoleAnswer), status: res.status };
    },
    async waitFor(user, predicate, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ConsoleState | undefined;
      while (Date.now() < deadline) {
        last = await state(user);
        const found = predicate(last);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      const summary = last ? `${last.messages.length} messages, ${last.views.length} views, notices: ${JSON.stringify(last.notices.slice(-3))}` : 'no state';
      throw new Error(`console: ${what} did not happen within ${timeoutMs} ms (${summary})`);
    },
  };
}
