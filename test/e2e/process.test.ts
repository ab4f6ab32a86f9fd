/**
 * Firebreak as an operator runs it: `node src/main.ts` in its own process. Exit codes, the embedded
 * store by default, secrets kept out of the logs, and a clean exit on SIGTERM.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver, viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { declarationValues } from './app-under-test.js';
import { ROOT, runFirebreak, servingPort, type Proc } from './spawn.js';

const TOKEN = 'xoxb-proc-7777-super-secret';
const SECRET = 'proc-signing-secret-abcdef';
const run = runFirebreak;

const running: Proc[] = [];
const dirs: string[] = [];
/** A temporary folder removed after the file's tests. */
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  const stopping = running.splice(0);
  for (const p of stopping) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(stopping.map((p) => p.exited));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('configuration errors exit 2 with every problem and no stack trace', () => {
  it('names the missing half of the Slack pair (one variable set is a Slack deployment, never local mode)', async () => {
    const p = run({ SLACK_BOT_TOKEN: TOKEN });
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain('SLACK_SIGNING_SECRET is not set');
    expect(p.err()).not.toContain('SLACK_BOT_TOKEN and');
    expect(p.out()).not.toContain('local mode');
    expect(p.err()).not.toMatch(/\n\s+at /);
  });

  it('with NODE_ENV=production and no Slack variable, names both and does not fall back to local mode', async () => {
    const p = run({ NODE_ENV: 'production' });
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set');
    expect(p.err()).toContain('NODE_ENV is production, so Firebreak does not fall back to local mode');
    expect(p.out()).not.toContain('Console:');
  });

  it('--local (npm run local) starts local mode whatever the environment, and SIGTERM stops it with its event streams open', async () => {
    const p = run({ NODE_ENV: 'production', SLACK_BOT_TOKEN: TOKEN, PORT: '0' }, undefined, { args: ['--local'] });
    running.push(p);
    let url: string | undefined;
    for (let i = 0; i < 600 && !url; i += 1) {
      url = /Console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.out())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    expect(url, p.err()).toBeDefined();
    expect(p.out()).toContain('Firebreak local mode: nothing is sent to Slack.');
    const events = await fetch(new URL('/console/events', url));
    expect(events.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('lists bad keys with their path', async () => {
    const dir = tempDir('fb-proc-');
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INC\n  updateReminder: soon\n');
    const p = run({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET }, dir);
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain('incidents.updateReminder: expected a duration like "15m" or "30s", got "soon"');
    expect(p.err()).not.toMatch(/\n\s+at /);
  });

  it('names the template file and the unknown placeholder', async () => {
    const templates = tempDir('fb-tpl-');
    cpSync(path.join(ROOT, 'runbooks/templates'), templates, { recursive: true });
    writeFileSync(path.join(templates, 'fr/initial.md'), 'Incident {{incident_id}} : {{titre}}\n');
    const dir = tempDir('fb-proc-');
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INC\n');
    const p = run({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, FIREBREAK_TEMPLATES_DIR: templates, FIREBREAK_DATA_DIR: path.join(dir, 'data') }, dir);
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(/fr\/initial\.md:1: unknown placeholder "\{\{titre\}\}"/);
  });
});

describe('a running process', () => {
  let standIn: SlackStandIn;
  beforeAll(async () => {
    standIn = await startSlackStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('runs on the embedded store with no DATABASE_URL, serves an incident end to end, and stops on SIGTERM', async () => {
    const dir = tempDir('fb-proc-');
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: ${ANNOUNCE_IN}\n  locale: fr\n');
    const p = run(
      { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', ANNOUNCE_IN: 'C0FRANCE', LOG_LEVEL: 'trace' },
      dir,
    );
    running.push(p);
    const port = await servingPort(p);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', store: 'ok', backend: 'pglite' });

    const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET, standIn });
    const cmd = await driver.command({ command: '/incident', text: 'open Paiements en échec' });
    const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
    await driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title: 'Paiements en échec', severity: 'P0', symptoms: 'Erreurs 502' }) });
    const post = await standIn.waitFor('chat.postMessage', (c) => c.args.channel === 'C0FRANCE', 10_000);
    expect(post.args.text).toContain('P0 Critique · INC-1: Paiements en échec');
    expect(JSON.stringify(post.args.blocks)).toContain('*Symptômes :* Erreurs 502');

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('"shutting down"');
    expect(p.out()).toContain('"Firebreak stopped"');
    expect(p.out()).not.toContain(TOKEN);
    expect(p.out()).not.toContain(SECRET);
    expect(p.err()).not.toContain(TOKEN);
  });

  it('stops cleanly on a SIGTERM that comes while it is still starting, not killed half-way', async () => {
    const dir = tempDir('fb-proc-');
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INC\n');
    const schema = `fb_proc_starting_${process.pid}`;
    // Slack does not answer the start's auth.test: the start waits for it (5 s) before serving.
    standIn.failNext('auth.test', { hang: true });
    const spawnedAt = Date.now();
    const p = run({ SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema }, dir);
    running.push(p);
    try {
      // This process's hung call, not an earlier test's answered one (the stand-in is shared).
      await standIn.waitFor('auth.test', (c) => c.status === 0 && c.at >= spawnedAt, 30_000);
      expect(p.out()).not.toContain('"Firebreak is serving"');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.out()).toContain('"shutting down"');
      expect(p.out()).toContain('"Firebreak stopped"');
    } finally {
      const { default: pg } = await import('pg');
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });

  it('keeps the database password out of the logs', async () => {
    const password = 'pw-never-in-logs-9f3a';
    const url = new URL(TEST_DATABASE_URL);
    url.password = password; // trust auth ignores it, so the server still lets us in
    const dir = tempDir('fb-proc-');
    writeFileSync(path.join(dir, 'firebreak.yml'), 'incidents:\n  channel: C0INC\n');
    const schema = `fb_proc_${process.pid}`;
    const p = run(
      { SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', DATABASE_URL: url.toString(), DATABASE_SCHEMA: schema, LOG_LEVEL: 'trace' },
      dir,
    );
    running.push(p);
    await servingPort(p);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain(':[redacted]@');
    expect(p.out() + p.err()).not.toContain(password);
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });
});
