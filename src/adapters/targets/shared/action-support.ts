/** What every remediation action module shares: errors for people, stored guards, argument schemas. */
import { z } from 'zod';
import { FirebreakError } from '../../../core/errors.js';

/** A failure whose message is meant for people as it is. */
export class ActionError extends FirebreakError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ACTION_FAILED', message, options);
    this.name = 'ActionError';
  }
}

/** Reads a stored guard; an unusable one (edited, from another version) is an ActionError. */
export function readGuard<S extends z.ZodType>(schema: S, guard: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(guard);
  if (!parsed.success) throw new ActionError('the stored preview is not usable (preview the action again)');
  return parsed.data;
}

/**
 * What execute saw, for verify (which receives no guard): kept in this process for an hour. A
 * verify run by another process falls back to a check that needs no memory.
 */
const memo = new Map<string, { at: number; value: unknown }>();
export function remember(key: string, value: unknown): void {
  const now = Date.now();
  for (const [k, v] of memo) if (now - v.at > 3_600_000) memo.delete(k);
  memo.set(key, { at: now, value });
}
export function recall<T>(key: string): T | undefined {
  return memo.get(key)?.value as T | undefined;
}

/** A positional-arguments schema whose `parse` returns the params or the message for people. */
export function positional<P>(usage: string, min: number, max: number, parse: (args: string[]) => P | string): z.ZodType<P, string[]> {
  return z.array(z.string()).transform((args, ctx) => {
    const trimmed = args.map((a) => a.trim()).filter((a) => a !== '');
    const result = trimmed.length < min || trimmed.length > max ? `usage: ${usage}` : parse(trimmed);
    if (typeof result === 'string') {
      ctx.issues.push({ code: 'custom', message: result, input: args });
      return z.NEVER;
    }
    return result;
  });
}
