/** The runbook catalogue: by id, and which runbooks answer an alert, a service or the words of an incident. */
import { describe, expect, it } from 'vitest';
import { runbookCatalogue } from '../../src/core/runbook/catalogue.js';
import type { Runbook } from '../../src/core/runbook/model.js';
import { closest, didYouMean, editDistance } from '../../src/core/runbook/suggest.js';

const runbook = (id: string, words: Partial<Pick<Runbook, 'alerts' | 'services' | 'symptoms'>>): Runbook => ({
  id,
  title: id,
  severity: 'P2',
  services: [],
  symptoms: [],
  alerts: [],
  params: {},
  file: `${id}.md`,
  summary: '',
  steps: [],
  ...words,
});

const pgDown = runbook('pg-down', { alerts: ['PostgresDown'], services: ['postgres'], symptoms: ['connection refused', 'database unreachable'] });
const pgLong = runbook('pg-long-queries', { alerts: ['PostgresLongRunningQuery'], services: ['postgres', 'api'], symptoms: ['slow requests', 'lock timeout'] });
const latency = runbook('high-latency', { alerts: ['HighLatency'], services: ['api'], symptoms: ['slow requests', 'timeouts'] });
const redis = runbook('redis-down', { alerts: ['RedisDown'], services: ['redis'], symptoms: ['OOM command not allowed'] });
const catalogue = runbookCatalogue([pgDown, pgLong, latency, redis]);
const ids = (list: Runbook[]) => list.map((r) => r.id);

describe('the catalogue', () => {
  it('lists and finds by id', () => {
    expect(ids([...catalogue.list()])).toEqual(['pg-down', 'pg-long-queries', 'high-latency', 'redis-down']);
    expect(catalogue.get('redis-down')).toBe(redis);
    expect(catalogue.get('nope')).toBeUndefined();
  });

  it('matches nothing with nothing, or with words no runbook has', () => {
    expect(catalogue.match({})).toEqual([]);
    expect(catalogue.match({ alertnames: ['DiskFull'], services: ['kafka'], text: 'the printer is on fire' })).toEqual([]);
  });

  it('ranks an alert name first, then services, then symptoms in the text', () => {
    // high-latency has the symptom, pg-long-queries the service, pg-down the alert.
    expect(ids(catalogue.match({ alertnames: ['PostgresDown'], services: ['api'], text: 'slow requests everywhere' }))).toEqual(['pg-down', 'pg-long-queries', 'high-latency']);
    expect(ids(catalogue.match({ alertnames: ['postgresdown'] }))).toEqual(['pg-down']);
    expect(ids(catalogue.match({ services: ['Redis'] }))).toEqual(['redis-down']);
  });

  it('more matches of the same rank come first; equal ones keep the catalogue order', () => {
    expect(ids(catalogue.match({ services: ['postgres', 'api'] }))).toEqual(['pg-long-queries', 'pg-down', 'high-latency']);
    expect(ids(catalogue.match({ text: 'slow requests' }))).toEqual(['pg-long-queries', 'high-latency']);
    expect(ids(catalogue.match({ text: 'slow requests and a lock timeout' }))).toEqual(['pg-long-queries', 'high-latency']);
    expect(ids(catalogue.match({ text: 'Slow requests, timeouts' }))).toEqual(['high-latency', 'pg-long-queries']);
  });

  it('finds symptoms as whole words, in any case and spacing', () => {
    expect(ids(catalogue.match({ text: 'Writes fail: OOM   command\nnot allowed' }))).toEqual(['redis-down']);
    expect(ids(catalogue.match({ text: 'sessions: lock_timeout on orders' }))).toEqual(['pg-long-queries']);
    expect(catalogue.match({ text: 'slow requestsx' })).toEqual([]);
    expect(catalogue.match({ text: 'timeoutsy' })).toEqual([]);
  });

  it('a service named in the text counts, below a symptom found there', () => {
    expect(ids(catalogue.match({ text: 'redis is down' }))).toEqual(['redis-down']);
    expect(ids(catalogue.match({ text: 'api: connection refused' }))).toEqual(['pg-down', 'pg-long-queries', 'high-latency']);
  });

  it('takes words holding regular expression characters as they are', () => {
    const odd = runbookCatalogue([runbook('odd', { symptoms: ['5xx (errors)', 'a+b'] })]);
    expect(ids(odd.match({ text: 'many 5xx (errors) since noon' }))).toEqual(['odd']);
    expect(odd.match({ text: 'aab' })).toEqual([]);
  });
});

describe('did you mean', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('restart', 'restrat')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds a name close to a typo, whole or part by part', () => {
    const actions = ['pg.terminate-long', 'pg.terminate', 'k8s.rollout-restart', 'k8s.rollout-undo', 'k8s.scale', 'redis.flushdb'];
    expect(closest('k8s.restrat', actions)).toBe('k8s.rollout-restart');
    expect(closest('k8s.restart', actions)).toBe('k8s.rollout-restart');
    expect(closest('pg.terminat', actions)).toBe('pg.terminate');
    expect(closest('K8S.SCALE', actions)).toBe('k8s.scale');
    expect(closest('redis.flush', actions)).toBe('redis.flushdb');
    expect(closest('zz.zzzz', actions)).toBeUndefined();
    expect(closest('', actions)).toBeUndefined();
    expect(closest('x'.repeat(500), actions)).toBeUndefined();
    expect(didYouMean('chek', ['check', 'action', 'manual', 'notify'])).toBe(' (did you mean "check"?)');
    expect(didYouMean('db', ['check', 'action'])).toBe('');
  });
});

describe('matching, more', () => {
  it('reads the first 10,000 characters of a text, no more', () => {
    const found = runbookCatalogue([runbook('late', { symptoms: ['disk full'] })]);
    expect(ids(found.match({ text: `${'.'.repeat(10_000 - 'disk full'.length)}disk full` }))).toEqual(['late']);
    expect(found.match({ text: `${'.'.repeat(10_000 - 'disk full'.length + 1)}disk full` })).toEqual([]);
  });

  it('a symptom or service of blanks only matches nothing', () => {
    const blank = runbookCatalogue([runbook('blank', { symptoms: ['   '], services: [' '] })]);
    expect(blank.match({ text: 'anything at all' })).toEqual([]);
    expect(blank.match({ text: '   ' })).toEqual([]);
  });

  it('a phrase is whole words: not inside a word, letters and digits alike, in any script', () => {
    const one = runbookCatalogue([runbook('one', { symptoms: ['lock timeout'] })]);
    expect(one.match({ text: 'xlock timeout' })).toEqual([]);
    expect(one.match({ text: '9lock timeout' })).toEqual([]);
    expect(one.match({ text: 'élock timeout' })).toEqual([]);
    expect(one.match({ text: 'lock timeout9' })).toEqual([]);
    expect(one.match({ text: 'lock timeoutß' })).toEqual([]);
    expect(one.match({ text: 'lock-timeout' }).map((r) => r.id)).toEqual(['one']);
    expect(one.match({ text: '(LOCK TIMEOUT)' }).map((r) => r.id)).toEqual(['one']);
    expect(one.match({ text: 'lockxtimeout' })).toEqual([]);
    expect(one.match({ text: 'lock\t\ttimeout' }).map((r) => r.id)).toEqual(['one']);
  });

  it('takes every regular expression character as itself', () => {
    const odd = runbookCatalogue([runbook('odd', { symptoms: ['a.b', 'c*', 'd?e', '^f$', 'g{2}', '[h]', 'i|j', 'k\\l', 'm+n', '(o)'] })]);
    for (const text of ['a.b', 'c*', 'd?e', '^f$', 'g{2}', '[h]', 'i|j', 'k\\l', 'm+n', '(o)']) expect(ids(odd.match({ text: `say ${text} now` }))).toEqual(['odd']);
    for (const text of ['axb', 'ccc', 'e', 'f', 'gg', 'h', 'i', 'j', 'kl', 'mn', 'o']) expect(odd.match({ text: `say ${text} now` })).toEqual([]);
  });

  it('ranks symptoms and mentioned services together, then symptoms over mentions', () => {
    const a = runbook('a', { services: ['orders', 'billing'] });
    const b = runbook('b', { symptoms: ['slow'] });
    const c = runbook('c', { symptoms: ['slow', 'stuck'] });
    const cat = runbookCatalogue([a, b, c]);
    // a: two services mentioned, b: one symptom, c: two symptoms.
    expect(ids(cat.match({ text: 'orders and billing are slow and stuck' }))).toEqual(['c', 'a', 'b']);
    const d = runbook('d', { services: ['orders'], symptoms: ['stuck'] });
    // c: two symptoms; d: one symptom and one mention (as many, fewer symptoms); a: one mention.
    expect(ids(runbookCatalogue([a, d, c]).match({ text: 'orders are slow and stuck' }))).toEqual(['c', 'd', 'a']);
    expect(ids(runbookCatalogue([d, c, a]).match({ text: 'orders are slow and stuck' }))).toEqual(['c', 'd', 'a']);
  });

  it('an alert or a service asked outranks any number of symptoms', () => {
    const many = runbook('many', { symptoms: ['one', 'two', 'three'] });
    const alerted = runbook('alerted', { alerts: ['Down'] });
    const served = runbook('served', { services: ['api'] });
    const cat = runbookCatalogue([many, served, alerted]);
    expect(ids(cat.match({ alertnames: ['Down'], services: ['api'], text: 'one two three' }))).toEqual(['alerted', 'served', 'many']);
    expect(ids(cat.match({ services: ['API'], text: 'one two three' }))).toEqual(['served', 'many']);
  });
});
