/**
 * The named rules of core/runbook/validate.ts, each with its exact message and the line of the
 * field at fault, on runbooks read by the real parser and checked against the real remediation
 * catalogue.
 */
import { describe, expect, it } from 'vitest';
import { parseRunbookMarkdown } from '../../src/adapters/runbooks/parse-markdown.js';
import { runbookWorld } from '../../src/adapters/runbooks/load-runbooks.js';
import { targetsSchema } from '../../src/adapters/targets/registry.js';
import { formatProblem, lineAt, stepPath, validate, type RunbookWorld, type SourcedRunbook } from '../../src/core/runbook/validate.js';

/** Every action there is, no targets known (what `npm run runbooks:check` uses). */
const CATALOGUE: RunbookWorld = runbookWorld({ targets: targetsSchema.parse({}), remediation: { maxReplicas: 20 } }, { checkTargets: false });
/** As at start-up: the configured targets are known. */
const CONFIGURED: RunbookWorld = { ...CATALOGUE, targets: { postgres: ['main', 'replica'], redis: ['cache'], kubernetes: ['prod'], http: ['api'], prometheus: [] } };

const PARAMS = [
  'params:',
  '  db: { type: target, kind: postgres, description: The database }',
  '  cache: { type: target, kind: redis, description: The cache }',
  '  cluster: { type: target, kind: kubernetes, description: The cluster }',
  '  days: { type: integer, default: 30, description: Days late }',
  '  namespace: { type: string, default: shop, description: The namespace }',
];
/** Front matter of 11 lines (its params on lines 5-10): the body starts on line 12. */
const FRONT = ['---', 'id: sample', 'title: A sample', 'severity: P2', ...PARAMS, '---'];

function read(file: string, text: string): SourcedRunbook {
  const parsed = parseRunbookMarkdown(file, text);
  if (parsed.problems.length || !parsed.runbook) throw new Error(`the test runbook does not parse:\n${parsed.problems.map((p) => formatProblem(p)).join('\n')}`);
  return { runbook: parsed.runbook, lines: parsed.lines, brokenStepIds: parsed.brokenStepIds };
}

/** The problems of a runbook whose body (from line 12) is `body`. */
const problems = (body: string[], world: RunbookWorld = CATALOGUE) => validate([read('sample.md', [...FRONT, ...body].join('\n'))], world).map((p) => formatProblem(p));
/** The problems of a runbook whose front matter holds `front` (from line 2) and whose body is one manual step. */
const paramProblems = (front: string[], world: RunbookWorld = CATALOGUE) =>
  validate([read('sample.md', ['---', ...front, '---', '```firebreak manual', 'id: one', 'instruction: x', '```'].join('\n'))], world).map((p) => formatProblem(p));

const manual = (id: string, ...more: string[]) => ['```firebreak manual', `id: ${id}`, ...more, 'instruction: Do it.', '```'];
const dbCheck = (id: string) => ['```firebreak check', `id: ${id}`, 'diag: db', 'target: "{{db}}"', '```'];

describe('a valid runbook', () => {
  it('has no problems, against the catalogue and against configured targets', () => {
    const body = [...dbCheck('activity'), '```firebreak action', 'id: end', 'when: { step: activity, status: critical }', 'action: pg.terminate-long', 'args: ["{{days}}"]', 'target: "{{db}}"', '```'];
    expect(problems(body)).toEqual([]);
    expect(problems(body, CONFIGURED)).toEqual([]);
  });
});

describe('step ids', () => {
  it('are unique in a runbook', () => {
    expect(problems([...manual('one'), ...manual('two'), ...manual('one')])).toEqual(['runbooks/sample.md:21: id: step id "one" is already used by the step at line 12: each step needs its own']);
  });
});

describe('when.step', () => {
  it('names a step that exists, with a suggestion for a near miss', () => {
    expect(problems([...dbCheck('activity'), ...manual('two', 'when: { step: activty, status: critical }')])).toEqual([
      'runbooks/sample.md:19: when.step: no step "activty" before this one (did you mean "activity"?); the earlier checks are activity',
    ]);
    expect(problems(manual('two', 'when: { step: nothing, status: ok }'))).toEqual(['runbooks/sample.md:14: when.step: no step "nothing" before this one; there is no check before this step']);
  });

  it('names an earlier step, not a later one or itself', () => {
    expect(problems([...manual('first', 'when: { step: later, status: ok }'), ...dbCheck('later'), ...manual('self', 'when: { step: self, status: ok }')])).toEqual([
      'runbooks/sample.md:14: when.step: "later" comes after this step (line 17): a condition looks at an earlier check',
      'runbooks/sample.md:24: when.step: a step cannot depend on itself: name an earlier check',
    ]);
  });

  it('names a check: other steps have no status', () => {
    expect(problems([...manual('tick'), ...manual('next', 'when: { step: tick, status: ok }')])).toEqual([
      'runbooks/sample.md:18: when.step: "tick" is a manual step: a condition looks at the outcome of an earlier check',
    ]);
  });

  it('is not reported again when the step it names was refused by the parser', () => {
    const text = [...FRONT, '```firebreak check', 'id: broken', 'diag: nope', '```', ...manual('next', 'when: { step: broken, status: ok }')].join('\n');
    const parsed = parseRunbookMarkdown('sample.md', text);
    expect(parsed.problems.map((p) => formatProblem(p))).toEqual(['runbooks/sample.md:14: diag: expected a diagnostic of /diag: db, redis, k8s, http, prom, logs, host, docker, queue, got "nope"']);
    expect(parsed.brokenStepIds).toEqual(['broken']);
    expect(validate([{ runbook: parsed.runbook!, lines: parsed.lines, brokenStepIds: parsed.brokenStepIds }], CATALOGUE)).toEqual([]);
    // Without the parser's word, the same condition is a problem.
    expect(validate([{ runbook: parsed.runbook!, lines: parsed.lines }], CATALOGUE).map((p) => p.message)).toEqual(['no step "broken" before this one; there is no check before this step']);
  });
});

describe('placeholders', () => {
  it('name declared params, with a suggestion for a near miss', () => {
    expect(problems(['```firebreak manual', 'id: one', 'instruction: Look at {{namespce}} and {{nobody}}', 'command: kubectl get pods -n {{namespace}}', '```'])).toEqual([
      'runbooks/sample.md:14: instruction: unknown param "{{namespce}}" (did you mean "namespace"?): declare it under params in the front matter',
      'runbooks/sample.md:14: instruction: unknown param "{{nobody}}": declare it under params in the front matter',
    ]);
  });

  it('are checked in every string of a step: args, targets, paths, headers, fields', () => {
    expect(
      problems([
        '```firebreak check',
        'id: api',
        'target: "{{apii}}"',
        'http:',
        '  path: /v1/{{dayz}}',
        '  headers: { X-Tenant: "{{tenant}}" }',
        'meaning: m',
        '```',
        '```firebreak notify',
        'id: tell',
        'template: update',
        'fields: { progress: "{{progres}}" }',
        '```',
      ]),
    ).toEqual([
      'runbooks/sample.md:14: target: unknown param "{{apii}}": declare it under params in the front matter',
      'runbooks/sample.md:16: http.path: unknown param "{{dayz}}" (did you mean "days"?): declare it under params in the front matter',
      'runbooks/sample.md:17: http.headers.X-Tenant: unknown param "{{tenant}}": declare it under params in the front matter',
      'runbooks/sample.md:23: fields.progress: unknown param "{{progres}}": declare it under params in the front matter',
    ]);
  });

  it('an unclosed one is reported; braces around something else than a name (a Go template) are left alone', () => {
    expect(problems(['```firebreak manual', 'id: one', 'instruction: Look at {{namespace', "command: docker inspect -f '{{.State.Status}}' redis", '```'])).toEqual([
      'runbooks/sample.md:14: instruction: a "{{" is not closed: a placeholder is written {{name}}',
    ]);
  });
});

describe('SQL', () => {
  const sqlCheck = (sql: string, args: string) => ['```firebreak check', 'id: q', 'target: "{{db}}"', `sql: ${sql}`, `args: ${args}`, 'warn: 1', 'critical: 2', 'meaning: m', '```'];

  it('takes no placeholders: they go in args', () => {
    expect(problems(sqlCheck('"SELECT count(*) FROM t WHERE d > {{days}} AND n = {{ namespace }}"', '[]'))).toEqual([
      'runbooks/sample.md:15: sql: SQL takes no {{placeholders}}: write $1, $2… in the SQL and put "{{days}}", "{{namespace}}" in args',
    ]);
  });

  it('every $n has an arg, and every arg is used', () => {
    expect(problems(sqlCheck('SELECT $1, $3', '["{{days}}", "x", "y", "z"]'))).toEqual([
      'runbooks/sample.md:16: args.1: args[1] is not used: the SQL has no $2',
      'runbooks/sample.md:16: args.3: args[3] is not used: the SQL has no $4',
    ]);
    expect(problems(sqlCheck('SELECT $1 + $2', '["{{days}}"]'))).toEqual(['runbooks/sample.md:15: sql: $2 has no value: args has one (the nth arg is $n)']);
    expect(problems(sqlCheck('SELECT $0', '[]'))).toEqual(['runbooks/sample.md:15: sql: $0 is not a parameter: they are numbered from $1']);
  });

  it('a $1 inside a quoted string or a comment is text, not a parameter', () => {
    expect(problems(sqlCheck("\"SELECT '$1 is text', $1 -- and $2 here\"", '["{{days}}"]'))).toEqual([]);
  });
});

describe('actions', () => {
  const action = (name: string, args: string, target = '"{{cluster}}"') => ['```firebreak action', 'id: act', `action: ${name}`, `args: ${args}`, `target: ${target}`, '```'];

  it('exist in the catalogue, with a suggestion', () => {
    expect(problems(action('k8s.restrat', '["{{namespace}}/api"]'))).toEqual(['runbooks/sample.md:14: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)']);
    const [far] = problems(action('zz.zzzz', '[]'));
    expect(far).toMatch(/^runbooks\/sample\.md:14: action: unknown action "zz\.zzzz"; the actions are pg\.cancel, .*k8s\.rollout-restart/);
  });

  it('take the number of arguments of their usage', () => {
    expect(problems(action('k8s.scale', '["{{namespace}}/api"]'))).toEqual(['runbooks/sample.md:15: args: k8s.scale takes <ns>/<deployment> <replicas>: 2 args, got 1']);
    expect(problems(action('k8s.rollout-undo', '["a/b", "1", "2"]'))).toEqual(['runbooks/sample.md:15: args: k8s.rollout-undo takes <ns>/<deployment> [revision]: 1 to 2 args, got 3']);
    expect(problems(action('k8s.rollout-undo', '["a/b", "3"]'))).toEqual([]);
  });

  it('act on a target of their kind: a {{param}} target must be of that kind', () => {
    expect(problems(action('pg.terminate-long', '["{{days}}"]', '"{{cache}}"'))).toEqual(['runbooks/sample.md:16: target: pg.terminate-long acts on a postgres target, but {{cache}} is a redis target param']);
  });

  it('a target name written out must be configured (at start-up), with a suggestion', () => {
    const body = action('pg.terminate-long', '["5"]', 'mian');
    expect(problems(body)).toEqual([]);
    expect(problems(body, CONFIGURED)).toEqual(['runbooks/sample.md:16: target: there is no postgres target "mian" (did you mean "main"?); configured: main, replica']);
    expect(problems(action('pg.terminate-long', '["5"]', 'replica'), CONFIGURED)).toEqual([]);
    expect(problems(action('pg.terminate-long', '["5"]', '"not a name"'), CONFIGURED)).toEqual(['runbooks/sample.md:16: target: "not a name" is not a target name (letters, digits, "-", "_", ".")']);
  });
});

describe('checks', () => {
  it('read a target of their kind', () => {
    expect(problems(['```firebreak check', 'id: c', 'diag: db', 'target: "{{cache}}"', '```'])).toEqual(['runbooks/sample.md:15: target: a db check reads a postgres target, but {{cache}} is a redis target param']);
    expect(problems(['```firebreak check', 'id: c', 'promql: up', 'target: "{{db}}"', 'warn: 1', 'critical: 2', 'meaning: m', '```'])).toEqual([
      'runbooks/sample.md:15: target: a promql check reads a prometheus target, but {{db}} is a postgres target param',
    ]);
  });

  it('a kind with no target configured is not held against a runbook (the run says so)', () => {
    expect(problems(['```firebreak check', 'id: c', 'promql: up', 'target: prom', 'warn: 1', 'critical: 2', 'meaning: m', '```'], CONFIGURED)).toEqual([]);
  });

  it('a container for docker checks only', () => {
    expect(problems(['```firebreak check', 'id: a', 'diag: db', 'container: akig-db', '```', '```firebreak check', 'id: b', 'diag: docker', 'container: akig-db', '```'])).toEqual([
      'runbooks/sample.md:15: container: a db check takes no container (only docker does)',
    ]);
  });

  it('namespace and deployment for k8s and logs only, since for logs only, and logs name a deployment', () => {
    expect(problems(['```firebreak check', 'id: a', 'diag: db', 'namespace: shop', 'deployment: api', '```', '```firebreak check', 'id: b', 'diag: k8s', 'namespace: "{{namespace}}"', 'since: 5m', '```', '```firebreak check', 'id: c', 'diag: logs', 'since: soon', '```'])).toEqual([
      'runbooks/sample.md:15: namespace: a db check takes no namespace (only k8s and logs do)',
      'runbooks/sample.md:16: deployment: a db check takes no deployment (only k8s and logs do)',
      'runbooks/sample.md:22: since: a k8s check takes no since (only logs does: how far back to read)',
      'runbooks/sample.md:26: diag: a logs check names the deployment whose pods it reads: add deployment',
      'runbooks/sample.md:27: since: expected how far back, like "5m" or "1h", got "soon"',
    ]);
    expect(problems(['```firebreak check', 'id: c', 'diag: logs', 'namespace: "{{namespace}}"', 'deployment: api', 'since: 15m', '```'])).toEqual([]);
  });

  it('grade the right way: warn before critical', () => {
    const graded = (warn: number, critical: number, lower?: boolean) => ['```firebreak check', 'id: c', 'promql: up', `warn: ${warn}`, `critical: ${critical}`, ...(lower === undefined ? [] : [`lowerIsWorse: ${lower}`]), 'meaning: m', '```'];
    expect(problems(graded(50, 20))).toEqual(['runbooks/sample.md:15: warn: higher values are worse here, so warn (50) must not be above critical (20); set lowerIsWorse: true if lower values are worse']);
    expect(problems(graded(20, 50, true))).toEqual(['runbooks/sample.md:15: warn: with lowerIsWorse: true, warn (20) must not be below critical (50)']);
    expect(problems(graded(20, 50))).toEqual([]);
    expect(problems(graded(50, 20, true))).toEqual([]);
    // Equal thresholds: no warning band, anything past them is critical.
    expect(problems(graded(1, 1))).toEqual([]);
    expect(problems(['```firebreak check', 'id: h', 'http: { path: /health }', 'warnMs: 5000', 'criticalMs: 1000', 'meaning: m', '```'])).toEqual([
      'runbooks/sample.md:15: warnMs: warnMs (5000) must not be above criticalMs (1000): a slower answer is worse',
    ]);
  });
});

describe('params', () => {
  const front = (...params: string[]) => ['id: p', 'title: T', 'severity: P3', 'params:', ...params.map((p) => `  ${p}`)];

  it('a target param has a kind; only a target param has one', () => {
    expect(paramProblems(front('db: { type: target, description: d }', 'name: { kind: redis, description: d }'))).toEqual([
      'runbooks/sample.md:6: params.db.kind: a target param says which kind of target it names: kind: postgres, redis, kubernetes, http, prometheus, docker or hosts',
      'runbooks/sample.md:7: params.name.kind: only a target param has a kind (this one is of type string)',
    ]);
  });

  it('a required param has no default', () => {
    expect(paramProblems(front('db:', '  type: target', '  kind: postgres', '  required: true', '  default: main', '  description: d'))).toEqual([
      'runbooks/sample.md:9: params.db.required: a required param has no default: drop one or the other',
    ]);
  });

  it('min and max bound integers, min is not above max', () => {
    expect(paramProblems(front('n:', '  type: integer', '  min: 10', '  max: 5', '  description: d', 's: { min: 1, description: d }'))).toEqual([
      'runbooks/sample.md:8: params.n.min: min (10) is above max (5): no value could be given',
      'runbooks/sample.md:11: params.s.min: min and max bound integer params only (this one is of type string)',
    ]);
  });

  it('a pattern is a valid regular expression, on a string param', () => {
    expect(paramProblems(front('s: { pattern: "[a-z", description: d }', 'n: { type: integer, pattern: "\\\\d+", description: d }'))).toEqual([
      'runbooks/sample.md:6: params.s.pattern: "[a-z" is not a valid regular expression',
      'runbooks/sample.md:7: params.n.pattern: a pattern applies to string params only (this one is of type integer)',
    ]);
  });

  it('a default suits its own param', () => {
    expect(
      paramProblems(
        front(
          'low: { type: integer, min: 1, default: 0, description: d }',
          'high: { type: integer, max: 10, default: 11, description: d }',
          'quoted: { type: integer, default: "5", description: d }',
          'ns: { pattern: "[a-z-]+", default: Shop, description: d }',
          'db: { type: target, kind: postgres, default: "two words", description: d }',
        ),
      ),
    ).toEqual([
      'runbooks/sample.md:6: params.low.default: the default does not suit the param: expected 1 or more, got 0',
      'runbooks/sample.md:7: params.high.default: the default does not suit the param: expected 10 or less, got 11',
      'runbooks/sample.md:8: params.quoted.default: expected a whole number, got "5" (write it without quotes)',
      'runbooks/sample.md:9: params.ns.default: the default does not suit the param: expected a value matching [a-z-]+, got "Shop"',
      'runbooks/sample.md:10: params.db.default: the default does not suit the param: expected the name of a configured postgres target (letters, digits, "-", "_", "."), got "two words"',
    ]);
  });

  it("a target param's default is a configured target (at start-up), with a suggestion", () => {
    const defaulted = front('db: { type: target, kind: postgres, default: replika, description: d }');
    expect(paramProblems(defaulted)).toEqual([]);
    expect(paramProblems(defaulted, CONFIGURED)).toEqual(['runbooks/sample.md:6: params.db.default: there is no postgres target "replika" (did you mean "replica"?); configured: main, replica']);
  });
});

describe('notify steps', () => {
  it('name a communication template Firebreak has', () => {
    const body = ['```firebreak notify', 'id: tell', 'template: update', '```'];
    expect(problems(body)).toEqual([]);
    expect(problems(body, { ...CATALOGUE, templateKinds: ['initial'] })).toEqual(['runbooks/sample.md:14: template: there is no communication template "update"']);
  });
});

describe('across files', () => {
  const file = (name: string, id: string, ...body: string[]) => read(name, ['---', `id: ${id}`, 'title: T', 'severity: P3', '---', ...manual('one'), ...body].join('\n'));

  it('runbook ids are unique: the second file is named, and the first in the message', () => {
    const found = validate([file('a.md', 'same'), file('b.md', 'other'), file('c.md', 'same')], CATALOGUE).map((p) => formatProblem(p));
    expect(found).toEqual(['runbooks/c.md:2: id: runbook id "same" is already the id of a.md (line 2): each runbook needs its own']);
  });

  it('every problem of every file, in file then line order', () => {
    const found = validate(
      [file('a.md', 'a', ...manual('one'), '```firebreak action', 'id: x', 'action: k8s.restrat', '```'), file('b.md', 'b', ...manual('two', 'when: { step: one, status: ok }'))],
      CATALOGUE,
    ).map((p) => formatProblem(p));
    expect(found).toEqual([
      'runbooks/a.md:11: id: step id "one" is already used by the step at line 6: each step needs its own',
      'runbooks/a.md:16: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)',
      'runbooks/b.md:12: when.step: "one" is a manual step: a condition looks at the outcome of an earlier check',
    ]);
  });
});

describe('formatting and lines', () => {
  it('a problem reads file:line: field: message, under the directory shown', () => {
    const problem = { file: 'redis-down.md', line: 42, field: 'action', message: 'unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)' };
    expect(formatProblem(problem)).toBe('runbooks/redis-down.md:42: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)');
    expect(formatProblem(problem, 'ops/runbooks')).toBe('ops/runbooks/redis-down.md:42: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)');
  });

  it('a field not written takes the line of its nearest written parent', () => {
    const lines = new Map([['step:9', 9], ['step:9.http', 12]]);
    expect(lineAt(lines, 'step:9.http.expect.status', 1)).toBe(12);
    expect(lineAt(lines, 'step:9.args.0', 1)).toBe(9);
    expect(lineAt(lines, 'params.x', 3)).toBe(3);
    expect(lineAt(undefined, 'id', 4)).toBe(4);
  });
});

describe('formatting and lines, more', () => {
  it('with no directory, a problem starts with the file', () => {
    expect(formatProblem({ file: 'redis-down.md', line: 3, field: 'id', message: 'm' }, '')).toBe('redis-down.md:3: id: m');
  });

  it("a step's fields are keyed by the line of its fence", () => {
    expect(stepPath(42)).toBe('step:42');
    expect(stepPath(42, 'args.0')).toBe('step:42.args.0');
  });

  it('a path with no written parent takes the fallback', () => {
    const lines = new Map([['params', 5], ['step:9', 9]]);
    expect(lineAt(lines, 'params.db.kind', 1)).toBe(5);
    expect(lineAt(lines, 'id', 2)).toBe(2);
    expect(lineAt(lines, 'step:10.args', 7)).toBe(7);
  });

  it('a runbook read without its lines: step problems at the step, the others on line 1 (in the order found)', () => {
    const { runbook } = read('sample.md', [...FRONT, ...manual('one', 'when: { step: nope, status: ok }')].join('\n'));
    const bare: SourcedRunbook = { runbook: { ...runbook, params: { ...runbook.params, n: { type: 'integer', min: 3, max: 2, description: 'd' } } } };
    expect(validate([bare, bare], CATALOGUE).map((p) => formatProblem(p))).toEqual([
      'runbooks/sample.md:1: params.n.min: min (3) is above max (2): no value could be given',
      'runbooks/sample.md:12: when.step: no step "nope" before this one; there is no check before this step',
      'runbooks/sample.md:1: params.n.min: min (3) is above max (2): no value could be given',
      'runbooks/sample.md:1: id: runbook id "sample" is already the id of sample.md (line 1): each runbook needs its own',
      'runbooks/sample.md:12: when.step: no step "nope" before this one; there is no check before this step',
    ]);
  });
});

describe('across files, more', () => {
  const file = (name: string, id: string, ...body: string[]) => read(name, ['---', `id: ${id}`, 'title: T', 'severity: P3', '---', ...manual('one'), ...body].join('\n'));

  it('a runbook id taken twice before names the first file; the id problem takes its place by line', () => {
    const found = validate([file('a.md', 'same'), file('b.md', 'same'), file('c.md', 'same', ...manual('one'))], CATALOGUE).map((p) => formatProblem(p));
    expect(found).toEqual([
      'runbooks/b.md:2: id: runbook id "same" is already the id of a.md (line 2): each runbook needs its own',
      'runbooks/c.md:2: id: runbook id "same" is already the id of a.md (line 2): each runbook needs its own',
      'runbooks/c.md:11: id: step id "one" is already used by the step at line 6: each step needs its own',
    ]);
  });
});

describe('step ids, more', () => {
  it('a step id used a third time names the first; a condition on it looks at the first', () => {
    expect(problems([...dbCheck('one'), ...manual('one'), ...manual('one'), ...manual('next', 'when: { step: one, status: critical }')])).toEqual([
      'runbooks/sample.md:18: id: step id "one" is already used by the step at line 12: each step needs its own',
      'runbooks/sample.md:22: id: step id "one" is already used by the step at line 12: each step needs its own',
    ]);
  });
});

describe('when.step, more', () => {
  it('the earlier steps listed are the checks only, and the suggestion is one of them', () => {
    expect(problems([...dbCheck('alpha'), ...manual('tick'), ...dbCheck('beta'), ...manual('next', 'when: { step: tik, status: ok }')])).toEqual([
      'runbooks/sample.md:28: when.step: no step "tik" before this one; the earlier checks are alpha, beta',
    ]);
    expect(problems([...dbCheck('alpha'), ...manual('tick'), ...dbCheck('beta'), ...manual('next', 'when: { step: betta, status: ok }')])).toEqual([
      'runbooks/sample.md:28: when.step: no step "betta" before this one (did you mean "beta"?); the earlier checks are alpha, beta',
    ]);
  });

  it('a condition on an earlier check is no problem, whatever the steps between', () => {
    expect(problems([...dbCheck('alpha'), ...manual('tick'), ...manual('next', 'when: { step: alpha, status: [warning, critical] }')])).toEqual([]);
  });
});

describe('params, more', () => {
  const front = (...params: string[]) => ['id: p', 'title: T', 'severity: P3', 'params:', ...params.map((p) => `  ${p}`)];

  it('a max alone on a param that is not an integer is reported at max', () => {
    expect(paramProblems(front('s: { max: 9, description: d }', 't: { type: target, kind: redis, min: 1, max: 2, description: d }'))).toEqual([
      'runbooks/sample.md:6: params.s.max: min and max bound integer params only (this one is of type string)',
      'runbooks/sample.md:7: params.t.min: min and max bound integer params only (this one is of type target)',
    ]);
  });

  it('min equal to max, a pattern that compiles, a default that suits: no problem', () => {
    expect(
      paramProblems(
        front(
          'n: { type: integer, min: 5, max: 5, default: 5, description: d }',
          's: { pattern: "[a-z]+", default: shop, description: d }',
          'r: { type: target, kind: postgres, required: true, description: d }',
          'o: { type: target, kind: postgres, required: false, default: main, description: d }',
        ),
        CONFIGURED,
      ),
    ).toEqual([]);
  });

  it('a pattern that does not compile is reported once, not again for the default', () => {
    expect(paramProblems(front('s: { pattern: "[a-z", default: shop, description: d }'))).toEqual(['runbooks/sample.md:6: params.s.pattern: "[a-z" is not a valid regular expression']);
  });

  it('a quoted integer default is reported as such, not also against its bounds', () => {
    expect(paramProblems(front('n: { type: integer, min: 10, default: "5", description: d }'))).toEqual([
      'runbooks/sample.md:6: params.n.default: expected a whole number, got "5" (write it without quotes)',
    ]);
  });

  it('only a target param has its default looked up among the configured targets', () => {
    expect(paramProblems(front('s: { kind: postgres, default: mian, description: d }'), CONFIGURED)).toEqual([
      'runbooks/sample.md:6: params.s.kind: only a target param has a kind (this one is of type string)',
    ]);
  });

  it('a problem of a param field not written is shown on the line of the param', () => {
    expect(paramProblems(front('db:', '  type: target', '  description: d'))).toEqual([
      'runbooks/sample.md:6: params.db.kind: a target param says which kind of target it names: kind: postgres, redis, kubernetes, http, prometheus, docker or hosts',
    ]);
  });
});

describe('placeholders, more', () => {
  it('an unknown one written twice in a field is reported once; each field on its own', () => {
    expect(problems(['```firebreak manual', 'id: one', 'instruction: "{{nobody}} then {{ nobody }}"', 'command: echo {{nobody}} {{namespace}}', '```'])).toEqual([
      'runbooks/sample.md:14: instruction: unknown param "{{nobody}}": declare it under params in the front matter',
      'runbooks/sample.md:15: command: unknown param "{{nobody}}": declare it under params in the front matter',
    ]);
  });

  it("in an action's args and a SQL check's args, by index", () => {
    expect(
      problems([
        '```firebreak action',
        'id: act',
        'action: k8s.rollout-undo',
        'args: ["{{namespace}}/api", "{{revison}}"]',
        'target: "{{cluster}}"',
        '```',
        '```firebreak check',
        'id: q',
        'target: "{{db}}"',
        'sql: SELECT $1',
        'args: ["{{dayz}}"]',
        'warn: 1',
        'critical: 2',
        'meaning: m',
        '```',
      ]),
    ).toEqual([
      'runbooks/sample.md:15: args.1: unknown param "{{revison}}": declare it under params in the front matter',
      'runbooks/sample.md:22: args.0: unknown param "{{dayz}}" (did you mean "days"?): declare it under params in the front matter',
    ]);
  });

  it('in the JSON an http check expects, null and numbers among the values', () => {
    expect(problems(['```firebreak check', 'id: h', 'http:', '  path: /health', '  expect: { status: [200, 204], json: { maintenance: null, count: 3, region: "{{regoin}}" } }', 'meaning: m', '```'])).toEqual([
      'runbooks/sample.md:16: http.expect.json.region: unknown param "{{regoin}}": declare it under params in the front matter',
    ]);
  });

  it('an unclosed one after closed ones is reported; closed ones next to each other are not', () => {
    expect(problems(['```firebreak manual', 'id: one', 'instruction: "{{namespace}}{{days}} and {{namespace"', '```'])).toEqual([
      'runbooks/sample.md:14: instruction: a "{{" is not closed: a placeholder is written {{name}}',
    ]);
    expect(problems(['```firebreak manual', 'id: one', 'instruction: "{{namespace}}{{days}}"', '```'])).toEqual([]);
  });
});

describe('SQL, more', () => {
  const sqlCheck = (sql: string, args: string) => ['```firebreak check', 'id: q', 'target: "{{db}}"', `sql: ${sql}`, `args: ${args}`, 'warn: 1', 'critical: 2', 'meaning: m', '```'];

  it('a placeholder written twice is named once; a long one is cut at 40 characters', () => {
    expect(problems(sqlCheck(`"SELECT {{days}}, {{ days }}, {{${'x'.repeat(50)}}}"`, '[]'))).toEqual([
      `runbooks/sample.md:15: sql: SQL takes no {{placeholders}}: write $1, $2… in the SQL and put "{{days}}", "{{${'x'.repeat(38)}" in args`,
    ]);
  });

  it('$n beyond the args: none, one, or how many there are, in the order of n', () => {
    expect(problems(sqlCheck('SELECT $10, $9', '[]'))).toEqual([
      'runbooks/sample.md:15: sql: $9 has no value: args has none (the nth arg is $n)',
      'runbooks/sample.md:15: sql: $10 has no value: args has none (the nth arg is $n)',
    ]);
    expect(problems(sqlCheck('SELECT $1, $2, $3', '["a", "b"]'))).toEqual(['runbooks/sample.md:15: sql: $3 has no value: args has 2 (the nth arg is $n)']);
    expect(problems(sqlCheck('SELECT $2, $1', '["a", "b"]'))).toEqual([]);
  });

  it('$1 followed by a letter, a digit or a $ is not the parameter $1', () => {
    expect(problems(sqlCheck('SELECT $1a, $1_, $1$', '["a"]'))).toEqual(['runbooks/sample.md:16: args.0: args[0] is not used: the SQL has no $1']);
    expect(problems(sqlCheck('SELECT $12', '[]'))).toEqual(['runbooks/sample.md:15: sql: $12 has no value: args has none (the nth arg is $n)']);
  });

  it("text in quotes and comments is not SQL: doubled quotes, quoted names, line and block comments end where they end", () => {
    expect(problems(sqlCheck(`"SELECT 'it''s $2', \\"col$3\\"\\"x$4\\", $1"`, '["a"]'))).toEqual([]);
    expect(problems(sqlCheck(`"SELECT 'a', $2, 'b'"`, '["a"]'))).toEqual(['runbooks/sample.md:15: sql: $2 has no value: args has one (the nth arg is $n)', 'runbooks/sample.md:16: args.0: args[0] is not used: the SQL has no $1']);
    expect(problems(sqlCheck(`"SELECT \\"a\\", $2, \\"b\\""`, '["a", "b"]'))).toEqual(['runbooks/sample.md:16: args.0: args[0] is not used: the SQL has no $1']);
    expect(problems(sqlCheck('"SELECT $1 /* $3\\n $4 */ + $2 /* $5 */"', '["a"]'))).toEqual(['runbooks/sample.md:15: sql: $2 has no value: args has one (the nth arg is $n)']);
    expect(problems(sqlCheck('"SELECT $1 -- $3\\n + $2"', '["a"]'))).toEqual(['runbooks/sample.md:15: sql: $2 has no value: args has one (the nth arg is $n)']);
  });
});

describe('targets, more', () => {
  const dbTarget = (target: string) => ['```firebreak check', 'id: c', 'diag: db', `target: ${target}`, '```'];

  it('a {{param}} alone, spaces inside or around, is checked for its kind', () => {
    expect(problems(dbTarget('"{{ cache }}"'))).toEqual(['runbooks/sample.md:15: target: a db check reads a postgres target, but {{cache}} is a redis target param']);
    expect(problems(dbTarget('" {{cache}} "'))).toEqual(['runbooks/sample.md:15: target: a db check reads a postgres target, but {{cache}} is a redis target param']);
  });

  it('a param that is not a target, or a target with more than a placeholder, is not held against the kind', () => {
    expect(problems(dbTarget('"{{namespace}}"'), CONFIGURED)).toEqual([]);
    expect(problems(dbTarget('"{{cache}}-x"'), CONFIGURED)).toEqual([]);
    expect(problems(dbTarget('"x{{cache}}"'), CONFIGURED)).toEqual([]);
    // A target param with no kind: its own problem, not the step's.
    const kindless = read('sample.md', ['---', 'id: p', 'title: T', 'severity: P3', 'params:', '  t: { type: target, description: d }', '---', ...dbTarget('"{{t}}"')].join('\n'));
    expect(validate([kindless], CONFIGURED).map((p) => formatProblem(p))).toEqual([
      'runbooks/sample.md:6: params.t.kind: a target param says which kind of target it names: kind: postgres, redis, kubernetes, http, prometheus, docker or hosts',
    ]);
  });

  it('a name that is not a target name is cut at 70 characters', () => {
    expect(problems(dbTarget(`"${'a '.repeat(40)}"`), CONFIGURED)).toEqual([`runbooks/sample.md:15: target: ${JSON.stringify('a '.repeat(35))} is not a target name (letters, digits, "-", "_", ".")`]);
  });

  it('a configured name of the kind is no problem; without a close one, the configured ones are listed', () => {
    expect(problems(dbTarget('main'), CONFIGURED)).toEqual([]);
    expect(problems(dbTarget('cache'), CONFIGURED)).toEqual(['runbooks/sample.md:15: target: there is no postgres target "cache"; configured: main, replica']);
  });
});

describe('checks, more', () => {
  it('a diagnostic Firebreak does not answer, with a suggestion; one with no kind of target is not held to one', () => {
    const body = ['```firebreak check', 'id: c', 'diag: db', 'target: "{{cache}}"', '```'];
    expect(problems(body, { ...CATALOGUE, diagWords: ['dbs', 'redis'] })).toEqual([
      'runbooks/sample.md:14: diag: Firebreak has no diagnostic "db" (did you mean "dbs"?)',
      'runbooks/sample.md:15: target: a db check reads a postgres target, but {{cache}} is a redis target param',
    ]);
    const sourced = read('sample.md', [...FRONT, ...body].join('\n'));
    const [step] = sourced.runbook.steps;
    if (step?.kind !== 'check' || step.check.type !== 'diag') throw new Error('expected a diag check');
    const odd = { ...step, check: { type: 'diag' as const, spec: { ...step.check.spec, diag: 'zzz' as 'db' } } };
    expect(validate([{ ...sourced, runbook: { ...sourced.runbook, steps: [odd] } }], { ...CATALOGUE, diagWords: [...CATALOGUE.diagWords, 'zzz'] })).toEqual([]);
  });

  it('a deployment for k8s, a container for docker only, named in the message', () => {
    expect(problems(['```firebreak check', 'id: a', 'diag: k8s', 'deployment: api', 'container: x', '```'])).toEqual(['runbooks/sample.md:16: container: a k8s check takes no container (only docker does)']);
  });

  it('since may be a placeholder; a bad one is cut at 40 characters', () => {
    expect(problems(['```firebreak check', 'id: c', 'diag: logs', 'deployment: api', 'since: "{{namespace}}"', '```'])).toEqual([]);
    expect(problems(['```firebreak check', 'id: c', 'diag: logs', 'deployment: api', `since: ${'y'.repeat(50)}`, '```'])).toEqual([
      `runbooks/sample.md:16: since: expected how far back, like "5m" or "1h", got "${'y'.repeat(40)}"`,
    ]);
  });

  it('sql and http checks read a target of their kind', () => {
    expect(problems(['```firebreak check', 'id: q', 'target: "{{cache}}"', 'sql: SELECT 1', 'warn: 1', 'critical: 2', 'meaning: m', '```'])).toEqual([
      'runbooks/sample.md:14: target: a sql check reads a postgres target, but {{cache}} is a redis target param',
    ]);
    expect(problems(['```firebreak check', 'id: h', 'target: "{{db}}"', 'http: { path: /health }', 'meaning: m', '```'])).toEqual([
      'runbooks/sample.md:14: target: a http check reads a http target, but {{db}} is a postgres target param',
    ]);
  });

  it('sql thresholds grade the right way too; equal ones are allowed either way', () => {
    const graded = (warn: number, critical: number, lower: boolean) => ['```firebreak check', 'id: q', 'sql: SELECT 1', `warn: ${warn}`, `critical: ${critical}`, `lowerIsWorse: ${lower}`, 'meaning: m', '```'];
    expect(problems(graded(3, 2, false))).toEqual(['runbooks/sample.md:15: warn: higher values are worse here, so warn (3) must not be above critical (2); set lowerIsWorse: true if lower values are worse']);
    expect(problems(graded(2, 3, true))).toEqual(['runbooks/sample.md:15: warn: with lowerIsWorse: true, warn (2) must not be below critical (3)']);
    expect(problems(graded(2, 2, true))).toEqual([]);
    expect(problems(graded(2, 2, false))).toEqual([]);
  });

  it('http latency thresholds: equal, or only one of them, is no problem', () => {
    const http = (...ms: string[]) => ['```firebreak check', 'id: h', 'http: { path: /health }', ...ms, 'meaning: m', '```'];
    expect(problems(http('warnMs: 1000', 'criticalMs: 1000'))).toEqual([]);
    expect(problems(http('warnMs: 1000'))).toEqual([]);
    expect(problems(http('criticalMs: 1000'))).toEqual([]);
    expect(problems(http('warnMs: 1001', 'criticalMs: 1000'))).toEqual(['runbooks/sample.md:15: warnMs: warnMs (1001) must not be above criticalMs (1000): a slower answer is worse']);
  });
});

describe('actions, more', () => {
  const action = (name: string, args: string, target = '"{{db}}"') => ['```firebreak action', 'id: act', `action: ${name}`, `args: ${args}`, `target: ${target}`, '```'];
  const world = (usage: string): RunbookWorld => ({ ...CATALOGUE, actions: new Map([['x.act', { usage, targetKind: 'postgres' }]]) });

  it('one arg is "1 arg"; only optional ones are 0 to n', () => {
    expect(problems(action('pg.terminate-long', '[]'))).toEqual(['runbooks/sample.md:15: args: pg.terminate-long takes <minutes>: 1 arg, got 0']);
    expect(problems(action('x.act', '["a", "b"]'), world('[table]'))).toEqual(['runbooks/sample.md:15: args: x.act takes [table]: 0 to 1 args, got 2']);
    expect(problems(action('x.act', '[]'), world('[table]'))).toEqual([]);
    expect(problems(action('x.act', '["a", "b", "c"]'), world('  <a>   [b]  '))).toEqual(['runbooks/sample.md:15: args: x.act takes   <a>   [b]  : 1 to 2 args, got 3']);
  });

  it('an action with no usage takes no args', () => {
    expect(problems(action('x.act', '["a"]'), world(''))).toEqual(['runbooks/sample.md:15: args: x.act takes 0 args, got 1']);
    expect(problems(action('x.act', '[]'), world(''))).toEqual([]);
  });

  it('an unknown action, and no actions at all', () => {
    expect(problems(action('x.actt', '[]'), world(''))).toEqual(['runbooks/sample.md:14: action: unknown action "x.actt" (did you mean "x.act"?)']);
    expect(problems(action('zz.zzzz', '[]'), world(''))).toEqual(['runbooks/sample.md:14: action: unknown action "zz.zzzz"; the actions are x.act']);
    expect(problems(action('x.act', '[]'), { ...CATALOGUE, actions: new Map() })).toEqual(['runbooks/sample.md:14: action: unknown action "x.act"']);
  });

  it('a target name written out, configured for its kind', () => {
    expect(problems(action('x.act', '[]', 'replica'), { ...world(''), targets: CONFIGURED.targets })).toEqual([]);
    expect(problems(action('x.act', '[]', 'cache'), { ...world(''), targets: CONFIGURED.targets })).toEqual(['runbooks/sample.md:16: target: there is no postgres target "cache"; configured: main, replica']);
  });
});

describe('notify steps, more', () => {
  it('a near miss of a template is suggested', () => {
    expect(problems(['```firebreak notify', 'id: tell', 'template: update', '```'], { ...CATALOGUE, templateKinds: ['initial', 'updates'] })).toEqual([
      'runbooks/sample.md:14: template: there is no communication template "update" (did you mean "updates"?)',
    ]);
  });
});

describe('checks, each diagnostic', () => {
  const diagCheck = (diag: string, ...more: string[]) => ['```firebreak check', 'id: c', `diag: ${diag}`, 'target: "{{db}}"', ...more, '```'];

  it('each diagnostic reads a target of its own kind', () => {
    expect(problems(diagCheck('redis'))).toEqual(['runbooks/sample.md:15: target: a redis check reads a redis target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('k8s'))).toEqual(['runbooks/sample.md:15: target: a k8s check reads a kubernetes target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('logs', 'deployment: api'))).toEqual(['runbooks/sample.md:15: target: a logs check reads a kubernetes target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('http'))).toEqual(['runbooks/sample.md:15: target: a http check reads a http target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('prom'))).toEqual(['runbooks/sample.md:15: target: a prom check reads a prometheus target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('host'))).toEqual(['runbooks/sample.md:15: target: a host check reads a hosts target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('docker'))).toEqual(['runbooks/sample.md:15: target: a docker check reads a docker target, but {{db}} is a postgres target param']);
    expect(problems(diagCheck('queue'))).toEqual(['runbooks/sample.md:15: target: a queue check reads a rabbitmq target, but {{db}} is a postgres target param']);
  });
});

describe('SQL, comments', () => {
  const sqlCheck = (sql: string, args: string) => ['```firebreak check', 'id: q', 'target: "{{db}}"', `sql: ${sql}`, `args: ${args}`, 'warn: 1', 'critical: 2', 'meaning: m', '```'];

  it('a comment separates what is on either side of it, as a space does', () => {
    // `$1/* … */AS` is $1 then AS, not a `$1AS` that is no parameter.
    expect(problems(sqlCheck('"SELECT $1/* the days */AS late"', '["a"]'))).toEqual([]);
    // `$/* … */2` is a lone $ then 2, not the parameter $2.
    expect(problems(sqlCheck('"SELECT $1 + $/* not a parameter */2"', '["a"]'))).toEqual([]);
  });
});

describe('params, patterns on other types', () => {
  const front = (...params: string[]) => ['id: p', 'title: T', 'severity: P3', 'params:', ...params.map((p) => `  ${p}`)];

  it('a pattern that does not compile on a param that is not a string: the pattern is reported, and the default is still checked', () => {
    expect(paramProblems(front('n: { type: integer, max: 10, pattern: "[a-z", default: 11, description: d }'))).toEqual([
      'runbooks/sample.md:6: params.n.pattern: a pattern applies to string params only (this one is of type integer)',
      'runbooks/sample.md:6: params.n.default: the default does not suit the param: expected 10 or less, got 11',
    ]);
  });
});

describe('lines, parents', () => {
  it("a path's parent is what comes before its last dot: step:12 is not under step:1", () => {
    const lines = new Map([['step:1', 1], ['params', 5]]);
    expect(lineAt(lines, 'step:12', 9)).toBe(9);
    expect(lineAt(lines, 'step:12.args.0', 9)).toBe(9);
    expect(lineAt(lines, 'paramsx', 3)).toBe(3);
  });
});
