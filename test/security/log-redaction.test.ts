/**
 * Each way the logger keeps secrets out, on its own: the values it is told are secret, any
 * password inside a URL, anything shaped like a Slack token, fields whose name says secret, and
 * the message text itself. Each case holds a secret only that one path can catch, so removing a
 * path fails its case. Then: the configuration tells the logger every credential it holds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config.js';
import { createLogger, makeScrubber } from '../../src/logger.js';

function capture(secrets: string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'trace', secrets, destination }), text: () => lines.join('\n'), lines };
}

describe('known secrets', () => {
  // Plain words: no token shape, not in a URL, under ordinary field names.
  const secret = 'plain-words-only-known-as-secret';

  it('are replaced in fields, nested values, errors and their causes', () => {
    const { log, text } = capture([secret]);
    log.info({ note: `the value is ${secret}`, nested: { list: [`x ${secret} y`] } }, 'fields');
    log.error({ err: new Error('outer', { cause: new Error(`inner ${secret}`) }) }, 'errors');
    expect(text()).not.toContain(secret);
    expect(text()).toContain('the value is [redacted]');
    expect(text()).toContain('inner [redacted]');
  });

  it('are replaced whole, the longest first, so no part of one is left', () => {
    const scrub = makeScrubber(['abcd', 'abcdefgh-longer']);
    expect(scrub('x abcdefgh-longer y abcd')).toBe('x [redacted] y [redacted]');
  });

  it('shorter than 4 characters are left alone (they would blank ordinary words)', () => {
    expect(makeScrubber(['ab'])('a cab')).toBe('a cab');
  });
});

describe('passwords inside URLs, whether known or not', () => {
  const scrub = makeScrubber([]);

  it.each([
    ['postgres://fb:never-told@db:5432/app', 'postgres://fb:[redacted]@db:5432/app'],
    ['redis://:only-a-password@cache:6379/0', 'redis://:[redacted]@cache:6379/0'],
    ['http://probe:p@ss@host/health', 'http://probe:[redacted]@host/health'],
    ['connect to rediss://u:x%2Fy@h:6380 failed', 'connect to rediss://u:[redacted]@h:6380 failed'],
  ])('%s', (input, expected) => expect(scrub(input)).toBe(expected));

  it('in every string the logger writes', () => {
    const { log, text } = capture([]);
    log.warn({ target: { url: 'postgres://fb:never-told@db/app' } }, 'probe failed');
    expect(text()).toContain('postgres://fb:[redacted]@db/app');
    expect(text()).not.toContain('never-told');
  });

  it('leave URLs without credentials as they are', () => {
    expect(scrub('see https://example.com/a:b?x=1 and user@example.com')).toBe('see https://example.com/a:b?x=1 and user@example.com');
  });
});

describe('Slack token shapes, whether known or not', () => {
  const scrub = makeScrubber([]);

  it.each(['xoxb-17-2828-AbCdEf', 'xoxp-1-2-3-abc', 'xapp-1-A0FB-1-abcdef', 'xoxe.xoxp-1-Mi0y', 'xoxe-1-refresh'])('%s', (token) => {
    expect(scrub(`Bearer ${token} sent`)).toBe('Bearer [redacted] sent');
  });
});

describe('fields whose name says they hold a secret', () => {
  it('are censored whatever their value looks like', () => {
    const { log, lines } = capture([]);
    log.info({ password: 'pw1', token: 'tk1', signingSecret: 'ss1', headers: { authorization: 'Basic Zm9vOmJhcg==' }, request: { password: 'pw2' } }, 'named');
    const line = JSON.parse(lines[0]!) as Record<string, any>;
    expect(line).toMatchObject({ password: '[redacted]', token: '[redacted]', signingSecret: '[redacted]', headers: { authorization: '[redacted]' }, request: { password: '[redacted]' } });
  });
});

describe('the message itself', () => {
  const secret = 'message-only-secret-value';

  it('is scrubbed, formatted or not', () => {
    const { log, lines } = capture([secret]);
    log.info(`starting with ${secret}`);
    log.info('auth with %s', secret);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['starting with [redacted]', 'auth with [redacted]']);
  });
});

describe('secretsOf: the configuration names every credential it holds', () => {
  // Made in beforeAll, not while the file is collected: a run that filters this test out (mutation
  // testing runs only the tests covering a mutant) skips the hooks, and would leave the folder.
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-secrets-of-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Slack, the database, PagerDuty and every target kind', () => {
    writeFileSync(
      path.join(dir, 'firebreak.yml'),
      [
        'incidents: { channel: C0X1 }',
        'escalation:',
        '  responseDeadline: { pagerduty: DEADLINEKEY0001 }',
        '  levels: [{ name: L2, after: 15m, pagerduty: LEVELKEY0002 }]',
        '  pageOnOpen: [P0]',
        '  pagerduty: { url: "https://relay:relay-pass@pd.example/v2/enqueue", routingKey: OPENKEY0003 }',
        'targets:',
        '  postgres: [{ name: main, url: "postgres://fb:pg-target-pass@db/app" }]',
        '  redis: [{ name: cache, url: "redis://:redis-pass@cache:6379" }]',
        '  http: [{ name: api, url: "https://probe:http-pass@api.example/health" }]',
        '  prometheus: [{ name: prom, url: "http://prom:prom-pass@prom:9090", alertmanager: "http://am:am-pass@am:9093", checks: [] }]',
      ].join('\n'),
    );
    const r = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-bot-token',
        SLACK_SIGNING_SECRET: 'signing-secret',
        SLACK_APP_TOKEN: 'xapp-app-token',
        SLACK_API_URL: 'https://proxy:proxy-pass@slack-proxy.example/api/',
        DATABASE_URL: 'postgres://fb:store%40pass@db/fb',
      },
      dir,
    );
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect([...secretsOf(r.config)].sort()).toEqual(
      [
        'xoxb-bot-token', 'signing-secret', 'xapp-app-token', 'store@pass', 'proxy-pass', 'DEADLINEKEY0001', 'LEVELKEY0002', 'OPENKEY0003', 'relay-pass',
        'pg-target-pass', 'redis-pass', 'http-pass', 'prom-pass', 'am-pass',
      ].sort(),
    );
  });
});
