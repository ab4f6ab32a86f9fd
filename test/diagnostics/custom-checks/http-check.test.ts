/**
 * Runbook HTTP checks against real node:http servers: the request as sent (method, headers, body),
 * the expected status and JSON fields, latency thresholds, redirects never followed, paths that
 * would leave the target, and targets that are down or hang.
 */
import type http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpCheckProbe, BODY_EVIDENCE_CHARS } from '../../../src/adapters/targets/http/probe/request-check.js';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import type { Probe } from '../../../src/core/diagnostics/probe.js';
import { closedPort, context, json, startHanging, startHttp, type Running } from '../http/servers.js';
import { httpCheck } from './checks.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the API server answers, by path: [status, body, extra headers, delay]. */
const routes = new Map<string, { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number }>();
const received: Received[] = [];
let api: Running;
let elsewhere: Running;

beforeAll(async () => {
  api = await startHttp((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const route = routes.get((req.url ?? '').split('?')[0]!);
      if (!route) return json(res, 404, { error: 'not found' });
      const answer = () => {
        if (typeof route.body === 'string') {
          res.writeHead(route.status, { 'content-type': 'text/plain', ...route.headers });
          res.end(route.body);
        } else {
          for (const [k, v] of Object.entries(route.headers ?? {})) res.setHeader(k, v);
          json(res, route.status, route.body);
        }
      };
      if (route.delayMs) setTimeout(answer, route.delayMs);
      else answer();
    });
  });
  elsewhere = await startHttp((_req, res) => json(res, 200, { status: 'ok' }));
});

afterAll(async () => {
  await api.close();
  await elsewhere.close();
});

beforeEach(() => {
  routes.clear();
  received.length = 0;
});

function build(spec: Record<string, unknown>, url = `${api.url}/healthz`): Probe {
  const probe = httpCheckProbe({ name: 'api', url }, httpCheck(spec));
  if (typeof probe === 'string') throw new Error(probe);
  return probe;
}

async function run(spec: Record<string, unknown>, url?: string, ms = 3000): Promise<Finding[]> {
  const ctx = context(ms);
  try {
    return await build(spec, url).run(ctx);
  } finally {
    ctx.dispose();
  }
}

describe('HTTP check: the request', () => {
  it('POSTs the body with the headers as written, to the path on the target’s host', async () => {
    routes.set('/v1/chat', { status: 200, body: { status: 'ok', reply: { text: 'pong' } } });
    const body = '  {"message": "ping"}\n';
    const findings = await run({
      http: { method: 'POST', path: '/v1/chat?lang=fr', headers: { 'Content-Type': 'application/json', 'X-Probe': 'runbook', Accept: 'application/json' }, body, expect: { status: 200, json: { status: 'ok', 'reply.text': 'pong' } } },
      meaning: 'The chat endpoint answers a test message',
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/v1/chat?lang=fr', body });
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-probe': 'runbook', accept: 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    expect(findings.map((f) => [f.component, f.status])).toEqual([
      ['api', 'ok'],
      ['api status', 'ok'],
      ['api reply.text', 'ok'],
    ]);
    expect(findings[0]).toMatchObject({ check: 'The chat endpoint answers a test message', threshold: 'expected 200' });
    expect(findings[0]!.value).toMatch(/^HTTP 200 OK in \d+ ms$/);
  });

  it('GET by default, with no body', async () => {
    routes.set('/ping', { status: 204, body: '' });
    const findings = await run({ http: { path: '/ping', expect: { status: [200, 204] } } });
    expect(received[0]).toMatchObject({ method: 'GET', body: '' });
    expect(findings).toEqual([expect.objectContaining({ status: 'ok', threshold: 'expected 200 or 204' })]);
  });

  it('a path that would lead to another host is refused when the probe is built', () => {
    for (const path of [`//127.0.0.1:${elsewhere.port}/x`, '//evil.example/steal']) {
      const probe = httpCheckProbe({ name: 'api', url: `${api.url}/healthz` }, httpCheck({ http: { path } }));
      expect(typeof probe, path).toBe('string');
      expect(probe as string).toMatch(/leads away from the HTTP target "api"/);
    }
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('a header value with a line break is refused when the probe is built', () => {
    const probe = httpCheckProbe({ name: 'api', url: api.url }, httpCheck({ http: { path: '/x', headers: { 'X-A': 'a\r\nX-Injected: 1' } } }));
    expect(probe).toMatch(/line break/);
  });
});

describe('HTTP check: the answer', () => {
  it('a status not expected is critical, with the start of the body as evidence', async () => {
    routes.set('/v1/chat', { status: 503, body: 'upstream unavailable: '.padEnd(1000, 'x') });
    const findings = await run({ http: { method: 'POST', path: '/v1/chat', body: '{}' }, recommendation: 'Restart the chat worker.' });
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ component: 'api', status: 'critical', threshold: 'expected 200', recommendation: 'Restart the chat worker.' });
    expect(f.value).toMatch(/^HTTP 503 Service Unavailable in \d+ ms$/);
    expect(f.evidence![0]).toBe(`POST ${api.url}/v1/chat`);
    expect(f.evidence![1]).toMatch(/^body: upstream unavailable: x+…$/);
    expect(f.evidence![1]!.length).toBeLessThanOrEqual('body: '.length + BODY_EVIDENCE_CHARS);
  });

  it('a JSON field that differs is critical, showing what was found and what was expected', async () => {
    routes.set('/health', { status: 200, body: { status: 'degraded', checks: { db: 'down', cache: 'ok' }, items: [{ n: 1 }] } });
    const findings = await run({ http: { path: '/health', expect: { json: { status: 'ok', 'checks.db': 'up', 'checks.cache': 'ok', 'items.0.n': 1, missing: null } } } });
    const by = new Map(findings.map((f) => [f.component, f]));
    expect(by.get('api')!.status).toBe('ok');
    expect(by.get('api checks.cache')!.status).toBe('ok');
    expect(by.get('api items.0.n')!.status).toBe('ok');
    expect(by.get('api status')).toMatchObject({ status: 'critical', value: 'status = "degraded", expected "ok"' });
    expect(by.get('api checks.db')!.evidence!.slice(0, 2)).toEqual(['found: "down"', 'expected: "up"']);
    expect(by.get('api missing')).toMatchObject({ status: 'critical', value: 'missing = (missing), expected null' });
  });

  it('an answer that is not JSON, when fields are expected, is critical', async () => {
    routes.set('/health', { status: 200, body: '<html>login</html>' });
    const findings = await run({ http: { path: '/health', expect: { json: { status: 'ok' } } } });
    expect(findings.find((f) => f.component === 'api json')).toMatchObject({ status: 'critical', value: 'the answer is not JSON' });
  });

  it('latency is graded against warnMs and criticalMs when given', async () => {
    routes.set('/slow', { status: 200, body: { ok: true }, delayMs: 300 });
    const latency = async (spec: Record<string, unknown>) => (await run({ http: { path: '/slow' }, ...spec })).find((f) => f.component === 'api latency');
    expect(await latency({})).toBeUndefined();
    expect(await latency({ warnMs: 100, criticalMs: 5000 })).toMatchObject({ status: 'warning', threshold: 'warning at 100 ms, critical at 5000 ms' });
    expect((await latency({ warnMs: 50, criticalMs: 200 }))!.status).toBe('critical');
    expect((await latency({ criticalMs: 200 }))!.status).toBe('critical');
    const ok = await latency({ warnMs: 2000, criticalMs: 5000 });
    expect(ok!.status).toBe('ok');
    expect(Number(ok!.value.replace(' ms', ''))).toBeGreaterThanOrEqual(290);
  });

  it('a redirect is never followed, even to the same host: critical unless expected', async () => {
    routes.set('/old', { status: 302, body: 'moved', headers: { location: `${elsewhere.url}/new` } });
    const findings = await run({ http: { path: '/old' } });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.status).toBe('critical');
    expect(findings[0]!.value).toMatch(new RegExp(`^HTTP 302 Found, redirects to http://127\\.0\\.0\\.1:${elsewhere.port}/new \\(not followed\\) in \\d+ ms$`));
    expect(elsewhere.requests).toHaveLength(0);
    routes.set('/here', { status: 301, body: 'moved', headers: { location: '/there' } });
    expect((await run({ http: { path: '/here', expect: { status: 301 } } }))[0]!.status).toBe('ok');
    expect(received.map((r) => r.url)).toEqual(['/old', '/here']);
  });
});

describe('HTTP check: reachability', () => {
  it('a closed port is one "unreachable" finding', async () => {
    const port = await closedPort();
    const findings = await run({ http: { path: '/x' } }, `http://127.0.0.1:${port}`);
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', component: 'api', status: 'critical' })]);
    expect(findings[0]!.value).toMatch(/connection refused/);
  });

  it('a server that never answers: unreachable by the deadline', async () => {
    const hanging = await startHanging();
    try {
      const started = Date.now();
      const findings = await run({ http: { method: 'POST', path: '/x', body: 'x' } }, hanging.url, 700);
      expect(Date.now() - started).toBeLessThan(700 + 500);
      expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
      expect(findings[0]!.value).toMatch(/no answer from .* within \d+ ms/);
    } finally {
      await hanging.close();
    }
  });
});
