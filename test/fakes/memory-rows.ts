/**
 * What the in-memory store does where the database would: validate inputs with the same messages
 * as the PostgreSQL store, keep JSON values as jsonb keeps them, and hand out copies, never its own
 * objects. How rows are kept and read is written apart from src/adapters/postgres, so the store
 * contract checks two implementations; what a caller may pass (the ports' input rules) is shared
 * with the database store from core (core/incident/change-schema.ts, core/runbook/run-record.ts).
 */
import { z } from 'zod';

/** Incident and request ids are uuids; anything else names nothing (as the database's uuid type). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// z.date() refuses an Invalid Date too, as the database refuses to store one.
export const date = z.date();

/**
 * Parses `input` or throws `<label><.path>: <message>`, the format of the PostgreSQL store's
 * messages ("updateIncident: invalid set.severity: …", "schedule.plan: invalid input.0.kind: …").
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, label: string, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new Error(`${label}${at}: ${issue?.message ?? 'invalid'}`);
}

/** What a jsonb column gives back: a JSON round trip (undefined dropped, Dates become ISO text). */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A deep copy (Dates stay Dates), so callers can never reach the store's own objects. */
export const copy = <T>(value: T): T => structuredClone(value);

/** An error shaped like the one PostgreSQL raises, with its SQLSTATE code. */
export const sqlError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** Byte order of UTF-8 text: PostgreSQL's COLLATE "C", the same on every machine. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Ascending order of dates, for sorts. */
export const byTime = (a: Date, b: Date): number => a.getTime() - b.getTime();
