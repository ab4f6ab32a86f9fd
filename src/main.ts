/**
 * Owns the process: reads the configuration, starts Firebreak (server.ts, which takes its parts
 * from compose.ts), and handles exit codes, signals and graceful shutdown. Exit 2 means "fix the
 * configuration"; 1 means "could not start".
 */
import { loadConfig, secretsOf } from './config.js';
import { isFirebreakError } from './core/errors.js';
import { createLogger, makeScrubber } from './logger.js';
import { startFirebreak } from './server.js';

async function main(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    process.stderr.write(`Firebreak cannot start: the configuration has ${loaded.problems.length} problem${loaded.problems.length > 1 ? 's' : ''}:\n`);
    for (const p of loaded.problems) process.stderr.write(`  - ${p}\n`);
    process.exitCode = 2;
    return;
  }
  const { config } = loaded;
  const secrets = secretsOf(config);
  const logger = createLogger({ level: config.logLevel, secrets });

  let running;
  try {
    running = await startFirebreak(config, logger);
  } catch (err) {
    if (isFirebreakError(err) && err.code === 'TEMPLATE_INVALID') {
      process.stderr.write(`Firebreak cannot start: ${err.userMessage}\n`);
      process.exitCode = 2;
      return;
    }
    const message = isFirebreakError(err) ? err.userMessage : (err as Error).message;
    logger.fatal({ err }, 'Firebreak could not start');
    process.stderr.write(`Firebreak could not start: ${makeScrubber(secrets)(message)}\n`);
    process.exitCode = 1;
    return;
  }

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

void main();
