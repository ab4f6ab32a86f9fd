/**
 * The hook's HTTP edge, served by a plain Node server over the fakes: what is refused before the
 * answer (off, method, token, content type, size, JSON, shape, unknown workspace), that nothing of
 * a refused notification is stored, that the answer comes before the work, and that the token
 * never reaches the logs.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ALERTMANAGER_PATH, alertmanagerRoute } from '../../src/adapters/http/alertmanager-hook.js';
import { fakeContext, type FakeContext } from '../fakes/context.js';
import { postgresDown } from './payloads.js';

const TOKEN = 'hook-test-token-5f2c9a7e41d8';
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Hook {
  ctx: FakeContext;
  url: string;
  /** Is the workspace known yet (Slack answered)? */
  slack: { teamId: string | undefined };
}

async function startHook(config: Record<string, unknown> = { alertmanager: { token: TOKEN } }): Promise<Hook> {
  const ctx = fakeContext({ config });
  const slack: Hook['slack'] = { teamId: 'T0TEAM' };
  const route = alertmanagerRoute({ ctx, teamId: () => slack.teamId, reporterId: () => (slack.teamId ? 'U0FIREBREAK' : undefined) });
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === route.path && route.method.includes(req.method ?? '')) return route.handler(req, res);
    res.writeHead(404);
    res.end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ctx, slack, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${ALERTMANAGER_PATH}` };
}

const json = { 'content-type': 'application/json' };
const auth = { authorization: `Bearer ${TOKEN}` };

async function post(hook: Hook, body: unknown, headers: Record<string, string> = { ...json, ...auth }) {
  const res = await fetch(hook.url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Nothing stored: no incident, no group, no background work started. */
async function nothingStored(hook: Hook) {
  expect(hook.ctx.inflight.size).toBe(0);
  expect(await hook.ctx.store.listOpenIncidents('T0TEAM')).toEqual([]);
  expect(await hook.ctx.store.alerts.record('T0TEAM', postgresDown(['db-1']).groupKey as string, { at: new Date(), firing: 0, resolved: 0, status: 'firing' })).toEqual({ notifications: 1 });
}

describe('the hook refuses before answering', () => {
  it('is off (404) when no token is configured, whatever is sent', async () => {
    const hook = await startHook({});
    const res = await post(hook, postgresDown(['db-1']));
    expect(res.status).toBe(404);
    expect(res.body.error).toContain('alertmanager.token');
    await nothingStored(hook);
  });

  it('takes POST only (405, with Allow)', async () => {
    const hook = await startHook();
    const res = await fetch(hook.url, { headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('401 without the token, with a wrong one, or another scheme; the token is never logged', async () => {
    const hook = await startHook();
    const payload = postgresDown(['db-1']);
    for (const headers of [json, { ...json, authorization: 'Bearer wrong-token-0000000000' }, { ...json, authorization: `Basic ${TOKEN}` }, { ...json, authorization: `Bearer ${TOKEN}0` }]) {
      const res = await post(hook, payload, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    await nothingStored(hook);
    expect(hook.ctx.logs.filter((l) => String(l.msg).includes('bearer token missing or wrong'))).toHaveLength(4);
    expect(JSON.stringify(hook.ctx.logs)).not.toContain(TOKEN);
  });

  it('415 for a body that is not declared JSON', async () => {
    const hook = await startHook();
    const res = await post(hook, JSON.stringify(postgresDown(['db-1'])), { ...auth, 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.error).toContain('application/json');
    await nothingStored(hook);
  });

  it('413 for a body over 1 MB, read to its end so the answer arrives', async () => {
    const hook = await startHook();
    const big = { ...postgresDown(['db-1']), padding: 'x'.repeat(2 * 1024 * 1024) };
    const res = await post(hook, big);
    expect(res.status).toBe(413);
    expect(res.body.error).toContain('1048576 bytes');
    // Streamed without a length, it is cut off as it arrives.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(hook.url, { method: 'POST', headers: { ...json, ...auth, 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 32; i += 1) req.write('x'.repeat(64 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    await nothingStored(hook);
  });

  it('400 with the reason for what is not JSON or not a version 4 payload', async () => {
    const hook = await startHook();
    const good = postgresDown(['db-1']);
    const { groupKey: _g, ...noGroupKey } = good;
    const cases: Array<[unknown, RegExp]> = [
      ['{"version": "4", ', /^The body is not JSON/],
      [noGroupKey, /groupKey: is missing: expected text/],
      [{ ...good, version: '3' }, /version: expected "4", got "3"/],
      [{ ...good, alerts: { 0: 'a' } }, /alerts: expected an array, got a mapping/],
    ];
    for (const [body, reason] of cases) {
      const res = await post(hook, body);
      expect(res.status).toBe(400);
      expect(String(res.body.error)).toMatch(reason);
    }
    await nothingStored(hook);
  });

  it('503 with Retry-After while Slack has not said which workspace Firebreak is in', async () => {
    const hook = await startHook();
    hook.slack.teamId = undefined;
    const res = await post(hook, postgresDown(['db-1']));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await nothingStored(hook);
  });

  it('503 with Retry-After while the database cannot be reached, so Alertmanager sends it again', async () => {
    const hook = await startHook();
    const ping = hook.ctx.store.ping;
    hook.ctx.store.ping = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    };
    const res = await post(hook, postgresDown(['db-1']));
    expect(res.status).toBe(503);
    expect(res.body.error).toContain('cannot reach its database');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    hook.ctx.store.ping = ping;
    await nothingStored(hook);
  });
});

describe('the hook accepts', () => {
  it('answers 200 at once and opens the incident in the background work', async () => {
    const hook = await startHook();
    // The store's first answer waits until the test lets it go: the 200 must not wait for it.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const current = hook.ctx.store.alerts.current.bind(hook.ctx.store.alerts);
    hook.ctx.store.alerts.current = async (...args) => {
      await gate;
      return current(...args);
    };
    const res = await post(hook, postgresDown(['db-1', 'db-2']), { ...auth, 'content-type': 'application/json; charset=utf-8' });
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(hook.ctx.inflight.size).toBe(1);
    expect(await hook.ctx.store.listOpenIncidents('T0TEAM')).toEqual([]);
    release();
    await hook.ctx.inflight.drain(5000);
    expect(hook.ctx.backgroundErrors).toEqual([]);
    const [incident] = await hook.ctx.store.listOpenIncidents('T0TEAM');
    expect(incident).toMatchObject({ title: 'PostgresDown: PostgreSQL does not answer', severity: 'P1', reporterId: 'U0FIREBREAK' });
  });

  it('a failure in the background work is handed to the inflight error handler, never thrown', async () => {
    const hook = await startHook();
    const broken = new Error('database unreachable');
    hook.ctx.store.alerts.current = async () => {
      throw broken;
    };
    const res = await post(hook, postgresDown(['db-1']));
    expect(res.status).toBe(200);
    await hook.ctx.inflight.drain(5000);
    expect(hook.ctx.backgroundErrors).toEqual([{ label: expect.stringMatching(/^alertmanager notification [0-9a-f]{12}$/), err: broken }]);
  });
});
