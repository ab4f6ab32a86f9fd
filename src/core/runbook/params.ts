/**
 * A runbook's params at run time: `param=value` words read from a command, checked against what
 * the runbook declares (types, bounds, patterns), defaults filled in, and the `{{name}}`
 * placeholders of its steps replaced by the values. SQL text is never filled: it takes `$1…`,
 * bound from `args`.
 */
import { didYouMean } from './suggest.js';
import { ID_PATTERN, type Runbook, type RunbookParam, type Step } from './model.js';

/**
 * `{{name}}`, spaces inside the braces allowed. Braces around anything but a name are not a
 * placeholder and stay as written: a command shown to people may hold a Go template
 * (`docker inspect -f '{{.State.Status}}'`).
 */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** The names of the placeholders in `text`, in order, repeats included. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** How commands pick a target (as the configuration's target names): short, no spaces. */
export const TARGET_NAME = /^[A-Za-z0-9_.-]{1,63}$/;

/** The longest value a string param takes: values end up in targets, paths and queries. */
export const LONGEST_VALUE = 200;

const INTEGER = /^-?\d{1,15}$/;
// Control characters (newlines, escapes) have no business in a value pasted into a step.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `value` does not suit `param`, or undefined when it does. Shared with the runbook checks (defaults). */
export function paramValueProblem(param: RunbookParam, value: string): string | undefined {
  if (param.type === 'integer') {
    if (!INTEGER.test(value)) return `expected a whole number, got ${JSON.stringify(value)}`;
    const n = Number(value);
    if (param.min !== undefined && n < param.min) return `expected ${param.min} or more, got ${value}`;
    if (param.max !== undefined && n > param.max) return `expected ${param.max} or less, got ${value}`;
    return undefined;
  }
  if (param.type === 'target') {
    const kind = param.kind ? `${param.kind} ` : '';
    return TARGET_NAME.test(value) ? undefined : `expected the name of a configured ${kind}target (letters, digits, "-", "_", "."), got ${JSON.stringify(value.slice(0, 70))}`;
  }
  if (value.length > LONGEST_VALUE) return `expected at most ${LONGEST_VALUE} characters, got ${value.length}`;
  if (CONTROL.test(value)) return 'expected text on one line, without control characters';
  if (param.pattern !== undefined) {
    const pattern = compilePattern(param.pattern);
    if (!pattern) return `its pattern ${JSON.stringify(param.pattern)} is not a valid regular expression`;
    if (!pattern.test(value)) return `expected a value matching ${param.pattern}, got ${JSON.stringify(value.slice(0, 70))}`;
  }
  return undefined;
}

/** The param's pattern, anchored to the whole value, or undefined when it is not a regular expression. */
export function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

export type BoundParams = { ok: true; values: Record<string, string> } | { ok: false; message: string };

/**
 * The value of every declared param: given, else its default. A `target` param neither given nor
 * defaulted is '' (the first configured target of its kind), unless it is `required`. Refuses names the runbook does not
 * declare, values of the wrong type, and required params left out (all named at once).
 */
export function bindParams(runbook: Pick<Runbook, 'id' | 'params'>, given: Readonly<Record<string, string>>): BoundParams {
  const declared = Object.keys(runbook.params);
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(runbook.params, name)) {
      const takes = declared.length ? `it takes ${declared.join(', ')}` : 'it takes no params';
      problems.push(`${runbook.id} has no param "${name.slice(0, 70)}"${didYouMean(name, declared)}: ${takes}`);
    }
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, param] of Object.entries(runbook.params)) {
    const value = Object.hasOwn(given, name) ? given[name] : param.default === undefined ? undefined : String(param.default);
    if (value === undefined) {
      if (param.type === 'target' && !param.required) values[name] = '';
      else missing.push(name);
      continue;
    }
    const problem = paramValueProblem(param, value);
    if (problem) problems.push(`${name}: ${problem}`);
    else values[name] = value;
  }
  if (missing.length) {
    const example = missing.map((n) => `${n}=<${runbook.params[n]?.type === 'integer' ? 'number' : 'value'}>`).join(' ');
    problems.push(`${runbook.id} needs ${missing.join(', ')}: add ${example}`);
  }
  return problems.length ? { ok: false, message: problems.join('; ') } : { ok: true, values };
}

export type ParsedParamArgs = { ok: true; given: Record<string, string> } | { ok: false; message: string };

/** `minutes=10 db=main` as typed after the runbook's id. A value may be quoted; it may hold "=". */
export function parseParamArgs(words: readonly string[]): ParsedParamArgs {
  const given: Record<string, string> = {};
  for (const word of words) {
    if (word === '') continue;
    const at = word.indexOf('=');
    const shownWord = JSON.stringify(word.length > 60 ? `${word.slice(0, 59)}…` : word);
    if (at < 0) return { ok: false, message: `expected param=value, got ${shownWord} (for example minutes=10)` };
    const name = word.slice(0, at).trim();
    const value = unquote(word.slice(at + 1).trim());
    if (!name) return { ok: false, message: `${shownWord} names no param: write param=value (for example minutes=10)` };
    if (!ID_PATTERN.test(name)) return { ok: false, message: `${JSON.stringify(name.slice(0, 60))} is not a param name: names are lower-case letters, digits, "-" and "_"` };
    if (value === '') return { ok: false, message: `${name}= has no value: write ${name}=<value>, or leave it out to take its default` };
    if (Object.hasOwn(given, name)) return { ok: false, message: `${name} is given twice: give each param once` };
    given[name] = value;
  }
  return { ok: true, given };
}

function unquote(value: string): string {
  const pairs: Array<[string, string]> = [['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’']];
  for (const [open, close] of pairs) {
    if (value.length >= 2 && value.startsWith(open) && value.endsWith(close)) return value.slice(open.length, -close.length);
  }
  return value;
}

/** `text` with each `{{name}}` replaced by its value; a name without a value is left as written. */
export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? (values[name] as string) : whole));
}

/** Every string inside `value` filled (keys of mappings are left alone). */
function fillDeep<T>(value: T, values: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') return fill(value, values) as T;
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, values)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, values)])) as T;
  return value;
}

/**
 * The step with the params' values in every string of its body: targets, args, paths, PromQL,
 * headers, body, meaning, instruction, fields. The SQL text is untouched (its `args` are filled);
 * the id, title and explanation are kept as written.
 */
export function fillStep(step: Step, values: Readonly<Record<string, string>>): Step {
  switch (step.kind) {
    case 'check': {
      const { check } = step;
      if (check.type === 'sql') {
        const { sql, ...rest } = check.spec;
        return { ...step, check: { type: 'sql', spec: { ...fillDeep(rest, values), sql } } };
      }
      return { ...step, check: fillDeep(check, values) };
    }
    case 'action':
      return { ...step, action: step.action, args: fillDeep(step.args, values), ...(step.target === undefined ? {} : { target: fill(step.target, values) }) };
    case 'manual':
      return { ...step, instruction: fill(step.instruction, values), ...(step.command === undefined ? {} : { command: fill(step.command, values) }) };
    case 'notify':
      return { ...step, fields: fillDeep(step.fields, values) };
  }
}
