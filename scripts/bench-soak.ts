/**
 * Benchmark: does Firebreak's memory grow under a steady, mixed load? Firebreak runs compiled
 * (`node dist/main.js`) against the Slack Web API stand-in (here), on PostgreSQL (a schema of its
 * own) and, with --store, on PGlite (a temporary data dir). For the whole duration a process of
 * its own (scripts/bench-soak-load.ts) sends `/incident list` and `/diag db` in turn at a fixed
 * rate, from a few channels each, while incidents are declared, updated twice and resolved through
 * the modals (signed interaction payloads, as Slack sends them). Firebreak's VmRSS is read every
 * 10 s, with its anonymous and file-backed parts, the resident part of its WebAssembly memories
 * and V8's heap (from Firebreak's own /metrics); the figures are its RSS at the start, after the
 * warm-up, at the end, the largest, and a least-squares slope over the samples after the warm-up,
 * for the RSS and for each part.
 *
 *   npm run bench:soak                            # ten minutes on PostgreSQL (figures written to docs/BENCHMARKS.md)
 *   npm run bench:soak -- --store postgres,pglite # the same on PostgreSQL, then on PGlite
 *   npm run bench:soak -- --duration 20m          # longer: written too, with its --duration in the heading
 *   npm run bench:soak -- --duration 60s          # a check of the harness (printed only)
 *
 * Options:
 *   --duration D        how long the load runs: 600, 600s, 10m (default 10m)
 *   --rate N            commands per second, `/incident list` and `/diag db` in turn (default 20)
 *   --store LIST        postgres, pglite or both, comma-separated, run one after the other (default postgres)
 *   --incident-every D  a new incident declared every D, each updated twice and resolved (default 60s; 0: none)
 *
 * `npm run build` runs first when dist/ is missing or older than the sources. A run with the default
 * rate and incidents, ten minutes or longer, is written to docs/BENCHMARKS.md (between the soak
 * markers); a shorter one, or one at another rate or pace of incidents, is printed only.
 * Processes, the schema, the role and the temporary folder are removed on success, failure or
 * Ctrl-C.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../src/adapters/postgres/open-store.js';
import { createSlackDriver, viewFromCall, type SlackDriver } from '../src/adapters/local-slack/driver.js';
import { startSlackStandIn, TEAM_ID, type ApiCall, type SlackStandIn } from '../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../test/services.js';
import {
  APP_LABEL,
  diagnosticsRole,
  ROOT,
  SIGNING_SECRET,
  TSX_LOADER,
  cleanUp,
  commitOf,
  ensureBuilt,
  launchApp,
  deployedNodeOptions,
  onCleanup,
  procStatus,
  cpuSeconds,
  seed,
  signalled,
  sleep,
  startChild,
  type RunningApp,
  type Stores,
} from './bench-ack.js';
import type { KindTotals, SoakLoadResult, SoakLoadSpec, SoakProgress } from './bench-soak-load.js';
import { measuredOn, printUsage, runBenchmark, writeSection } from './bench-report.js';

const FULL_DURATION_S = 600;
const DEFAULT_RATE = 20;
const DEFAULT_INCIDENT_EVERY_S = 60;
const SAMPLE_EVERY_S = 10;
/** The warm-up: samples before it are not in the slope (caches, JIT, the pools filling). */
const WARM_UP_S = 60;
/** The verdict's threshold: the fitted growth over the whole duration, as a share of the warm RSS. */
const GROWTH_SHARE = 0.05;
const DIAG_CHANNELS = 40;
const LIST_CHANNELS = 4;
/** Between the steps of one incident's life (declared, updated, updated again, resolved). */
const STEP_GAP_MS = 12_000;
const STEP_TIMEOUT_MS = 30_000;
/** After the load, how long the answers of acknowledged commands may still take. */
const DRAIN_TIMEOUT_MS = 60_000;

type StoreKey = 'postgres' | 'pglite';
const STORES: StoreKey[] = ['postgres', 'pglite'];

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  durationS: number;
  rate: number;
  stores: StoreKey[];
  incidentEveryS: number;
  /** Shorter than the default duration, or another rate or pace of incidents: printed only. */
  shortened: boolean;
}

function seconds(flag: string, value: string | undefined, allowZero = false): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|min)?$/.exec((value ?? '').trim());
  const n = m ? Number(m[1]) * (m[2] && m[2] !== 's' ? 60 : 1) : NaN;
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`${flag} takes a duration such as 90, 90s or 10m, not "${value ?? ''}"`);
  return n;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { durationS: FULL_DURATION_S, rate: DEFAULT_RATE, stores: ['postgres'], incidentEveryS: DEFAULT_INCIDENT_EVERY_S, shortened: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => argv[++i];
    switch (flag) {
      case '--duration': o.durationS = seconds(flag, value()); break;
      case '--incident-every': o.incidentEveryS = seconds(flag, value(), true); break;
      case '--rate': {
        const v = value();
        o.rate = Number(v);
        if (!Number.isFinite(o.rate) || o.rate <= 0 || o.rate > 1000) throw new Error(`--rate takes a number of commands per second above 0 and at most 1000, not "${v ?? ''}"`);
        break;
      }
      case '--store': {
        const items = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = items.filter((s) => !STORES.includes(s as StoreKey));
        if (items.length === 0 || unknown.length > 0) throw new Error(`--store takes postgres, pglite or both, comma-separated${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`);
        o.stores = STORES.filter((s) => items.includes(s));
        break;
      }
      case '--help':
        printUsage(import.meta.url);
      default:
        throw new Error(`unknown option ${flag} (see --help)`);
    }
  }
  if (o.durationS < 30) throw new Error('--duration must be at least 30s: the slope needs samples after the warm-up');
  o.shortened = o.durationS < FULL_DURATION_S || o.rate !== DEFAULT_RATE || o.incidentEveryS !== DEFAULT_INCIDENT_EVERY_S;
  return o;
}

/** The warm-up of a run: a minute, or a third of a run shorter than three minutes. */
const warmUpOf = (durationS: number) => Math.min(WARM_UP_S, durationS / 3);

// ---------------------------------------------------------------------------------------------
// Slack's side: the answers to the commands, counted as they arrive at the stand-in.

const LIST_ANSWER = /^\d+ open incidents?$/;

class Answers {
  listDone = 0;
  /** Answers on a list command's response_url other than the list (an error reply). */
  listOther = 0;
  diagPosted = 0;
  diagDone = 0;
  diagUnreachable = 0;
  /** Answers on a diag command's response_url: a refusal (too many waiting) or an error reply. */
  diagReplied = 0;
  readonly samples: string[] = [];
  readonly #seenPaths = new Set<string>();
  readonly #reported = new Set<string>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly standIn: SlackStandIn,
    private readonly listPrefix: string,
    private readonly diagPrefix: string,
    private readonly diagChannels: ReadonlySet<string>,
  ) {
    this.#unsubscribe = standIn.onActivity((call) => (call ? this.#onCall(call) : this.#onResponse()));
  }

  get answered(): number {
    return this.listDone + this.diagDone;
  }

  stop(): void {
    this.#unsubscribe();
  }

  #sample(what: string, text: string): void {
    if (this.samples.length < 5) this.samples.push(`${what}: ${text.slice(0, 200)}`);
  }

  #onCall(call: ApiCall): void {
    const channel = String(call.args.channel ?? '');
    if (!this.diagChannels.has(channel)) return;
    if (call.method === 'chat.postMessage') this.diagPosted += 1;
    if (call.method !== 'chat.update') return;
    const text = String(call.args.text ?? '');
    const key = `${channel}/${String(call.args.ts ?? '')}`;
    if (!text.startsWith('Diagnostics db') || this.#reported.has(key)) return;
    this.#reported.add(key);
    this.diagDone += 1;
    if (JSON.stringify(call.args).includes('unreachable')) this.diagUnreachable += 1;
  }

  #onResponse(): void {
    // The stand-in records a response_url post, then tells: the newest one is it.
    const last = this.standIn.responses.at(-1);
    if (!last || this.#seenPaths.has(last.path)) return;
    const body = last.body as { text?: unknown } | undefined;
    const text = typeof body?.text === 'string' ? body.text : JSON.stringify(body ?? '');
    if (last.path.startsWith(this.listPrefix)) {
      this.#seenPaths.add(last.path);
      if (LIST_ANSWER.test(text)) this.listDone += 1;
      else {
        this.listOther += 1;
        this.#sample('`/incident list` answered', text);
      }
    } else if (last.path.startsWith(this.diagPrefix)) {
      this.#seenPaths.add(last.path);
      this.diagReplied += 1;
      this.#sample('`/diag db` answered privately', text);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Incidents declared, updated and resolved through the modals, as people do.

type StepKind = 'declaring' | 'updating' | 'resolving';

interface Lifecycle {
  declared: number;
  updated: number;
  resolved: number;
  failedSteps: number;
  failures: string[];
  /** How long each kind of step took, from the command to what Slack shows for it (ms). */
  stepMs: Record<StepKind, number[]>;
}

const plainInput = (value: string | null) => ({ type: 'plain_text_input', value });
const selected = (value: string) => ({ type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } });

async function submitted(standIn: SlackStandIn, driver: SlackDriver, triggerId: string, values: Record<string, Record<string, unknown>>, userId: string): Promise<void> {
  const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === triggerId, STEP_TIMEOUT_MS);
  const res = await driver.viewSubmission({ view: viewFromCall(open), values, userId });
  if (res.status !== 200 || (res.text !== '' && res.text.includes('errors'))) throw new Error(`the form was refused (${res.status}): ${res.text.slice(0, 300)}`);
}

async function command(driver: SlackDriver, text: string, channelId: string, userId: string) {
  const cmd = await driver.command({ command: '/incident', text, channelId, userId });
  if (cmd.status !== 200) throw new Error(`/incident ${text} answered ${cmd.status}: ${cmd.text.slice(0, 300)}`);
  return cmd;
}

/** One incident's life; each step waits for what Slack shows for it. */
async function liveIncident(n: number, standIn: SlackStandIn, driver: SlackDriver, life: Lifecycle, ended: () => boolean): Promise<void> {
  const user = `U0SOAKR${n.toString(36).toUpperCase()}`;
  const step = async <T>(what: string, run: () => Promise<T>, kind: StepKind = what === 'declaring' ? 'declaring' : what === 'resolving' ? 'resolving' : 'updating'): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } catch (err) {
      life.failedSteps += 1;
      if (life.failures.length < 5) life.failures.push(`incident ${n}, ${what}: ${(err as Error).message.split('\n')[0]}`);
      throw err;
    } finally {
      life.stepMs[kind].push(performance.now() - t0);
    }
  };
  const { id, channel } = await step('declaring', async () => {
    const cmd = await command(driver, 'open', 'C0GENERAL', user);
    await submitted(standIn, driver, cmd.triggerId, {
      title: { title: plainInput(`Soak incident ${n}`) },
      severity: { severity: selected('P3') },
      impact: { impact: plainInput('Some requests slower than usual') },
      symptoms: { symptoms: plainInput('p99 latency up on the API') },
      actions: { actions: plainInput(null) },
      eta: { eta: plainInput(null) },
      commander: { commander: { type: 'users_select', selected_user: user } },
      detected: { detected: plainInput('5m') },
    }, user);
    const told = await standIn.waitFor('chat.postEphemeral', (c) => c.args.user === user && String(c.args.text).includes('declared and announced'), STEP_TIMEOUT_MS).catch((err: Error) => {
      const said = standIn.callsTo('chat.postEphemeral').filter((c) => c.args.user === user).map((c) => String(c.args.text));
      throw said.length ? new Error(`told instead: ${said.join(' / ')}`) : err;
    });
    const m = /\*(INC-\d+)\*.*<#(C[A-Z0-9]+)/.exec(String(told.args.text));
    if (!m) throw new Error(`no incident or channel in the confirmation: ${String(told.args.text)}`);
    return { id: m[1] as string, channel: m[2] as string };
  });
  life.declared += 1;
  for (const [j, status] of [[1, 'identified'], [2, 'monitoring']] as const) {
    await sleep(STEP_GAP_MS);
    if (ended()) return;
    await step(`update ${j}`, async () => {
      const progress = `Soak update ${n}.${j}`;
      const cmd = await command(driver, 'update', channel, user);
      await submitted(standIn, driver, cmd.triggerId, {
        status: { status: selected(status) },
        progress: { progress: plainInput(progress) },
        blockers: { blockers: plainInput(null) },
        next_steps: { next_steps: plainInput('Watch the graphs') },
        eta: { eta: plainInput(null) },
      }, user);
      await standIn.waitFor('chat.postMessage', (c) => c.args.channel === channel && JSON.stringify(c.args.blocks ?? '').includes(progress), STEP_TIMEOUT_MS);
    });
    life.updated += 1;
  }
  await sleep(STEP_GAP_MS);
  await step('resolving', async () => {
    const cmd = await command(driver, 'resolve', channel, user);
    await submitted(standIn, driver, cmd.triggerId, {
      root_cause: { root_cause: plainInput('A cache node restarted') },
      fix_applied: { fix_applied: plainInput('Warmed the cache') },
      final_impact: { final_impact: plainInput(null) },
      postmortem_date: { postmortem_date: { type: 'datepicker', selected_date: null } },
    }, user);
    await standIn.waitFor('chat.postEphemeral', (c) => c.args.user === user && String(c.args.text).includes(`${id} is resolved`), STEP_TIMEOUT_MS);
  });
  life.resolved += 1;
}

/** New incidents every `everyS` while the load runs, one at a time; the last one is lived to its end. */
async function runIncidents(options: Options, standIn: SlackStandIn, app: RunningApp, life: Lifecycle, loadEnded: () => boolean): Promise<void> {
  if (options.incidentEveryS <= 0) return;
  const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${app.port}`, signingSecret: SIGNING_SECRET, standIn });
  const t0 = performance.now();
  const lifeMs = 3 * STEP_GAP_MS + 10_000;
  for (let n = 1; ; n++) {
    const startAt = 5000 + (n - 1) * options.incidentEveryS * 1000;
    // Only an incident that can be lived before the load ends.
    if (startAt + lifeMs > options.durationS * 1000) return;
    const wait = t0 + startAt - performance.now();
    if (wait > 0) await sleep(wait);
    if (loadEnded()) return;
    await liveIncident(n, standIn, driver, life, loadEnded).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Memory samples and their reading

interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  /** The resident set's anonymous part (RssAnon: the heaps, malloc's arenas, WebAssembly memory) and file-backed part (RssFile: code and mapped files). */
  anonMb: number;
  fileMb: number;
  /** The resident part of the process's WebAssembly memories (PGlite's, mostly), from /proc/<pid>/smaps; part of anonMb. */
  wasmMb: number;
  /** V8's heap used, from Firebreak's own /metrics (prom-client's default metrics); NaN when not read. */
  heapMb: number;
  /** V8's heap as allocated from the system (used or not), and memory V8 tracks outside it (Buffers, ArrayBuffers); NaN when not read. */
  heapTotalMb: number;
  externalMb: number;
}

/** The parts of a sample shown in the breakdown, in the order shown. */
const PARTS = [
  { key: 'anonMb', shown: 'anonymous (RssAnon)' },
  { key: 'fileMb', shown: 'file-backed (RssFile)' },
  { key: 'wasmMb', shown: 'WebAssembly memories, resident' },
  { key: 'heapTotalMb', shown: "V8's heap, allocated" },
  { key: 'heapMb', shown: "V8's heap, used" },
  { key: 'externalMb', shown: 'outside V8, tracked (external)' },
] as const satisfies ReadonlyArray<{ key: keyof Sample; shown: string }>;

interface PartGrowth {
  key: (typeof PARTS)[number]['key'];
  shown: string;
  warmMb: number;
  endMb: number;
  slopeMbPerMin: number;
}

interface Growth {
  startMb: number;
  warmMb: number;
  endMb: number;
  maxMb: number;
  peakMb: number;
  /** End minus warm. */
  deltaMb: number;
  /** Least squares over the samples from the warm-up on, MB per minute. */
  slopeMbPerMin: number;
  /** The slope over the whole duration. */
  fittedMb: number;
  thresholdMb: number;
  noGrowth: boolean;
  samplesInFit: number;
  parts: PartGrowth[];
}

function slope(all: Sample[], of: (s: Sample) => number = (s) => s.rssMb): number {
  const points = all.filter((p) => Number.isFinite(of(p)));
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + of(p), 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mx) * (of(p) - my);
    den += (p.t - mx) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 60;
}

function growthOf(samples: Sample[], durationS: number, peakMb: number): Growth {
  const warmS = warmUpOf(durationS);
  const fit = samples.filter((s) => s.t >= warmS - 0.5);
  const warmMb = fit[0]?.rssMb ?? NaN;
  const endMb = samples.at(-1)?.rssMb ?? NaN;
  const slopeMbPerMin = slope(fit);
  const fittedMb = slopeMbPerMin * (durationS / 60);
  const thresholdMb = GROWTH_SHARE * warmMb;
  return {
    startMb: samples[0]?.rssMb ?? NaN,
    warmMb,
    endMb,
    maxMb: Math.max(...samples.map((s) => s.rssMb)),
    peakMb,
    deltaMb: endMb - warmMb,
    slopeMbPerMin,
    fittedMb,
    thresholdMb,
    noGrowth: fit.length >= 3 && Number.isFinite(fittedMb) && fittedMb < thresholdMb,
    samplesInFit: fit.length,
    parts: PARTS.map(({ key, shown }) => ({ key, shown, warmMb: fit[0]?.[key] ?? NaN, endMb: samples.at(-1)?.[key] ?? NaN, slopeMbPerMin: slope(fit, (x) => x[key]) })),
  };
}

// ---------------------------------------------------------------------------------------------
// One run: one store, the whole duration

interface KindOutcome {
  shown: string;
  totals: KindTotals;
  answered: number;
  /** Acknowledged, then answered with something else (an error, a refusal) or not at all. */
  otherReplies: number;
  unanswered: number;
  note?: string;
}

interface SoakRun {
  store: StoreKey;
  samples: Sample[];
  growth: Growth;
  kinds: KindOutcome[];
  load: SoakLoadResult;
  life: Lifecycle;
  cpuSeconds: number;
  drained: boolean;
  errorsLogged: number;
  replaysDropped: number;
  answerSamples: string[];
}

function runLoadProcess(spec: SoakLoadSpec, onProgress: (p: SoakProgress) => void): { result: Promise<SoakLoadResult>; stop: () => Promise<void> } {
  const proc = startChild('load generator', ['--import', TSX_LOADER, path.join(ROOT, 'scripts/bench-soak-load.ts'), JSON.stringify(spec)], {}, ROOT);
  let partial = '';
  let result: SoakLoadResult | undefined;
  proc.child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as SoakProgress | SoakLoadResult;
      if (parsed.type === 'progress') onProgress(parsed);
      else result = parsed;
    }
  });
  return {
    result: proc.exited.then((code) => {
      if (code !== 0 || !result) throw new Error(`load generator exited ${code} without its result:\n${proc.tail()}`);
      return result;
    }),
    stop: () => proc.stop(),
  };
}

/**
 * The resident part of the WebAssembly memories of a process. V8 reserves each one as a region of
 * several GiB: the pages in use (read-write) at its start, the rest inaccessible (`---p`) as a
 * guard, so a read-write mapping followed at once by an inaccessible one of 4 GiB or more is one.
 * Their size counts in V8's external memory whether touched or not; their resident part is what
 * the RSS sees.
 */
function wasmResidentMb(pid: number): number {
  const maps: Array<{ start: bigint; end: bigint; perm: string; rssKb: number }> = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) (\S+) /.exec(line);
    if (range) {
      maps.push({ start: BigInt(`0x${range[1]}`), end: BigInt(`0x${range[2]}`), perm: range[3] as string, rssKb: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    const last = maps.at(-1);
    if (rss && last) last.rssKb = Number(rss[1]);
  }
  let kb = 0;
  for (let i = 0; i + 1 < maps.length; i++) {
    const [used, guard] = [maps[i]!, maps[i + 1]!];
    if (used.perm.startsWith('rw') && guard.perm === '---p' && used.end === guard.start && guard.end - guard.start >= 4n * 2n ** 30n) kb += used.rssKb;
  }
  return kb / 1024;
}

type RuntimeMemory = Pick<Sample, 'heapMb' | 'heapTotalMb' | 'externalMb'>;

/** V8's heap used and allocated and its external memory, from Firebreak's /metrics, in MB; NaN for what cannot be read. */
async function runtimeMemory(port: number): Promise<RuntimeMemory> {
  let text = '';
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3000) });
    text = res.status === 200 ? await res.text() : '';
  } catch {
    // Left NaN below.
  }
  const gauge = (name: string) => {
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) / 2 ** 20 : NaN;
  };
  return { heapMb: gauge('nodejs_heap_size_used_bytes'), heapTotalMb: gauge('nodejs_heap_size_total_bytes'), externalMb: gauge('nodejs_external_memory_bytes') };
}

async function soak(store: StoreKey, options: Options, standIn: SlackStandIn, stores: Stores): Promise<SoakRun> {
  const app = await launchApp(store, standIn, stores, true);
  // Firebreak's first few error lines, to show with the figures.
  const errorLines: string[] = [];
  for (const stream of [app.proc.child.stdout!, app.proc.child.stderr!]) {
    let partial = '';
    stream.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (errorLines.length < 3 && /"level":(5|6)\d/.test(line)) errorLines.push(`Firebreak logged: ${line.slice(0, 400)}`);
    });
  }
  await sleep(2000);
  const runCode = store === 'postgres' ? 'P' : 'L';
  const listPrefix = `/response_url/soak-${runCode}-list-`;
  const diagPrefix = `/response_url/soak-${runCode}-diag-`;
  const diagChannels = Array.from({ length: DIAG_CHANNELS }, (_, i) => `C0SK${runCode}D${i.toString(36).toUpperCase().padStart(2, '0')}`);
  const listChannels = Array.from({ length: LIST_CHANNELS }, (_, i) => `C0SK${runCode}L${i}`);
  const answers = new Answers(standIn, listPrefix, diagPrefix, new Set(diagChannels));
  const life: Lifecycle = { declared: 0, updated: 0, resolved: 0, failedSteps: 0, failures: [], stepMs: { declaring: [], updating: [], resolving: [] } };

  const samples: Sample[] = [];
  const t0 = performance.now();
  const heapReads = new Set<Promise<void>>();
  const take = () => {
    let sample: Sample;
    try {
      const { rssMb, anonMb, fileMb } = procStatus(app.proc.pid);
      sample = { t: (performance.now() - t0) / 1000, rssMb, anonMb, fileMb, wasmMb: wasmResidentMb(app.proc.pid), heapMb: NaN, heapTotalMb: NaN, externalMb: NaN };
    } catch {
      // The process is gone: the run fails below, on its exit.
      return;
    }
    samples.push(sample);
    const read = runtimeMemory(app.port).then((m) => void Object.assign(sample, m));
    heapReads.add(read);
    void read.finally(() => heapReads.delete(read));
  };
  const cpuBefore = cpuSeconds(app.proc.pid);
  take();
  const sampler = setInterval(take, SAMPLE_EVERY_S * 1000);
  const exited = app.proc.exited.then((code) => {
    throw new Error(`${APP_LABEL[store]} exited (${code}) during the soak:\n${app.proc.tail()}`);
  });

  const load = runLoadProcess(
    {
      origin: `http://127.0.0.1:${app.port}`,
      signingSecret: SIGNING_SECRET,
      rate: options.rate,
      durationS: options.durationS,
      progressEveryS: 60,
      kinds: [
        { key: 'list', command: '/incident', text: 'list', responseUrlPrefix: `${standIn.baseUrl}${listPrefix}`, channels: listChannels },
        { key: 'diag', command: '/diag', text: 'db bench', responseUrlPrefix: `${standIn.baseUrl}${diagPrefix}`, channels: diagChannels },
      ],
    },
    (p) => {
      const rss = samples.at(-1)?.rssMb;
      console.log(`  ${APP_LABEL[store]}, ${p.elapsedS.toFixed(0)} s: ${p.sent} sent, ${p.acked} acknowledged, ${p.failed} failed, ${answers.answered} answered; incidents ${life.declared} declared, ${life.resolved} resolved; RSS ${rss?.toFixed(0) ?? '—'} MB`);
    },
  );
  let loadOver = false;
  const incidents = runIncidents(options, standIn, app, life, () => loadOver);
  let result: SoakLoadResult;
  try {
    result = await Promise.race([load.result, exited]);
  } finally {
    loadOver = true;
  }
  // The last sample is the RSS at the end of the load, whatever the interval's phase.
  clearInterval(sampler);
  take();
  const peakMb = procStatus(app.proc.pid).hwmMb;
  await Promise.all(heapReads);
  await Promise.race([incidents, exited]);

  // The answers to commands acknowledged near the end may still be on their way.
  const list = result.kinds.list as KindTotals;
  const diag = result.kinds.diag as KindTotals;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const settled = () => answers.listDone + answers.listOther >= list.acked && answers.diagDone + answers.diagReplied >= diag.acked;
  while (!settled() && Date.now() < deadline) await Promise.race([sleep(200), exited]);
  const cpu = cpuSeconds(app.proc.pid) - cpuBefore;
  answers.stop();
  void exited.catch(() => undefined);
  await app.proc.stop();
  standIn.reset();

  const outcome = (shown: string, totals: KindTotals, answered: number, other: number, note?: string): KindOutcome => ({
    shown,
    totals,
    answered,
    otherReplies: other,
    unanswered: Math.max(0, totals.acked - answered - other),
    ...(note ? { note } : {}),
  });
  return {
    store,
    samples,
    growth: growthOf(samples, options.durationS, peakMb),
    kinds: [
      outcome('`/incident list`', list, answers.listDone, answers.listOther),
      outcome('`/diag db`', diag, answers.diagDone, answers.diagReplied, answers.diagUnreachable ? `${answers.diagUnreachable} reports "unreachable"` : undefined),
    ],
    load: result,
    life,
    cpuSeconds: cpu,
    drained: settled(),
    errorsLogged: app.proc.errorsLogged,
    replaysDropped: app.proc.replaysDropped,
    answerSamples: [...answers.samples, ...errorLines],
  };
}

// ---------------------------------------------------------------------------------------------
// Tables

const mb = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} MB` : '—');
const signedMb = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} MB` : '—');
const int = (n: number) => n.toLocaleString('en');
const msOr = (x: number | null, failed: number) => (x === null ? (failed > 0 ? 'failed' : '—') : `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} ms`);
const perMin = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)} MB/min` : '—');
const durationText = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${Math.round(s)} s`);

function memoryTable(runs: SoakRun[], options: Options): string {
  const warm = warmUpOf(options.durationS);
  const rows = runs.map((r) => {
    const g = r.growth;
    const heap = g.parts.find((p) => p.key === 'heapMb') as PartGrowth;
    return `| ${APP_LABEL[r.store]} | ${mb(g.startMb)} | ${mb(g.warmMb)} | ${mb(g.endMb)} | ${mb(g.maxMb)} | ${mb(g.peakMb)} | ${signedMb(g.deltaMb)} | ${perMin(g.slopeMbPerMin)} | ${signedMb(g.fittedMb)} (limit ${mb(g.thresholdMb)}) | ${g.noGrowth ? 'no growth' : `**growing**`} | ${mb(heap.warmMb)} → ${mb(heap.endMb)}, ${perMin(heap.slopeMbPerMin)} |`;
  });
  return [
    `| process | RSS at the start | after ${durationText(warm)} (warm) | at the end | largest sample | peak (VmHWM) | end − warm | slope after the warm-up | slope × ${durationText(options.durationS)} | verdict | V8 heap used, warm → end, slope |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    ...rows,
  ].join('\n');
}

/** Where the resident set is, part by part, at the warm sample and the end, with the slope of each. */
function partsTable(runs: SoakRun[]): string {
  const rows = runs.flatMap((r) =>
    r.growth.parts.map((p) => `| ${APP_LABEL[r.store]} | ${p.shown} | ${mb(p.warmMb)} | ${mb(p.endMb)} | ${signedMb(p.endMb - p.warmMb)} | ${perMin(p.slopeMbPerMin)} |`),
  );
  return ['| process | part | warm | at the end | end − warm | slope after the warm-up |', '|---|---|---:|---:|---:|---:|', ...rows].join('\n');
}

function commandTable(runs: SoakRun[]): string {
  const rows = runs.flatMap((r) =>
    r.kinds.map((k) => {
      const t = k.totals;
      const failed = t.failed + k.otherReplies + k.unanswered;
      const why = [
        t.failed ? `${int(t.failed)} not acknowledged (${Object.entries(t.failures).map(([c, n]) => `${c} ×${n}`).join(', ')})` : '',
        k.otherReplies ? `${int(k.otherReplies)} answered with something else` : '',
        k.unanswered ? `${int(k.unanswered)} never answered` : '',
        k.note ?? '',
      ].filter(Boolean).join('; ');
      return `| ${APP_LABEL[r.store]} | ${k.shown} | ${int(t.sent)} | ${int(t.acked)} | ${int(k.answered)} | ${int(failed)}${why ? ` (${why})` : ''} | ${msOr(t.p50, t.failed)} | ${msOr(t.p99, t.failed)} | ${msOr(t.max, t.failed)} |`;
    }),
  );
  return ['| process | command | sent | acknowledged | answered | failed | ack p50 | ack p99 | ack max |', '|---|---|---:|---:|---:|---|---:|---:|---:|', ...rows].join('\n');
}

function byMinute(r: SoakRun): string {
  const shown: string[] = [];
  for (let m = 0; ; m++) {
    const s = r.samples.find((x) => x.t >= m * 60 - 0.5);
    if (!s) break;
    shown.push(`${m} min ${s.rssMb.toFixed(0)}`);
    if (s === r.samples.at(-1)) break;
  }
  const last = r.samples.at(-1);
  if (last && !shown.at(-1)?.endsWith(` ${last.rssMb.toFixed(0)}`)) shown.push(`end ${last.rssMb.toFixed(0)}`);
  return `${APP_LABEL[r.store]}, RSS in MB: ${shown.join(' · ')}.`;
}

function stepSeconds(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted[Math.floor(sorted.length / 2)] as number;
  return `${(mid / 1000).toFixed(1)} s, ${((sorted.at(-1) as number) / 1000).toFixed(1)} s`;
}

function lifeLine(r: SoakRun): string {
  const l = r.life;
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return `${APP_LABEL[r.store]}: ${n(l.declared, 'incident', 'incidents')} declared, ${n(l.updated, 'update', 'updates')} posted, ${l.resolved} resolved through the modals, ${n(l.failedSteps, 'step', 'steps')} failed. From the command to what Slack shows (median, slowest): ${(Object.entries(l.stepMs) as Array<[StepKind, number[]]>).filter(([, xs]) => xs.length).map(([k, xs]) => `${k} ${stepSeconds(xs)}`).join(', ')}.`;
}

// ---------------------------------------------------------------------------------------------

async function main(options: Options): Promise<void> {
  ensureBuilt();
  console.log(`Soak: Firebreak compiled (\`node dist/main.js\`), ${options.rate} commands/s for ${durationText(options.durationS)} on ${options.stores.map((s) => APP_LABEL[s]).join(', then ')}${options.shortened ? ' — shortened run: printed only, not written to docs/BENCHMARKS.md' : ''}.`);

  const benchDir = mkdtempSync(path.join(tmpdir(), 'fb-bench-soak-'));
  onCleanup('temporary folder', () => rmSync(benchDir, { recursive: true, force: true }));
  const standIn = await startSlackStandIn({ keepCalls: 2000 });
  onCleanup('Slack stand-in', () => standIn.close());
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  onCleanup('PostgreSQL admin session', () => admin.end());

  const stores: Stores = { schema: `fb_bench_soak_${process.pid}`, pgliteDir: path.join(benchDir, 'pglite'), configFile: path.join(benchDir, 'firebreak.yml') };
  onCleanup('schema', () => admin.query(`drop schema if exists ${stores.schema} cascade`));
  const target = await diagnosticsRole(admin, `fb_bench_soak_${process.pid}`);
  writeFileSync(
    stores.configFile,
    ['incidents:', '  channel: C0INCIDENTS', '  locale: en', 'targets:', '  postgres:', `    - { name: bench, url: "${target.toString()}" }`, 'diagnostics:', '  timeout: 5s', ''].join('\n'),
  );

  const runs: SoakRun[] = [];
  for (const store of options.stores) {
    const opened = store === 'postgres' ? await openStore({ databaseUrl: TEST_DATABASE_URL, schema: stores.schema, dataDir: '' }) : await openStore({ dataDir: stores.pgliteDir });
    await (async () => {
      await seed(opened.db);
      // The seeded rows bypass the numbering: the next declared incident takes the number after them.
      await opened.db.query(
        `insert into workspace_counters (team_id, last_number) select team_id, max(number) from incidents where team_id = $1 group by team_id
         on conflict (team_id) do update set last_number = greatest(workspace_counters.last_number, excluded.last_number)`,
        [TEAM_ID],
      );
    })().finally(() => opened.close());
    console.log(`\n${APP_LABEL[store]}: soaking for ${durationText(options.durationS)}…`);
    runs.push(await soak(store, options, standIn, stores));
  }

  // ----- report
  const warm = warmUpOf(options.durationS);
  const blocks: string[] = [];
  blocks.push(
    `**Memory** (VmRSS of the Firebreak process every ${SAMPLE_EVERY_S} s from the first command; "warm" is the first sample after ${durationText(warm)}, the slope is a least-squares fit over the samples from there to the end; "no growth" when the slope × ${durationText(options.durationS)} is under ${GROWTH_SHARE * 100} % of the warm RSS; V8's heap used is \`nodejs_heap_size_used_bytes\` from Firebreak's \`/metrics\`, read with each sample).`,
    '',
    memoryTable(runs, options),
    '',
    ...runs.map(byMinute),
    '',
    `**Where the resident set is**: RssAnon and RssFile from \`/proc/<pid>/status\` (they add up to the RSS, with the small shared-memory part); the resident part of the WebAssembly memories (PGlite's, and small ones of Node's own), from \`/proc/<pid>/smaps\`, part of the anonymous memory; V8's heap allocated and used, and the memory V8 tracks outside its heap (\`nodejs_heap_size_total_bytes\`, \`nodejs_heap_size_used_bytes\`, \`nodejs_external_memory_bytes\`), from \`/metrics\` with each sample. Anonymous memory growing while V8's heap allocated and external stay flat is memory V8 does not see: native allocations or the allocator keeping freed pages.`,
    '',
    partsTable(runs),
    '',
    `**Commands**: ${options.rate} a second in an open loop, \`/incident list\` and \`/diag db\` in turn, for ${durationText(options.durationS)}; "answered" is what Slack showed for them (the list on the response_url, the report replacing "running…"); "failed" is every other command: not acknowledged with a 200 within 30 s, answered with something else, or never answered.`,
    '',
    commandTable(runs),
    '',
  );
  if (options.incidentEveryS > 0) blocks.push(`**Incidents** (one every ${durationText(options.incidentEveryS)}, through the modals, during the load):`, '', ...runs.map((r) => `- ${lifeLine(r)}`), '');
  blocks.push(`The load generator sent every command within ${Math.max(...runs.map((r) => r.load.maxSendLagMs)).toFixed(1)} ms of its scheduled instant. Firebreak's CPU over each run: ${runs.map((r) => `${APP_LABEL[r.store]} ${r.cpuSeconds.toFixed(0)} s`).join(', ')}.`, '');
  const troubles = runs.filter((r) => r.errorsLogged > 0 || r.replaysDropped > 0 || !r.drained || r.life.failures.length > 0 || r.answerSamples.length > 0 || r.load.stoppedEarly);
  if (troubles.length) {
    blocks.push('**Check these runs**:', '');
    for (const r of troubles) {
      const parts = [`${r.errorsLogged} error lines logged`, `${r.replaysDropped} requests dropped as replays`];
      if (!r.drained) parts.push(`answers still missing ${DRAIN_TIMEOUT_MS / 1000} s after the load`);
      if (r.load.stoppedEarly) parts.push('the load stopped before its end');
      blocks.push(`- ${APP_LABEL[r.store]}: ${parts.join(', ')}`);
      for (const f of [...r.life.failures, ...r.answerSamples]) blocks.push(`  - ${f.replace(/\|/g, '\\|')}`);
    }
    blocks.push('');
  }
  const body = blocks.join('\n').trimEnd();
  console.log(`\n${body}`);

  if (options.shortened) {
    if (options.durationS < FULL_DURATION_S) console.log('\n(a run this short mostly shows the heap filling up before V8 collects it in earnest: its slope and verdict check the harness, they say little about growth)');
    console.log('\n(shortened run: docs/BENCHMARKS.md was left as it is; run `npm run bench:soak` with the defaults to write the section)');
    return;
  }
  const flags = [
    ...(options.durationS === FULL_DURATION_S ? [] : ['--duration', `${options.durationS % 60 === 0 ? `${options.durationS / 60}m` : `${options.durationS}s`}`]),
    ...(options.stores.length === 1 && options.stores[0] === 'postgres' ? [] : ['--store', options.stores.join(',')]),
  ];
  const command = `npm run bench:soak${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
  writeSection('soak', `${measuredOn()}, Firebreak compiled (\`node dist/main.js\`) with the Deployment's \`NODE_OPTIONS=${deployedNodeOptions()}\` at commit ${commitOf()}, PostgreSQL on 127.0.0.1, with \`${command}\`.`, body);
}

runBenchmark(parseOptions, main, { cleanUp, signalled: () => signalled });
