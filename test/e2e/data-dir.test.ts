/**
 * One Firebreak process per embedded-database directory, with real processes (`node src/main.ts`):
 * a second process on the same directory is refused at once and the first is unaffected; after a
 * SIGKILL the next process takes the stale lock over and every incident is still there; two
 * directories run side by side.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { createSlackDriver, viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { declarationValues, INCIDENTS_CHANNEL } from './app-under-test.js';
import { runFirebreak, servingPort, type Proc } from './spawn.js';

const SECRET = 'data-dir-signing-secret';
let standIn: SlackStandIn;
const procs: Proc[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterEach(() => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});
afterAll(async () => {
  await standIn?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-datadir-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'firebreak.yml'), `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n`);
  return dir;
}

/** A process in `cwd` whose embedded database is `dataDir`. */
function start(cwd: string, dataDir: string): Proc {
  const p = runFirebreak({ SLACK_BOT_TOKEN: 'xoxb-data-dir', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: standIn.apiUrl, PORT: '0', FIREBREAK_DATA_DIR: dataDir, LOG_LEVEL: 'info' }, cwd);
  procs.push(p);
  return p;
}

async function declare(port: number, title: string): Promise<void> {
  const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET, standIn });
  const cmd = await driver.command({ command: '/incident', text: `open ${title}` });
  const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
  await driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title, severity: 'P2' }) });
  await standIn.waitFor('chat.postMessage', (c) => String(c.args.text).includes(title), 10_000);
}

/** The titles stored in a directory, read once no process holds it. */
async function titlesIn(dataDir: string): Promise<string[]> {
  const store = await openStore({ dataDir });
  try {
    const ids = await store.listOpenIncidentIds();
    const incidents = await Promise.all(ids.map((id) => store.getIncident(id)));
    return incidents.map((i) => i?.title ?? '?').sort();
  } finally {
    await store.close();
  }
}

// Each test starts PGlite on a fresh directory (initdb: seconds of CPU) and a second process after
// it or beside it; servingPort gives each start a minute, so each test gets a minute and a half.
const TWO_STARTS_MS = 90_000;

describe('the embedded database directory', () => {
  it('refuses a second process at once, naming the directory and its owner, and leaves the first serving', async () => {
    const cwd = workDir();
    const dataDir = path.join(cwd, 'data');
    const first = start(cwd, dataDir);
    const port = await servingPort(first);
    await declare(port, 'First of two');

    const second = start(cwd, dataDir);
    expect(await second.exited).toBe(1);
    expect(second.err()).toContain(`Firebreak could not start: the embedded database in ${dataDir} is in use by process ${first.child.pid}`);
    expect(second.err()).toContain('FIREBREAK_DATA_DIR');
    expect(second.out()).not.toContain('"Firebreak is serving"');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', backend: 'pglite', dataDir });
    await declare(port, 'Second of two');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await titlesIn(dataDir)).toEqual(['First of two', 'Second of two']);
  }, TWO_STARTS_MS);

  it('is taken over after its owner is killed with SIGKILL, with a warning, and nothing is lost', async () => {
    const cwd = workDir();
    const dataDir = path.join(cwd, 'data');
    const owner = start(cwd, dataDir);
    await declare(await servingPort(owner), 'Before the crash');
    owner.child.kill('SIGKILL');
    await owner.exited;

    const next = start(cwd, dataDir);
    const port = await servingPort(next, 60_000);
    expect(next.out()).toContain('took over the embedded database lock left by a process that is gone');
    expect(next.out()).toContain(`process ${owner.child.pid} no longer exists`);
    await declare(port, 'After the crash');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(await titlesIn(dataDir)).toEqual(['After the crash', 'Before the crash']);
  }, TWO_STARTS_MS);

  it('lets two processes run on two directories', async () => {
    const cwd = workDir();
    const a = start(cwd, path.join(cwd, 'a'));
    const b = start(cwd, path.join(cwd, 'b'));
    const [portA, portB] = await Promise.all([servingPort(a), servingPort(b)]);
    for (const [port, dir] of [[portA, 'a'], [portB, 'b']] as const) {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', dataDir: path.join(cwd, dir) });
    }
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
  }, TWO_STARTS_MS);
});
