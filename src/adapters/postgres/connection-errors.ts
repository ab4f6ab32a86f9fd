/** Telling "the database is unreachable" apart from "the query was wrong". */
import { storeUnavailable } from '../../core/errors.js';

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
