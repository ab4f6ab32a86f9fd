/** With SLACK_APP_TOKEN set, Firebreak takes its requests over Socket Mode instead of HTTP. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFirebreak, type RunningFirebreak } from '../../src/server.js';
import { newTriggerId, startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { startSocketModeStandIn, type SocketModeStandIn } from '../slack/socket-mode.js';

let webApi: SlackStandIn;
let socket: SocketModeStandIn;
let app: RunningFirebreak;

beforeAll(async () => {
  webApi = await startSlackStandIn();
  socket = await startSocketModeStandIn(webApi);
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-socket-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INCIDENTS\n');
  const loaded = loadConfig(
    { SLACK_BOT_TOKEN: 'xoxb-sock', SLACK_SIGNING_SECRET: 'sock-secret', SLACK_APP_TOKEN: 'xapp-1-sock', SLACK_API_URL: webApi.apiUrl, PORT: '0', FIREBREAK_DATA_DIR: 'memory://' },
    dir,
  );
  rmSync(dir, { recursive: true, force: true });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  app = await startFirebreak(loaded.config, createLogger({ level: 'silent', secrets: [], destination: quiet }));
  await socket.connected();
});
afterAll(async () => {
  await app?.stop({ drainMs: 2000 });
  await socket?.close();
  await webApi?.close();
});

const command = (text: string) => ({
  token: 'verification-token', team_id: 'T0TEST', team_domain: 'firebreak', channel_id: 'C0GENERAL', channel_name: 'general',
  user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text, api_app_id: 'A0FIREBREAK',
  response_url: webApi.responseUrl(), trigger_id: newTriggerId(),
});

describe('Socket Mode', () => {
  it('connects with the app token and answers slash commands in the envelope ack', async () => {
    expect(app.mode).toBe('socket');
    const open = webApi.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.token).toBe('xapp-1-sock');
    const ack = await socket.send('slash_commands', command('help'));
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect((ack.payload as { text: string }).text).toContain('`/incident open [title]`');
  });

  it('opens the declaration modal from a command received over the socket', async () => {
    const payload = command('open Disk full on db-1');
    await socket.send('slash_commands', payload);
    const call = await webApi.waitFor('views.open', (c) => c.args.trigger_id === payload.trigger_id);
    expect(JSON.stringify(call.args.view)).toContain('Disk full on db-1');
  });
});
