/**
 * Text PostgreSQL cannot hold. A JavaScript string may contain NUL, which `text` refuses (and
 * `jsonb` refuses as the escape \u0000, error 22P05), and lone UTF-16 surrogates, which are not
 * UTF-8 (pg would send them as U+FFFD anyway, while `jsonb` refuses their \udXXX escapes). Every
 * parameter of every query goes through here, on pg and PGlite alike, so no column can be
 * forgotten: such characters are stored as U+FFFD, the replacement character, and read back so.
 */
import type { Db } from './query-interface.js';

export const REPLACEMENT = '\uFFFD';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** A JSON escape of NUL or of a surrogate (possibly part of a valid pair: parsing tells). */
const JSON_ESCAPE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;
/** `$3::jsonb`, `$3 :: json`: the parameters sent as JSON text. */
const JSON_PARAM = /\$(\d+)\s*::\s*jsonb?\b/gi;

/** `text` with NUL and lone surrogates replaced by U+FFFD; anything else unchanged. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, REPLACEMENT);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** A parameter value (a string, an array for `ANY($1)`, what JSON.parse gives; Dates and Buffers pass) with every string, keys included, made storable. */
function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableValue(v)]));
  }
  return value;
}

/**
 * JSON text whose strings are storable. Only text holding one of the refused escapes is parsed
 * again; text that is not JSON is left for PostgreSQL to report.
 */
function storableJson(text: string): string {
  const plain = storableText(text);
  if (!JSON_ESCAPE.test(plain)) return plain;
  try {
    return JSON.stringify(storableValue(JSON.parse(plain)));
  } catch {
    return plain;
  }
}

/** The parameters of `sql` made storable; those it casts to json/jsonb are treated as JSON text. */
export function storableParams(sql: string, params: readonly unknown[]): unknown[] {
  const json = new Set<number>();
  for (const match of sql.matchAll(JSON_PARAM)) json.add(Number(match[1]) - 1);
  return params.map((p, i) => (typeof p === 'string' && json.has(i) ? storableJson(p) : storableValue(p)));
}

/** `db` with every query's parameters made storable, inside transactions and sessions too. */
export function withStorableParams(db: Db): Db {
  const wrapped: Db = {
    kind: db.kind,
    schema: db.schema,
    query: <T>(sql: string, params?: unknown[]) => db.query<T>(sql, params === undefined ? undefined : storableParams(sql, params)),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction((tx) => fn(withStorableParams(tx))),
    withSession: (fn) => db.withSession((session) => fn(withStorableParams(session))),
    close: () => db.close(),
  };
  return wrapped;
}
