/** Telling "the database is unreachable" apart from "the query was wrong". */
import { describeCause, FirebreakError, storeUnavailable } from '../../core/errors.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connection error|Connection refused/i;

/** True when `err` says the database could not be reached or the connection was lost (as opposed to a bad query). */
export function isConnectionError(err: unknown): boolean {
  return check(err, 0);
}

function check(err: unknown, depth: number): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))) return true;
  if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  // Node's AggregateError (several addresses tried) and errors wrapping a cause.
  if (Array.isArray(e.errors) && e.errors.some((inner) => check(inner, depth + 1))) return true;
  return check(e.cause, depth + 1);
}

/** Runs `fn`; a connection failure becomes STORE_UNAVAILABLE saying `what` could not be done. */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw isConnectionError(err) ? storeUnavailable(what, err) : err;
  }
}

/** What the low-level codes of a failed connection mean, for the person starting Firebreak. */
const CONNECT_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing accepts connections there',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved right now',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the server closed the connection',
  '57P03': 'the server is starting up or shutting down',
};

/** The first code in an error, its AggregateError members (several addresses tried) or its causes. */
function codeOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 3) return undefined;
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  const inner = Array.isArray(e.errors) ? e.errors.map((x) => codeOf(x, depth + 1)).find(Boolean) : undefined;
  return inner ?? codeOf(e.cause, depth + 1);
}

/** Where a connection string points, as host:port with the database and user, never the password. */
export function serverOf(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const host = url.searchParams.get('host') ?? (url.hostname.replace(/^\[|\]$/g, '') || 'localhost');
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const user = decodeURIComponent(url.username);
    const details = [database && `database "${database}"`, user && `user "${user}"`].filter(Boolean).join(', ');
    return `${host}:${url.port || '5432'}${details ? ` (${details})` : ''}`;
  } catch {
    return 'the address in DATABASE_URL';
  }
}

/** The configured server could not be reached while starting: says where Firebreak tried, and what to check. */
export function unreachableAtStart(databaseUrl: string, cause: unknown): FirebreakError {
  const code = codeOf(cause);
  const why = code ? `${CONNECT_FAILURES[code] ?? 'the connection failed'} (${code})` : describeCause(cause);
  return new FirebreakError(
    'STORE_UNAVAILABLE',
    `Could not prepare the database: the PostgreSQL server of DATABASE_URL at ${serverOf(databaseUrl)} cannot be reached: ${why}. ` +
      'Check that it runs and accepts connections there, or unset DATABASE_URL to use the embedded database.',
    { cause },
  );
}
