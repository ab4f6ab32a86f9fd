/**
 * Configuration problems as people read them: the key, what was expected in words, and what was
 * found, shortened and never a secret. zod's and the YAML parser's own wording (types, regexes,
 * the line named twice) never reaches the person fixing the file.
 */
import { YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { shown } from './core/found-value.js';

/** Keys whose values are credentials: a problem with one says how long it is, never what it is. */
const SECRET_KEY = /password|secret|token|routingKey|^pagerduty$/i;

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of keys to values',
  record: 'a mapping of keys to values',
  array: 'a list',
};

const entries = (n: number) => (n === 1 ? 'one entry' : `${n} entries`);

/** Bounds in words: "at least 3", "above 0", "at most 100". */
function bound(issue: { origin?: string; inclusive?: boolean }, n: number, low: boolean): string {
  if (issue.origin === 'string') return low ? (n === 1 ? 'non-empty text' : `at least ${n} characters`) : `at most ${n} characters`;
  if (issue.origin === 'array' || issue.origin === 'set') return low ? `at least ${entries(n)}` : `at most ${entries(n)}`;
  if (low) return issue.inclusive ? `a number of ${n} or more` : `a number above ${n}`;
  return issue.inclusive ? `a number of ${n} or less` : `a number below ${n}`;
}

/**
 * Words for the checks no schema gave its own message; "got …" is added by describeIssue. Passed to
 * safeParse as the error map, so a schema's own message always wins.
 */
export function configErrorMap(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const words = TYPE_WORDS[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `required: ${words}` : `expected ${words}`;
    }
    case 'too_small':
      return `expected ${bound(issue, Number(issue.minimum), true)}`;
    case 'too_big':
      return `expected ${bound(issue, Number(issue.maximum), false)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'expected a URL' : `expected text in the ${issue.format} format`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'expected one of the forms firebreak.example.yml shows';
    default:
      return undefined;
  }
}

type Def = {
  type?: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
};
const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

/** The keys the schema accepts at `path`, or [] when there is no mapping there. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  let rest = [...path];
  for (let guard = 0; current && guard < 100; guard += 1) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe') current = defOf(def.in as z.ZodType).type === 'transform' ? def.out : def.in;
    else if (rest.length === 0) return def.shape ? Object.keys(def.shape) : [];
    else if (def.shape) current = def.shape[String(rest.shift())];
    else if (def.element || def.valueType) {
      rest.shift();
      current = def.element ?? def.valueType;
    } else return [];
  }
  return [];
}

/** Edits (insertions, deletions, substitutions) between two short words. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}

function closest(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  return known.find((c) => c.toLowerCase() === k) ?? known.find((c) => c.toLowerCase().startsWith(k) && k.length >= 4) ?? known.find((c) => distance(c.toLowerCase(), k) <= 2);
}

function unknownKeys(keys: readonly string[], known: readonly string[]): string {
  const named = `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
  const guess = keys.length === 1 ? closest(keys[0] as string, known) : undefined;
  if (guess) return `${named}: did you mean "${guess}"?`;
  if (known.length) return `${named}; the keys here are ${known.join(', ')} (firebreak.example.yml documents each)`;
  return `${named} (see firebreak.example.yml for the keys there are)`;
}

function found(issue: z.core.$ZodIssue, input: unknown): string {
  const last = issue.path.at(-1);
  if (typeof input === 'string' && typeof last === 'string' && SECRET_KEY.test(last)) return `a value of ${input.length} characters (not shown: it is a secret)`;
  if (typeof input === 'string' && (issue.code === 'too_big' || issue.code === 'too_small')) return `${shown(input)} (${input.length} characters)`;
  return shown(input);
}

/**
 * One line per issue: `key.path: expected …, got …`. `root` names the top level (the file).
 * Custom issues carry their own "got"; the others get the value the issue reports.
 */
export function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, root: string): string {
  const where = issue.path.map(String).join('.') || root;
  if (issue.code === 'unrecognized_keys') return `${where}: ${unknownKeys(issue.keys, keysAt(schema, issue.path))}`;
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    return `${root}: expected sections like "incidents:" at the top level, got ${shown(issue.input)}`;
  }
  const input = (issue as { input?: unknown }).input;
  const withValue = issue.code !== 'custom' && input !== undefined && !/\bgot\b/.test(issue.message);
  return `${where}: ${issue.message}${withValue ? `, got ${found(issue, input)}` : ''}`;
}

/** A YAML syntax error, located once, with the line as written. */
export function yamlProblem(file: string, source: string, err: unknown): string {
  if (!(err instanceof YAMLParseError) || !err.linePos) return `${file}: not valid YAML: ${String((err as Error).message).split('\n')[0]}`;
  const { line, col } = err.linePos[0];
  const reason = err.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').replace(/\s+/g, ' ').trim();
  const lines = source.split(/\r?\n/);
  const text = lines[line - 1];
  const atEnd = text === undefined || (text.trim() === '' && line >= lines.length);
  const reads = atEnd ? 'the file ends there' : text.trim() === '' ? 'the line is empty' : `the line reads ${shown(text.trim())}`;
  return `${file}: not valid YAML at line ${line}, column ${col}: ${reason}; ${reads}`;
}

const READ_ERRORS: Record<string, string> = {
  EISDIR: 'it is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'it does not exist',
};

/** A configuration file that exists but cannot be read. */
export function readProblem(file: string, err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const why = typeof code === 'string' ? (READ_ERRORS[code] ?? code) : String((err as Error).message);
  return `${file}: cannot be read: ${why}`;
}
