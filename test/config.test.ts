import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, secretsOf, severitiesOf } from '../src/config.js';
import { DEFAULT_SEVERITIES } from '../src/core/incident/severity.js';
import { parseDuration, formatDuration } from '../src/core/duration.js';

const creds = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_SIGNING_SECRET: 'shhh-secret' };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function withFile(yaml: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-config-'));
  dirs.push(dir);
  const file = path.join(dir, 'firebreak.yml');
  writeFileSync(file, yaml);
  return { dir, file };
}

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['250ms', 250],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['soon', '', '15', 'm15', '0s', '1.5h', '-5m'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());

  it('formats for people', () => {
    expect(formatDuration(900_000)).toBe('15 min');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
    expect(formatDuration(2_000)).toBe('2 s');
  });
});

describe('loadConfig', () => {
  it('reads the YAML file, substitutes ${VAR} and applies defaults', () => {
    const { dir } = withFile('incidents:\n  channel: ${CHAN}\n');
    const r = loadConfig({ ...creds, CHAN: 'C0INCIDENTS' }, dir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.incidents).toEqual({ channel: 'C0INCIDENTS', locale: 'en', updateReminder: 900_000, createChannel: true, severities: {}, links: [] });
    expect(r.config.store).toEqual({ databaseUrl: undefined, schema: undefined, dataDir: './.firebreak-data' });
    expect(r.config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(Object.isFrozen(r.config.incidents)).toBe(true);
  });

  it('uses ${VAR:-default} when the variable is unset', () => {
    const { dir } = withFile('incidents:\n  channel: ${CHAN:-C0FALLBACK}\n  updateReminder: ${EVERY:-2s}\n');
    const r = loadConfig(creds, dir);
    expect(r.ok && r.config.incidents).toMatchObject({ channel: 'C0FALLBACK', locale: 'en', updateReminder: 2000 });
  });

  it('lists every problem at once, each with its key path and what was expected', () => {
    const { file } = withFile('incidents:\n  channel: ${NOPE}\n  locale: de\n  updateReminder: soon\n  colour: red\n');
    const r = loadConfig({ FIREBREAK_CONFIG: file, PORT: '99999', LOG_LEVEL: 'loud' }, '/');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set/),
        'incidents.channel: environment variable NOPE is not set',
        'incidents.updateReminder: expected a duration like "15m" or "30s", got "soon"',
        'incidents.locale: expected "en" or "fr", got "de"',
        expect.stringMatching(/^incidents: unknown key "colour"/),
        'PORT: expected a port number 0-65535, got "99999"',
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ]),
    );
  });

  it('says which file is missing or not YAML', () => {
    const missing = loadConfig({ ...creds, FIREBREAK_CONFIG: '/nonexistent/firebreak.yml' }, '/');
    expect(!missing.ok && missing.problems).toEqual(['FIREBREAK_CONFIG: file "/nonexistent/firebreak.yml" does not exist']);
    const { file } = withFile('incidents: [unclosed\n');
    const bad = loadConfig({ ...creds, FIREBREAK_CONFIG: file }, '/');
    expect(!bad.ok && bad.problems[0]).toMatch(/not valid YAML/);
  });

  it('requires the incidents channel and explains it', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'fb-empty-'));
    dirs.push(empty);
    const r = loadConfig(creds, empty);
    expect(!r.ok && r.problems).toEqual(['incidents.channel: required: the id of the channel where incidents are announced, like "C0INCIDENTS"']);
  });

  it('collects secrets for redaction, including the database password', () => {
    const { dir } = withFile('incidents:\n  channel: C0X1\n');
    const r = loadConfig({ ...creds, SLACK_APP_TOKEN: 'xapp-1-zzz', DATABASE_URL: 'postgres://fb:p%40ss-word@db:5432/fb' }, dir);
    expect(r.ok && secretsOf(r.config)).toEqual(['xoxb-1-abc', 'shhh-secret', 'xapp-1-zzz', 'p@ss-word']);
  });

  it('overrides severity names and response times, and checks them', () => {
    const { dir } = withFile('incidents:\n  channel: C0X1\n  severities:\n    P0: { name: Sev1, responseTime: 5m, emoji: ":fire:" }\n');
    const r = loadConfig(creds, dir);
    if (!r.ok) throw new Error(r.problems.join('; '));
    const s = severitiesOf(r.config);
    expect(s.P0).toMatchObject({ level: 'P0', name: 'Sev1', responseSeconds: 300, emoji: ':fire:', meaning: 'Service completely down' });
    expect(s.P1).toEqual(DEFAULT_SEVERITIES.P1);
    const bad = withFile('incidents:\n  channel: C0X1\n  severities:\n    P5: {}\n    P1: { responseTime: asap, emoji: fire }\n  links:\n    - { label: Grafana, url: "javascript:alert(1)" }\n  createChannel: maybe\n');
    const problems = loadConfig(creds, bad.dir);
    expect(!problems.ok && problems.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^incidents\.severities: unknown key "P5"/),
        'incidents.severities.P1.responseTime: expected a duration like "15m" or "30s", got "asap"',
        'incidents.severities.P1.emoji: expected an emoji shortcode like ":red_circle:", got "fire"',
        'incidents.links.0.url: expected an http(s) URL without spaces, got "javascript:alert(1)"',
        'incidents.createChannel: expected true or false, got "maybe"',
      ]),
    );
  });

  it('validates diagnostic targets: names, URLs, thresholds, kubeconfig or in-cluster', () => {
    const { dir } = withFile(
      [
        'incidents:', '  channel: C0X1',
        'targets:',
        '  postgres:',
        '    - { name: main, url: "postgres://u:${PGPASS}@db:5432/app", thresholds: { activeConnections: 50 } }',
        '    - { name: main, url: "mysql://db" }',
        '  redis: [{ name: cache, url: "redis://127.0.0.1:6379", thresholds: { memoryWarnPct: 150 } }]',
        '  kubernetes: [{ name: prod, namespaces: [shop] }]',
        'diagnostics: { timeout: soon }',
      ].join('\n'),
    );
    const r = loadConfig({ ...creds, PGPASS: 's3cr3t' }, dir);
    expect(!r.ok && r.problems).toEqual(
      expect.arrayContaining([
        'targets.postgres.1.url: expected a postgres:// or postgresql:// URL, got "mysql://db"',
        'targets.postgres: target names must be unique within a kind, got "main" more than once',
        expect.stringMatching(/^targets\.redis\.0\.thresholds\.memoryWarnPct: /),
        'targets.kubernetes.0: give either kubeconfig (a file) or inCluster: true, got neither',
        'diagnostics.timeout: expected a duration like "15m" or "30s", got "soon"',
      ]),
    );
    const good = withFile('incidents:\n  channel: C0X1\ntargets:\n  postgres: [{ name: main, url: "postgres://u:${PGPASS}@db:5432/app" }]\n');
    const ok = loadConfig({ ...creds, PGPASS: 's3cr3t' }, good.dir);
    expect(ok.ok && ok.config.diagnostics).toEqual({ timeout: 5000, concurrency: 4, queue: 50 });
    expect(ok.ok && secretsOf(ok.config)).toContain('s3cr3t');
  });

  it('escalation levels: the defaults say their severities, a level written without them applies to every severity', () => {
    const byDefault = loadConfig(creds, withFile('incidents:\n  channel: C0X1\n').dir);
    if (!byDefault.ok) throw new Error(byDefault.problems.join('\n'));
    expect(byDefault.config.escalation.levels.map((l) => [l.name, l.severities])).toEqual([
      ['L2', ['P0', 'P1', 'P2']],
      ['L3', ['P0', 'P1']],
      ['L4', ['P0', 'P1']],
    ]);
    const written = loadConfig(creds, withFile('incidents:\n  channel: C0X1\nescalation:\n  levels:\n    - { name: L2, after: 15m }\n    - { name: L3, after: 30m, severities: [P1, P0] }\n').dir);
    if (!written.ok) throw new Error(written.problems.join('\n'));
    expect(written.config.escalation.levels.map((l) => [l.name, l.severities])).toEqual([
      ['L2', ['P0', 'P1', 'P2', 'P3']],
      ['L3', ['P1', 'P0']],
    ]);
  });

  it('pages at declaration only the severities of pageOnOpen, and refuses the list without a routing key', () => {
    const none = loadConfig(creds, withFile('incidents:\n  channel: C0X1\n').dir);
    if (!none.ok) throw new Error(none.problems.join('\n'));
    expect(none.config.escalation.pageOnOpen).toEqual([]);
    const keyed = loadConfig(creds, withFile('incidents:\n  channel: C0X1\nescalation:\n  pageOnOpen: [P0]\n  pagerduty: { routingKey: R0UT1NGKEY0123456789ABCDEFGHIJKL }\n').dir);
    if (!keyed.ok) throw new Error(keyed.problems.join('\n'));
    expect(keyed.config.escalation.pageOnOpen).toEqual(['P0']);
    expect(keyed.config.escalation.pagerduty.routingKey).toBe('R0UT1NGKEY0123456789ABCDEFGHIJKL');
    const keyless = loadConfig(creds, withFile('incidents:\n  channel: C0X1\nescalation:\n  pageOnOpen: [P0]\n').dir);
    expect(keyless.ok ? [] : keyless.problems).toEqual([expect.stringContaining('escalation.pageOnOpen: pageOnOpen pages at declaration: set escalation.pagerduty.routingKey')]);
    const twice = loadConfig(creds, withFile('incidents:\n  channel: C0X1\nescalation:\n  pageOnOpen: [P0, P0]\n  pagerduty: { routingKey: abc }\n').dir);
    expect(twice.ok ? [] : twice.problems).toEqual([expect.stringContaining('list each severity once')]);
  });

  it('the shipped example file is valid', () => {
    const r = loadConfig({ ...creds, FIREBREAK_CONFIG: new URL('../firebreak.example.yml', import.meta.url).pathname }, '/');
    expect(r.ok ? [] : r.problems).toEqual([]);
  });
});
