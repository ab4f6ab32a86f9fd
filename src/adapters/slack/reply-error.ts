/**
 * The one place that turns an error into what the user reads: expected failures show their own
 * message; anything else is "internal error" with a reference to find the log lines. Within a
 * Slack request the reference is the request's id, which every log line of that request carries.
 */
import { randomBytes } from 'node:crypto';
import { isFirebreakError } from '../../core/errors.js';
import { plain, type Message } from '../../core/render/message.js';
import type { Logger } from '../../logger.js';
import { currentSlackRequest } from './request-scope.js';

/** The request id `log` writes on its lines, else the current request's, else a fresh one. */
function referenceFor(log: Logger): string {
  const bound = (log.bindings() as { requestId?: unknown }).requestId;
  if (typeof bound === 'string' && bound !== '') return bound;
  return currentSlackRequest()?.id ?? randomBytes(6).toString('hex');
}

export function errorReply(err: unknown, log: Logger, doing: string): Message {
  const request = currentSlackRequest();
  if (isFirebreakError(err)) {
    request?.mark('failed');
    log.warn({ err, code: err.code }, `${doing} failed`);
    return plain(`:warning: ${err.userMessage}`);
  }
  request?.mark('error');
  const ref = referenceFor(log);
  // The reference is already on every line of a request's log; outside one, this line names it.
  log.error({ err, ref }, `${doing} failed unexpectedly`);
  return plain(`:x: Internal error while trying to ${doing} (reference ${ref}). Nothing was changed; the details are in Firebreak's log under that reference (requestId).`);
}
