/**
 * A complete AppContext for use-case tests, built as src/server.ts builds the real one but from
 * the fakes: memory store, recording chat and pager, manual clock. The rules are the real ones
 * (templates, severities, schedule policy, config through loadConfig). This is the only place that
 * assembles a context, so when AppContext changes shape it is the only test code to change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadTemplates } from '../../src/adapters/templates/load-templates.js';
import { newViewState, type AppContext } from '../../src/app/context.js';
import { createDiagnosisRuns } from '../../src/app/diagnostics/runs.js';
import { createInflight } from '../../src/app/inflight.js';
import { schedulePolicy } from '../../src/app/reminders/policy.js';
import { loadConfig, severitiesOf, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { manualClock, type ManualClock } from './manual-clock.js';
import { memoryStore, type MemoryStore } from './memory-store.js';
import { recordingChat, type RecordingChat } from './recording-chat.js';
import { recordingPager, type RecordingPager } from './recording-pager.js';
import { fakeCatalogue } from './remediation.js';
import { runbookCatalogue } from '../../src/core/runbook/catalogue.js';

/** The incidents channel of the default configuration. */
export const INCIDENTS_CHANNEL = 'C0INCIDENTS';
const BOT_TOKEN = 'xoxb-fake-0000-token';
const SIGNING_SECRET = 'fake-signing-secret';

export interface FakeContextOptions {
  /**
   * The YAML configuration, as an object, merged over `{ incidents: { channel: C0INCIDENTS } }`
   * (objects merge, anything else replaces). It goes through loadConfig, so it is validated and
   * defaulted exactly as a real firebreak.yml.
   */
  config?: Record<string, unknown>;
  /** Extra environment variables for loadConfig (the Slack credentials are already there). */
  env?: Record<string, string>;
  store?: MemoryStore;
  chat?: RecordingChat;
  clock?: ManualClock;
  pager?: RecordingPager;
  runbooks?: AppContext['runbooks'];
  diagnostics?: AppContext['diagnostics'];
  remediation?: AppContext['remediation'];
}

export interface FakeContext extends AppContext {
  store: MemoryStore;
  chat: RecordingChat;
  clock: ManualClock;
  pager: RecordingPager;
  /** Every log line written, parsed (level 20 debug … 50 error). */
  logs: Array<Record<string, unknown>>;
  /** How many times wakeScheduler was called. */
  wakes: number;
  /** Errors of background work run through `inflight`, with its label. */
  backgroundErrors: Array<{ label: string; err: unknown }>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k], v) : v;
  return out;
}

/** Loads `yaml` through the real loadConfig (from a temporary directory, removed at once). */
export function fakeConfig(yaml: Record<string, unknown> = {}, env: Record<string, string> = {}): Readonly<Config> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-fake-config-'));
  try {
    writeFileSync(path.join(dir, 'firebreak.yml'), stringify(merge({ incidents: { channel: INCIDENTS_CHANNEL } }, yaml)));
    const loaded = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, ...env }, dir);
    if (!loaded.ok) throw new Error(`fakeConfig: the configuration was refused:\n- ${loaded.problems.join('\n- ')}`);
    return loaded.config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Read once per test file: the shipped templates never change while tests run, and loading checks every file.
let shippedTemplates: AppContext['templates'] | undefined;
const templates = (): AppContext['templates'] => (shippedTemplates ??= loadTemplates());

/** Diagnostics with no target configured (tests of diagnostics pass their own). */
function noDiagnostics(timeoutMs: number): AppContext['diagnostics'] {
  return {
    probes: () => ({ ok: false, message: 'No diagnostic target is configured.' }),
    catalogue: () => ({ postgres: [], redis: [], kubernetes: [], http: [], prometheus: [], docker: [], hosts: [] }),
    deployments: async () => [],
    custom: () => ({ ok: false, message: 'No diagnostic target is configured.' }),
    timeoutMs,
  };
}

/** A context over fresh fakes; pass any of them to keep a handle on it or to share it. */
export function fakeContext(options: FakeContextOptions = {}): FakeContext {
  const config = fakeConfig(options.config, options.env);
  const severities = severitiesOf(config);
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    secrets: [BOT_TOKEN, SIGNING_SECRET],
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const backgroundErrors: FakeContext['backgroundErrors'] = [];
  const ctx: FakeContext = {
    config,
    store: options.store ?? memoryStore(),
    chat: options.chat ?? recordingChat(),
    clock: options.clock ?? manualClock(),
    logger,
    templates: templates(),
    severities,
    inflight: createInflight((label, err) => backgroundErrors.push({ label, err })),
    views: newViewState(),
    diagnosisRuns: createDiagnosisRuns({ concurrency: config.diagnostics.concurrency, maxWaiting: config.diagnostics.queue }),
    policy: schedulePolicy(config, severities),
    pager: options.pager ?? recordingPager(),
    diagnostics: options.diagnostics ?? noDiagnostics(config.diagnostics.timeout),
    remediation: options.remediation ?? fakeCatalogue(),
    runbooks: options.runbooks ?? runbookCatalogue([]),
    logs,
    wakes: 0,
    backgroundErrors,
    wakeScheduler: () => {
      ctx.wakes += 1;
    },
  };
  return ctx;
}
