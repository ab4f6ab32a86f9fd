/**
 * How a message about bad input shows what it found: short enough to read on one line, and never
 * a password. Configuration values may hold credentials inside URLs; those are hidden wherever a
 * value is echoed back (configuration problems, logs).
 */
const SHOWN_CHARACTERS = 40;

/**
 * `scheme://user:password@host`: the password is everything between the first ":" of the user
 * part and the last "@" before the path, so a password holding an unescaped "@" is hidden whole.
 * The user may be empty (`redis://:password@host`).
 */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s/]*)@/gi;

export function hideUrlPasswords(text: string, mask = '[redacted]'): string {
  return text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${mask}@`);
}

/** The value as a message shows it after "got": `"soon"`, `150`, `a list of 12`, `a mapping`. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    const safe = hideUrlPasswords(value);
    return JSON.stringify(safe.length > SHOWN_CHARACTERS ? `${safe.slice(0, SHOWN_CHARACTERS - 1)}…` : safe);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Date) return value.toISOString();
  return 'a mapping';
}
