/**
 * The rules a runbook must follow beyond its shape, each a named check with its own message:
 * step ids, conditions on earlier checks, declared params and their defaults, SQL that takes
 * `$1…` and no placeholders, actions of the remediation catalogue with the arguments they take,
 * targets of the right kind (and, at start-up, configured), thresholds that grade the right way.
 * Pure: what it needs of the rest of Firebreak comes in the `world`. Every problem of every
 * runbook is returned, each with the file, the line of the field and the field.
 */
import { parseDuration } from '../duration.js';
import { compilePattern, paramValueProblem, placeholdersIn, TARGET_NAME } from './params.js';
import { didYouMean } from './suggest.js';
import type { Runbook, RunbookParam, Step } from './model.js';

export interface RunbookProblem {
  /** The file, relative to the runbooks directory ("redis-down.md"). */
  file: string;
  /** 1-based line in the file. */
  line: number;
  /** The field at fault ("action", "when.step", "params.db.kind"), or what part of the file ("front matter"). */
  field: string;
  message: string;
}

/** `runbooks/redis-down.md:42: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)` */
export function formatProblem(problem: RunbookProblem, dir = 'runbooks'): string {
  return `${dir ? `${dir}/` : ''}${problem.file}:${problem.line}: ${problem.field}: ${problem.message}`;
}

/**
 * Where each field was written: 1-based lines by path. Front matter paths are dotted
 * ("params.db.default"); a step's are prefixed by the line of its opening fence ("step:42.args.0").
 */
export type SourceLines = ReadonlyMap<string, number>;

/** The key of a step's field in SourceLines. */
export const stepPath = (fenceLine: number, field = ''): string => `step:${fenceLine}${field ? `.${field}` : ''}`;

/** The line of `path`, else of its nearest parent that was written, else `fallback`. */
export function lineAt(lines: SourceLines | undefined, path: string, fallback: number): number {
  if (!lines) return fallback;
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const line = lines.get(p);
    if (line !== undefined) return line;
  }
  return fallback;
}

/** A runbook as read from its file, with where its fields are. */
export interface SourcedRunbook {
  runbook: Runbook;
  lines?: SourceLines;
  /** Ids of steps whose block was refused by the parser (already reported): conditions on them are not reported again. */
  brokenStepIds?: readonly string[];
}

/** What the rules need to know of the rest of Firebreak. */
export interface RunbookWorld {
  /** The remediation catalogue: action id → its usage ("<ns>/<deployment> <replicas>") and the kind of target it acts on. */
  actions: ReadonlyMap<string, { readonly usage: string; readonly targetKind: string }>;
  /** The `/diag` words Firebreak answers. */
  diagWords: readonly string[];
  /** The communication templates there are ("update", …). */
  templateKinds: readonly string[];
  /** The configured target names by kind (postgres, redis, kubernetes, http, prometheus): given at start-up, so literal names are checked. */
  targets?: Readonly<Record<string, readonly string[]>>;
}

/** The kind of target each diagnostic reads. */
export const DIAG_TARGET_KIND: Readonly<Record<string, string>> = { db: 'postgres', redis: 'redis', k8s: 'kubernetes', logs: 'kubernetes', http: 'http', prom: 'prometheus', host: 'hosts', docker: 'docker', queue: 'rabbitmq' };
const CUSTOM_TARGET_KIND: Readonly<Record<string, string>> = { sql: 'postgres', promql: 'prometheus', http: 'http' };

/** Every problem of every runbook, in file order then line order. */
export function validate(runbooks: readonly SourcedRunbook[], world: RunbookWorld): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const owners = new Map<string, { file: string; line: number }>();
  for (const sourced of runbooks) {
    const { runbook, lines } = sourced;
    const found = validateOne(sourced, world);
    const idLine = lineAt(lines, 'id', 1);
    const owner = owners.get(runbook.id);
    if (owner) found.push({ file: runbook.file, line: idLine, field: 'id', message: `runbook id "${runbook.id}" is already the id of ${owner.file} (line ${owner.line}): each runbook needs its own` });
    else owners.set(runbook.id, { file: runbook.file, line: idLine });
    problems.push(...found.sort((a, b) => a.line - b.line));
  }
  return problems;
}

/** One runbook's problems, the rules that need no other runbook. */
function validateOne({ runbook, lines, brokenStepIds = [] }: SourcedRunbook, world: RunbookWorld): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const at = (path: string, fallback: number) => lineAt(lines, path, fallback);
  const add = (line: number, field: string, message: string) => problems.push({ file: runbook.file, line, field, message });

  for (const [name, param] of Object.entries(runbook.params)) paramRules(name, param, world, (field, message) => add(at(`params.${name}.${field}`, at('params', 1)), `params.${name}.${field}`, message));

  const earlier = new Map<string, Step>();
  for (const step of runbook.steps) {
    const stepAdd = (field: string, message: string) => add(at(stepPath(step.line, field), step.line), field, message);
    const first = earlier.get(step.id);
    if (first) stepAdd('id', `step id "${step.id}" is already used by the step at line ${first.line}: each step needs its own`);
    if (step.when) whenRule(step, runbook, earlier, brokenStepIds, stepAdd);
    for (const [field, text] of stringsOf(step)) placeholderRules(field, text, runbook.params, stepAdd);
    switch (step.kind) {
      case 'check':
        checkRules(step, runbook, world, stepAdd);
        break;
      case 'action':
        actionRules(step, runbook, world, stepAdd);
        break;
      case 'notify':
        if (!world.templateKinds.includes(step.template)) stepAdd('template', `there is no communication template "${step.template}"${didYouMean(step.template, world.templateKinds)}`);
        break;
      case 'manual':
        break;
    }
    if (!first) earlier.set(step.id, step);
  }
  return problems;
}

type Add = (field: string, message: string) => void;

function paramRules(name: string, param: RunbookParam, world: RunbookWorld, add: Add): void {
  if (param.type === 'target' && !param.kind) add('kind', 'a target param says which kind of target it names: kind: postgres, redis, kubernetes, http, prometheus, docker or hosts');
  if (param.type !== 'target' && param.kind) add('kind', `only a target param has a kind (this one is of type ${param.type})`);
  if (param.type !== 'integer' && (param.min !== undefined || param.max !== undefined)) add(param.min !== undefined ? 'min' : 'max', `min and max bound integer params only (this one is of type ${param.type})`);
  if (param.min !== undefined && param.max !== undefined && param.min > param.max) add('min', `min (${param.min}) is above max (${param.max}): no value could be given`);
  if (param.pattern !== undefined) {
    if (param.type !== 'string') add('pattern', `a pattern applies to string params only (this one is of type ${param.type})`);
    else if (!compilePattern(param.pattern)) add('pattern', `${JSON.stringify(param.pattern)} is not a valid regular expression`);
  }
  if (param.required && param.default !== undefined) add('required', 'a required param has no default: drop one or the other');
  if (param.default === undefined) return;
  const value = String(param.default);
  if (param.type === 'integer' && typeof param.default !== 'number') return add('default', `expected a whole number, got ${JSON.stringify(value)} (write it without quotes)`);
  // A pattern that does not compile is reported once, above.
  if (param.type === 'string' && param.pattern !== undefined && !compilePattern(param.pattern)) return;
  const problem = paramValueProblem(param, value);
  if (problem) return add('default', `the default does not suit the param: ${problem}`);
  const unknown = param.type === 'target' && param.kind ? unknownTarget(param.kind, value, world) : undefined;
  if (unknown) add('default', unknown);
}

function whenRule(step: Step, runbook: Runbook, earlier: ReadonlyMap<string, Step>, broken: readonly string[], add: Add): void {
  const { step: id } = step.when as NonNullable<Step['when']>;
  if (broken.includes(id)) return;
  const before = earlier.get(id);
  if (before) {
    if (before.kind !== 'check') add('when.step', `"${id}" is a ${before.kind} step: a condition looks at the outcome of an earlier check`);
    return;
  }
  if (id === step.id) return add('when.step', `a step cannot depend on itself: name an earlier check`);
  const later = runbook.steps.find((s) => s.id === id);
  if (later) return add('when.step', `"${id}" comes after this step (line ${later.line}): a condition looks at an earlier check`);
  const checks = [...earlier.values()].filter((s) => s.kind === 'check').map((s) => s.id);
  const known = checks.length ? `; the earlier checks are ${checks.join(', ')}` : '; there is no check before this step';
  add('when.step', `no step "${id}" before this one${didYouMean(id, checks)}${known}`);
}

/** Every string of a step's body that may hold placeholders, by field path (SQL text included: it is checked for them). */
function stringsOf(step: Step): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') out.push([path, value]);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}.${i}`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  switch (step.kind) {
    case 'check':
      walk(step.check.spec, '');
      break;
    case 'action':
      walk({ args: step.args, target: step.target }, '');
      break;
    case 'manual':
      walk({ instruction: step.instruction, command: step.command }, '');
      break;
    case 'notify':
      walk({ fields: step.fields }, '');
      break;
  }
  return out;
}

function placeholderRules(field: string, text: string, params: Runbook['params'], add: Add): void {
  if (field === 'sql') {
    // Whatever is between the braces: SQL never has them, so they can only be a mistaken placeholder.
    const written = [...text.matchAll(/\{\{[^{}]*\}\}/g)].map((m) => m[0].replace(/\s+/g, ''));
    if (written.length) add('sql', `SQL takes no {{placeholders}}: write $1, $2… in the SQL and put ${[...new Set(written)].map((w) => `"${w.slice(0, 40)}"`).join(', ')} in args`);
    return;
  }
  if (/\{\{(?![^{}]*\}\})/.test(text)) add(field, 'a "{{" is not closed: a placeholder is written {{name}}');
  const declared = Object.keys(params);
  for (const name of new Set(placeholdersIn(text))) {
    if (!Object.hasOwn(params, name)) add(field, `unknown param "{{${name}}}"${didYouMean(name, declared)}: declare it under params in the front matter`);
  }
}

/** The target names configured for `kind`, when they are known and there is at least one. */
function configured(kind: string, world: RunbookWorld): readonly string[] | undefined {
  const list = world.targets?.[kind];
  return list && list.length ? list : undefined;
}

function unknownTarget(kind: string, name: string, world: RunbookWorld): string | undefined {
  const list = configured(kind, world);
  if (!list || list.includes(name)) return undefined;
  return `there is no ${kind} target "${name}"${didYouMean(name, list)}; configured: ${list.join(', ')}`;
}

/** The target field against the kind the step needs: a `{{param}}` of type target must be of that kind; a name written out must be configured. */
function targetRule(target: string | undefined, kind: string, needs: string, params: Runbook['params'], world: RunbookWorld, add: Add): void {
  if (target === undefined) return;
  const only = /^\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}$/.exec(target.trim());
  if (only) {
    const param = params[only[1] as string];
    if (param?.type === 'target' && param.kind && param.kind !== kind) add('target', `${needs} a ${kind} target, but {{${only[1]}}} is a ${param.kind} target param`);
    return;
  }
  if (placeholdersIn(target).length) return;
  if (!TARGET_NAME.test(target)) return add('target', `${JSON.stringify(target.slice(0, 70))} is not a target name (letters, digits, "-", "_", ".")`);
  const unknown = unknownTarget(kind, target, world);
  if (unknown) add('target', unknown);
}

type CheckStep = Extract<Step, { kind: 'check' }>;
type ActionStep = Extract<Step, { kind: 'action' }>;

function checkRules(step: CheckStep, runbook: Runbook, world: RunbookWorld, add: Add): void {
  const { check } = step;
  if (check.type === 'diag') {
    const { spec } = check;
    if (!world.diagWords.includes(spec.diag)) add('diag', `Firebreak has no diagnostic "${spec.diag}"${didYouMean(spec.diag, world.diagWords)}`);
    const podsOrLogs = spec.diag === 'k8s' || spec.diag === 'logs';
    if (spec.namespace !== undefined && !podsOrLogs) add('namespace', `a ${spec.diag} check takes no namespace (only k8s and logs do)`);
    if (spec.deployment !== undefined && !podsOrLogs) add('deployment', `a ${spec.diag} check takes no deployment (only k8s and logs do)`);
    if (spec.container !== undefined && spec.diag !== 'docker') add('container', `a ${spec.diag} check takes no container (only docker does)`);
    if (spec.since !== undefined) {
      if (spec.diag !== 'logs') add('since', `a ${spec.diag} check takes no since (only logs does: how far back to read)`);
      else if (!placeholdersIn(spec.since).length && parseDuration(spec.since) === null) add('since', `expected how far back, like "5m" or "1h", got ${JSON.stringify(spec.since.slice(0, 40))}`);
    }
    if (spec.diag === 'logs' && spec.deployment === undefined) add('diag', 'a logs check names the deployment whose pods it reads: add deployment');
    const kind = DIAG_TARGET_KIND[spec.diag];
    if (kind) targetRule(spec.target, kind, `a ${spec.diag} check reads`, runbook.params, world, add);
    return;
  }
  targetRule(check.spec.target, CUSTOM_TARGET_KIND[check.type] as string, `a ${check.type} check reads`, runbook.params, world, add);
  if (check.type === 'sql') sqlRules(check.spec.sql, check.spec.args, add);
  if (check.type === 'sql' || check.type === 'promql') {
    const { warn, critical, lowerIsWorse } = check.spec;
    // Equal thresholds are allowed: no warning band, anything past them is critical.
    if (!lowerIsWorse && warn > critical) add('warn', `higher values are worse here, so warn (${warn}) must not be above critical (${critical}); set lowerIsWorse: true if lower values are worse`);
    if (lowerIsWorse && warn < critical) add('warn', `with lowerIsWorse: true, warn (${warn}) must not be below critical (${critical})`);
  }
  if (check.type === 'http') {
    const { warnMs, criticalMs } = check.spec;
    if (warnMs !== undefined && criticalMs !== undefined && warnMs > criticalMs) add('warnMs', `warnMs (${warnMs}) must not be above criticalMs (${criticalMs}): a slower answer is worse`);
  }
}

/** The SQL with its quoted strings, quoted names and comments blanked: `$1` inside them is text, not a parameter. */
function sqlCode(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
}

function sqlRules(sql: string, args: readonly string[], add: Add): void {
  const used = new Set<number>();
  for (const m of sqlCode(sql).matchAll(/\$(\d+)(?![\w$])/g)) used.add(Number(m[1]));
  for (const n of [...used].sort((a, b) => a - b)) {
    if (n === 0) add('sql', '$0 is not a parameter: they are numbered from $1');
    else if (n > args.length) add('sql', `$${n} has no value: args has ${args.length === 0 ? 'none' : args.length === 1 ? 'one' : args.length} (the nth arg is $n)`);
  }
  args.forEach((_, i) => {
    if (!used.has(i + 1)) add(`args.${i}`, `args[${i}] is not used: the SQL has no $${i + 1}`);
  });
}

/** Required and optional arguments of an action's usage: "<ns>/<deployment> [revision]" → 1 to 2. */
function usageCounts(usage: string): { least: number; most: number } {
  const words = usage.trim().split(/\s+/).filter(Boolean);
  const optional = words.filter((w) => w.startsWith('[')).length;
  return { least: words.length - optional, most: words.length };
}

function actionRules(step: ActionStep, runbook: Runbook, world: RunbookWorld, add: Add): void {
  const action = world.actions.get(step.action);
  if (!action) {
    const known = [...world.actions.keys()];
    const guess = didYouMean(step.action, known);
    return add('action', `unknown action "${step.action}"${guess || (known.length ? `; the actions are ${known.join(', ')}` : '')}`);
  }
  const { least, most } = usageCounts(action.usage);
  const n = step.args.length;
  if (n < least || n > most) {
    const takes = least === most ? `${least} arg${least === 1 ? '' : 's'}` : `${least} to ${most} args`;
    add('args', `${step.action} takes ${action.usage ? `${action.usage}: ` : ''}${takes}, got ${n}`);
  }
  targetRule(step.target, action.targetKind, `${step.action} acts on`, runbook.params, world, add);
}
