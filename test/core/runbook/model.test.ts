/**
 * The runbook schemas on their own: what each accepts, what it fills in by default and what it
 * refuses, with the message a runbook's author reads. parse-markdown.test.ts reads the schemas
 * through a whole file; these pin the details a file seldom shows (every HTTP method, every param
 * kind, every notify field, the defaults, the anchors of each pattern).
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  actionStepSchema,
  frontMatterSchema,
  httpCheckSchema,
  ID_PATTERN,
  notifyStepSchema,
  paramSchema,
  whenSchema,
} from '../../../src/core/runbook/model.js';

/** The messages of a refused value, or [] when it is accepted; a record key's or a union's, those inside it (as parse-markdown.ts reads them). */
function refusals(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  const messages = (issues: readonly z.core.$ZodIssue[]): string[] =>
    issues.flatMap((i) => (i.code === 'invalid_key' ? messages(i.issues) : i.code === 'invalid_union' ? [...new Set(i.errors.flatMap(messages))] : [i.message]));
  return r.success ? [] : messages(r.error.issues);
}

const front = { id: 'redis-down', title: 'Redis down', severity: 'P1' };
const http = { id: 'health', http: { path: '/healthz' }, meaning: 'whether the service answers its health check' };

describe('ids', () => {
  it('are anchored at both ends and at most 63 characters', () => {
    expect(ID_PATTERN.test('long-queries')).toBe(true);
    expect(ID_PATTERN.test('a'.repeat(63))).toBe(true);
    expect(ID_PATTERN.test('a'.repeat(64))).toBe(false);
    expect(ID_PATTERN.test('queries!')).toBe(false);
    expect(ID_PATTERN.test('long queries')).toBe(false);
  });
});

describe('front matter', () => {
  it('defaults services, symptoms, alerts and params to empty', () => {
    expect(frontMatterSchema.parse(front)).toEqual({ ...front, services: [], symptoms: [], alerts: [], params: {} });
  });

  it('takes a duration with blanks before its unit, and nothing before its number', () => {
    expect(frontMatterSchema.parse({ ...front, rto: '15 m', rpo: '1h' })).toMatchObject({ rto: '15 m', rpo: '1h' });
    expect(refusals(frontMatterSchema, { ...front, rto: 'about 15m' })).toEqual(['expected a duration like "15m" or "1h"']);
    expect(refusals(frontMatterSchema, { ...front, rpo: '15m-ish' })).toEqual(['expected a duration like "15m" or "1h"']);
    expect(refusals(frontMatterSchema, { ...front, rto: '15mm' })).toEqual(['expected a duration like "15m" or "1h"']);
  });

  it('names a bad param name', () => {
    expect(refusals(frontMatterSchema, { ...front, params: { Target: { description: 'which one' } } })).toEqual([
      'a param name is lower-case letters, digits, "-" and "_"',
    ]);
  });
});

describe('params', () => {
  it('name a target of every kind Firebreak knows', () => {
    for (const kind of ['postgres', 'redis', 'kubernetes', 'http', 'prometheus', 'hosts', 'docker', 'rabbitmq']) {
      expect(paramSchema.parse({ type: 'target', kind, description: 'where' }), kind).toEqual({ type: 'target', kind, description: 'where' });
    }
    expect(refusals(paramSchema, { type: 'target', kind: 'mysql', description: 'where' })).toHaveLength(1);
  });

  it('say what `required` takes', () => {
    expect(refusals(paramSchema, { type: 'target', description: 'where', required: 'yes' })).toEqual(['expected true or false']);
  });
});

describe('conditions', () => {
  it('take one status or a list, always as a list', () => {
    expect(whenSchema.parse({ step: 'connections', status: 'critical' })).toEqual({ step: 'connections', status: ['critical'] });
    expect(whenSchema.parse({ step: 'connections', status: ['warning', 'critical'] })).toEqual({ step: 'connections', status: ['warning', 'critical'] });
    // A union: one message per branch (a status, or a list of them).
    expect(refusals(whenSchema, { step: 'connections', status: 'bad' })).toEqual(['expected a status: critical, warning, unknown or ok', 'Invalid input: expected array, received string']);
    expect(refusals(whenSchema, { step: 'connections', status: ['bad'] })).toContain('expected a status: critical, warning, unknown or ok');
  });

  it('take every status, and name a bad step id as a step\'s', () => {
    for (const status of ['critical', 'warning', 'unknown', 'ok']) expect(whenSchema.parse({ step: 'connections', status }).status, status).toEqual([status]);
    expect(refusals(whenSchema, { step: 'Connections', status: 'ok' })).toEqual(['a step id is lower-case letters, digits, "-" and "_", starting with a letter (at most 63 characters)']);
    expect(refusals(whenSchema, { step: 42, status: 'ok' })).toEqual(['expected the step\'s id, like "long-queries"']);
  });
});

describe('HTTP checks', () => {
  it('fill in GET, no headers and an expected 200 when nothing is said', () => {
    expect(httpCheckSchema.parse(http)).toEqual({ ...http, http: { method: 'GET', path: '/healthz', headers: {}, expect: { status: [200], json: {} } } });
    expect(httpCheckSchema.parse({ ...http, http: { path: '/healthz', expect: {} } }).http.expect).toEqual({ status: [200], json: {} });
  });

  it('take every method', () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      expect(httpCheckSchema.parse({ ...http, http: { method, path: '/x' } }).http.method, method).toBe(method);
    }
    expect(refusals(httpCheckSchema, { ...http, http: { method: 'TRACE', path: '/x' } })).toHaveLength(1);
  });

  it('want a path that starts with "/"', () => {
    expect(refusals(httpCheckSchema, { ...http, http: { path: 'api/v1/health' } })).toEqual(['expected a path starting with "/", relative to the target\'s URL']);
  });

  it('take a body, a recommendation and a long meaning', () => {
    const parsed = httpCheckSchema.parse({ ...http, http: { method: 'POST', path: '/login', body: '{"user":"probe"}' }, recommendation: 'Restart the login service.' });
    expect(parsed.http.body).toBe('{"user":"probe"}');
    expect(parsed.recommendation).toBe('Restart the login service.');
    expect(parsed.meaning).toBe(http.meaning);
    expect(refusals(httpCheckSchema, { ...http, meaning: '' })).toHaveLength(1);
  });

  it('expect one status or a list, each from 100 to 599, as a list', () => {
    const status = (s: unknown) => httpCheckSchema.parse({ ...http, http: { path: '/x', expect: { status: s } } }).http.expect.status;
    expect(status(204)).toEqual([204]);
    expect(status([200, 301])).toEqual([200, 301]);
    expect(status(100)).toEqual([100]);
    expect(status(599)).toEqual([599]);
    for (const bad of [99, 600, [200, 600], []]) expect(refusals(httpCheckSchema, { ...http, http: { path: '/x', expect: { status: bad } } }), JSON.stringify(bad)).toHaveLength(1);
  });
});

describe('action steps', () => {
  it('default to no args, and want a whole remediation id', () => {
    expect(actionStepSchema.parse({ id: 'kill', action: 'pg.terminate-long' })).toEqual({ id: 'kill', action: 'pg.terminate-long', args: [] });
    for (const bad of ['terminate-long', 'pg.terminate-long now', 'run pg.terminate-long']) {
      expect(refusals(actionStepSchema, { id: 'kill', action: bad }), bad).toEqual(['expected a remediation id like "pg.terminate-long"']);
    }
  });
});

describe('notify steps', () => {
  it('prefill any field of the update form', () => {
    const fields = { status: 'investigating', progress: 'failover done', blockers: 'none', next_steps: 'watch the lag', eta: '30 min' };
    expect(notifyStepSchema.parse({ id: 'tell', template: 'update', fields })).toEqual({ id: 'tell', template: 'update', fields });
    expect(refusals(notifyStepSchema, { id: 'tell', template: 'update', fields: { summary: 'x' } })).toHaveLength(1);
  });
});
