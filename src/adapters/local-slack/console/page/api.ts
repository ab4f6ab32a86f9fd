/** The console server's endpoints, as the page uses them. */
import type { ConsoleAnswer, ConsoleRequest, ConsoleState } from '../protocol.js';

export type StateResult = { ok: true; state: ConsoleState } | { ok: false; status: number; error: string };

/** GET /console/state (for `user`, or the server's first person when null). */
export async function fetchState(user: string | null): Promise<StateResult> {
  const url = user ? `/console/state?user=${encodeURIComponent(user)}` : '/console/state';
  try {
    const res = await fetch(url, { cache: 'no-store' });
    if (res.status !== 200) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      return { ok: false, status: res.status, error: body.error ?? `the console server answered ${res.status}` };
    }
    return { ok: true, state: (await res.json()) as ConsoleState };
  } catch (err) {
    return { ok: false, status: 0, error: `the console server cannot be reached (${(err as Error).message})` };
  }
}

/** POST /console/send. Never throws: a network failure is an answer with an error sentence. */
export async function send(request: ConsoleRequest): Promise<ConsoleAnswer> {
  try {
    const res = await fetch('/console/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    const answer = (await res.json().catch(() => null)) as ConsoleAnswer | null;
    if (answer && typeof answer === 'object' && 'ok' in answer) return answer;
    return { ok: false, error: `The console server answered HTTP ${res.status} without an explanation.` };
  } catch {
    return { ok: false, error: 'The console server cannot be reached: is `npm run local` still running?' };
  }
}

export interface EventHandlers {
  changed(version: number): void;
  /** Connected (again): the page reads the state at once. */
  open(): void;
  /** The stream dropped: the page says it is reconnecting. */
  down(): void;
}

/** GET /console/events, reconnecting for as long as the page is open. */
export function watchEvents(handlers: EventHandlers): void {
  let source: EventSource | undefined;
  let retry: number | undefined;
  const connect = () => {
    retry = undefined;
    source = new EventSource('/console/events');
    source.addEventListener('open', () => handlers.open());
    source.addEventListener('changed', (e) => {
      let version = Number.NaN;
      try {
        version = Number((JSON.parse((e as MessageEvent<string>).data) as { version?: unknown }).version);
      } catch {
        // A malformed event still means something changed.
      }
      handlers.changed(version);
    });
    source.addEventListener('error', () => {
      handlers.down();
      // The browser retries by itself unless the stream was refused; then try again ourselves.
      if (source?.readyState === EventSource.CLOSED && retry === undefined) {
        source.close();
        retry = window.setTimeout(connect, 2000);
      }
    });
  };
  connect();
}
