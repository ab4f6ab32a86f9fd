/**
 * The one place that turns an error into what the user reads: expected failures show their own
 * message; anything else is "internal error" with a reference to find the log line.
 */
import { randomBytes } from 'node:crypto';
import { isFirebreakError } from '../../core/errors.js';
import { plain, type Message } from '../../core/render/message.js';
import type { Logger } from '../../logger.js';

export function errorReply(err: unknown, log: Logger, doing: string): Message {
  if (isFirebreakError(err)) {
    log.warn({ err, code: err.code }, `${doing} failed`);
    return plain(`:warning: ${err.userMessage}`);
  }
  const ref = randomBytes(4).toString('hex');
  log.error({ err, ref }, `${doing} failed unexpectedly`);
  return plain(`:x: Internal error while trying to ${doing} (ref ${ref}). Nothing was changed; the details are in Firebreak's log under that ref.`);
}
