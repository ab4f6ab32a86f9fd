/** Params at run time: `param=value` words, binding against what a runbook declares, and filling steps. */
import { describe, expect, it } from 'vitest';
import { bindParams, compilePattern, fill, fillStep, paramValueProblem, parseParamArgs, placeholdersIn } from '../../src/core/runbook/params.js';
import type { Runbook, Step } from '../../src/core/runbook/model.js';

const runbook: Pick<Runbook, 'id' | 'params'> = {
  id: 'pg-long-queries',
  params: {
    db: { type: 'target', kind: 'postgres', description: 'The database' },
    minutes: { type: 'integer', default: 5, min: 1, max: 1440, description: 'Minutes' },
    table: { type: 'string', pattern: '[a-z_]+', description: 'A table' },
    reason: { type: 'string', description: 'Why' },
  },
};

describe('parseParamArgs', () => {
  it('reads param=value words; a value may hold "=" and be quoted', () => {
    expect(parseParamArgs(['minutes=10', 'table=impayes', 'reason="a=b c"', "db='main'"])).toEqual({ ok: true, given: { minutes: '10', table: 'impayes', reason: 'a=b c', db: 'main' } });
    expect(parseParamArgs([])).toEqual({ ok: true, given: {} });
  });

  it('refuses a word without "=", a word with no name or no value, a bad name, a param given twice', () => {
    expect(parseParamArgs(['minutes', '10'])).toEqual({ ok: false, message: 'expected param=value, got "minutes" (for example minutes=10)' });
    expect(parseParamArgs(['=10'])).toEqual({ ok: false, message: '"=10" names no param: write param=value (for example minutes=10)' });
    expect(parseParamArgs(['minutes='])).toEqual({ ok: false, message: 'minutes= has no value: write minutes=<value>, or leave it out to take its default' });
    expect(parseParamArgs(['Minutes!=3'])).toEqual({ ok: false, message: '"Minutes!" is not a param name: names are lower-case letters, digits, "-" and "_"' });
    expect(parseParamArgs(['minutes=1', 'minutes=2'])).toEqual({ ok: false, message: 'minutes is given twice: give each param once' });
  });

  it('a prototype name is not a param name', () => {
    expect(parseParamArgs(['__proto__=x'])).toMatchObject({ ok: false });
    expect(parseParamArgs(['constructor=x'])).toEqual({ ok: true, given: { constructor: 'x' } });
  });

  it('skips empty words, and trims the name and the value', () => {
    expect(parseParamArgs(['', ' minutes = 10 ', ''])).toEqual({ ok: true, given: { minutes: '10' } });
  });

  it('takes off one pair of straight or curly quotes, of the same kind at both ends', () => {
    const value = (word: string) => parseParamArgs([`reason=${word}`]);
    expect(['"a b"', "'a b'", '“a b”', '‘a b’'].map(value)).toEqual(Array(4).fill({ ok: true, given: { reason: 'a b' } }));
    expect(['"a', 'a"', '"a\'', '”a“', '’a‘', '“a"', '""x"'].map(value)).toEqual(['"a', 'a"', '"a\'', '”a“', '’a‘', '“a"', '"x'].map((v) => ({ ok: true, given: { reason: v } })));
    // A lone quote is a value; two quotes are an empty one.
    expect(value('"')).toEqual({ ok: true, given: { reason: '"' } });
    expect(value('""')).toEqual({ ok: false, message: 'reason= has no value: write reason=<value>, or leave it out to take its default' });
  });

  it('shows at most 60 characters of a word it refuses', () => {
    expect(parseParamArgs(['x'.repeat(60)])).toEqual({ ok: false, message: `expected param=value, got "${'x'.repeat(60)}" (for example minutes=10)` });
    expect(parseParamArgs(['x'.repeat(61)])).toEqual({ ok: false, message: `expected param=value, got "${'x'.repeat(59)}…" (for example minutes=10)` });
    expect(parseParamArgs([`${'N'.repeat(61)}=1`])).toEqual({ ok: false, message: `"${'N'.repeat(60)}" is not a param name: names are lower-case letters, digits, "-" and "_"` });
  });
});

describe('bindParams', () => {
  it('fills defaults; a target neither given nor defaulted is "" (the first configured target of its kind)', () => {
    expect(bindParams(runbook, { table: 'impayes', reason: 'late' })).toEqual({ ok: true, values: { db: '', minutes: '5', table: 'impayes', reason: 'late' } });
    expect(bindParams(runbook, { db: 'replica', minutes: '30', table: 't', reason: 'r' })).toEqual({ ok: true, values: { db: 'replica', minutes: '30', table: 't', reason: 'r' } });
  });

  it('a required target param is never left to the first target: it must be named', () => {
    const failover = { id: 'pg-failover', params: { replica: { type: 'target' as const, kind: 'postgres' as const, required: true, description: 'd' } } };
    expect(bindParams(failover, {})).toEqual({ ok: false, message: 'pg-failover needs replica: add replica=<value>' });
    expect(bindParams(failover, { replica: 'standby' })).toEqual({ ok: true, values: { replica: 'standby' } });
  });

  it('names every required param left out', () => {
    expect(bindParams(runbook, {})).toEqual({ ok: false, message: 'pg-long-queries needs table, reason: add table=<value> reason=<value>' });
    expect(bindParams({ id: 'r', params: { n: { type: 'integer', description: 'd' } } }, {})).toEqual({ ok: false, message: 'r needs n: add n=<number>' });
  });

  it('refuses a param the runbook does not declare, with a suggestion', () => {
    expect(bindParams(runbook, { minutse: '3', table: 't', reason: 'r' })).toEqual({ ok: false, message: 'pg-long-queries has no param "minutse" (did you mean "minutes"?): it takes db, minutes, table, reason' });
    expect(bindParams({ id: 'bare', params: {} }, { x: '1' })).toEqual({ ok: false, message: 'bare has no param "x": it takes no params' });
  });

  it('checks types, bounds and patterns', () => {
    const bind = (given: Record<string, string>) => bindParams(runbook, { table: 't', reason: 'r', ...given });
    expect(bind({ minutes: 'ten' })).toEqual({ ok: false, message: 'minutes: expected a whole number, got "ten"' });
    expect(bind({ minutes: '1.5' })).toEqual({ ok: false, message: 'minutes: expected a whole number, got "1.5"' });
    expect(bind({ minutes: '0' })).toEqual({ ok: false, message: 'minutes: expected 1 or more, got 0' });
    expect(bind({ minutes: '1441' })).toEqual({ ok: false, message: 'minutes: expected 1440 or less, got 1441' });
    expect(bind({ table: 'users; DROP TABLE x' })).toEqual({ ok: false, message: 'table: expected a value matching [a-z_]+, got "users; DROP TABLE x"' });
    expect(bind({ db: 'two words' })).toEqual({ ok: false, message: 'db: expected the name of a configured postgres target (letters, digits, "-", "_", "."), got "two words"' });
    expect(bind({ reason: 'line\nbreak' })).toEqual({ ok: false, message: 'reason: expected text on one line, without control characters' });
    expect(bind({ reason: 'x'.repeat(201) })).toEqual({ ok: false, message: 'reason: expected at most 200 characters, got 201' });
  });

  it('reports several problems at once', () => {
    const bound = bindParams(runbook, { minutes: 'x', nope: '1' });
    expect(bound.ok).toBe(false);
    expect(!bound.ok && bound.message.split('; ')).toEqual(['pg-long-queries has no param "nope": it takes db, minutes, table, reason', 'minutes: expected a whole number, got "x"', 'pg-long-queries needs table, reason: add table=<value> reason=<value>']);
  });

  it('accepts the bounds themselves, negative numbers, and 15 digits at most', () => {
    const problem = (value: string) => paramValueProblem({ type: 'integer', min: -5, max: 1440, description: 'd' }, value);
    expect(['1', '-5', '1440', '0010'].map(problem)).toEqual([undefined, undefined, undefined, undefined]);
    expect(['-6', '1441', '+3', '- 1', '1e3', ' 1', '1 '].map(problem)).toEqual([
      'expected -5 or more, got -6', 'expected 1440 or less, got 1441',
      'expected a whole number, got "+3"', 'expected a whole number, got "- 1"', 'expected a whole number, got "1e3"', 'expected a whole number, got " 1"', 'expected a whole number, got "1 "',
    ]);
    const unbounded = (value: string) => paramValueProblem({ type: 'integer', description: 'd' }, value);
    expect(unbounded('-999999999999999')).toBeUndefined();
    expect(unbounded('1234567890123456')).toBe('expected a whole number, got "1234567890123456"');
  });

  it('takes a target name of 1 to 63 letters, digits, "-", "_" and "."; shows 70 characters of another', () => {
    const target = { type: 'target' as const, description: 'd' };
    expect(['a', 'pg-main_2.eu', 'x'.repeat(63)].map((v) => paramValueProblem(target, v))).toEqual([undefined, undefined, undefined]);
    const refused = 'expected the name of a configured target (letters, digits, "-", "_", "."), got';
    expect(['', 'x'.repeat(64), 'a b', ' a', 'a '].map((v) => paramValueProblem(target, v))).toEqual([`${refused} ""`, `${refused} "${'x'.repeat(64)}"`, `${refused} "a b"`, `${refused} " a"`, `${refused} "a "`]);
    expect(paramValueProblem(target, `${'x'.repeat(70)} and more`)).toBe(`${refused} "${'x'.repeat(70)}"`);
  });

  it('takes a string of 200 characters, any but control characters, matching its pattern in full', () => {
    const text = { type: 'string' as const, description: 'd' };
    expect(['x'.repeat(200), 'é ü ~ \u0080', ''].map((v) => paramValueProblem(text, v))).toEqual([undefined, undefined, undefined]);
    expect(['\u0000', 'a\u001fb', 'a\u007f', 'tab\there'].map((v) => paramValueProblem(text, v))).toEqual(Array(4).fill('expected text on one line, without control characters'));
    const patterned = { type: 'string' as const, pattern: 'a|b', description: 'd' };
    expect(['a', 'b', 'ab'].map((v) => paramValueProblem(patterned, v))).toEqual([undefined, undefined, 'expected a value matching a|b, got "ab"']);
    expect(paramValueProblem({ ...text, pattern: 'x+' }, 'y'.repeat(80))).toBe(`expected a value matching x+, got "${'y'.repeat(70)}"`);
    expect(paramValueProblem({ ...text, pattern: '(' }, 'x')).toBe('its pattern "(" is not a valid regular expression');
  });

  it('reads a pattern as a Unicode regular expression, anchored', () => {
    expect(compilePattern('\\p{Lu}+')?.test('ÉTÉ')).toBe(true);
    expect(compilePattern('\\p{Lu}+')?.test('été')).toBe(false);
    expect(compilePattern('a|b')?.source).toBe('^(?:a|b)$');
    expect(compilePattern('[')).toBeUndefined();
  });

  it('shows at most 70 characters of a name it does not know', () => {
    expect(bindParams({ id: 'bare', params: {} }, { ['x'.repeat(80)]: '1' })).toEqual({ ok: false, message: `bare has no param "${'x'.repeat(70)}": it takes no params` });
  });

  it('a pattern matches the whole value', () => {
    expect(bindParams(runbook, { table: 'ok_table', reason: 'r' }).ok).toBe(true);
    expect(bindParams(runbook, { table: 'ok_table2', reason: 'r' }).ok).toBe(false);
  });
});

describe('fill and fillStep', () => {
  const values = { db: 'main', minutes: '10', ns: 'shop' };

  it('replaces each {{name}} with its value, spaces allowed; unknown names and other braces stay', () => {
    expect(fill('{{db}} / {{ minutes }} / {{other}} / {{.State.Status}}', values)).toBe('main / 10 / {{other}} / {{.State.Status}}');
    expect(fill('{{ns}}{{ns}}', values)).toBe('shopshop');
    // A value is not read again for placeholders.
    expect(fill('{{a}}', { a: '{{b}}', b: 'no' })).toBe('{{b}}');
  });

  it('finds each placeholder, in order, repeats included', () => {
    expect(placeholdersIn('{{db}} {{ minutes }} {{db}} {{.State}} {{ a-b_c }} {{9x}}')).toEqual(['db', 'minutes', 'db', 'a-b_c']);
    expect(fill('{{db }}{{ db}}{{db\t}}', values)).toBe('mainmainmain');
    // A name of the prototype is not a value.
    expect(fill('{{constructor}}', values)).toBe('{{constructor}}');
  });

  const base = { title: 'T {{db}}', explanation: 'About {{db}}', line: 3 };

  it('fills every string of a check but the SQL text; args are filled', () => {
    const sql: Step = {
      ...base,
      id: 'q',
      kind: 'check',
      check: { type: 'sql', spec: { sql: "SELECT '{{db}}', $1", args: ['{{minutes}}'], target: '{{db}}', warn: 1, critical: 2, lowerIsWorse: false, meaning: 'Over {{minutes}} min' } },
    };
    expect(fillStep(sql, values)).toEqual({
      ...base,
      id: 'q',
      kind: 'check',
      check: { type: 'sql', spec: { sql: "SELECT '{{db}}', $1", args: ['10'], target: 'main', warn: 1, critical: 2, lowerIsWorse: false, meaning: 'Over 10 min' } },
    });
    const http: Step = {
      ...base,
      id: 'h',
      kind: 'check',
      check: { type: 'http', spec: { target: '{{db}}', http: { method: 'GET', path: '/{{ns}}/health', headers: { 'X-Ns': '{{ns}}' }, body: '{"n": "{{ns}}"}', expect: { status: [200], json: { ns: '{{ns}}' } } }, meaning: 'm' } },
    };
    expect(fillStep(http, values)).toMatchObject({ check: { spec: { target: 'main', http: { path: '/shop/health', headers: { 'X-Ns': 'shop' }, body: '{"n": "shop"}', expect: { json: { ns: 'shop' } } } } } });
  });

  it('fills actions, manual steps and notify fields; id, title and explanation stay as written', () => {
    const action: Step = { ...base, id: 'a', kind: 'action', action: 'k8s.rollout-restart', args: ['{{ns}}/api'], target: '{{db}}' };
    expect(fillStep(action, values)).toEqual({ ...base, id: 'a', kind: 'action', action: 'k8s.rollout-restart', args: ['shop/api'], target: 'main' });
    const manual: Step = { ...base, id: 'm', kind: 'manual', instruction: 'Look at {{db}}', command: 'psql {{db}}' };
    expect(fillStep(manual, values)).toEqual({ ...base, id: 'm', kind: 'manual', instruction: 'Look at main', command: 'psql main' });
    const notify: Step = { ...base, id: 'n', kind: 'notify', template: 'update', fields: { progress: 'Ended queries over {{minutes}} min' } };
    expect(fillStep(notify, values)).toEqual({ ...base, id: 'n', kind: 'notify', template: 'update', fields: { progress: 'Ended queries over 10 min' } });
  });

  it('does not change the step it was given', () => {
    const action: Step = { ...base, id: 'a', kind: 'action', action: 'k8s.scale', args: ['{{ns}}/api', '3'] };
    fillStep(action, values);
    expect(action).toMatchObject({ args: ['{{ns}}/api', '3'] });
    expect(fillStep(action, values)).not.toHaveProperty('target');
  });
});
