/**
 * Reading a runbook file: front matter, steps from the firebreak blocks (titles, explanations,
 * lines), the summary, and the line of each field a problem names. Hostile files give problems,
 * never an exception.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LARGEST_RUNBOOK, parseRunbookMarkdown } from '../../src/adapters/runbooks/parse-markdown.js';
import { formatProblem } from '../../src/core/runbook/validate.js';

const FIXTURE = new URL('../fixtures/runbooks/valid/pg-long-queries.md', import.meta.url);
const fixtureText = readFileSync(FIXTURE, 'utf8');
/** 1-based line of the first line of `text` that starts with `start` (the fixture's lines, found by what they say). */
const lineStarting = (text: string, start: string, after = 0) => text.split('\n').findIndex((l, i) => i >= after && l.startsWith(start)) + 1;

const FRONT = ['---', 'id: sample', 'title: A sample', 'severity: P3', '---'];
/** A runbook with a valid front matter (lines 1-5) and `body` from line 6. */
const withFront = (...body: string[]) => [...FRONT, ...body].join('\n');
const problemsOf = (text: string) => parseRunbookMarkdown('sample.md', text).problems.map((p) => formatProblem(p));

describe('a realistic runbook', () => {
  const parsed = parseRunbookMarkdown('pg-long-queries.md', fixtureText);
  const runbook = parsed.runbook;

  it('reads without problems', () => {
    expect(parsed.problems).toEqual([]);
    expect(runbook).toBeDefined();
  });

  it('takes the front matter as the model says, defaults included', () => {
    expect(runbook).toMatchObject({
      id: 'pg-long-queries',
      title: 'Long-running queries and lock waits',
      severity: 'P2',
      services: ['postgres', 'billing-api'],
      symptoms: ['slow requests', 'lock timeout'],
      alerts: ['PostgresLongRunningQuery'],
      rto: '15m',
      rpo: '0m',
      file: 'pg-long-queries.md',
      params: {
        db: { type: 'target', kind: 'postgres', description: 'The PostgreSQL target' },
        minutes: { type: 'integer', default: 5, min: 1, max: 1440, description: 'Queries running longer than this many minutes are ended' },
      },
    });
  });

  it('has one step per firebreak block, in order, each at the line of its opening fence; the sql block is documentation', () => {
    const steps = runbook?.steps ?? [];
    expect(steps.map((s) => [s.kind, s.id])).toEqual([
      ['check', 'activity'],
      ['check', 'waiting'],
      ['action', 'terminate'],
      ['notify', 'tell'],
      ['manual', 'find-the-client'],
    ]);
    const fences = fixtureText.split('\n').flatMap((l, i) => (l.startsWith('```firebreak') ? [i + 1] : []));
    expect(steps.map((s) => s.line)).toEqual(fences);
    expect(steps[0]?.line).toBe(43);
  });

  it('titles each step with the nearest heading above it, and explains it with the prose since that heading or the previous step', () => {
    const steps = runbook?.steps ?? [];
    expect(steps.map((s) => s.title)).toEqual(['Look at the sessions', 'Count the waiting sessions', 'End the long queries', 'End the long queries', 'If it comes back']);
    expect(steps[0]?.explanation).toBe(
      'The `/diag db` checks: connections, blocked sessions, long queries.\n\n```sql\n-- what the check looks at, for reading only\nSELECT pid, state, query_start FROM pg_stat_activity;\n```',
    );
    expect(steps[1]?.explanation).toBe('');
    expect(steps[2]?.explanation).toBe("Only when one of the checks above found some: it ends other sessions' queries, so it goes\nthrough approval.");
    expect(steps[3]?.explanation).toBe('Then tell the people following the incident.');
  });

  it('summarises with the prose after the first heading, lists kept', () => {
    expect(runbook?.summary).toBe('Requests hang when a long transaction holds a lock that others wait for.\n\nTypical causes:\n\n- a migration left running\n- a report query without a limit');
  });

  it('picks the check schema by its key, and keeps when, args and the fields of each kind', () => {
    const [activity, waiting, terminate, tell, manual] = runbook?.steps ?? [];
    expect(activity).toMatchObject({ kind: 'check', check: { type: 'diag', spec: { diag: 'db', target: '{{db}}' } } });
    expect(waiting).toMatchObject({ kind: 'check', check: { type: 'sql', spec: { args: ['{{minutes}}'], value: 'waiting', warn: 1, critical: 10, lowerIsWorse: false } } });
    expect(waiting?.kind === 'check' && waiting.check.type === 'sql' && waiting.check.spec.sql).toContain('make_interval(mins => $1)');
    expect(terminate).toMatchObject({ kind: 'action', action: 'pg.terminate-long', args: ['{{minutes}}'], target: '{{db}}', when: { step: 'waiting', status: ['critical', 'warning'] } });
    expect(tell).toMatchObject({ kind: 'notify', template: 'update', fields: { status: 'identified', progress: 'Queries older than {{minutes}} minutes ended.' } });
    expect(manual).toMatchObject({ kind: 'manual', command: 'psql -c "SELECT application_name, count(*) FROM pg_stat_activity GROUP BY 1"' });
    // The spec is the block less its id and when.
    expect(Object.keys(activity?.kind === 'check' ? activity.check.spec : {})).toEqual(['diag', 'target']);
  });

  it('records the line of every field, front matter and blocks alike', () => {
    expect(parsed.lines.get('params.minutes.max')).toBe(lineStarting(fixtureText, '    max:'));
    expect(parsed.lines.get('step:71.action')).toBe(lineStarting(fixtureText, 'action: pg.terminate-long'));
    expect(parsed.lines.get('step:51.args.0')).toBe(lineStarting(fixtureText, 'args: ["{{minutes}}"]'));
  });

  it('reads the same with Windows line endings and a byte order mark', () => {
    const again = parseRunbookMarkdown('pg-long-queries.md', `\ufeff${fixtureText.replace(/\n/g, '\r\n')}`);
    expect(again.problems).toEqual([]);
    expect(again.runbook?.steps.map((s) => [s.line, s.title])).toEqual(runbook?.steps.map((s) => [s.line, s.title]));
  });
});

describe('the steps', () => {
  it('a step with no heading above it is titled by its id; a long heading is cut to a Slack header', () => {
    const long = 'x'.repeat(200);
    const parsed = parseRunbookMarkdown('s.md', withFront('```firebreak manual', 'id: first', 'instruction: Do it.', '```', '', `## ${long}`, '', '```firebreak manual', 'id: second', 'instruction: Again.', '```'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.runbook?.steps.map((s) => s.title)).toEqual(['first', `${'x'.repeat(149)}…`]);
    expect(parsed.runbook?.summary).toBe('');
  });

  it('takes the heading text without its marks', () => {
    const parsed = parseRunbookMarkdown('s.md', withFront('## Restart `api` *now*', '', '```firebreak manual', 'id: one', 'instruction: Do it.', '```'));
    expect(parsed.runbook?.steps[0]?.title).toBe('Restart api now');
  });

  it('ignores code blocks of other languages, indented code and firebreak text inside another fence', () => {
    const parsed = parseRunbookMarkdown(
      's.md',
      withFront('# T', '', '````markdown', '```firebreak check', 'id: inside', '```', '````', '', '    ```firebreak check', '', '```yaml', 'id: yaml', '```', '', '```firebreak manual', 'id: real', 'instruction: Do it.', '```'),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.runbook?.steps.map((s) => s.id)).toEqual(['real']);
  });

  it('accepts ~~~ fences and longer backtick fences', () => {
    const parsed = parseRunbookMarkdown('s.md', withFront('~~~firebreak manual', 'id: tilde', 'instruction: Do it.', '~~~', '', '````firebreak manual', 'id: four', 'instruction: Again.', '````'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.runbook?.steps.map((s) => [s.id, s.line])).toEqual([['tilde', 6], ['four', 11]]);
  });
});

describe('problems name the line of the field', () => {
  it('front matter fields: the line of the key inside the file', () => {
    const text = ['---', 'id: Bad_Id', 'title: T', 'severity: P7', 'params:', '  n:', '    type: number', '    description: d', '---', '', '```firebreak manual', 'id: one', 'instruction: x', '```'].join('\n');
    expect(problemsOf(text)).toEqual([
      'runbooks/sample.md:2: id: a runbook id is lower-case letters, digits, "-" and "_", starting with a letter (at most 63 characters), got "Bad_Id"',
      'runbooks/sample.md:4: severity: expected a severity P0, P1, P2 or P3, got "P7"',
      'runbooks/sample.md:7: params.n.type: expected type "string", "integer" or "target", got "number"',
    ]);
  });

  it('an unknown front matter field, with a suggestion', () => {
    expect(problemsOf(['---', 'id: x', 'title: T', 'severity: P1', 'sevices: [api]', '---', '```firebreak manual', 'id: one', 'instruction: x', '```'].join('\n'))).toEqual([
      'runbooks/sample.md:5: sevices: unknown field "sevices" (did you mean "services"?)',
    ]);
  });

  it('a missing required field points at the front matter', () => {
    expect(problemsOf(['---', 'id: x', 'severity: P1', '---', '```firebreak manual', 'id: one', 'instruction: x', '```'].join('\n'))).toEqual(['runbooks/sample.md:1: title: expected a title']);
  });

  it('step fields: fence line + the line inside the block', () => {
    const text = withFront('## Look', '', '```firebreak check', 'id: pods', 'diag: k9s', 'target: main', '```', '', '```firebreak action', 'id: restart', 'action: Restart!', 'args: [1, [2]]', '```');
    expect(problemsOf(text)).toEqual([
      'runbooks/sample.md:10: diag: expected a diagnostic of /diag: db, redis, k8s, http, prom, logs, host, docker, queue, got "k9s"',
      'runbooks/sample.md:16: action: expected a remediation id like "pg.terminate-long", got "Restart!"',
      'runbooks/sample.md:17: args.1: expected text, got a list of 1',
    ]);
  });

  it('a when on a status that does not exist', () => {
    expect(problemsOf(withFront('```firebreak manual', 'id: one', 'when:', '  step: a', '  status: broken', 'instruction: x', '```'))).toEqual([
      'runbooks/sample.md:10: when.status: expected a status: critical, warning, unknown or ok, got "broken"',
    ]);
  });

  it('an unknown field of a step, with a suggestion or the list of fields', () => {
    expect(problemsOf(withFront('```firebreak manual', 'id: one', 'instrution: x', '```', '```firebreak notify', 'id: two', 'template: update', 'colour: red', '```'))).toEqual([
      'runbooks/sample.md:6: instruction: expected the instruction for the person doing this step',
      'runbooks/sample.md:8: instrution: unknown field "instrution" (did you mean "instruction"?)',
      'runbooks/sample.md:13: colour: unknown field "colour": the fields here are id, when, template, fields',
    ]);
  });

  it('a check says which kind it is by one key', () => {
    expect(problemsOf(withFront('```firebreak check', 'id: nothing', 'target: main', '```', '```firebreak check', 'id: both', 'sql: select 1', 'promql: up', 'warn: 1', 'critical: 2', 'meaning: m', '```'))).toEqual([
      'runbooks/sample.md:6: step: a check runs one of diag (a /diag diagnostic), sql, promql or http: none is set',
      'runbooks/sample.md:13: step: a check runs one of diag, sql, promql or http, not several (found sql and promql)',
    ]);
  });

  it('a YAML syntax error in a block, at its line in the file', () => {
    const [problem] = problemsOf(withFront('```firebreak manual', 'id: one', 'instruction: [unclosed', 'command: x', '```'));
    expect(problem).toMatch(/^runbooks\/sample\.md:(8|9): step: not valid YAML: /);
  });

  it('a YAML syntax error in the front matter, at its line in the file', () => {
    const [problem, ...rest] = problemsOf(['---', 'id: x', 'title: T', 'severity: P1', 'params: {', '---', '```firebreak manual', 'id: one', 'instruction: x', '```'].join('\n'));
    expect(problem).toMatch(/^runbooks\/sample\.md:[56]: front matter: not valid YAML: /);
    expect(rest).toEqual([]);
  });

  it('a key written twice', () => {
    expect(problemsOf(['---', 'id: x', 'title: T', 'id: y', 'severity: P1', '---', '```firebreak manual', 'id: one', 'instruction: x', '```'].join('\n'))[0]).toMatch(/^runbooks\/sample\.md:4: front matter: not valid YAML: Map keys must be unique/);
  });
});

describe('the kind after firebreak', () => {
  it('an unknown kind, with a suggestion', () => {
    expect(problemsOf(withFront('```firebreak chek', 'id: one', '```'))).toEqual([
      'runbooks/sample.md:6: kind: unknown step kind "chek" (did you mean "check"?): a step is firebreak check, firebreak action, firebreak manual or firebreak notify',
    ]);
    expect(problemsOf(withFront('```firebreak xyzzy', 'id: one', '```'))).toEqual([
      'runbooks/sample.md:6: kind: unknown step kind "xyzzy": a step is firebreak check, firebreak action, firebreak manual or firebreak notify',
    ]);
  });

  it('no kind, a kind glued to firebreak, words after the kind', () => {
    expect(problemsOf(withFront('```firebreak', 'id: one', '```', '```firebreak-check', 'id: two', '```', '```firebreak manual now', 'id: three', 'instruction: x', '```'))).toEqual([
      'runbooks/sample.md:6: kind: a firebreak block names its kind: firebreak check, firebreak action, firebreak manual or firebreak notify',
      'runbooks/sample.md:9: kind: write the kind after a space: "firebreak check"',
      'runbooks/sample.md:12: kind: nothing follows the kind on the opening line: write "firebreak manual" alone (found "now")',
    ]);
  });

  it('a runbook without any firebreak block', () => {
    expect(problemsOf(withFront('# Nothing to run', '', 'Just prose.'))).toEqual([
      'runbooks/sample.md:6: steps: no firebreak block: a runbook has at least one step, a code block opened with ```firebreak <kind> (check, action, manual or notify)',
    ]);
  });
});

describe('hostile files give problems, never an exception', () => {
  it('no front matter: the steps are still checked', () => {
    expect(problemsOf('# Title\n\n```firebreak manual\nid: Bad!\ninstruction: x\n```\n')).toEqual([
      'runbooks/sample.md:1: front matter: a runbook starts with its front matter: a line "---", then id, title and severity (docs/RUNBOOKS.md), then a line "---"',
      'runbooks/sample.md:4: id: a step id is lower-case letters, digits, "-" and "_", starting with a letter (at most 63 characters), got "Bad!"',
    ]);
    expect(parseRunbookMarkdown('s.md', '# Title\n').runbook).toBeUndefined();
  });

  it('front matter never closed, empty, or not a mapping', () => {
    expect(problemsOf('---\nid: x\ntitle: T\n')).toEqual(['runbooks/sample.md:1: front matter: the front matter opened on line 1 is never closed: end it with a line "---"']);
    expect(problemsOf('---\n---\n```firebreak manual\nid: a\ninstruction: x\n```\n')).toEqual(['runbooks/sample.md:1: front matter: the front matter is empty: it needs at least id, title and severity']);
    expect(problemsOf('---\n- id: x\n- title: T\n---\n```firebreak manual\nid: a\ninstruction: x\n```\n')).toEqual(['runbooks/sample.md:2: front matter: expected fields like "id: …" and "title: …", got a list of 2']);
    expect(problemsOf('---\njust words\n---\n```firebreak manual\nid: a\ninstruction: x\n```\n')).toEqual(['runbooks/sample.md:2: front matter: expected fields like "id: …" and "title: …", got "just words"']);
  });

  it('a block that is not a mapping, or empty', () => {
    expect(problemsOf(withFront('```firebreak manual', '- id: one', '```', '```firebreak check', '```'))).toEqual([
      'runbooks/sample.md:7: step: expected fields like "id: …", got a list of 1',
      'runbooks/sample.md:9: step: the block is empty: a check step has at least an id (docs/RUNBOOKS.md)',
    ]);
  });

  it('tabs indenting YAML', () => {
    const [front] = problemsOf(['---', 'id: x', 'title: T', 'severity: P1', 'params:', '\tn:', '\t\tdescription: d', '---'].join('\n'));
    expect(front).toMatch(/^runbooks\/sample\.md:6: front matter: not valid YAML: .*tab/i);
    const [step] = problemsOf(withFront('```firebreak manual', 'id: one', 'when:', '\tstep: a', 'instruction: x', '```'));
    expect(step).toMatch(/^runbooks\/sample\.md:9: step: not valid YAML: .*tab/i);
  });

  it('a fence never closed', () => {
    expect(problemsOf(withFront('## Step', '```firebreak manual', 'id: one', 'instruction: x', '', 'More prose that the block swallowed.'))).toEqual([
      'runbooks/sample.md:7: block: the block opened here is never closed: end it with a line ```',
    ]);
  });

  it('a firebreak block inside a list or a quote', () => {
    expect(problemsOf(withFront('- item', '', '  ```firebreak manual', '  id: one', '  instruction: x', '  ```', '', '> ```firebreak manual', '> id: two', '> ```'))).toEqual([
      'runbooks/sample.md:8: block: a firebreak block stands on its own: take it out of the list or quote it is in',
      'runbooks/sample.md:13: block: a firebreak block stands on its own: take it out of the list or quote it is in',
    ]);
  });

  it('YAML aliases that multiply (a billion laughs) are refused', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]'];
    const problems = problemsOf(['---', ...bomb, '---'].join('\n'));
    expect(problems[0]).toMatch(/^runbooks\/sample\.md:\d+: front matter: not valid YAML: /);
  });

  it('a huge file is refused without being parsed', () => {
    const huge = withFront('x'.repeat(LARGEST_RUNBOOK));
    const started = Date.now();
    expect(problemsOf(huge)).toEqual([`runbooks/sample.md:1: file: ${huge.length} characters is more than a runbook holds (at most ${LARGEST_RUNBOOK}): split it into several runbooks`]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a large runbook under the limit is read in reasonable time', () => {
    const step = (i: number) => [`## Step ${i}`, '', 'Some prose '.repeat(20), '', '```firebreak manual', `id: s${i}`, 'instruction: Do it.', '```', ''];
    const text = withFront(...Array.from({ length: 1500 }, (_, i) => step(i)).flat());
    expect(text.length).toBeLessThan(LARGEST_RUNBOOK);
    const started = Date.now();
    const parsed = parseRunbookMarkdown('big.md', text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.runbook?.steps).toHaveLength(1500);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('binary junk', () => {
    expect(problemsOf('\u0000\u0001PNG\u0002garbage')).toEqual(['runbooks/sample.md:1: file: not a text file: it holds binary data (a runbook is UTF-8 Markdown)']);
    expect(problemsOf(withFront('fine', 'then \ufffd broken'))).toEqual(['runbooks/sample.md:7: file: not a text file: it holds binary data (a runbook is UTF-8 Markdown)']);
  });

  it('any text at all: problems or a runbook, never a throw', () => {
    const pieces = fc.constantFrom('---', '```firebreak check', '```firebreak action', '```firebreak', '```', '~~~', '# T', '## S', 'id: a', 'id: b', 'diag: db', 'sql: select $1', 'when: { step: a, status: ok }', '\t', '  - x', 'key: [', '&a *a', '> q', '{{x}}', '');
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 30 })), { maxLength: 40 }), (lines) => {
        const parsed = parseRunbookMarkdown('fuzz.md', lines.join('\n'));
        expect(parsed.runbook !== undefined || parsed.problems.length > 0).toBe(true);
        for (const p of parsed.problems) expect(p.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('each refusal of the runbook schemas says what was expected, whole', () => {
  const front = (...more: string[]) => ['---', 'id: sample', 'title: A sample', 'severity: P2', ...more, '---'];
  const one = ['```firebreak manual', 'id: one', 'instruction: x', '```'];
  const of = (lines: string[]) => problemsOf(lines.join('\n'));

  it('front matter: ids, the title, durations, alert names, params', () => {
    expect(of(['---', 'title: T', 'severity: P1', '---', ...one])).toEqual(['runbooks/sample.md:1: id: expected the runbook\'s id, like "long-queries"']);
    expect(of(['---', 'id: 12', 'title: T', 'severity: P1', '---', ...one])).toEqual(['runbooks/sample.md:2: id: expected the runbook\'s id, like "long-queries", got 12']);
    expect(of(['---', 'id: x', `title: ${'t'.repeat(151)}`, 'severity: P1', '---', ...one])).toEqual([
      `runbooks/sample.md:3: title: keep the title to 150 characters (it is a Slack header), got "${'t'.repeat(39)}…"`,
    ]);
    expect(of([...front('rto: soon', 'rpo: 5 minutes'), ...one])).toEqual([
      'runbooks/sample.md:5: rto: expected a duration like "15m" or "1h", got "soon"',
      'runbooks/sample.md:6: rpo: expected a duration like "15m" or "1h", got "5 minutes"',
    ]);
    expect(of([...front('alerts: [Postgres-Down]'), ...one])).toEqual(['runbooks/sample.md:5: alerts.0: expected an Alertmanager alertname like "PostgresDown", got "Postgres-Down"']);
    expect(of([...front('params:', '  Bad Name: { description: d }'), ...one])).toEqual(['runbooks/sample.md:6: params.Bad Name: a param name is lower-case letters, digits, "-" and "_"']);
    expect(of([...front('params:', '  n: { type: integer }'), ...one])).toEqual(['runbooks/sample.md:6: params.n.description: expected a one-line description of the parameter']);
  });

  it('steps: ids, thresholds, meanings, HTTP paths and headers, templates, instructions', () => {
    expect(of([...front(), '```firebreak manual', 'id: One', 'instruction: x', '```'])).toEqual([
      'runbooks/sample.md:7: id: a step id is lower-case letters, digits, "-" and "_", starting with a letter (at most 63 characters), got "One"',
    ]);
    expect(of([...front(), '```firebreak manual', 'instruction: x', '```'])).toEqual(['runbooks/sample.md:6: id: expected the step\'s id, like "long-queries"']);
    expect(of([...front(), '```firebreak check', 'id: q', 'target: main', 'sql: SELECT 1', 'warn: high', 'critical: "x"', 'meaning: 12', '```'])).toEqual([
      'runbooks/sample.md:10: warn: expected a number (the warning threshold), got "high"',
      'runbooks/sample.md:11: critical: expected a number (the critical threshold), got "x"',
      'runbooks/sample.md:12: meaning: expected a one-line meaning: what the value says about the system, got 12',
    ]);
    expect(of([...front(), '```firebreak check', 'id: q', 'target: main', 'sql: SELECT 1', 'warn: 1', 'critical: 2', '```'])).toEqual([
      'runbooks/sample.md:6: meaning: expected a one-line meaning: what the value says about the system',
    ]);
    expect(of([...front(), '```firebreak check', 'id: h', 'target: api', 'http:', '  path: health', '  headers: { "Bad Header": x }', 'meaning: m', '```'])).toEqual([
      'runbooks/sample.md:10: http.path: expected a path starting with "/", relative to the target\'s URL, got "health"',
      'runbooks/sample.md:11: http.headers.Bad Header: expected a header name',
    ]);
    expect(of([...front(), '```firebreak notify', 'id: n', 'template: initial', '```'])).toEqual(['runbooks/sample.md:8: template: expected template "update" (the stakeholder update), got "initial"']);
    expect(of([...front(), '```firebreak manual', 'id: m', '```'])).toEqual(['runbooks/sample.md:6: instruction: expected the instruction for the person doing this step']);
  });
});
