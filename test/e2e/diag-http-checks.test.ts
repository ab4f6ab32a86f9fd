/**
 * `/diag http` with configured checks, through Slack's wire format: a real Firebreak, the Slack
 * stand-in, and a local API that answers a chat POST with an API key (seed 001), a cached route
 * (`X-Cache: MISS`, then `HIT`: seed 002) and a login that checks the posted credentials and
 * answers a token (seed 003). Every answer carries a secret in its body: it must reach neither
 * Slack, the timeline, nor the logs; nor may the token, the session cookie or the credentials.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENTS_CHANNEL, startAppUnderTest, type AppUnderTest } from './app-under-test.js';
import { declareIncident, visible } from './flows.js';

const API_KEY = 'e2e-coach-key-5d0c2b19';
const PASSWORD = 'e2e-login-pw-8f3a61';
const TOKEN = 'e2e-token-c4b7a09e21-issued';
const SESSION = 'e2e-session-77e1f0d3';
const BODY_SECRET = 'e2e-body-secret-1b9e44-never-shown';
const SECRETS = [API_KEY, PASSWORD, TOKEN, SESSION, BODY_SECRET];

let t: AppUnderTest;
let api: Server;
let dashboardHits = 0;
const seen: string[] = [];

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push(`${req.method} ${req.url}`);
  const parsed = (() => {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  switch (`${req.method} ${req.url}`) {
    case 'GET /health':
      return json(res, 200, { status: 'ok', database: 'connected' });
    case 'POST /v1/coaching/chat-legacy':
      if (req.headers['x-api-key'] !== API_KEY) return json(res, 401, { detail: 'invalid key', trace: BODY_SECRET });
      if (parsed.message !== 'Test connection') return json(res, 422, { detail: 'message required' });
      return json(res, 200, { status: 'ok', reply: { text: 'pong' }, debug: BODY_SECRET });
    case 'GET /api/dashboard/resume':
      dashboardHits += 1;
      return json(res, 200, { rows: [1], internal: BODY_SECRET }, { 'X-Cache': dashboardHits % 2 === 1 ? 'MISS' : 'HIT' });
    case 'POST /auth/login':
      if (parsed.username !== 'admin' || parsed.password !== PASSWORD) return json(res, 401, { error: 'invalid credentials', echo: BODY_SECRET });
      return json(res, 200, { token: TOKEN, user: { name: 'admin', apiKey: BODY_SECRET } }, { 'Set-Cookie': `session=${SESSION}` });
    default:
      return json(res, 404, { error: 'not found', internal: BODY_SECRET });
  }
}

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => route(req, res, body));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const yaml = [
    'incidents:',
    `  channel: ${INCIDENTS_CHANNEL}`,
    'targets:',
    '  http:',
    `    - name: api`,
    `      url: "${base}/health"`,
    '      expect: { status: 200, json: { database: connected } }',
    '      checks:',
    `        - { name: chat answers, method: POST, path: /v1/coaching/chat-legacy, headers: { X-API-Key: "${API_KEY}" }, body: { message: Test connection, user_id: 1 }, expect: { status: 200, json: { status: ok } } }`,
    '        - { name: cache warm, path: /api/dashboard/resume, warmup: 1, expect: { headers: { X-Cache: HIT } } }',
    `        - { name: login, method: POST, path: /auth/login, body: { username: admin, password: "${PASSWORD}" }, expect: { status: 200, json: { token: present } } }`,
    '        - { name: login as nobody, method: POST, path: /auth/login, body: { username: nobody, password: wrong-password }, expect: { status: 200, json: { token: present } } }',
    'diagnostics:',
    '  timeout: 3s',
  ].join('\n');
  t = await startAppUnderTest({ yaml });
});

afterAll(async () => {
  await t?.stop();
  await new Promise((r) => api?.close(r));
});

describe('/diag http with configured checks', () => {
  it('reports each check, the failing one critical, and no secret reaches Slack, the timeline or the logs', async () => {
    const inc = await declareIncident(t, { title: 'Logins failing', severity: 'P2' });
    const since = t.standIn.calls.length;
    await t.driver.command({ command: '/diag', text: 'http api', channelId: inc.channelId! });
    const report = await t.standIn.waitFor('chat.update', (c) => t.standIn.calls.indexOf(c) >= since && visible(c).startsWith('Diagnostics http'), 10_000);
    const body = visible(report);

    expect(body).toMatch(/^Diagnostics http: CRITICAL/);
    // The failing check, with its status and the missing token; the others among the checks ok.
    expect(body).toMatch(/:red_circle: \*login as nobody\* · api \(http\)[^\n]*\n?[^\n]*HTTP 401 Unauthorized/);
    expect(body).toMatch(/login as nobody\* · api \(http\) · api token[\s\S]*token missing/);
    expect(body).toMatch(/checks ok: .*status.*chat answers.*cache warm.*login/);
    expect(seen).toEqual(expect.arrayContaining(['GET /health', 'POST /v1/coaching/chat-legacy', 'POST /auth/login']));
    expect(seen.filter((s) => s === 'GET /api/dashboard/resume')).toHaveLength(2);

    const inTimeline = async () => {
      await t.running.ctx.inflight.drain(15_000);
      return t.running.ctx.store.listTimeline(inc.incidentId);
    };
    const events = await inTimeline();
    expect(events.find((e) => e.kind === 'diagnostic_run')?.data).toMatchObject({ name: 'http api (http)', summary: expect.stringMatching(/^CRITICAL/) });

    const everywhere = {
      slack: JSON.stringify(t.standIn.calls.map((c) => c.args)),
      timeline: JSON.stringify(events),
      logs: JSON.stringify(t.logs),
    };
    expect(t.logs.length).toBeGreaterThan(5);
    for (const [where, text] of Object.entries(everywhere)) {
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  });
});
