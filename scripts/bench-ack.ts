/**
 * Benchmark: how fast Firebreak acknowledges slash commands, and how many it acknowledges per
 * second at saturation, side by side with a bare Bolt app that only acknowledges them
 * (scripts/bench-ack-bare-bolt.ts), in the same run. Each app runs in its own process; the load
 * comes from a process of its own (scripts/bench-ack-load.ts); the Slack Web API stand-in runs
 * here and takes the work Firebreak does after the ack (the `/incident list` answers on the
 * response_url, the `/diag db` messages and reports).
 *
 *   npm run bench:ack                           # the full run (figures written to docs/BENCHMARKS.md)
 *   npm run bench:ack -- --duration 5 --count 500 --starts 1   # a quick check of the harness (printed only)
 *
 * Options:
 *   --duration S      open loop: seconds at the rate (default 60)
 *   --rate N          open loop: commands per second (default 100)
 *   --count N         closed loop: commands per run (default 10000)
 *   --concurrency N   closed loop: commands in flight (default 20)
 *   --starts N        start-up: starts timed per case, median shown (default 3)
 *   --only LIST       a comma-separated subset of: open, closed, startup (scenarios), list, diag
 *                     (commands), bare, postgres, pglite (apps); each group left out means all of it
 *   --tsx             load Firebreak's sources through tsx instead of the compiled build
 *   --cpu-prof        afterwards, run the closed loop again on Firebreak started with
 *                     `node --cpu-prof` and print the functions with the most self time
 *   --node-options S  start Firebreak with NODE_OPTIONS=S ('' for none) instead of those of the
 *                     Kubernetes Deployment, to compare (printed only)
 *
 * Firebreak is measured compiled (`node dist/main.js`) unless --tsx is given: `npm run build`
 * runs first when dist/ is missing or older than the sources. Only a run with every default is
 * written to docs/BENCHMARKS.md (between the ack markers); a shortened one is printed only.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { parseAllDocuments } from 'yaml';
import { openStore } from '../src/adapters/postgres/open-store.js';
import { startSlackStandIn, TEAM_ID, type ApiCall, type SlackStandIn } from '../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../test/services.js';
import type { LoadResult, LoadSpec } from './bench-ack-load.js';
import { measuredOn, printUsage, runBenchmark, writeSection } from './bench-report.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
export const SIGNING_SECRET = 'bench-ack-signing-secret';
const BOT_TOKEN = 'xoxb-bench-ack';
/** Open incidents in each store, so that `/incident list` has something to read and render. */
const SEEDED_INCIDENTS = 12;
/** The diagnostics' PostgreSQL target connects as a role of its own, capped so that a backlog of
 * `/diag db` cannot take the server's connection slots from anyone else. */
export const DIAG_ROLE_CONNECTIONS = 30;
const CLOCK_TICKS = 100; // Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s
const SLACK_ACK_DEADLINE_MS = 3000;

// ---------------------------------------------------------------------------------------------
// Options

type Scenario = 'open' | 'closed' | 'startup';
type CommandKey = 'list' | 'diag';
type AppKey = 'bare' | 'postgres' | 'pglite';
const SCENARIOS: Scenario[] = ['open', 'closed', 'startup'];
const COMMANDS: CommandKey[] = ['list', 'diag'];
const APPS: AppKey[] = ['bare', 'postgres', 'pglite'];
export const APP_LABEL: Record<AppKey, string> = { bare: 'bare Bolt', postgres: 'Firebreak, PostgreSQL', pglite: 'Firebreak, PGlite' };
const COMMAND_SPEC: Record<CommandKey, { command: string; text: string; shown: string }> = {
  list: { command: '/incident', text: 'list', shown: '`/incident list`' },
  diag: { command: '/diag', text: 'db bench', shown: '`/diag db`' },
};

interface Options {
  durationS: number;
  rate: number;
  count: number;
  concurrency: number;
  starts: number;
  scenarios: Scenario[];
  commands: CommandKey[];
  apps: AppKey[];
  tsx: boolean;
  cpuProf: boolean;
  /** Firebreak's NODE_OPTIONS instead of the Deployment's ('' for none), for a comparison. */
  nodeOptions?: string;
  /** Any figure below the full run's, or a subset: printed, never written to the benchmarks file. */
  shortened: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { durationS: 60, rate: 100, count: 10_000, concurrency: 20, starts: 3, scenarios: SCENARIOS, commands: COMMANDS, apps: APPS, tsx: false, cpuProf: false, shortened: false };
  const positive = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} takes a positive number, not "${value ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => argv[++i];
    switch (flag) {
      case '--duration': o.durationS = positive(flag, value()); break;
      case '--rate': o.rate = positive(flag, value()); break;
      case '--count': o.count = Math.round(positive(flag, value())); break;
      case '--concurrency': o.concurrency = Math.round(positive(flag, value())); break;
      case '--starts': o.starts = Math.round(positive(flag, value())); break;
      case '--tsx': o.tsx = true; break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--node-options': o.nodeOptions = value() ?? ''; break;
      case '--only': {
        const items = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = items.filter((s) => ![...SCENARIOS, ...COMMANDS, ...APPS].includes(s as never));
        if (items.length === 0 || unknown.length > 0) throw new Error(`--only takes a comma-separated list of ${[...SCENARIOS, ...COMMANDS, ...APPS].join(', ')}${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`);
        const pick = <T extends string>(all: T[]) => (items.some((s) => all.includes(s as T)) ? all.filter((s) => items.includes(s)) : all);
        o.scenarios = pick(SCENARIOS);
        o.commands = pick(COMMANDS);
        o.apps = pick(APPS);
        break;
      }
      case '--help':
        printUsage(import.meta.url);
      default:
        throw new Error(`unknown option ${flag} (see --help)`);
    }
  }
  o.shortened =
    o.durationS < 60 || o.rate !== 100 || o.count < 10_000 || o.concurrency !== 20 || o.starts < 3 ||
    o.scenarios.length < SCENARIOS.length || o.commands.length < COMMANDS.length || o.apps.length < APPS.length ||
    o.nodeOptions !== undefined;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Clean-up: every process, schema, role and folder made here goes, on success, failure or Ctrl-C.

const children = new Set<Child>();
const cleanups: Array<{ what: string; run: () => unknown }> = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(what: string, run: () => unknown): void {
  cleanups.push({ what, run });
}

/**
 * The diagnostics' target: the same server, as a role of its own capped in connections (dropped at
 * clean-up, its sessions ended first). Returns the URL Firebreak's configuration names.
 */
export async function diagnosticsRole(admin: pg.Client, role: string): Promise<URL> {
  await admin.query(`create role ${role} login connection limit ${DIAG_ROLE_CONNECTIONS}`);
  onCleanup('diagnostics role', async () => {
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1', [role]);
    await admin.query(`drop role if exists ${role}`);
  });
  await admin.query(`grant pg_monitor to ${role}`);
  const target = new URL(TEST_DATABASE_URL);
  target.username = role;
  target.password = '';
  return target;
}

export async function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    // Processes first: they hold the schema's connections, the role's sessions, the data dirs.
    await Promise.all([...children].map((c) => c.stop()));
    for (const { what, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (err) {
        console.error(`clean-up (${what}) failed:`, err);
      }
    }
  })();
  return cleaning;
}

export let signalled = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signalled += 1;
    if (signalled > 1) {
      for (const c of children) c.child.kill('SIGKILL');
      return;
    }
    console.error(`\n${signal}: stopping the processes and removing what the benchmark made…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last 64 kB of its output. */
  tail(): string;
  /** Its first lines (where "Firebreak is serving" and the like are). */
  lines(): string[];
  /** Log lines at error level or above, and replays the guard dropped, since it started. */
  errorsLogged: number;
  replaysDropped: number;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it is still there after 15 s. */
  stop(): Promise<void>;
}

const TAIL = 64 * 1024;
/** Lines kept for readiness checks: the first ones only (start-up), the rest is tail and counters. */
const KEEP_LINES = 200;

export function startChild(name: string, args: string[], env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const kept: string[] = [];
  const c: Child = {
    name,
    child,
    pid: child.pid as number,
    tail: () => tail,
    lines: () => kept,
    errorsLogged: 0,
    replaysDropped: 0,
    // 'close': the process has exited and its output has been read to the end.
    exited: new Promise((resolve) => child.once('close', (code) => resolve(code))),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await c.exited;
      clearTimeout(timer);
    },
  };
  // Each stream is cut into lines on its own, so that their chunks cannot interleave within a line.
  const reader = () => {
    let partial = '';
    return (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-TAIL);
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (kept.length < KEEP_LINES) kept.push(line);
        if (/"level":(5|6)\d/.test(line)) c.errorsLogged += 1;
        if (line.includes('dropped a replayed request')) c.replaysDropped += 1;
      }
    };
  };
  child.stdout!.on('data', reader());
  child.stderr!.on('data', reader());
  children.add(c);
  void c.exited.then(() => children.delete(c));
  return c;
}

async function waitForLine(c: Child, marker: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = c.lines().find((l) => l.includes(marker));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (c.child.exitCode !== null) throw new Error(`${c.name} exited (${c.child.exitCode}) before serving:\n${c.tail()}`);
    await sleep(20);
  }
  throw new Error(`${c.name} not serving after ${timeoutMs} ms:\n${c.tail()}`);
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The process's resident set from /proc/<pid>/status, with its anonymous and file-backed parts (RssAnon, RssFile). */
export function procStatus(pid: number): { rssMb: number; hwmMb: number; anonMb: number; fileMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 };
}

/** User + system CPU seconds of a process so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// What is measured

export interface Stores {
  schema: string;
  pgliteDir: string;
  configFile: string;
}

interface FirebreakLaunch {
  compiled: boolean;
  /** Extra node flags (--cpu-prof …). */
  nodeFlags?: string[];
  port?: number;
  store: { kind: 'postgres'; schema: string } | { kind: 'pglite'; dir: string };
}

/**
 * The NODE_OPTIONS the Kubernetes Deployment gives Firebreak (the V8 heap sized for the pod's
 * memory limit): Firebreak is measured as it is deployed, not with the heap V8 would size for
 * the benchmark machine's own memory (a quarter of 24 GiB here, which it then fills lazily).
 */
let nodeOptionsOverride: string | undefined;

/** What Firebreak is started with: the Deployment's NODE_OPTIONS, or those of --node-options. */
function firebreakNodeOptions(): string {
  return nodeOptionsOverride ?? deployedNodeOptions();
}

export function deployedNodeOptions(): string {
  const text = readFileSync(path.join(ROOT, 'deploy/kubernetes/base/deployment.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const manifest = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } } } };
    if (manifest?.kind !== 'Deployment') continue;
    const value = manifest.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    if (value) return value;
  }
  throw new Error('deploy/kubernetes/base/deployment.yaml sets no NODE_OPTIONS for Firebreak');
}

function firebreakArgs(compiled: boolean): string[] {
  return compiled ? [path.join(ROOT, 'dist/main.js')] : ['--import', TSX_LOADER, path.join(ROOT, 'src/main.ts')];
}

function startFirebreak(name: string, standIn: SlackStandIn, configFile: string, launch: FirebreakLaunch): Child {
  const store: Record<string, string> = launch.store.kind === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: launch.store.schema } : { FIREBREAK_DATA_DIR: launch.store.dir };
  return startChild(
    name,
    [...(launch.nodeFlags ?? []), ...firebreakArgs(launch.compiled)],
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
      PORT: String(launch.port ?? 0),
      LOG_LEVEL: 'info',
      FIREBREAK_CONFIG: configFile,
      NODE_OPTIONS: firebreakNodeOptions(),
      ...store,
    },
    path.dirname(configFile),
  );
}

export interface RunningApp {
  key: AppKey;
  proc: Child;
  port: number;
}

export async function launchApp(key: AppKey, standIn: SlackStandIn, stores: Stores, compiled: boolean, nodeFlags: string[] = []): Promise<RunningApp> {
  if (key === 'bare') {
    const proc = startChild('bare Bolt', ['--import', TSX_LOADER, path.join(ROOT, 'scripts/bench-ack-bare-bolt.ts')], { SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '0' }, ROOT);
    const line = await waitForLine(proc, '"bare bolt serving"');
    return { key, proc, port: Number(line.port) };
  }
  const store = key === 'postgres' ? ({ kind: 'postgres', schema: stores.schema } as const) : ({ kind: 'pglite', dir: stores.pgliteDir } as const);
  const proc = startFirebreak(APP_LABEL[key], standIn, stores.configFile, { compiled, nodeFlags, store });
  const line = await waitForLine(proc, '"Firebreak is serving"');
  const port = Number(line.port);
  const deadline = Date.now() + 30_000;
  while (!(await healthy(port))) {
    if (Date.now() > deadline) throw new Error(`${APP_LABEL[key]}: /healthz not 200 within 30 s of serving:\n${proc.tail()}`);
    await sleep(50);
  }
  return { key, proc, port };
}

/** Runs the load generator in its own process against one app. */
async function runLoadProcess(spec: LoadSpec): Promise<LoadResult> {
  const proc = startChild('load generator', ['--import', TSX_LOADER, path.join(ROOT, 'scripts/bench-ack-load.ts'), JSON.stringify(spec)], {}, ROOT);
  // Its one output line can be large (every latency): read it whole rather than from the tail.
  let out = '';
  proc.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await proc.exited;
  if (code !== 0) throw new Error(`load generator exited ${code}:\n${proc.tail()}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as LoadResult;
}

/**
 * What Firebreak does after acknowledging, seen from Slack's side: the `/incident list` answer on
 * each command's response_url, the `/diag db` report replacing each "running…" message. A command
 * counts as done when its expected follow-up arrives; any other follow-up is counted as wrong.
 */
class FollowUps {
  done = 0;
  wrong = 0;
  unreachable = 0;
  /** process.hrtime.bigint() when the last follow-up arrived (0n: none yet). */
  lastHr = 0n;
  #pathPrefix = '';
  #channelPrefix = '';
  #expectText: (text: string) => boolean = () => false;
  readonly #seenPaths = new Set<string>();
  readonly #seenChannels = new Set<string>();

  constructor(private readonly standIn: SlackStandIn) {
    standIn.onActivity((call) => (call ? this.#onCall(call) : this.#onResponse()));
  }

  /** Starts counting the follow-ups of one run. */
  expect(pathPrefix: string, channelPrefix: string, expectText: (text: string) => boolean): void {
    this.done = 0;
    this.wrong = 0;
    this.unreachable = 0;
    this.lastHr = 0n;
    this.#pathPrefix = pathPrefix;
    this.#channelPrefix = channelPrefix;
    this.#expectText = expectText;
    this.#seenPaths.clear();
    this.#seenChannels.clear();
  }

  #count(text: string, raw: unknown): void {
    if (this.#expectText(text)) {
      this.done += 1;
      if (text.startsWith('Diagnostics') && JSON.stringify(raw).includes('unreachable')) this.unreachable += 1;
    } else this.wrong += 1;
    this.lastHr = process.hrtime.bigint();
  }

  #onCall(call: ApiCall): void {
    if (call.method !== 'chat.update' || !this.#channelPrefix) return;
    const channel = String(call.args.channel ?? '');
    if (!channel.startsWith(this.#channelPrefix) || this.#seenChannels.has(channel)) return;
    this.#seenChannels.add(channel);
    this.#count(String(call.args.text ?? ''), call.args);
  }

  #onResponse(): void {
    // The stand-in records a response_url post, then tells: the newest one is it (or, after an
    // upload, one already seen).
    const last = this.standIn.responses.at(-1);
    if (!last || !this.#pathPrefix || !last.path.startsWith(this.#pathPrefix) || this.#seenPaths.has(last.path)) return;
    this.#seenPaths.add(last.path);
    const body = last.body as { text?: unknown } | undefined;
    this.#count(typeof body?.text === 'string' ? body.text : '', body);
  }
}

interface LatencyStats {
  sent: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  overDeadline: number;
  perSecond: number;
}

/** Percentiles over every command sent, a failed one counting as slower than any answer. */
function statsOf(load: LoadResult): LatencyStats {
  const all = load.latencies.map((l) => (l === null ? Infinity : l)).sort((a, b) => a - b);
  const at = (p: number) => all[Math.max(0, Math.ceil(p * all.length) - 1)] ?? NaN;
  const failed = load.latencies.filter((l) => l === null).length;
  return {
    sent: load.sent,
    failed,
    p50: at(0.5),
    p99: at(0.99),
    max: all.at(-1) ?? NaN,
    overDeadline: all.filter((l) => l > SLACK_ACK_DEADLINE_MS).length,
    perSecond: (load.sent - failed) / (load.elapsedMs / 1000),
  };
}

interface RunResult {
  scenario: 'open' | 'closed';
  command: CommandKey;
  app: AppKey;
  load: LoadResult;
  stats: LatencyStats;
  /** CPU seconds of the app from the first command to the end of its follow-ups. */
  cpuSeconds: number;
  followUps?: { expected: number; done: number; wrong: number; unreachable: number; drainMs: number; complete: boolean };
  errorsLogged: number;
  replaysDropped: number;
}

let runSeq = 0;

async function measure(app: RunningApp, scenario: 'open' | 'closed', command: CommandKey, options: Options, standIn: SlackStandIn, followUps: FollowUps, count?: number): Promise<RunResult> {
  const run = (runSeq += 1);
  // Ids in Slack's alphabet: each run its own channel prefix and response_url prefix.
  const runCode = run.toString(36).toUpperCase().padStart(3, '0');
  const pathPrefix = `/response_url/ack-${runCode}-`;
  const channelPrefix = `C0A${runCode}`;
  const spec: LoadSpec = {
    origin: `http://127.0.0.1:${app.port}`,
    signingSecret: SIGNING_SECRET,
    mode: scenario,
    ...(scenario === 'open' ? { rate: options.rate, durationS: options.durationS } : { count: count ?? options.count, concurrency: options.concurrency }),
    command: COMMAND_SPEC[command].command,
    text: COMMAND_SPEC[command].text,
    responseUrlPrefix: `${standIn.baseUrl}${pathPrefix}`,
    // /diag posts in the channel, and Firebreak paces posts to about one a second per channel, as
    // Slack asks: each /diag gets a channel of its own, so that the pace is not what is measured.
    channel: command === 'diag' ? channelPrefix : 'C0BENCH',
    uniqueChannels: command === 'diag',
  };
  const expectText = command === 'list' ? (t: string) => t === `${SEEDED_INCIDENTS} open incidents` : (t: string) => t.startsWith('Diagnostics db');
  followUps.expect(pathPrefix, channelPrefix, expectText);
  const errorsBefore = app.proc.errorsLogged;
  const replaysBefore = app.proc.replaysDropped;
  const cpuBefore = cpuSeconds(app.proc.pid);
  const load = await runLoadProcess(spec);
  const stats = statsOf(load);
  let result: RunResult['followUps'];
  if (app.key !== 'bare') {
    // The work after the acks: wait until every acknowledged command has had its follow-up.
    const expected = stats.sent - stats.failed;
    const deadline = Date.now() + Math.max(60_000, expected * 20);
    while (followUps.done + followUps.wrong < expected && Date.now() < deadline) await sleep(100);
    result = {
      expected,
      done: followUps.done,
      wrong: followUps.wrong,
      unreachable: followUps.unreachable,
      // Negative when the last follow-up came before the last ack.
      drainMs: followUps.lastHr === 0n ? NaN : Number(followUps.lastHr - BigInt(load.endedHr)) / 1e6,
      complete: followUps.done + followUps.wrong >= expected,
    };
  }
  const cpu = cpuSeconds(app.proc.pid) - cpuBefore;
  standIn.reset();
  return {
    scenario,
    command,
    app: app.key,
    load,
    stats,
    cpuSeconds: cpu,
    ...(result ? { followUps: result } : {}),
    errorsLogged: app.proc.errorsLogged - errorsBefore,
    replaysDropped: app.proc.replaysDropped - replaysBefore,
  };
}


// ---------------------------------------------------------------------------------------------
// Start-up: from the process's spawn to the first 200 on /healthz.

type StartCase = 'pglite-fresh' | 'pglite-existing' | 'postgres-fresh' | 'postgres-existing';
const START_LABEL: Record<StartCase, string> = {
  'pglite-fresh': 'PGlite, fresh data dir',
  'pglite-existing': 'PGlite, existing data dir',
  'postgres-fresh': 'PostgreSQL, new schema',
  'postgres-existing': 'PostgreSQL, existing schema',
};
type StartTimes = Record<StartCase, { compiled: number[]; tsx: number[] }>;

async function timeStart(standIn: SlackStandIn, configFile: string, compiled: boolean, store: FirebreakLaunch['store']): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = startFirebreak('start-up', standIn, configFile, { compiled, port, store });
  try {
    for (;;) {
      if (await healthy(port)) return performance.now() - t0;
      if (proc.child.exitCode !== null) throw new Error(`Firebreak exited ${proc.child.exitCode} during start-up:\n${proc.tail()}`);
      if (performance.now() - t0 > 60_000) throw new Error(`Firebreak: /healthz not 200 within 60 s:\n${proc.tail()}`);
      await sleep(10);
    }
  } finally {
    await proc.stop();
  }
}

async function measureStartups(options: Options, standIn: SlackStandIn, configFile: string, benchDir: string, admin: pg.Client, compiledAvailable: boolean): Promise<StartTimes> {
  const times = Object.fromEntries(Object.keys(START_LABEL).map((k) => [k, { compiled: [], tsx: [] }])) as unknown as StartTimes;
  const modes: Array<'compiled' | 'tsx'> = compiledAvailable ? ['compiled', 'tsx'] : ['tsx'];
  for (let round = 0; round < options.starts; round++) {
    for (const mode of modes) {
      const compiled = mode === 'compiled';
      const dir = path.join(benchDir, `start-${round}-${mode}`);
      times['pglite-fresh'][mode].push(await timeStart(standIn, configFile, compiled, { kind: 'pglite', dir }));
      times['pglite-existing'][mode].push(await timeStart(standIn, configFile, compiled, { kind: 'pglite', dir }));
      rmSync(dir, { recursive: true, force: true });
      const schema = `fb_bench_ack_start_${process.pid}_${round}_${mode}`;
      schemasToDrop.add(schema);
      times['postgres-fresh'][mode].push(await timeStart(standIn, configFile, compiled, { kind: 'postgres', schema }));
      times['postgres-existing'][mode].push(await timeStart(standIn, configFile, compiled, { kind: 'postgres', schema }));
      await admin.query(`drop schema if exists ${schema} cascade`);
      schemasToDrop.delete(schema);
      process.stdout.write(`start-up round ${round + 1}/${options.starts} (${mode}) done\n`);
    }
  }
  standIn.reset();
  return times;
}

const schemasToDrop = new Set<string>();

// ---------------------------------------------------------------------------------------------
// CPU profile: self time by function, from `node --cpu-prof` output.

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; hitCount?: number; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface SelfTime {
  /** Samples per function (name + file), busiest first, idle left out. */
  functions: Array<{ name: string; where: string; samples: number }>;
  /** The same samples by where the code comes from: a package, Node's internals, Firebreak, GC. */
  places: Array<{ place: string; samples: number }>;
  busySamples: number;
  idleSamples: number;
  msPerSample: number;
  /** False when the samples could not be placed in time: the whole profile is counted. */
  windowed: boolean;
}

function fileOf(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url;
}

function placeOf(name: string, url: string): string {
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'V8 (program)';
  // Without a script: Node's C++ bindings (socket and pipe writes, crypto…) and V8 built-ins.
  if (!url) return 'native code';
  if (url.startsWith('node:')) return 'Node.js internals';
  if (url.startsWith('wasm://')) return 'WebAssembly';
  const file = fileOf(url);
  const at = file.lastIndexOf('node_modules/');
  if (at !== -1) {
    const rest = file.slice(at + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? 'node_modules');
  }
  if (file.startsWith(ROOT)) return 'Firebreak';
  return 'other';
}

/**
 * Self time per function: each sample is charged to the function on top of the stack. With a
 * window (monotonic-clock microseconds, the clock both V8's profile and process.hrtime use on
 * Linux), only the samples taken in it count; without, every node's hitCount.
 */
function selfTime(profile: CpuProfile, window?: [number, number]): SelfTime {
  const counts = new Map<number, number>();
  const inWindow = window !== undefined && profile.samples !== undefined && profile.timeDeltas !== undefined && window[0] >= profile.startTime - 1e6 && window[1] <= profile.endTime + 1e6;
  let spanUs = profile.endTime - profile.startTime;
  if (inWindow) {
    let t = profile.startTime;
    const samples = profile.samples as number[];
    const deltas = profile.timeDeltas as number[];
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i] ?? 0;
      if (t >= window[0] && t <= window[1]) counts.set(samples[i] as number, (counts.get(samples[i] as number) ?? 0) + 1);
    }
    spanUs = window[1] - window[0];
  } else {
    for (const n of profile.nodes) if (n.hitCount) counts.set(n.id, n.hitCount);
  }
  // A native function (a C++ binding: a socket or file write, a hash…) says little by itself: it is
  // shown with the nearest function outside Node's internals that led to it.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const node = new Map(profile.nodes.map((n) => [n.id, n]));
  const shortUrl = (url: string) => {
    const file = fileOf(url);
    return file.startsWith(ROOT) ? path.relative(ROOT, file) : url;
  };
  /** The nearest caller outside Node's own JavaScript (which only relays), else the nearest at all. */
  const callerOf = (id: number): string => {
    let internal: string | undefined;
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const frame = node.get(p)?.callFrame;
      if (!frame?.url) continue;
      const shown = `${frame.functionName || '(anonymous)'} in ${shortUrl(frame.url)}`;
      if (!frame.url.startsWith('node:')) return shown;
      internal ??= shown;
    }
    return internal ?? 'no JavaScript caller';
  };
  const byFunction = new Map<string, { name: string; where: string; samples: number }>();
  const byPlace = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const n of profile.nodes) {
    const hits = counts.get(n.id) ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url } = n.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const name = functionName || '(anonymous)';
    const native = !url && !functionName.startsWith('(');
    const where = native ? `native, from ${callerOf(n.id)}` : url ? shortUrl(url) : '';
    const key = `${name}\u0000${url}\u0000${native ? where : ''}`;
    const entry = byFunction.get(key) ?? { name, where, samples: 0 };
    entry.samples += hits;
    byFunction.set(key, entry);
    const place = placeOf(functionName, url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + hits);
  }
  return {
    functions: [...byFunction.values()].sort((a, b) => b.samples - a.samples),
    places: [...byPlace].map(([place, samples]) => ({ place, samples })).sort((a, b) => b.samples - a.samples),
    busySamples: total - idle,
    idleSamples: idle,
    msPerSample: total > 0 ? spanUs / 1000 / total : NaN,
    windowed: inWindow,
  };
}

interface ProfileResult {
  app: AppKey;
  command: CommandKey;
  run: RunResult;
  self: SelfTime;
}

async function profileClosedLoop(options: Options, standIn: SlackStandIn, followUps: FollowUps, stores: Stores, benchDir: string, compiled: boolean): Promise<ProfileResult[]> {
  const results: ProfileResult[] = [];
  for (const key of options.apps.filter((a): a is Exclude<AppKey, 'bare'> => a !== 'bare')) {
    const dir = path.join(benchDir, `cpu-prof-${key}`);
    const app = await launchApp(key, standIn, stores, compiled, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const runs: RunResult[] = [];
    for (const command of options.commands) {
      await measure(app, 'closed', command, options, standIn, followUps, warmUpCount(options));
      const run = await measure(app, 'closed', command, options, standIn, followUps);
      process.stdout.write(`profiled: ${line(run)}\n`);
      runs.push(run);
    }
    const pid = app.proc.pid;
    await app.proc.stop();
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`)) : undefined;
    if (!file) throw new Error(`${APP_LABEL[key]} wrote no CPU profile in ${dir}:\n${app.proc.tail()}`);
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    for (const run of runs) {
      const window: [number, number] = [Number(BigInt(run.load.startedHr) / 1000n), Number(BigInt(run.load.endedHr) / 1000n)];
      results.push({ app: key, command: run.command, run, self: selfTime(profile, window) });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The build

function newestSourceMtime(): number {
  let newest = 0;
  const skip = path.join(ROOT, 'src/adapters/local-slack/console/page');
  const visit = (p: string) => {
    if (p === skip || !existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const entry of readdirSync(p)) visit(path.join(p, entry));
    else if (/\.(ts|json)$/.test(p)) newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of ['main.ts', 'src', 'commands', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) visit(path.join(ROOT, p));
  return newest;
}

function buildIsFresh(): boolean {
  const entry = path.join(ROOT, 'dist/main.js');
  return existsSync(entry) && statSync(entry).mtimeMs >= newestSourceMtime();
}

/** `npm run build` when dist/ is missing or older than the sources; a failed build stops the benchmark. */
export function ensureBuilt(): void {
  if (buildIsFresh()) return;
  console.log(existsSync(path.join(ROOT, 'dist/main.js')) ? 'dist/ is older than the sources: npm run build' : 'no dist/: npm run build');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed: fix the build, or measure the sources with --tsx');
}

// ---------------------------------------------------------------------------------------------
// Tables

const ms = (x: number) => (x === Infinity ? 'failed' : !Number.isFinite(x) ? '—' : `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} ms`);
const mb = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : '—');
const secs = (x: number) => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : '—');
const ratio = (x: number, base: number | undefined) => (base === undefined || !Number.isFinite(x) || !Number.isFinite(base) || base === 0 ? '—' : `${(x / base).toFixed(2)}×`);
const int = (n: number) => n.toLocaleString('en');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

function afterAck(r: RunResult): string {
  const f = r.followUps;
  if (!f) return '—';
  const parts = [`${int(f.done)}/${int(f.expected)}${f.complete ? '' : ' (timed out)'}`];
  if (Number.isFinite(f.drainMs)) parts.push(f.drainMs <= 0 ? 'all done by the last ack' : `last ${f.drainMs < 1000 ? ms(f.drainMs) : secs(f.drainMs)} after the last ack`);
  if (f.unreachable) parts.push(`${int(f.unreachable)} reports "unreachable"`);
  if (f.wrong) parts.push(`${int(f.wrong)} other replies`);
  return parts.join(', ');
}

const cpuPerCommand = (r: RunResult) => ms((r.cpuSeconds * 1000) / Math.max(1, r.stats.sent - r.stats.failed));

function line(r: RunResult): string {
  const s = r.stats;
  const rate = r.scenario === 'closed' ? `, ${s.perSecond.toFixed(0)}/s` : '';
  return `${r.scenario} ${COMMAND_SPEC[r.command].text} → ${APP_LABEL[r.app]}: ${int(s.sent)} sent, ${s.failed} failed, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}${rate}${r.followUps ? `; after-ack work ${afterAck(r)}` : ''}`;
}

function openTable(runs: RunResult[]): string {
  const rows = runs.map((r) => {
    const bare = runs.find((b) => b.app === 'bare' && b.command === r.command)?.stats;
    const s = r.stats;
    return `| ${COMMAND_SPEC[r.command].shown} | ${APP_LABEL[r.app]} | ${int(s.sent)} | ${int(s.failed)} | ${ms(s.p50)} | ${ratio(s.p50, bare?.p50)} | ${ms(s.p99)} | ${ratio(s.p99, bare?.p99)} | ${ms(s.max)} | ${ratio(s.max, bare?.max)} | ${int(s.overDeadline)} | ${afterAck(r)} | ${cpuPerCommand(r)} |`;
  });
  return ['| command | app | sent | failed | p50 | ÷ bare | p99 | ÷ bare | max | ÷ bare | over 3 s | after-ack work | CPU per command |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|', ...rows].join('\n');
}

function closedTable(runs: RunResult[]): string {
  const rows = runs.map((r) => {
    const bare = runs.find((b) => b.app === 'bare' && b.command === r.command)?.stats;
    const s = r.stats;
    return `| ${COMMAND_SPEC[r.command].shown} | ${APP_LABEL[r.app]} | ${int(s.sent - s.failed)} | ${int(s.failed)} | ${ms(s.p50)} | ${ratio(s.p50, bare?.p50)} | ${ms(s.p99)} | ${ratio(s.p99, bare?.p99)} | ${int(Math.round(s.perSecond))} | ${ratio(s.perSecond, bare?.perSecond)} | ${afterAck(r)} | ${cpuPerCommand(r)} |`;
  });
  return ['| command | app | completed | failed | p50 | ÷ bare | p99 | ÷ bare | commands/s | ÷ bare | after-ack work | CPU per command |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|', ...rows].join('\n');
}

interface Memory {
  app: AppKey;
  idleMb: number;
  afterMb: number;
  peakMb: number;
}

function memoryTable(memory: Memory[]): string {
  const rows = memory.map((m) => `| ${APP_LABEL[m.app]} | ${mb(m.idleMb)} | ${mb(m.afterMb)} | ${mb(m.peakMb)} |`);
  return ['| process | RSS idle | RSS after the load | peak RSS (VmHWM) |', '|---|---:|---:|---:|', ...rows].join('\n');
}

function startTable(times: StartTimes, rounds: number): string {
  const cell = (xs: number[]) => (xs.length === 0 ? '—' : xs.length === 1 ? secs(xs[0] as number) : `${secs(median(xs))} (${secs(Math.min(...xs))}–${secs(Math.max(...xs))})`);
  const rows = (Object.keys(START_LABEL) as StartCase[]).map((k) => `| ${START_LABEL[k]} | ${cell(times[k].compiled)} | ${cell(times[k].tsx)} |`);
  return [`| store | compiled (\`node dist/main.js\`) | sources through tsx |`, '|---|---:|---:|', ...rows, '', `Median of ${rounds} start${rounds > 1 ? 's' : ''} each (min–max), from spawning the process to the first 200 on \`/healthz\`.`].join('\n');
}

function profileTable(p: ProfileResult, top: number): string {
  const busy = p.self.busySamples;
  const pct = (n: number) => `${((100 * n) / Math.max(1, busy)).toFixed(1)} %`;
  const fns = p.self.functions.slice(0, top).map((f) => `| ${pct(f.samples)} | ${ms(f.samples * p.self.msPerSample)} | \`${f.name.replace(/\|/g, '\\|')}\` | ${f.where ? `\`${f.where}\`` : ''} |`);
  const places = p.self.places.slice(0, 8).map((x) => `${x.place} ${pct(x.samples)}`).join(', ');
  const total = busy + p.self.idleSamples;
  return [
    `${APP_LABEL[p.app]}, ${COMMAND_SPEC[p.command].shown}, closed loop (${int(p.run.stats.sent)} commands, ${p.run.stats.perSecond.toFixed(0)}/s while profiled): busy ${((100 * busy) / Math.max(1, total)).toFixed(0)} % of ${int(total)} samples${p.self.windowed ? ' taken during the load' : ' (whole profile: the samples could not be placed in time)'}.`,
    `By origin: ${places}.`,
    '',
    '| self time | ms | function | file |',
    '|---:|---:|---|---|',
    ...fns,
  ].join('\n');
}

interface Goal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

function goals(rate: number, open: RunResult[], closed: RunResult[], memory: Memory[], starts: StartTimes | undefined, compiledAvailable: boolean): Goal[] {
  const out: Goal[] = [];
  for (const r of open.filter((x) => x.app !== 'bare')) {
    const bare = open.find((b) => b.app === 'bare' && b.command === r.command)?.stats;
    const x = bare ? r.stats.p99 / bare.p99 : NaN;
    out.push({
      goal: `at ${rate}/s, p99 ≤ 1.3× bare Bolt and < 50 ms: ${APP_LABEL[r.app]}, ${COMMAND_SPEC[r.command].shown}`,
      measured: `${ms(r.stats.p99)}, ${ratio(r.stats.p99, bare?.p99)}`,
      met: bare ? x <= 1.3 && r.stats.p99 < 50 : undefined,
    });
  }
  for (const r of closed.filter((x) => x.app !== 'bare')) {
    const bare = closed.find((b) => b.app === 'bare' && b.command === r.command)?.stats;
    out.push({
      goal: `throughput at saturation ≥ 0.8× bare Bolt: ${APP_LABEL[r.app]}, ${COMMAND_SPEC[r.command].shown}`,
      measured: `${int(Math.round(r.stats.perSecond))}/s, ${ratio(r.stats.perSecond, bare?.perSecond)}`,
      met: bare ? r.stats.perSecond / bare.perSecond >= 0.8 && r.stats.failed === 0 : undefined,
    });
  }
  for (const m of memory.filter((x) => x.app !== 'bare')) out.push({ goal: `RSS < 150 MB: ${APP_LABEL[m.app]}`, measured: `peak ${mb(m.peakMb)}`, met: m.peakMb < 150 });
  if (starts) {
    const mode = compiledAvailable ? 'compiled' : 'tsx';
    for (const k of Object.keys(START_LABEL) as StartCase[]) {
      const limit = k.startsWith('postgres') ? 1500 : 3000;
      const t = median(starts[k][mode]);
      out.push({ goal: `start < ${secs(limit)}: ${START_LABEL[k]} (${mode})`, measured: secs(t), met: Number.isFinite(t) ? t < limit : undefined });
    }
  }
  return out;
}


function goalTable(list: Goal[]): string {
  return ['| goal | measured | met |', '|---|---:|:---:|', ...list.map((g) => `| ${g.goal} | ${g.measured} | ${g.met === undefined ? '—' : g.met ? 'yes' : '**no**'} |`)].join('\n');
}

function warmUpCount(options: Options): number {
  return Math.min(300, options.count);
}

// ---------------------------------------------------------------------------------------------

export async function seed(db: { query(sql: string, params?: unknown[]): Promise<unknown> }): Promise<void> {
  await db.query(
    `insert into incidents (team_id, number, title, severity, status, reporter_id, commander_id, declared_at, last_update_at, channel_id)
     select $1, g, 'Benchmark incident ' || g, (array['P1','P2','P3'])[1 + g % 3], 'investigating', 'U0ALICE', 'U0BOB',
            now() - interval '2 hours', now() - interval '10 minutes', 'C0SEED' || lpad(g::text, 4, '0')
     from generate_series(1, $2::int) g`,
    [TEAM_ID, SEEDED_INCIDENTS],
  );
}

export function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(options: Options): Promise<void> {
  const fbApps = options.apps.filter((a) => a !== 'bare');
  const loads = options.scenarios.filter((s): s is 'open' | 'closed' => s !== 'startup');
  const needsFirebreak = fbApps.length > 0 && (loads.length > 0 || options.cpuProf || options.scenarios.includes('startup'));
  if (needsFirebreak && !options.tsx) ensureBuilt();
  // With --tsx the start-up table still compares with the build when there is a fresh one.
  const compiledAvailable = !options.tsx || buildIsFresh();
  const compiled = !options.tsx;
  nodeOptionsOverride = options.nodeOptions;
  const nodeOptions = options.nodeOptions === undefined ? `the Deployment's \`NODE_OPTIONS=${deployedNodeOptions()}\`` : options.nodeOptions ? `\`NODE_OPTIONS=${options.nodeOptions}\`` : 'no NODE_OPTIONS';
  const measured = `${compiled ? 'Firebreak compiled (`node dist/main.js`)' : "Firebreak's sources through tsx"} with ${nodeOptions}`;
  console.log(`Measuring ${measured}${options.shortened ? ' — shortened run: printed only, not written to docs/BENCHMARKS.md' : ''}.`);

  const benchDir = mkdtempSync(path.join(tmpdir(), 'fb-bench-ack-'));
  onCleanup('temporary folder', () => rmSync(benchDir, { recursive: true, force: true }));
  const standIn = await startSlackStandIn({ keepCalls: 100 });
  onCleanup('Slack stand-in', () => standIn.close());
  const followUps = new FollowUps(standIn);
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  onCleanup('PostgreSQL admin session', () => admin.end());
  onCleanup('schemas', async () => {
    for (const s of schemasToDrop) await admin.query(`drop schema if exists ${s} cascade`);
  });

  const target = await diagnosticsRole(admin, `fb_bench_ack_${process.pid}`);
  const configFile = path.join(benchDir, 'firebreak.yml');
  writeFileSync(
    configFile,
    ['incidents:', '  channel: C0INCIDENTS', '  locale: en', 'targets:', '  postgres:', `    - { name: bench, url: "${target.toString()}" }`, 'diagnostics:', '  timeout: 5s', ''].join('\n'),
  );

  const stores: Stores = { schema: `fb_bench_ack_${process.pid}`, pgliteDir: path.join(benchDir, 'pglite'), configFile };
  if (fbApps.includes('postgres')) {
    schemasToDrop.add(stores.schema);
    const store = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: stores.schema, dataDir: '' });
    await seed(store.db).finally(() => store.close());
  }
  if (fbApps.includes('pglite')) {
    const store = await openStore({ dataDir: stores.pgliteDir });
    await seed(store.db).finally(() => store.close());
  }

  let starts: StartTimes | undefined;
  if (options.scenarios.includes('startup') && fbApps.length > 0) {
    starts = await measureStartups(options, standIn, configFile, benchDir, admin, compiledAvailable);
    console.log(`\n${startTable(starts, options.starts)}\n`);
  }

  const open: RunResult[] = [];
  const closed: RunResult[] = [];
  const memory: Memory[] = [];
  if (loads.length > 0) {
    const apps: RunningApp[] = [];
    for (const key of options.apps) apps.push(await launchApp(key, standIn, stores, compiled));
    await sleep(2000);
    const idle = new Map(apps.map((a) => [a.key, procStatus(a.proc.pid).rssMb]));
    for (const app of apps) for (const command of options.commands) await measure(app, 'closed', command, options, standIn, followUps, warmUpCount(options));
    for (const scenario of loads) {
      for (const command of options.commands) {
        for (const app of apps) {
          await sleep(1000);
          const r = await measure(app, scenario, command, options, standIn, followUps);
          console.log(line(r));
          (scenario === 'open' ? open : closed).push(r);
        }
      }
    }
    for (const app of apps) {
      const now = procStatus(app.proc.pid);
      memory.push({ app: app.key, idleMb: idle.get(app.key) ?? NaN, afterMb: now.rssMb, peakMb: now.hwmMb });
    }
    for (const app of apps) await app.proc.stop();
  }

  const profiles = options.cpuProf && fbApps.length > 0 ? await profileClosedLoop(options, standIn, followUps, stores, benchDir, compiled) : [];

  // ----- report
  const lagged = open.filter((r) => r.load.maxSendLagMs > 5);
  const troubles = [...open, ...closed].filter((r) => r.replaysDropped > 0 || r.errorsLogged > 0 || (r.followUps && (!r.followUps.complete || r.followUps.wrong > 0)));
  const blocks: string[] = [];
  if (open.length) {
    blocks.push(`**Open loop**: ${options.rate} commands/s for ${options.durationS} s, latency from each command's scheduled instant to the end of its answer.`, '', openTable(open), '');
    blocks.push(`The load generator sent every command within ${Math.max(...open.map((r) => r.load.maxSendLagMs)).toFixed(1)} ms of its scheduled instant${lagged.length ? ' (over 5 ms in some runs: its own lag is part of those latencies)' : ''}.`, '');
  }
  if (closed.length) blocks.push(`**Closed loop**: ${options.concurrency} commands in flight, ${int(options.count)} per run, latency from send to the end of the answer.`, '', closedTable(closed), '');
  if (memory.length) blocks.push('**Memory** of each process (`/proc/<pid>/status`): idle after start, after every run above.', '', memoryTable(memory), '');
  if (starts) blocks.push('**Start-up** of Firebreak, to `/healthz` 200.', '', startTable(starts, options.starts), '');
  const goalList = goals(options.rate, open, closed, memory, starts, compiledAvailable);
  if (goalList.length) blocks.push('**Goals**', '', goalTable(goalList), '');
  if (troubles.length) {
    blocks.push('**Check these runs**:', '');
    for (const r of troubles) blocks.push(`- ${r.scenario} ${COMMAND_SPEC[r.command].shown} on ${APP_LABEL[r.app]}: ${r.errorsLogged} error lines logged, ${r.replaysDropped} requests dropped as replays, after-ack work ${afterAck(r)}`);
    blocks.push('');
  }
  if (profiles.length) {
    blocks.push('**Where the time goes** (`node --cpu-prof` during a closed loop run, separate from the runs above): self time of the busiest functions, as a share of the busy samples.', '');
    for (const p of profiles) blocks.push(profileTable(p, 12), '');
  }
  const body = blocks.join('\n').trimEnd();
  console.log(`\n${body}`);

  if (options.shortened) {
    console.log('\n(shortened run: docs/BENCHMARKS.md was left as it is; run `npm run bench:ack` with the defaults to write the section)');
    return;
  }
  writeSection('ack', `${measuredOn()}, ${measured} at commit ${commitOf()}, PostgreSQL on 127.0.0.1, with \`npm run bench:ack${options.cpuProf ? ' -- --cpu-prof' : ''}\`.`, body);
}

// Run as a script (`npm run bench:ack`); imported (by bench-soak.ts), only the functions above are used.
const entry = process.argv[1] ? path.resolve(process.argv[1]).replace(/\.ts$/, '') : '';
if (entry === fileURLToPath(import.meta.url).replace(/\.ts$/, '')) runBenchmark(parseOptions, main, { cleanUp, signalled: () => signalled });
