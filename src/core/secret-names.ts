/**
 * Names that say what they hold is a credential: environment variables (`LOGIN_PASSWORD`),
 * request headers (`Authorization`, `X-Api-Key`, `Cookie`), fields of an answer (`token`,
 * `access_token`, `session.id`). Whatever such a name holds is never echoed in a message, a
 * finding or a log line.
 */

/** The words: a name holding one of them (any case, anywhere in it) is a secret's name. */
export const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASS|KEY|CREDENTIAL|AUTH/i;

/** Cookies and sessions carry credentials without saying so in those words. */
const SESSION_NAME = /COOKIE|SESSION|JWT/i;

/** Whether `name` (a variable, a header, a field or a dotted path of fields) names a credential. */
export function namesSecret(name: string): boolean {
  return SECRET_NAME.test(name) || SESSION_NAME.test(name);
}
