/**
 * The one error catalogue. Expected failures carry a stable code and a message written for the
 * person at the keyboard; the adapter that talks to Slack turns them into replies. Anything thrown
 * that is not a FirebreakError is unexpected and is reported as "internal error (ref …)".
 */
export type ErrorCode =
  /** A configured target cannot be used as configured (kubeconfig unreadable, URL malformed). */
  | 'CONFIG_INVALID'
  | 'STORE_UNAVAILABLE'
  /** The embedded database's directory belongs to another running process. */
  | 'STORE_IN_USE'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'TEMPLATE_INVALID'
  /** A runbook of runbooks.dir does not validate; the message lists every problem with its file and line. */
  | 'RUNBOOK_INVALID'
  /** Slack refused or failed a step (a modal, a channel). */
  | 'CHAT_FAILED'
  /** A remediation action could not read or change its target; the message says what happened. */
  | 'ACTION_FAILED'
  /** A system did not answer before the deadline of the probe or action. */
  | 'TIMEOUT'
  /** Slack refused a token of the configuration (invalid_auth, token_revoked…): fix it, then restart. */
  | 'SLACK_TOKEN_REJECTED';

export class FirebreakError extends Error {
  readonly code: ErrorCode;
  /** Shown to the user as is: says what went wrong and what to do. */
  readonly userMessage: string;

  constructor(code: ErrorCode, userMessage: string, options?: { cause?: unknown }) {
    super(userMessage, options);
    this.name = 'FirebreakError';
    this.code = code;
    this.userMessage = userMessage;
  }
}

export const storeUnavailable = (what: string, cause: unknown): FirebreakError =>
  new FirebreakError(
    'STORE_UNAVAILABLE',
    `Could not ${what}: Firebreak's database is unreachable (${describeCause(cause)}). Nothing was lost; try again in a minute.`,
    { cause },
  );

export const invalidInput = (message: string): FirebreakError => new FirebreakError('INVALID_INPUT', message);

export function isFirebreakError(err: unknown): err is FirebreakError {
  return err instanceof FirebreakError;
}

/** A short, secret-free description of a low-level cause, for user-facing messages. */
export function describeCause(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const c = cause as { code?: unknown; message?: unknown; data?: { error?: unknown } };
    if (typeof c.data?.error === 'string') return c.data.error;
    if (typeof c.code === 'string' && /^[A-Z0-9_]+$/.test(c.code)) return c.code;
    if (typeof c.message === 'string') return c.message.replace(/\/\/[^@\s/]*@/g, '//').slice(0, 120);
  }
  return 'unknown error';
}
