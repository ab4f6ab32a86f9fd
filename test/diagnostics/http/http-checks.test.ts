/**
 * The configured `checks` of an HTTP target, run by `/diag http` against a real node:http server
 * with a route for each case: a POST with headers and expected JSON (seed 001), `X-Cache: HIT` on
 * the request after a warm-up (seed 002), a login that checks the posted credentials and answers a
 * token (seed 003), fields present, missing and wrong, a slow route, a redirect, a route that
 * never answers. Every answer carries a secret in its body: it must never show.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpKind, httpProbe, httpTargetSchema, type HttpTarget } from '../../../src/adapters/targets/http/index.js';
import { loadConfig, secretsOf } from '../../../src/config.js';
import type { Finding, Report } from '../../../src/core/diagnostics/finding.js';
import { fullReport, renderReports } from '../../../src/core/diagnostics/render.js';
import { createLogger } from '../../../src/logger.js';
import { context, json, startHttp, type Running } from './servers.js';

const API_KEY = 'coach-key-4f1d9a77';
const PASSWORD = 'login-pw-31a9c5e0';
const TOKEN = 'tok-e8c1b2a7d94f-from-the-login';
const SESSION = 'sess-90ab4471c2-cookie';
/** In every answer's body, never asked for: it must not appear in any finding or report. */
const BODY_SECRET = 'body-secret-7c2e91-never-shown';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
/** How many times the dashboard was asked for since the cache was last emptied. */
let dashboardHits = 0;
let api: Running;
let elsewhere: Running;

function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://api');
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /v1/coaching/chat-legacy': {
      if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { detail: 'invalid API key', trace: BODY_SECRET });
      let message: unknown;
      try {
        message = JSON.parse(body);
      } catch {
        return json(res, 400, { detail: 'expected JSON' });
      }
      const m = message as { message?: unknown; user_id?: unknown };
      if (typeof m.message !== 'string' || typeof m.user_id !== 'number') return json(res, 422, { detail: 'message and user_id required' });
      return json(res, 200, { status: 'ok', reply: { text: 'pong' }, usage: { tokens: 12 }, debug: BODY_SECRET });
    }
    case 'GET /fields':
      return json(res, 200, { status: 'degraded', version: '1.4.2', database: { state: 'up', dsn: `postgres://app:${BODY_SECRET}@db/app` }, api_key: BODY_SECRET, empty: '' });
    case 'GET /api/dashboard/resume': {
      dashboardHits += 1;
      res.setHeader('X-Cache', dashboardHits === 1 ? 'MISS' : 'HIT');
      return json(res, 200, { rows: [1, 2, 3], internal: BODY_SECRET });
    }
    case 'GET /nocache':
      res.setHeader('X-Cache', 'MISS');
      return json(res, 200, { rows: [], internal: BODY_SECRET });
    case 'POST /auth/login': {
      let creds: { username?: unknown; password?: unknown } = {};
      try {
        creds = JSON.parse(body) as typeof creds;
      } catch {
        // not JSON: refused below
      }
      if (creds.username !== 'admin' || creds.password !== PASSWORD) return json(res, 401, { error: 'invalid credentials', echo: BODY_SECRET });
      res.setHeader('Set-Cookie', `session=${SESSION}; HttpOnly`);
      return json(res, 200, { token: TOKEN, token_type: 'Bearer', expires_in: 3600, user: { name: 'admin', apiKey: BODY_SECRET } });
    }
    case 'GET /slow':
      setTimeout(() => json(res, 200, { ok: true, internal: BODY_SECRET }), 300);
      return;
    case 'GET /moved':
      res.writeHead(302, { location: `${elsewhere.url}/new`, 'content-type': 'text/plain' });
      res.end(`moved ${BODY_SECRET}`);
      return;
    case 'GET /hang':
      return; // accepted, never answered
    case 'GET /page':
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html>${BODY_SECRET}</html>`);
      return;
    case 'GET /health':
      return json(res, 200, { status: 'ok', database: 'connected' });
    default:
      return json(res, 404, { error: 'not found', internal: BODY_SECRET });
  }
}

beforeAll(async () => {
  api = await startHttp((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  elsewhere = await startHttp((_req, res) => json(res, 200, { status: 'ok' }));
});

afterAll(async () => {
  await api.close();
  await elsewhere.close();
});

beforeEach(() => {
  received.length = 0;
  dashboardHits = 0;
});

/** Every finding any test produced: none may hold a secret the server answered. */
const everyFinding: Finding[] = [];

/** A target as the configuration reads it (defaults applied), its URL on the test server. */
function target(checks: unknown[], extra: Record<string, unknown> = {}): HttpTarget {
  return httpTargetSchema.parse({ name: 'api', url: `${api.url}/health`, checks, ...extra });
}

async function run(t: HttpTarget, ms = 3000): Promise<Finding[]> {
  const ctx = context(ms);
  try {
    const findings = await httpProbe(t).run(ctx);
    everyFinding.push(...findings);
    return findings;
  } finally {
    ctx.dispose();
  }
}

/** The findings of one check (the target's own GET left out). */
const ofCheck = (findings: Finding[], name: string) => findings.filter((f) => f.check === name);
const component = (findings: Finding[], c: string): Finding => {
  const f = findings.find((x) => x.component === c);
  if (!f) throw new Error(`no finding for "${c}" in ${JSON.stringify(findings, null, 1)}`);
  return f;
};

const chatCheck = {
  name: 'chat answers',
  method: 'POST',
  path: '/v1/coaching/chat-legacy',
  headers: { 'X-API-Key': API_KEY },
  body: { message: 'Test connection', user_id: 1 },
  expect: { status: 200, json: { status: 'ok', 'reply.text': 'pong', 'usage.tokens': 'present' } },
};
const cacheCheck = { name: 'cache warm', path: '/api/dashboard/resume', warmup: 1, expect: { headers: { 'X-Cache': 'HIT' } } };
const loginCheck = {
  name: 'login',
  method: 'POST',
  path: '/auth/login',
  headers: { 'Content-Type': 'application/json' },
  body: { username: 'admin', password: PASSWORD },
  expect: { status: 200, json: { token: 'present', token_type: 'Bearer' }, headers: { 'Set-Cookie': 'present' } },
};

describe('configuration of the checks', () => {
  it('a target without checks is read as before, and its probe asks for its URL only', async () => {
    const plain = httpTargetSchema.parse({ name: 'api', url: `${api.url}/health`, expect: { status: 200 } });
    expect(plain).toEqual({ name: 'api', url: `${api.url}/health`, expect: { status: 200 } });
    const findings = await run(plain);
    expect(findings.map((f) => f.check)).toEqual(['status', 'latency']);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /health']);
  });

  it('fills in the defaults: GET, no headers, no warm-up, any 2xx', () => {
    const [check] = target([{ name: 'ping', path: '/health' }]).checks!;
    expect(check).toEqual({ name: 'ping', method: 'GET', path: '/health', headers: {}, expect: { json: {}, headers: {} }, warmup: 0 });
    const [timed] = target([{ name: 'timed', path: '/x', expect: { status: [200, 204], latencyMs: { warn: '500ms', critical: '2s' } } }]).checks!;
    expect(timed!.expect).toMatchObject({ status: [200, 204], latencyMs: { warn: 500, critical: 2000 } });
  });

  const refused: Array<[string, unknown, RegExp]> = [
    ['a path to another host', { name: 'x', path: '//evil.example/steal' }, /single "\/"/],
    ['a path that a backslash turns into another host', { name: 'x', path: '/\\evil.example/steal' }, /single "\/"/],
    ['a full URL', { name: 'x', path: 'http://evil.example/' }, /starting with/],
    ['a body on a GET', { name: 'x', path: '/x', body: 'hello' }, /sends no body: use method POST/],
    ['a method that changes things', { name: 'x', method: 'DELETE', path: '/x' }, /expected one of GET, HEAD, POST, OPTIONS/],
    ['the Host header', { name: 'x', path: '/x', headers: { Host: 'other.example' } }, /Host header is set by Firebreak/],
    ['a header value on two lines', { name: 'x', path: '/x', headers: { 'X-Api-Key': 'abc\r\nX-Injected: 1' } }, /on one line/],
    ['a bad regular expression', { name: 'x', path: '/x', expect: { headers: { 'X-Cache': '/HIT(/' } } }, /valid regular expression/],
    ['too many warm-up requests', { name: 'x', path: '/x', warmup: 11 }, /from 0 to 10/],
    ['latency limits out of order', { name: 'x', path: '/x', expect: { latencyMs: { warn: '3s', critical: '1s' } } }, /must not be above critical/],
    ['an unknown key', { name: 'x', path: '/x', expect: { stauts: 200 } }, /stauts|Unrecognized|unrecognized/],
  ];
  it.each(refused)('refuses %s', (_what, check, message) => {
    const result = httpTargetSchema.safeParse({ name: 'api', url: 'https://api.example.com/health', checks: [check] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.message} ${'keys' in i ? String(i.keys) : ''}`).join('\n')).toMatch(message);
  });

  it('never quotes a header value it refuses (it may be a credential)', () => {
    const result = httpTargetSchema.safeParse({ name: 'api', url: 'https://api.example.com/', checks: [{ name: 'x', path: '/x', headers: { Authorization: `Bearer ${API_KEY}\n` } }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(' ')).not.toContain(API_KEY);
  });

  it('refuses two checks of one name', () => {
    const result = httpTargetSchema.safeParse({ name: 'api', url: 'https://api.example.com/', checks: [{ name: 'x', path: '/a' }, { name: 'x', path: '/b' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/unique within a target, got "x"/);
  });
});

describe('seed 001: a POST with headers and a JSON body, expecting JSON fields', () => {
  it('sends the method, headers and body as configured, and finds every field ok', async () => {
    const findings = await run(target([chatCheck]));
    const chat = received.find((r) => r.url === '/v1/coaching/chat-legacy');
    expect(chat).toMatchObject({ method: 'POST', body: JSON.stringify({ message: 'Test connection', user_id: 1 }) });
    expect(chat!.headers).toMatchObject({ 'x-api-key': API_KEY, 'content-type': 'application/json', 'user-agent': 'firebreak-diagnostics' });
    const mine = ofCheck(findings, 'chat answers');
    expect(mine.map((f) => [f.component, f.status])).toEqual([
      ['api', 'ok'],
      ['api latency', 'ok'],
      ['api status', 'ok'],
      ['api reply.text', 'ok'],
      ['api usage.tokens', 'ok'],
    ]);
    expect(mine[0]!.value).toMatch(/^HTTP 200 OK in \d+ ms$/);
    expect(component(mine, 'api reply.text').value).toBe('reply.text = "pong"');
    // A field named like a credential, asked only to be there: never its value.
    expect(component(mine, 'api usage.tokens').value).toBe('usage.tokens present (value not shown)');
    // The target's own GET still runs, as before.
    expect(findings.filter((f) => f.check === 'status')).toHaveLength(1);
  });

  it('a wrong API key: the 401 is critical, and the answer’s body is not shown', async () => {
    const findings = await run(target([{ ...chatCheck, headers: { 'X-API-Key': 'wrong-key-value' } }]));
    const mine = ofCheck(findings, 'chat answers');
    const status = component(mine, 'api');
    expect(status).toMatchObject({ status: 'critical', threshold: 'expected 200' });
    expect(status.value).toMatch(/^HTTP 401 Unauthorized in \d+ ms$/);
    expect(status.recommendation).toMatch(/credentials the check "chat answers" sends/);
    expect(status.evidence).toEqual([`POST ${api.url}/v1/coaching/chat-legacy`, 'content-type: application/json', expect.stringMatching(/^body: \d+ bytes \(not shown\)$/)]);
    // The fields are still graded against the answer that came: all missing.
    expect(component(mine, 'api reply.text')).toMatchObject({ status: 'critical', value: 'reply.text = (missing), expected "pong"' });
  });
});

describe('JSON fields: present, missing, wrong', () => {
  it('grades each, quoting a compared value unless the field is named like a credential', async () => {
    const findings = await run(
      target([
        {
          name: 'fields',
          path: '/fields',
          expect: { json: { status: 'ok', version: 'present', 'database.state': 'up', 'database.dsn': 'postgres://x', api_key: 'other', missing: 'present', empty: 'present', database: { state: 'up' } } },
        },
      ]),
    );
    const mine = ofCheck(findings, 'fields');
    expect(component(mine, 'api status')).toMatchObject({ status: 'critical', value: 'status = "degraded", expected "ok"', evidence: ['found: "degraded"', 'expected: "ok"'] });
    expect(component(mine, 'api version')).toMatchObject({ status: 'ok', value: 'version present', threshold: 'expected present' });
    expect(component(mine, 'api database.state')).toMatchObject({ status: 'ok', value: 'database.state = "up"' });
    expect(component(mine, 'api database.dsn')).toMatchObject({ status: 'critical', value: 'database.dsn = "postgres://app:[redacted]@db/app", expected "postgres://x"' });
    expect(component(mine, 'api api_key')).toMatchObject({ status: 'critical', value: 'api_key differs from the expected value (not shown)', threshold: 'expected the configured value (not shown)' });
    expect(component(mine, 'api api_key').evidence).toBeUndefined();
    expect(component(mine, 'api missing')).toMatchObject({ status: 'critical', value: 'missing missing' });
    expect(component(mine, 'api empty')).toMatchObject({ status: 'critical', value: 'empty is empty' });
    // A mapping is described, not quoted: it holds fields nobody asked for.
    expect(component(mine, 'api database')).toMatchObject({ status: 'critical', value: 'database = a mapping of 2 fields (not shown), expected {"state":"up"}' });
  });

  it('an answer that is not JSON: critical, with its type and size, not its text', async () => {
    const findings = await run(target([{ name: 'page', path: '/page', expect: { json: { status: 'ok' } } }]));
    expect(component(ofCheck(findings, 'page'), 'api json')).toMatchObject({
      status: 'critical',
      value: 'the answer is not JSON',
      evidence: ['content-type: text/html', expect.stringMatching(/^body: \d+ bytes \(not shown\)$/)],
    });
  });
});

describe('seed 002: X-Cache HIT on the request after a warm-up', () => {
  it('sends the warm-up first, then grades the second answer: HIT', async () => {
    const findings = await run(target([cacheCheck]));
    expect(received.filter((r) => r.url === '/api/dashboard/resume')).toHaveLength(2);
    const header = component(ofCheck(findings, 'cache warm'), 'api X-Cache');
    expect(header).toMatchObject({ status: 'ok', value: 'X-Cache: "HIT"', threshold: 'expected "HIT"' });
  });

  it('without the warm-up, the first answer is a MISS: critical, saying what came', async () => {
    const findings = await run(target([{ ...cacheCheck, warmup: 0 }]));
    const header = component(ofCheck(findings, 'cache warm'), 'api X-Cache');
    expect(header).toMatchObject({ status: 'critical', value: 'X-Cache: "MISS", expected "HIT"', evidence: [`GET ${api.url}/api/dashboard/resume`] });
    expect(header.recommendation).toMatch(/cache/);
  });

  it('a cache that never fills: MISS after the warm-up is critical, the evidence says after how many', async () => {
    const findings = await run(target([{ name: 'cache', path: '/nocache', warmup: 2, expect: { headers: { 'x-cache': '/^hit$/i' } } }]));
    expect(received.filter((r) => r.url === '/nocache')).toHaveLength(3);
    const header = component(ofCheck(findings, 'cache'), 'api x-cache');
    expect(header).toMatchObject({ status: 'critical', value: 'x-cache: "MISS", expected to match /^hit$/i', evidence: [`GET ${api.url}/nocache (after 2 warm-up requests)`] });
    const regexOk = await run(target([{ ...cacheCheck, expect: { headers: { 'X-Cache': '/^HIT$/' } } }]));
    expect(component(ofCheck(regexOk, 'cache warm'), 'api X-Cache').status).toBe('ok');
  });

  it('a header the answer lacks is critical', async () => {
    const findings = await run(target([{ name: 'etag', path: '/health', expect: { headers: { ETag: 'present' } } }]));
    expect(component(ofCheck(findings, 'etag'), 'api ETag')).toMatchObject({ status: 'critical', value: 'no ETag header' });
  });
});

describe('seed 003: a login that answers a token', () => {
  it('posts the credentials; the server checks them; the check says a token came back, never what it is', async () => {
    const findings = await run(target([loginCheck]));
    const login = received.find((r) => r.url === '/auth/login');
    expect(JSON.parse(login!.body)).toEqual({ username: 'admin', password: PASSWORD });
    const mine = ofCheck(findings, 'login');
    expect(mine.every((f) => f.status === 'ok')).toBe(true);
    expect(component(mine, 'api token').value).toBe('token present (value not shown)');
    expect(component(mine, 'api token_type').value).toBe('token_type as expected (value not shown)');
    expect(component(mine, 'api Set-Cookie')).toMatchObject({ value: 'Set-Cookie: (value not shown)', threshold: 'expected present' });
    const text = JSON.stringify(findings);
    for (const secret of [TOKEN, SESSION, PASSWORD, BODY_SECRET]) expect(text).not.toContain(secret);
  });

  it('wrong credentials: 401 critical, no token, and the refusal’s body not shown', async () => {
    const findings = await run(target([{ ...loginCheck, body: { username: 'admin', password: 'not-the-password' } }]));
    const mine = ofCheck(findings, 'login');
    expect(component(mine, 'api').status).toBe('critical');
    expect(component(mine, 'api').value).toMatch(/^HTTP 401 Unauthorized/);
    expect(component(mine, 'api token')).toMatchObject({ status: 'critical', value: 'token missing' });
    expect(component(mine, 'api Set-Cookie')).toMatchObject({ status: 'critical', value: 'no Set-Cookie header' });
  });

  it('the credentials a check sends are secrets for the log scrubber; other header values are not', () => {
    const t = target([
      loginCheck,
      { name: 'bearer', path: '/x', headers: { Authorization: `Bearer ${TOKEN}`, Cookie: `session=${SESSION}; theme=dark`, 'X-Api-Key': API_KEY, Accept: 'application/json' } },
      { name: 'form', method: 'POST', path: '/form', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `user=admin&password=${encodeURIComponent('form-pw-77aa')}` },
    ]);
    const secrets = httpKind.secrets(t);
    expect(secrets).toEqual(expect.arrayContaining([PASSWORD, `Bearer ${TOKEN}`, TOKEN, `session=${SESSION}; theme=dark`, SESSION, API_KEY, 'form-pw-77aa']));
    expect(secrets).not.toContain('application/json');
    expect(secrets).not.toContain('admin');
    expect(secrets).not.toContain('dark');
  });
});

describe('latency, redirects, and a route that never answers', () => {
  it('grades the latency with the check’s limits, else the target’s thresholds', async () => {
    const slow = (latencyMs?: unknown, thresholds?: unknown) =>
      run(target([{ name: 'slow', path: '/slow', ...(latencyMs ? { expect: { latencyMs } } : {}) }], thresholds ? { thresholds } : {})).then((f) => component(ofCheck(f, 'slow'), 'api latency'));
    const warned = await slow({ warn: 100, critical: '5s' });
    expect(warned).toMatchObject({ status: 'warning', threshold: 'warning at 100 ms, critical at 5000 ms' });
    expect(Number(warned.value.replace(' ms', ''))).toBeGreaterThanOrEqual(290);
    expect((await slow({ warn: 50, critical: 200 })).status).toBe('critical');
    expect(await slow()).toMatchObject({ status: 'ok', threshold: 'warning at 1000 ms, critical at 2000 ms' });
    expect(await slow(undefined, { latencyWarnMs: 100, latencyCritMs: 5000 })).toMatchObject({ status: 'warning', threshold: 'warning at 100 ms, critical at 5000 ms' });
  });

  it('never follows a redirect: critical unless expected, and the other host is never asked', async () => {
    const findings = await run(target([{ name: 'moved', path: '/moved' }]));
    const status = component(ofCheck(findings, 'moved'), 'api');
    expect(status.status).toBe('critical');
    expect(status.value).toMatch(new RegExp(`^HTTP 302 Found, redirects to http://127\\.0\\.0\\.1:${elsewhere.port}/new \\(not followed\\) in \\d+ ms$`));
    expect(status.recommendation).toMatch(/give the final path in the check "moved"/);
    expect(elsewhere.requests).toHaveLength(0);
    const expected = await run(target([{ name: 'moved', path: '/moved', expect: { status: 302 } }]));
    expect(component(ofCheck(expected, 'moved'), 'api').status).toBe('ok');
  });

  it('a route that hangs is unreachable by the deadline, and the other checks still report', async () => {
    const started = Date.now();
    const findings = await run(target([{ name: 'hangs', path: '/hang' }, { name: 'warm then hang', path: '/hang', warmup: 1 }, cacheCheck]), 800);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(800 + 500);
    expect(ofCheck(findings, 'hangs')).toEqual([expect.objectContaining({ component: 'api', status: 'critical', value: expect.stringMatching(/^unreachable: no answer from 127\.0\.0\.1:\d+ within \d+ ms$/) })]);
    expect(ofCheck(findings, 'warm then hang')).toEqual([expect.objectContaining({ status: 'critical', value: expect.stringMatching(/within \d+ ms \(warm-up request 1 of 1\)$/) })]);
    expect(component(ofCheck(findings, 'cache warm'), 'api X-Cache').status).toBe('ok');
    expect(findings.find((f) => f.check === 'status')?.status).toBe('ok');
  });
});

describe('the example configuration', () => {
  it('its three seed checks load, and pass against an API that answers as the seeds say', async () => {
    const example = new URL('../../../firebreak.example.yml', import.meta.url).pathname;
    const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing', FIREBREAK_CONFIG: example, COACH_API_KEY: API_KEY, LOGIN_USER: 'admin', LOGIN_PASSWORD: PASSWORD }, '/');
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const configured = loaded.config.targets.http.find((x) => x.name === 'api')!;
    expect(configured.checks!.map((c) => [c.name, c.method, c.path, c.warmup])).toEqual([
      ['chat answers', 'POST', '/v1/coaching/chat-legacy', 0],
      ['cache warm', 'GET', '/api/dashboard/resume', 1],
      ['login', 'POST', '/auth/login', 0],
    ]);
    expect(secretsOf(loaded.config)).toEqual(expect.arrayContaining([API_KEY, PASSWORD]));
    // The same target, pointed at the test server.
    const findings = await run({ ...structuredClone(configured), url: `${api.url}/health` });
    expect(findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(new Set(findings.map((f) => f.check))).toEqual(new Set(['status', 'latency', 'json field', 'chat answers', 'cache warm', 'login']));
  });
});

describe('the body never shows', () => {
  afterAll(() => {
    // Over every finding of every test above.
    expect(everyFinding.length).toBeGreaterThan(40);
    const text = JSON.stringify(everyFinding);
    for (const secret of [BODY_SECRET, TOKEN, SESSION, PASSWORD, API_KEY]) expect(text, secret).not.toContain(secret);
  });

  it('nor in the report, nor in the logs, whatever fails', async () => {
    const checks = [
      chatCheck,
      { ...chatCheck, name: 'chat, wrong key', headers: { 'X-API-Key': 'wrong-key-value' }, expect: { status: 200, json: { debug: 'x', status: 'fine' } } },
      { name: 'fields', path: '/fields', expect: { json: { api_key: 'x', database: 'x', 'database.dsn': 'present' } } },
      cacheCheck,
      loginCheck,
      { ...loginCheck, name: 'login, wrong password', body: { username: 'admin', password: 'nope' }, expect: { status: 200, json: { error: 'x', token: 'present' } } },
      { name: 'moved', path: '/moved' },
      { name: 'page', path: '/page', expect: { json: { a: 1 } } },
      { name: 'missing', path: '/nope' },
    ];
    const t = target(checks);
    const findings = await run(t);
    expect(findings.filter((f) => f.status === 'critical').length).toBeGreaterThan(8);
    const report: Report = { kind: 'http', target: 'api', startedAt: new Date(), durationMs: 10, findings };
    const rendered = renderReports([report], 'Diagnostics http');
    const shown = [JSON.stringify(rendered.message), rendered.fullText, fullReport([report])].join('\n');

    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const log = createLogger({ level: 'trace', secrets: httpKind.secrets(t), destination });
    // What Firebreak logs of a run, and more: the findings themselves, and the target as configured.
    log.info({ findings }, 'diagnostics done');
    log.debug({ target: t }, 'http target');
    const logged = lines.join('\n');
    expect(logged).toContain('HTTP 401 Unauthorized');

    for (const secret of [BODY_SECRET, TOKEN, SESSION]) {
      expect(shown, secret).not.toContain(secret);
      expect(logged, secret).not.toContain(secret);
    }
    // The credentials the checks send are in the configuration the log line holds: scrubbed.
    expect(logged).not.toContain(API_KEY);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).toContain('[redacted]');
  });

  it('the configuration loader hands the checks’ credentials to the logger, from ${VAR}', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-http-checks-'));
    try {
      writeFileSync(
        path.join(dir, 'firebreak.yml'),
        [
          'incidents: { channel: C0INCIDENTS }',
          'targets:',
          '  http:',
          '    - name: api',
          '      url: "https://api.example.com/health"',
          '      checks:',
          '        - { name: chat, method: POST, path: /v1/chat, headers: { X-API-Key: "${COACH_API_KEY}" }, body: { message: ping } }',
          '        - { name: login, method: POST, path: /auth/login, body: { username: admin, password: "${LOGIN_PASSWORD}" }, expect: { json: { token: present } } }',
        ].join('\n'),
      );
      const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing', COACH_API_KEY: API_KEY, LOGIN_PASSWORD: PASSWORD }, dir);
      if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
      expect(loaded.config.targets.http[0]!.checks![0]!.headers).toEqual({ 'X-API-Key': API_KEY });
      expect(secretsOf(loaded.config)).toEqual(expect.arrayContaining([API_KEY, PASSWORD]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
