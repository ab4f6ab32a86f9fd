/**
 * Runs a real Firebreak (HTTP receiver on a random port) against the Slack stand-in and a fresh
 * schema on the real PostgreSQL server, configured through the same loadConfig as production.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startFirebreak, type RunningFirebreak } from '../../src/server.js';
import { createSlackDriver, type SlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';

export const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-e2e-0000-secret-token';
export const INCIDENTS_CHANNEL = 'C0INCIDENTS';

export interface AppUnderTest {
  standIn: SlackStandIn;
  driver: SlackDriver;
  running: RunningFirebreak;
  url: string;
  schema: string;
  /** Every log line the app wrote, as parsed JSON. */
  logs: Array<Record<string, unknown>>;
  /** Rows of the incidents table, straight from the database. */
  incidentRows(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/**
 * Starts Firebreak on a schema of its own and a Slack stand-in of its own. To restart it (the same
 * state, the same Slack), pass the previous app's `schema` and `standIn`: they are then left to
 * that app's stop (this one's stop only stops Firebreak).
 */
export async function startAppUnderTest(options: { yaml?: string; databaseUrl?: string; schema?: string; standIn?: SlackStandIn } = {}): Promise<AppUnderTest> {
  const schema = options.schema ?? `fb_e2e_${randomBytes(4).toString('hex')}`;
  const standIn = options.standIn ?? (await startSlackStandIn());
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-e2e-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), options.yaml ?? `incidents:\n  channel: ${INCIDENTS_CHANNEL}\n  locale: en\n`);
  const loaded = loadConfig(
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: standIn.apiUrl,
      PORT: '0',
      DATABASE_URL: options.databaseUrl ?? TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      LOG_LEVEL: 'debug',
    },
    dir,
  );
  // The file is read once, by loadConfig: nothing needs the folder after it.
  rmSync(dir, { recursive: true, force: true });
  if (!loaded.ok) throw new Error(`test config rejected: ${loaded.problems.join('; ')}`);
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'debug', secrets: [BOT_TOKEN, SIGNING_SECRET], destination });
  const running = await startFirebreak(loaded.config, logger);
  const url = `http://127.0.0.1:${running.port}`;
  const driver = createSlackDriver({ appUrl: url, signingSecret: SIGNING_SECRET, standIn });
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  return {
    standIn,
    driver,
    running,
    url,
    schema,
    logs,
    incidentRows: async () => (await admin.query(`select * from ${schema}.incidents order by number`)).rows as Array<Record<string, unknown>>,
    async stop() {
      await running.stop({ drainMs: 5000 });
      if (!options.standIn) await standIn.close();
      if (!options.schema) await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

/** Slack's state.values for the declaration modal. */
export function declarationValues(input: {
  title?: string;
  severity?: string;
  impact?: string;
  symptoms?: string;
  actions?: string;
  eta?: string;
  commander?: string;
  /** "First noticed": how long ago, e.g. "20m". */
  detected?: string;
}): Record<string, Record<string, unknown>> {
  const text = (v: string | undefined) => ({ type: 'plain_text_input', value: v ?? null });
  return {
    title: { title: text(input.title) },
    severity: {
      severity: {
        type: 'static_select',
        selected_option: input.severity ? { value: input.severity, text: { type: 'plain_text', text: input.severity } } : null,
      },
    },
    impact: { impact: text(input.impact) },
    symptoms: { symptoms: text(input.symptoms) },
    actions: { actions: text(input.actions) },
    eta: { eta: text(input.eta) },
    commander: { commander: { type: 'users_select', selected_user: input.commander ?? null } },
    detected: { detected: text(input.detected) },
  };
}
