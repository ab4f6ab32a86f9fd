/**
 * The container image built without Docker: the Dockerfile's steps replayed in temporary folders,
 * then the result run. The build context (the repository's files, as `docker build .` would send
 * them, without what git ignores) goes to one folder, where the build stage's commands run (npm ci,
 * npm run build); a second folder gets only what the runtime stage copies, in its order, and its
 * `npm ci --omit=dev`. There `node dist/main.js` must serve Slack (the Web API stand-in) on
 * PostgreSQL, answer /healthz and the image's own HEALTHCHECK, find the shipped runbooks, and the
 * compiled CLI must run, with no TypeScript tooling installed.
 *
 * Slow (two npm ci, from the npm cache): one file, with its own time limits.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { servingPort, type Proc } from '../e2e/spawn.js';
import { TEST_DATABASE_URL } from '../services.js';
import { copyOf, execForm, instructions, readDockerfile, ROOT, type Stage } from './dockerfile.js';

const TOKEN = 'xoxb-build-test-4242';
const SECRET = 'build-test-signing-secret';
const SCHEMA = `fb_build_${process.pid}`;
const INSTALL_MS = 10 * 60_000;

const { stages } = readDockerfile();
const buildStage = stages[0]!;
const runtimeStage = stages.at(-1)!;
/** The folder both stages work in (WORKDIR): `COPY --from=build /app/dist` reads the build folder. */
const workdirOf = (stage: Stage) => instructions(stage, 'WORKDIR').at(-1)?.args ?? '/';

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};

/** npm and node with a plain environment: no NODE_ENV (production would make npm ci drop devDependencies) and no npm_* of a parent npm. */
function plainEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return { ...env, ...extra };
}

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = plainEnv(), timeoutMs = INSTALL_MS): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

async function mustRun(command: string, args: string[], cwd: string): Promise<void> {
  const r = await run(command, args, cwd);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} in ${cwd} exited ${r.code}:\n${r.err.slice(-4000)}\n${r.out.slice(-2000)}`);
}

/** A RUN of the Dockerfile as it runs here: npm from the cache first (the packages are those of the lock, already fetched). */
function asRunHere(command: string): string[] {
  const words = command.split(/\s+/);
  if (words[0] !== 'npm') throw new Error(`only npm commands are replayed, not: ${command}`);
  return words[1] === 'ci' ? [...words.slice(1), '--prefer-offline'] : words.slice(1);
}

/** The npm commands of a RUN (`npm ci … && npm cache clean --force`: the cache clean is left to Docker). */
const npmCommandsOf = (args: string) => args.split('&&').map((c) => c.trim()).filter((c) => /^npm (ci|run)\b/.test(c));

/** The repository's files as Docker's build context holds them: everything git does not ignore, on disk as it is now. */
function copyContext(files: readonly string[], to: string): void {
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted, not yet committed
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(from, path.join(to, file));
  }
}

/** COPY as Docker does it: several sources, or a destination ending with '/', go into the destination folder. */
function replayCopy(sources: string[], destination: string, readFrom: string, writeTo: string): void {
  const into = sources.length > 1 || destination.endsWith('/');
  for (const source of sources) {
    const from = path.join(readFrom, source);
    if (!existsSync(from)) throw new Error(`COPY ${source}: not in ${readFrom}`);
    const target = path.join(writeTo, destination, into ? path.basename(source) : '');
    cpSync(from, target, { recursive: true });
  }
}

let contextDir = '';
let buildDir = '';
let runtimeDir = '';
let configFile = '';
/** ENV of the runtime stage: what the container starts with. */
let imageEnv: Record<string, string> = {};
let standIn: SlackStandIn;

beforeAll(async () => {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT, plainEnv(), 30_000);
  if (listed.code !== 0) throw new Error(`git ls-files: ${listed.err}`);

  // The build stage: its folder holds the context (a superset of what its COPYs take), then its RUNs.
  contextDir = temp('fb-context-');
  copyContext(listed.out.split('\0').filter(Boolean), contextDir);
  buildDir = contextDir;
  for (const ins of instructions(buildStage, 'RUN')) {
    for (const command of npmCommandsOf(ins.args)) await mustRun('npm', asRunHere(command), buildDir);
  }

  // The runtime stage, instruction by instruction: COPY from the context or from the build stage's
  // WORKDIR, its npm ci; its other RUNs (the user, the data folder) are the image's business.
  runtimeDir = temp('fb-runtime-');
  const buildWorkdir = workdirOf(buildStage);
  for (const ins of runtimeStage.instructions) {
    if (ins.keyword === 'COPY') {
      const copy = copyOf(ins);
      if (copy.from === undefined) replayCopy(copy.sources, copy.destination, contextDir, runtimeDir);
      else replayCopy(copy.sources.map((s) => path.relative(buildWorkdir, s)), copy.destination, buildDir, runtimeDir);
    } else if (ins.keyword === 'RUN') {
      for (const command of npmCommandsOf(ins.args)) await mustRun('npm', asRunHere(command), runtimeDir);
    } else if (ins.keyword === 'ENV') {
      for (const m of ins.args.matchAll(/(\w+)=(\S+)/g)) imageEnv[m[1]!] = m[2]!;
    }
  }

  const config = temp('fb-config-');
  configFile = path.join(config, 'firebreak.yml');
  writeFileSync(configFile, `incidents:\n  channel: C0INCIDENTS\ntargets:\n  postgres:\n    - name: main\n      url: "${TEST_DATABASE_URL}"\n`);
  standIn = await startSlackStandIn();
}, INSTALL_MS * 2);

afterAll(async () => {
  await standIn?.close();
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  await admin.end();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('the runtime folder', () => {
  it('holds the compiled entry point the image starts, and neither the sources nor the tests', () => {
    const cmd = execForm(instructions(runtimeStage, 'CMD')[0]!.args);
    expect(cmd).toEqual(['node', 'dist/main.js']);
    expect(existsSync(path.join(runtimeDir, cmd[1]!))).toBe(true);
    expect(existsSync(path.join(runtimeDir, 'dist/src/cli.js'))).toBe(true);
    for (const absent of ['src', 'commands', 'test', 'scripts', 'main.ts', 'tsconfig.json', 'dist/test']) expect(existsSync(path.join(runtimeDir, absent))).toBe(false);
    expect(existsSync(path.join(runtimeDir, 'runbooks/templates/en'))).toBe(true);
  });

  it('has no development dependency installed: no tsx, no typescript, no test tools', () => {
    const modules = path.join(runtimeDir, 'node_modules');
    for (const tool of ['tsx', 'typescript', 'vitest', 'fast-check', 'kubernetes-models', '@stryker-mutator/core']) {
      expect(existsSync(path.join(modules, tool)), tool).toBe(false);
    }
    // (Some production packages bring type packages such as @types/node with them: the lock file says what is dev.)
    const installed = JSON.parse(readFileSync(path.join(modules, '.package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    expect(Object.keys(installed.packages).length).toBeGreaterThan(50);
    expect(Object.entries(installed.packages).filter(([, p]) => p.dev).map(([name]) => name)).toEqual([]);
    // What production does need is there (local mode's esbuild included: it stays a dependency).
    for (const needed of ['@slack/bolt', 'pg', 'esbuild', '@electric-sql/pglite']) expect(existsSync(path.join(modules, needed)), needed).toBe(true);
  });

  it('holds the archive a new embedded database starts from, made by the PGlite it installed, and a store opens from it', async () => {
    const { version } = JSON.parse(readFileSync(path.join(runtimeDir, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
    const postgresDir = path.join(runtimeDir, 'dist/src/adapters/postgres');
    expect(existsSync(path.join(postgresDir, `pglite-seed-${version}.tar.gz`))).toBe(true);
    // The compiled modules of the runtime folder, with its own node_modules: what the image runs.
    const seeds = (await import(path.join(postgresDir, 'pglite-seed.js'))) as typeof import('../../src/adapters/postgres/pglite-seed.js');
    const stores = (await import(path.join(postgresDir, 'open-store.js'))) as typeof import('../../src/adapters/postgres/open-store.js');
    const dataDir = path.join(temp('fb-seeded-'), 'data');
    expect(seeds.wantsSeed(dataDir)).toBe(true);
    const store = await stores.openStore({ dataDir });
    try {
      const [row] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(row?.n).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    expect(seeds.wantsSeed(dataDir)).toBe(false);
  }, 60_000);
});

describe('node dist/main.js', { timeout: 90_000 }, () => {
  it('serves Slack on PostgreSQL as the image runs it, passes its HEALTHCHECK, finds the shipped runbooks, and stops on SIGTERM', async () => {
    expect(imageEnv.NODE_ENV).toBe('production');
    const unusedDataDir = path.join(runtimeDir, 'embedded-data');
    const env = plainEnv({
      ...imageEnv,
      PORT: '0',
      FIREBREAK_DATA_DIR: unusedDataDir,
      FIREBREAK_CONFIG: configFile,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: standIn.apiUrl,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: SCHEMA,
    });
    const [node, entry] = execForm(instructions(runtimeStage, 'CMD')[0]!.args);
    expect(node).toBe('node');
    const child = spawn(process.execPath, [entry!], { cwd: runtimeDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const proc: Proc = { child, out: () => out, err: () => err, exited };
    try {
      const port = await servingPort(proc, 60_000);

      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      expect(await health.json()).toMatchObject({ status: 'ok', store: 'ok', slack: 'ok', backend: 'postgres', version });

      // The image's own HEALTHCHECK command, run as Docker would inside the container.
      const check = execForm(instructions(runtimeStage, 'HEALTHCHECK')[0]!.args);
      const healthy = await run(process.execPath, check.slice(1), runtimeDir, plainEnv({ PORT: String(port) }), 15_000);
      expect(healthy.code).toBe(0);

      // The shipped runbooks were found from the compiled code (dist/src/…, one folder deeper than src/).
      const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET, standIn });
      const before = standIn.responses.length;
      const answer = await driver.command({ command: '/runbook', text: 'list' });
      expect(answer.status).toBe(200);
      const listed = await standIn.waitForResponse((r) => standIn.responses.indexOf(r) >= before, 10_000);
      expect(JSON.stringify(listed.body)).toContain('pg-down');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('"Firebreak stopped"');
      expect(out + err).not.toContain(TOKEN);
      // On PostgreSQL nothing is written under the data folder: a read-only root filesystem is enough.
      expect(existsSync(unusedDataDir)).toBe(false);

      const unhealthy = await run(process.execPath, check.slice(1), runtimeDir, plainEnv({ PORT: String(port) }), 15_000);
      expect(unhealthy.code).toBe(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('the firebreak command in the runtime folder', { timeout: 60_000 }, () => {
  it('runs compiled: --help, and a diagnostic of the configured PostgreSQL', async () => {
    const help = await run(process.execPath, ['bin/firebreak.mjs', '--help'], runtimeDir, plainEnv(imageEnv), 30_000);
    expect(help.err).toBe('');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: firebreak diag </);

    const diag = await run(process.execPath, ['bin/firebreak.mjs', 'diag', 'db', '--json'], runtimeDir, plainEnv({ ...imageEnv, FIREBREAK_CONFIG: configFile }), 30_000);
    expect([0, 1, 2]).toContain(diag.code);
    const report = JSON.parse(diag.out) as { status: string; reports: Array<{ target: string }> };
    expect(['ok', 'warning', 'unknown', 'critical']).toContain(report.status);
    expect(JSON.stringify(report.reports)).toContain('main');
  });
});
