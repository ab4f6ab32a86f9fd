/**
 * In Socket Mode nothing of Bolt listens on PORT: the /healthz server serves the Alertmanager hook
 * too, with the same checks and the same incident at the end (embedded database, Slack stand-ins).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFirebreak, type RunningFirebreak } from '../../src/server.js';
import { BOT_USER_ID, startSlackStandIn, TEAM_ID, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { startSocketModeStandIn, type SocketModeStandIn } from '../slack/socket-mode.js';
import { postgresDown } from './payloads.js';

const TOKEN = 'socket-alertmanager-token-8c1e4b';
let webApi: SlackStandIn;
let socket: SocketModeStandIn;
let app: RunningFirebreak;
let url: string;

beforeAll(async () => {
  webApi = await startSlackStandIn();
  socket = await startSocketModeStandIn(webApi);
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-alerts-socket-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\nalertmanager:\n  token: ${ALERTMANAGER_TOKEN}\n');
  const loaded = loadConfig(
    {
      SLACK_BOT_TOKEN: 'xoxb-sock',
      SLACK_SIGNING_SECRET: 'sock-secret',
      SLACK_APP_TOKEN: 'xapp-1-sock',
      SLACK_API_URL: webApi.apiUrl,
      PORT: '0',
      FIREBREAK_DATA_DIR: 'memory://',
      ALERTMANAGER_TOKEN: TOKEN,
    },
    dir,
  );
  rmSync(dir, { recursive: true, force: true });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  app = await startFirebreak(loaded.config, createLogger({ level: 'silent', secrets: [], destination: quiet }));
  await socket.connected();
  url = `http://127.0.0.1:${app.port}`;
});
afterAll(async () => {
  await app?.stop({ drainMs: 5000 });
  await socket?.close();
  await webApi?.close();
});

const post = (headers: Record<string, string>, body: unknown) => fetch(`${url}/hooks/alertmanager`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('the Alertmanager hook in Socket Mode', () => {
  it('is served beside /healthz and opens the incident', async () => {
    expect(app.mode).toBe('socket');
    const res = await post({ 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, postgresDown(['db-1']));
    expect(res.status).toBe(200);
    await app.ctx.inflight.drain(10_000);
    const [incident] = await app.ctx.store.listOpenIncidents(TEAM_ID);
    expect(incident).toMatchObject({ title: 'PostgresDown: PostgreSQL does not answer', severity: 'P1', reporterId: BOT_USER_ID });
    expect(webApi.callsTo('chat.postMessage').some((c) => c.args.channel === 'C0INCIDENTS' && String(c.args.text).includes(`INC-${incident!.number}: PostgresDown`))).toBe(true);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('refuses the same way: 401 without the token, 405 for GET; other paths are 404', async () => {
    expect((await post({ 'content-type': 'application/json' }, postgresDown(['db-2']))).status).toBe(401);
    expect((await fetch(`${url}/hooks/alertmanager`)).status).toBe(405);
    const other = await fetch(`${url}/slack/events`, { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('/healthz, /livez, /metrics and /hooks/alertmanager');
  });
});
