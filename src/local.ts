/**
 * Local mode: the whole of Firebreak with no Slack workspace. The real bot (the same composition,
 * listeners and store as in production) talks to the Web API stand-in of local-slack/, and a
 * console on the bot's own HTTP server, bound to 127.0.0.1, plays Slack's part for a person in the
 * browser. With no configuration file, a demo configuration points the targets at the PostgreSQL
 * and Redis of this machine when they answer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { COMMANDS } from '../commands/index.js';
import { loadConfig, secretsOf, type Config, type ConfigResult } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { shipped } from './package-root.js';
import { startFirebreak, type RunningFirebreak } from './server.js';
import { buildConsolePage, consoleServer } from './adapters/local-slack/console-server.js';
import { fastClock } from './adapters/local-slack/fast-clock.js';
import { startSlackStandIn } from './adapters/local-slack/web-api.js';
import type { ConsoleCommand, ConsoleUser } from './adapters/local-slack/console/protocol.js';

export const LOCAL_HOST = '127.0.0.1';
export const INCIDENTS_CHANNEL = { id: 'C0INCIDENTS', name: 'incidents' };
export const GENERAL_CHANNEL = { id: 'C0GENERAL', name: 'general' };

/** The people of the console. Alice may not approve; Bruno and Chloé may, so a critical action can get its second person. */
export const LOCAL_USERS: readonly ConsoleUser[] = [
  { id: 'U0ALICE', name: 'alice', realName: 'Alice Martin', title: 'On-call engineer', approver: false },
  { id: 'U0BRUNO', name: 'bruno', realName: 'Bruno Petit', title: 'Engineering manager', approver: true },
  { id: 'U0CHLOE', name: 'chloe', realName: 'Chloé Durand', title: 'SRE lead', approver: true },
];


export interface LocalTargets {
  postgres?: string;
  redis?: string;
}

/** Whether PostgreSQL and Redis answer on their usual local ports (within about a second each). */
export async function findLocalTargets(env: NodeJS.ProcessEnv = process.env): Promise<LocalTargets & { tried: string[] }> {
  const users = [...new Set([env.PGUSER, 'postgres', userInfo().username].filter((u): u is string => Boolean(u)))];
  const tried: string[] = [];
  const postgres = async (): Promise<string | undefined> => {
    for (const user of users) {
      const url = `postgres://${encodeURIComponent(user)}@${LOCAL_HOST}:5432/postgres`;
      tried.push(`PostgreSQL as ${user}`);
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        return url;
      } catch {
        // Not this role (or no server): try the next.
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return undefined;
  };
  const redis = async (): Promise<string | undefined> => {
    const url = `redis://${LOCAL_HOST}:6379`;
    tried.push('Redis');
    // Loaded here, not at the top: a process that never runs local mode need not load ioredis.
    const { Redis } = await import('ioredis');
    const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG' ? url : undefined;
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  };
  const [pgUrl, redisUrl] = await Promise.all([postgres(), redis()]);
  return { ...(pgUrl ? { postgres: pgUrl } : {}), ...(redisUrl ? { redis: redisUrl } : {}), tried };
}

/** The configuration local mode uses when there is no firebreak.yml: the console's people, and the targets found. */
export function demoConfig(targets: LocalTargets): string {
  const approvers = LOCAL_USERS.filter((u) => u.approver).map((u) => u.id);
  const lines = [
    '# Local mode demo configuration (written by Firebreak; put a firebreak.yml here to use yours).',
    'incidents:',
    `  channel: ${INCIDENTS_CHANNEL.id}`,
    '  locale: en',
    'escalation:',
    '  responseDeadline:',
    `    notify: [${approvers[0]}]`,
    '  levels:',
    `    - { name: L2, after: 15m, notify: [${approvers[0]}], until: acknowledged, severities: [P0, P1, P2] }`,
    `    - { name: L3, after: 30m, notify: [${approvers[1] ?? approvers[0]}], until: resolved, severities: [P0, P1] }`,
    'approvals:',
    `  approvers: [${approvers.join(', ')}]`,
  ];
  if (targets.postgres || targets.redis) {
    lines.push('targets:');
    if (targets.postgres) lines.push('  postgres:', `    - { name: local, url: "${targets.postgres}" }`);
    if (targets.redis) lines.push('  redis:', `    - { name: local, url: "${targets.redis}" }`);
    lines.push('remediation:', '  allow:');
    if (targets.postgres) lines.push('    postgres: [local]');
    if (targets.redis) lines.push('    redis: [local]');
  }
  return lines.join('\n') + '\n';
}

/** Commands whose text Slack escapes, from the manifest (the one place that says so). */
function escapedCommands(): Set<string> {
  try {
    const manifest = parseYaml(readFileSync(shipped('manifest.yml'), 'utf8')) as { features?: { slash_commands?: Array<{ command?: string; should_escape?: boolean }> } };
    return new Set((manifest.features?.slash_commands ?? []).filter((c) => c.should_escape === true && c.command).map((c) => c.command as string));
  } catch {
    return new Set();
  }
}

function consoleCommands(): ConsoleCommand[] {
  return COMMANDS.map((m) => ({
    command: m.command,
    description: m.description,
    usageHint: m.usageHint,
    subcommands: m.subcommands.map((s) => ({ name: s.name, usage: s.usage, summary: s.summary })),
  }));
}

export interface LocalMode {
  running: RunningFirebreak;
  url: string;
  /** What the terminal is told at start. */
  banner: string;
}

/** Local mode configured and ready to start (or the problems that stop it, as for any configuration). */
export type LocalPrepared = { ok: true; config: Config; logger: Logger; start(): Promise<LocalMode> } | { ok: false; problems: string[] };

/**
 * Prepares local mode: the Web API stand-in, the configuration (the user's, or the demo one), the
 * console's page. `env` is the process's environment: Slack's variables in it are ignored (the
 * console is the Slack), the rest (PORT, FIREBREAK_DATA_DIR, DATABASE_URL, FIREBREAK_CONFIG,
 * LOG_LEVEL…) means what it always means.
 */
export async function prepareLocalMode(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<LocalPrepared> {
  const standIn = await startSlackStandIn({ keepCalls: 500 });
  const signingSecret = randomBytes(16).toString('hex');
  const botToken = `xoxb-local-${randomBytes(12).toString('hex')}`;
  const ownConfig = env.FIREBREAK_CONFIG !== undefined || existsSync(path.join(cwd, 'firebreak.yml'));
  const found = ownConfig ? { tried: [] } : await findLocalTargets(env);
  const localEnv: NodeJS.ProcessEnv = { ...env, SLACK_BOT_TOKEN: botToken, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: standIn.apiUrl, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' };
  delete localEnv.SLACK_APP_TOKEN;
  let loaded: ConfigResult;
  if (ownConfig) loaded = loadConfig(localEnv, cwd);
  else {
    const dir = mkdtempSync(path.join(tmpdir(), 'firebreak-local-'));
    try {
      const file = path.join(dir, 'firebreak.yml');
      writeFileSync(file, demoConfig(found));
      loaded = loadConfig({ ...localEnv, FIREBREAK_CONFIG: file }, cwd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!loaded.ok) {
    await standIn.close();
    return { ok: false, problems: loaded.problems };
  }
  const { config } = loaded;
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  let page: Awaited<ReturnType<typeof buildConsolePage>>;
  try {
    page = await buildConsolePage();
  } catch (err) {
    await standIn.close();
    return { ok: false, problems: [`the console page does not build: ${(err as Error).message}`] };
  }
  const start = async (): Promise<LocalMode> => {
    const clock = fastClock();
    let port = 0;
    const consoleSide = consoleServer(
      {
        standIn,
        appUrl: () => `http://${LOCAL_HOST}:${port}`,
        port: () => port,
        signingSecret,
        users: LOCAL_USERS,
        commands: consoleCommands(),
        escapedCommands: escapedCommands(),
        clock,
        defaultChannel: config.incidents.channel,
        seededChannels: [GENERAL_CHANNEL, config.incidents.channel === INCIDENTS_CHANNEL.id ? INCIDENTS_CHANNEL : { id: config.incidents.channel, name: 'incidents' }],
        onProblem: (p) => logger.warn(p, 'local console: the bot did not answer as Slack expects'),
      },
      page,
    );
    let running: RunningFirebreak;
    try {
      running = await startFirebreak(config, logger, { clock, host: LOCAL_HOST, routes: consoleSide.routes });
    } catch (err) {
      consoleSide.stop();
      await standIn.close();
      throw err;
    }
    port = running.port;
    const url = `http://${LOCAL_HOST}:${port}/`;
    const store = config.store.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${path.resolve(config.store.dataDir)}`;
    const targets = ownConfig
      ? `targets: as configured in ${env.FIREBREAK_CONFIG ?? 'firebreak.yml'}`
      : found.postgres || found.redis
        ? `targets found: ${[found.postgres ? `PostgreSQL on ${LOCAL_HOST}:5432 (as "local")` : '', found.redis ? `Redis on ${LOCAL_HOST}:6379 (as "local")` : ''].filter(Boolean).join(', ')}`
        : `targets found: none (no PostgreSQL on ${LOCAL_HOST}:5432, no Redis on ${LOCAL_HOST}:6379); /diag has nothing to check`;
    const banner = [
      '',
      `  Firebreak local mode: nothing is sent to Slack.`,
      `  Console: ${url}   (bound to ${LOCAL_HOST} only: a tool for trying, demonstrating and writing runbooks)`,
      `  People: ${LOCAL_USERS.map((u) => `${u.realName} (${u.approver ? 'approver' : 'not an approver'})`).join(', ')}`,
      `  Store: ${store}`,
      `  ${targets}`,
      `  Stop with Ctrl-C.`,
      '',
    ].join('\n');
    const stop = running.stop.bind(running);
    running.stop = async (options) => {
      consoleSide.stop();
      await stop(options);
      await standIn.close();
    };
    return { running, url, banner };
  };
  return { ok: true, config, logger, start };
}
