/**
 * What a person reads when the configuration is wrong: one line per problem naming the key, what
 * was expected in words and what was found, shortened, with no library wording and no secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runFirebreak } from './e2e/spawn.js';
import { closedPort } from './diagnostics/http/servers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fb-config-messages-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const creds = { SLACK_BOT_TOKEN: 'xoxb-1-messages', SLACK_SIGNING_SECRET: 'messages-signing-secret' };
const CHANNEL = 'incidents:\n  channel: C0X1\n';
let files = 0;

/** Loads `yaml` as the configuration file; returns the problems and the file's path. */
function problemsOf(yaml: string, env: Record<string, string> = {}): { problems: string[]; file: string } {
  const file = path.join(dir, `case-${(files += 1)}.yml`);
  writeFileSync(file, yaml);
  const r = loadConfig({ ...creds, FIREBREAK_CONFIG: file, ...env }, dir);
  return { problems: r.ok ? [] : r.problems, file };
}

/** One target of a kind, under a valid incidents section. */
const target = (kind: string, entry: string) => `${CHANNEL}targets:\n  ${kind}:\n    - ${entry}\n`;

interface Case {
  name: string;
  yaml: string;
  env?: Record<string, string>;
  /** The problems, exactly; `FILE` stands for the configuration file's path. */
  expected: string[];
  /** Strings that must appear in no problem. */
  secrets?: string[];
}

const cases: Case[] = [
  {
    name: 'a channel given as a number',
    yaml: 'incidents:\n  channel: 5\n',
    expected: ['incidents.channel: expected a Slack channel id like "C0123ABCD" (or a name like "#incidents"), got 5'],
  },
  {
    name: 'a channel key left empty',
    yaml: 'incidents:\n  channel:\n',
    expected: ['incidents.channel: required: the id of the channel where incidents are announced, like "C0INCIDENTS", got an empty value'],
  },
  {
    name: 'a duration written as a bare number',
    yaml: `${CHANNEL}  updateReminder: 15\n`,
    expected: ['incidents.updateReminder: expected a duration like "15m" or "30s", got 15'],
  },
  {
    name: 'a yes/no written as a word',
    yaml: `${CHANNEL}  createChannel: "yes please"\n`,
    expected: ['incidents.createChannel: expected true or false, got "yes please"'],
  },
  {
    name: 'a long value, shortened',
    yaml: `${CHANNEL}  severities:\n    P1: { name: "${'Severe degradation of the checkout service'.repeat(2)}" }\n`,
    expected: ['incidents.severities.P1.name: keep severity names to 30 characters, got "Severe degradation of the checkout serv…" (84 characters)'],
  },
  {
    name: 'an empty severity name',
    yaml: `${CHANNEL}  severities:\n    P0: { name: "" }\n`,
    expected: ['incidents.severities.P0.name: expected non-empty text, got "" (0 characters)'],
  },
  {
    name: 'too many links',
    yaml: `${CHANNEL}  links:\n${'    - { label: L, url: "https://x.example" }\n'.repeat(11)}`,
    expected: ['incidents.links: at most 10 links fit on the summary card, got a list of 11'],
  },
  {
    name: 'a misspelt key, with the likely one',
    yaml: `${CHANNEL}  updateRemider: 5m\n`,
    expected: ['incidents: unknown key "updateRemider": did you mean "updateReminder"?'],
  },
  {
    name: 'an unknown key, with the keys there are',
    yaml: `${CHANNEL}  colour: red\n`,
    expected: ['incidents: unknown key "colour"; the keys here are channel, locale, updateReminder, createChannel, severities, links (firebreak.example.yml documents each)'],
  },
  {
    name: 'a misspelt section',
    yaml: `${CHANNEL}diagnostic: { timeout: 5s }\n`,
    expected: ['FILE: unknown key "diagnostic": did you mean "diagnostics"?'],
  },
  {
    name: 'a file that is not a mapping',
    yaml: 'just some words\n',
    expected: ['FILE: expected sections like "incidents:" at the top level, got "just some words"'],
  },
  {
    name: 'a YAML error, located once, with its line',
    yaml: `${CHANNEL}  locale: en\n  locale: fr\n`,
    expected: ['FILE: not valid YAML at line 4, column 3: Map keys must be unique; the line reads "locale: fr"'],
  },
  {
    name: 'a tab used for indentation',
    yaml: 'incidents:\n\tchannel: C0X1\n',
    expected: ['FILE: not valid YAML at line 2, column 1: Tabs are not allowed as indentation; the line reads "channel: C0X1"'],
  },
  {
    name: 'a list left open',
    yaml: 'incidents: [unclosed\n',
    expected: ['FILE: not valid YAML at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]; the file ends there'],
  },
  {
    name: 'an unset variable',
    yaml: 'incidents:\n  channel: ${NOT_SET_ANYWHERE}\n',
    expected: ['incidents.channel: environment variable NOT_SET_ANYWHERE is not set'],
  },
  {
    name: 'a PagerDuty routing key, never echoed',
    yaml: `${CHANNEL}escalation:\n  levels:\n    - { name: L2, after: 15m, pagerduty: "rk-3f9a-77b1-secret" }\n`,
    expected: ['escalation.levels.0.pagerduty: expected a PagerDuty integration (routing) key: letters and digits, got a value of 19 characters (not shown: it is a secret)'],
    secrets: ['rk-3f9a-77b1-secret'],
  },
  {
    name: 'an escalation level for no severity at all',
    yaml: `${CHANNEL}escalation:\n  levels:\n    - { name: L2, after: 15m, severities: [] }\n`,
    expected: ['escalation.levels.0.severities: list at least one severity (of P0, P1, P2, P3), or leave the key out for every severity, got a list of 0'],
  },
  {
    name: 'an escalation level for a severity that does not exist',
    yaml: `${CHANNEL}escalation:\n  levels:\n    - { name: L2, after: 15m, severities: [P1, P4] }\n`,
    expected: ['escalation.levels.0.severities.1: expected one of P0, P1, P2, P3, got "P4"'],
  },
  {
    name: 'an escalation level with one severity written without a list',
    yaml: `${CHANNEL}escalation:\n  levels:\n    - { name: L2, after: 15m, severities: P1 }\n`,
    expected: ['escalation.levels.0.severities: expected a list of severities like [P0, P1] (leave the key out for every severity), got "P1"'],
  },
  {
    name: 'an escalation level with a severity twice',
    yaml: `${CHANNEL}escalation:\n  levels:\n    - { name: L2, after: 15m, severities: [P0, P0] }\n`,
    expected: ['escalation.levels.0.severities: list each severity once'],
  },
  {
    name: 'someone to notify who is not a Slack id',
    yaml: `${CHANNEL}escalation:\n  responseDeadline: { notify: [bob] }\n`,
    expected: ['escalation.responseDeadline.notify.0: expected a Slack user id (U…) or user-group id (S…), got "bob"'],
  },
  {
    name: 'a PagerDuty URL with credentials and the wrong scheme',
    yaml: `${CHANNEL}escalation:\n  pagerduty: { url: "ftp://relay:relay-pass-42@pd.example" }\n`,
    expected: ['escalation.pagerduty.url: expected an http(s) URL, got "ftp://relay:[redacted]@pd.example"'],
    secrets: ['relay-pass-42'],
  },
  {
    name: 'a value taken from a secret variable',
    yaml: target('postgres', '{ name: "${DB_PASSWORD}", url: "postgres://db/app" }'),
    env: { DB_PASSWORD: 'not a name!' },
    expected: ['targets.postgres.0.name: expected a short name: up to 63 letters, digits, "-", "_" or ".", got "[redacted]"'],
    secrets: ['not a name!'],
  },
  {
    name: 'a value taken from a variable named for a session cookie',
    yaml: target('postgres', '{ name: "${SHOP_SESSION_COOKIE}", url: "postgres://db/app" }'),
    env: { SHOP_SESSION_COOKIE: 'sid=abc; not a name' },
    expected: ['targets.postgres.0.name: expected a short name: up to 63 letters, digits, "-", "_" or ".", got "[redacted]"'],
    secrets: ['sid=abc; not a name'],
  },
  {
    name: 'a PostgreSQL target of another scheme, password hidden',
    yaml: target('postgres', '{ name: main, url: "mysql://app:my-sql-pass@db/app" }'),
    expected: ['targets.postgres.0.url: expected a postgres:// or postgresql:// URL, got "mysql://app:[redacted]@db/app"'],
    secrets: ['my-sql-pass'],
  },
  {
    name: 'a Redis target with an http URL',
    yaml: target('redis', '{ name: cache, url: "http://cache:6379" }'),
    expected: ['targets.redis.0.url: expected a redis:// or rediss:// URL, got "http://cache:6379"'],
  },
  {
    name: 'a target without its URL',
    yaml: target('postgres', '{ name: main }'),
    expected: ['targets.postgres.0.url: required: a postgres:// or postgresql:// URL'],
  },
  {
    name: 'two targets of a kind with one name',
    yaml: `${CHANNEL}targets:\n  redis:\n    - { name: cache, url: "redis://a" }\n    - { name: cache, url: "redis://b" }\n`,
    expected: ['targets.redis: target names must be unique within a kind, got "cache" more than once'],
  },
  {
    name: 'a misspelt threshold',
    yaml: target('postgres', '{ name: main, url: "postgres://db/app", thresholds: { longQueryWarn: 5m } }'),
    expected: ['targets.postgres.0.thresholds: unknown key "longQueryWarn": did you mean "longQueryWarnMs"?'],
  },
  {
    name: 'a threshold that is not a duration',
    yaml: target('postgres', '{ name: main, url: "postgres://db/app", thresholds: { longQueryWarnMs: soon } }'),
    expected: ['targets.postgres.0.thresholds.longQueryWarnMs: expected a duration like "5m" or "30s", or a number of milliseconds, got "soon"'],
  },
  {
    name: 'a warning threshold past its default critical one',
    yaml: target('postgres', '{ name: main, url: "postgres://db/app", thresholds: { idleInTransactionWarnMs: 10m } }'),
    expected: ['targets.postgres.0.thresholds.idleInTransactionWarnMs: idleInTransactionWarnMs (10 min) must not be above idleInTransactionCritMs (5 min, its default)'],
  },
  {
    name: 'a replication lag below zero',
    yaml: target('postgres', '{ name: main, url: "postgres://db/app", thresholds: { replicationLagWarnSeconds: -5 } }'),
    expected: ['targets.postgres.0.thresholds.replicationLagWarnSeconds: expected a duration of 0 or more, got -5'],
  },
  {
    name: 'a percentage above 100',
    yaml: target('redis', '{ name: cache, url: "redis://a", thresholds: { memoryWarnPct: 150 } }'),
    expected: ['targets.redis.0.thresholds.memoryWarnPct: expected a percentage from 0 to 100, got 150'],
  },
  {
    name: 'a latency warning above its critical one, both as durations',
    yaml: target('redis', '{ name: cache, url: "redis://a", thresholds: { latencyWarnMs: 2s, latencyCritMs: 250ms } }'),
    expected: ['targets.redis.0.thresholds.latencyWarnMs: latencyWarnMs (2 s) must not be above latencyCritMs (250 ms)'],
  },
  {
    name: 'a Kubernetes target with neither kubeconfig nor inCluster',
    yaml: target('kubernetes', '{ name: prod, namespaces: [shop] }'),
    expected: ['targets.kubernetes.0: give either kubeconfig (a file) or inCluster: true, got neither'],
  },
  {
    name: 'a Kubernetes target with both',
    yaml: target('kubernetes', '{ name: prod, kubeconfig: "~/.kube/config", inCluster: true, namespaces: [shop] }'),
    expected: ['targets.kubernetes.0: give either kubeconfig (a file) or inCluster: true, got both'],
  },
  {
    name: 'a namespace in capitals',
    yaml: target('kubernetes', '{ name: prod, inCluster: true, namespaces: [Shop] }'),
    expected: ['targets.kubernetes.0.namespaces.0: expected a Kubernetes namespace name: lowercase letters, digits and "-", got "Shop"'],
  },
  {
    name: 'a restart count that is not whole',
    yaml: target('kubernetes', '{ name: prod, inCluster: true, namespaces: [shop], thresholds: { restartsWarn: 2.5 } }'),
    expected: ['targets.kubernetes.0.thresholds.restartsWarn: expected a whole number of 1 or more, got 2.5'],
  },
  {
    name: 'an HTTP target with an ftp URL',
    yaml: target('http', '{ name: api, url: "ftp://files.example/health" }'),
    expected: ['targets.http.0.url: expected an http:// or https:// URL, got "ftp://files.example/health"'],
  },
  {
    name: 'an HTTP status that does not exist',
    yaml: target('http', '{ name: api, url: "https://api.example/health", expect: { status: 42 } }'),
    expected: ['targets.http.0.expect.status: expected a whole number from 100 to 599, got 42'],
  },
  {
    name: 'certificate notice shorter than its critical default',
    yaml: target('http', '{ name: api, url: "https://api.example/health", thresholds: { certWarnDays: 1d } }'),
    expected: ['targets.http.0.thresholds.certWarnDays: certWarnDays (1 day) must not be below certCritDays (3 days, its default)'],
  },
  {
    name: 'a PromQL threshold that is no quantity',
    yaml: target('prometheus', '{ name: prom, url: "http://prom:9090", checks: [{ name: p95, query: "x", warn: lots }] }'),
    expected: ['targets.prometheus.0.checks.0.warn: expected a number, a duration like "2s" (compared in seconds) or a size like "500mb" (compared in bytes), got "lots"'],
  },
  {
    name: 'PromQL thresholds in the wrong order, as durations',
    yaml: target('prometheus', '{ name: prom, url: "http://prom:9090", checks: [{ name: p95, query: "x", warn: 2s, crit: 1500ms }] }'),
    expected: ['targets.prometheus.0.checks.0.warn: warn (2) must not be above crit (1.5)'],
  },
  {
    name: 'a Prometheus target without checks',
    yaml: target('prometheus', '{ name: prom, url: "http://prom:9090" }'),
    expected: ['targets.prometheus.0.checks: expected a list of checks, each with a name and a query'],
  },
  {
    name: 'a replica limit of zero',
    yaml: `${CHANNEL}remediation: { maxReplicas: 0 }\n`,
    expected: ['remediation.maxReplicas: expected a number of 1 or more, got 0'],
  },
  {
    name: 'a dry run written as a word',
    yaml: `${CHANNEL}approvals: { dryRun: "no" }\n`,
    expected: ['approvals.dryRun: expected true or false, got "no"'],
  },
  {
    name: 'a diagnostics timeout that is a list',
    yaml: `${CHANNEL}diagnostics: { timeout: [5s] }\n`,
    expected: ['diagnostics.timeout: expected a duration like "15m" or "30s", got a list of 1'],
  },
  {
    name: 'a DATABASE_URL of another database, password hidden',
    yaml: CHANNEL,
    env: { DATABASE_URL: 'mysql://app:db-pass-5521@db:3306/app' },
    expected: ['DATABASE_URL: expected a postgres:// or postgresql:// URL (unset it to use the embedded database), got "mysql://app:[redacted]@db:3306/app"'],
    secrets: ['db-pass-5521'],
  },
  {
    name: 'a Slack API URL that is not http',
    yaml: CHANNEL,
    env: { SLACK_API_URL: 'slack.com/api' },
    expected: ['SLACK_API_URL: expected an http:// or https:// URL, got "slack.com/api"'],
  },
];

describe('configuration problems, as people read them', () => {
  it.each(cases)('$name', ({ yaml, env, expected, secrets }) => {
    const { problems, file } = problemsOf(yaml, env);
    expect(problems).toEqual(expected.map((p) => p.replace('FILE', file)));
    for (const secret of secrets ?? []) expect(problems.join('\n')).not.toContain(secret);
  });

  it('never shows zod or YAML wording, whatever the mistakes', () => {
    const { problems } = problemsOf(
      [
        'incidents:', '  channel: [C0X1]', '  locale: 7', '  links: { label: x }', '  severities: { P2: { emoji: 3 } }',
        'escalation:', '  levels: [{ name: "", after: 1 }]',
        'targets:', '  postgres: [{ name: 7, url: 8, thresholds: { activeConnections: "many", cacheHitWarnPct: true } }]',
        '  http: [{ name: "", url: "", expect: { json: [1] } }]',
        'approvals: { approvers: "U0ME", expiresAfter: {} }',
      ].join('\n'),
    );
    expect(problems.length).toBeGreaterThan(10);
    for (const p of problems) {
      expect(p).toMatch(/^[\w.]+: /);
      expect(p).not.toMatch(/Invalid input|Invalid option|Invalid string|Too (small|big)|received|must match pattern|\/\^|\(\?:/);
    }
  });

  it('says when the file named by FIREBREAK_CONFIG is a directory', () => {
    const folder = path.join(dir, 'a-folder.yml');
    mkdirSync(folder);
    const r = loadConfig({ ...creds, FIREBREAK_CONFIG: folder }, dir);
    expect(!r.ok && r.problems).toEqual([`${folder}: cannot be read: it is a directory, not a file`]);
  });
});

describe('a database that cannot be reached at start', () => {
  it('names the host and port tried, never the password, and exits 1', async () => {
    const port = await closedPort();
    const password = 'start-pass-0c4e';
    const cwd = mkdtempSync(path.join(dir, 'proc-'));
    writeFileSync(path.join(cwd, 'firebreak.yml'), CHANNEL);
    const p = runFirebreak({ ...creds, PORT: '0', DATABASE_URL: `postgres://fb:${password}@127.0.0.1:${port}/firebreak` }, cwd);
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain(
      `Firebreak could not start: Could not prepare the database: the PostgreSQL server of DATABASE_URL at 127.0.0.1:${port} (database "firebreak", user "fb") cannot be reached: connection refused: nothing accepts connections there (ECONNREFUSED).`,
    );
    expect(p.out() + p.err()).not.toContain(password);
  });
});
