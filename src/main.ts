/**
 * Owns the process: reads the configuration, starts Firebreak (server.ts, which takes its parts
 * from compose.ts; or local.ts, local mode, when no Slack credentials are set or --local is given),
 * and handles exit codes, signals, graceful shutdown and the last resort for
 * errors nothing caught. Exit 2 means "fix the configuration" (a refused Slack token included);
 * 1 means "could not start", or "stopped after an uncaught exception".
 */
import { loadConfig, secretsOf, type Config } from './config.js';
import { isFirebreakError } from './core/errors.js';
import { createLogger, makeScrubber, type Logger } from './logger.js';
import { startFirebreak, type RunningFirebreak } from './server.js';
import { prepareLocalMode } from './local.js';

/** Errors that ask for a change of configuration: exit 2, as for an invalid configuration. */
const FIX_THE_CONFIGURATION = new Set(['TEMPLATE_INVALID', 'RUNBOOK_INVALID', 'SLACK_TOKEN_REJECTED']);
/** After an uncaught exception, work in flight gets this long to finish before the exit. */
const CRASH_DRAIN_MS = 5000;

const SLACK_VARIABLES = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'];

/**
 * Local mode (the console in the browser, no Slack) when asked for (`--local`, `npm run local`),
 * or when no Slack variable at all is set outside production. One variable of the pair set, or
 * NODE_ENV=production, is a Slack deployment missing its credentials: that stays exit 2.
 */
function wantsLocalMode(env: NodeJS.ProcessEnv, argv: readonly string[]): boolean {
  if (argv.includes('--local')) return true;
  return SLACK_VARIABLES.every((k) => !env[k]) && env.NODE_ENV !== 'production';
}

function reportProblems(problems: readonly string[], hint?: string): void {
  process.stderr.write(`Firebreak cannot start: the configuration has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n`);
  for (const p of problems) process.stderr.write(`  - ${p}\n`);
  if (hint) process.stderr.write(`${hint}\n`);
  process.exitCode = 2;
}

/** What main needs from either mode: the configuration to start with, and how to start. */
interface Prepared {
  config: Config;
  logger: Logger;
  start(): Promise<{ running: RunningFirebreak; banner?: string }>;
}

async function prepare(): Promise<Prepared | undefined> {
  if (wantsLocalMode(process.env, process.argv.slice(2))) {
    const local = await prepareLocalMode();
    if (!local.ok) return void reportProblems(local.problems);
    return local;
  }
  const loaded = loadConfig();
  if (!loaded.ok) {
    const production = SLACK_VARIABLES.every((k) => !process.env[k]) && process.env.NODE_ENV === 'production';
    const hint = production
      ? 'NODE_ENV is production, so Firebreak does not fall back to local mode (the console in the browser, no Slack): set the Slack variables, or run `npm run local` to try it.'
      : undefined;
    return void reportProblems(loaded.problems, hint);
  }
  const { config } = loaded;
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  return { config, logger, start: async () => ({ running: await startFirebreak(config, logger) }) };
}

async function main(): Promise<void> {
  const prepared = await prepare();
  if (!prepared) return;
  const { config, logger } = prepared;
  let running: RunningFirebreak | undefined;
  let starting: ReturnType<Prepared['start']> | undefined;
  // A stop asked while starting waits for the start to finish (bounded like any stop), then stops.
  const exit = exitAfterStopping(logger, async () => {
    await starting?.catch(() => undefined);
    return running;
  });
  lastResort(logger, () => running, exit);
  // Listened to before the start, not after: a SIGTERM sent as soon as "serving" is logged (a
  // process manager, a test) used to find no listener and kill the process without its drain.
  const onSignal = (signal: NodeJS.Signals) => void exit({ code: 0, reason: signal, drainMs: 10_000 });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    starting = prepared.start();
    const started = await starting;
    running = started.running;
    if (started.banner) process.stdout.write(started.banner);
  } catch (err) {
    if (isFirebreakError(err) && FIX_THE_CONFIGURATION.has(err.code)) {
      process.stderr.write(`Firebreak cannot start: ${err.userMessage}\n`);
      process.exit(2);
    }
    const message = isFirebreakError(err) ? err.userMessage : (err as Error).message;
    logger.fatal({ err }, 'Firebreak could not start');
    process.stderr.write(`Firebreak could not start: ${makeScrubber(secretsOf(config))(message)}\n`);
    // What start-up opened is closed, but a request still on its way (to Slack, to the database)
    // would keep the process alive until it times out: the logs are written (synchronously), so go.
    process.exit(1);
  }

  void running.refused.then((err) => {
    process.stderr.write(`Firebreak is stopping: ${err.userMessage}\n`);
    void exit({ code: 2, reason: 'slack token refused', drainMs: 10_000 });
  });
}

interface Exit {
  code: number;
  reason: string;
  drainMs: number;
}

/** Stops Firebreak (bounded drain) then exits with `code`; a second call while stopping exits at once. */
function exitAfterStopping(logger: Logger, current: () => Promise<RunningFirebreak | undefined>): (how: Exit) => Promise<void> {
  let stopping = false;
  return async ({ code, reason, drainMs }) => {
    if (stopping) {
      logger.warn({ reason }, 'asked to stop again while stopping: exiting now');
      process.exit(code === 0 ? 1 : code);
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    // Stopping is bounded piece by piece; this bounds the whole, whatever hangs.
    setTimeout(() => {
      logger.error({ reason }, 'shutdown did not finish in time: exiting now');
      process.exit(code === 0 ? 1 : code);
    }, drainMs + 5000).unref();
    try {
      const running = await current();
      await running?.stop({ drainMs });
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(code === 0 ? 1 : code);
    }
    process.exit(code);
  };
}

/**
 * What nothing caught. An unhandled rejection is a promise nobody awaited: one background task
 * ended there (its result is lost, and the log names what else was in flight) but nothing was
 * unwound half-way, so the bot keeps serving. An uncaught exception unwound a stack in the middle
 * of something: the process's state is unknown, so it drains what it can (bounded) and exits 1 for
 * the process manager to start a clean one.
 */
function lastResort(logger: Logger, current: () => RunningFirebreak | undefined, exit: (how: Exit) => Promise<void>): void {
  const inflight = () => current()?.inflightLabels() ?? [];
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason, inflight: inflight() },
      'unhandled rejection: the background task that raised it stopped there and its result is lost; Firebreak keeps running',
    );
  });
  process.on('uncaughtException', (err, origin) => {
    const running = current();
    logger.fatal(
      { err, origin, inflight: inflight() },
      running
        ? `uncaught exception: Firebreak's state is unknown; letting work in flight finish (up to ${CRASH_DRAIN_MS / 1000} s), then exiting 1 so that the process manager restarts it`
        : 'uncaught exception during start-up: exiting 1',
    );
    if (!running) process.exit(1);
    void exit({ code: 1, reason: 'uncaught exception', drainMs: CRASH_DRAIN_MS });
  });
}

void main();
