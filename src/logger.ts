/**
 * pino root logger. Secrets never reach the output: known secret values (tokens, signing secret,
 * database password) and anything shaped like a Slack token or a credential inside a URL are
 * replaced by "[redacted]" in every string, whatever field or message it sits in.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { hideUrlPasswords } from './core/found-value.js';

export type { Logger } from 'pino';

/** Slack's bot, user, app-level and refresh tokens (rotating ones start "xoxe."). */
const TOKEN_SHAPES = [/\bxoxe\.xox[a-z]-[A-Za-z0-9-]+/g, /\bxox[abposre]-[A-Za-z0-9-]+/g, /\bxapp-[A-Za-z0-9-]+/g];

export function makeScrubber(secrets: readonly string[]): (text: string) => string {
  const known = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = hideUrlPasswords(text);
    for (const re of TOKEN_SHAPES) out = out.replace(re, '[redacted]');
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    return out;
  };
}

function scrubDeep(value: unknown, scrub: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than this, the rest is logged as scrubbed text: nothing escapes the scrub, and a cycle ends here.
  if (depth > 8) {
    try {
      return scrub(JSON.stringify(value));
    } catch {
      return '[unserialisable]';
    }
  }
  if (value instanceof Error) {
    const { code, cause } = value as { code?: unknown; cause?: unknown };
    return {
      type: value.name,
      message: scrub(value.message),
      stack: value.stack ? scrub(value.stack) : undefined,
      code,
      ...(cause !== undefined ? { cause: scrubDeep(cause, scrub, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, scrub, depth + 1);
  return out;
}

export function createLogger(options: { level: string; secrets: readonly string[]; destination?: DestinationStream }): Logger {
  const scrub = makeScrubber(options.secrets);
  return pino(
    {
      level: options.level,
      base: { app: 'firebreak' },
      // Field names that always hold secrets, whatever their value looks like.
      redact: {
        paths: ['token', 'botToken', 'appToken', 'signingSecret', 'password', '*.token', '*.password', '*.signingSecret', 'headers.authorization', '*.headers.authorization'],
        censor: '[redacted]',
      },
      formatters: { log: (obj) => scrubDeep(obj, scrub) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
