/**
 * RabbitMQ targets in the configuration and where the rest of Firebreak finds them: the schema
 * (URL, management, queues or a way to list them, dead-letter pattern, thresholds in order, per
 * queue too), passwords from `${VAR}` scrubbed from logs, `/diag queue` through the registry, the
 * /diag form, rabbitmq.purge in the remediation catalogue, and remediation.allow.rabbitmq.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../../src/config.js';
import { allowedTarget } from '../../../src/core/approval/policy.js';
import { createLogger } from '../../../src/logger.js';
import { diagnosticsFor, DIAG_WORDS, remediationCatalogueFor, targetSecrets } from '../../../src/adapters/targets/registry.js';
import { DEFAULT_DEAD_LETTER_PATTERN, DEFAULT_RABBIT_THRESHOLDS, deadLetterTest, rabbitThresholdsSchema, rabbitTargetSchema, thresholdsFor, vhostOf } from '../../../src/adapters/targets/rabbitmq/target.js';
import { managementAccess } from '../../../src/adapters/targets/rabbitmq/management.js';
import { diagnosticsView, readDiagnosticsSubmission } from '../../../src/adapters/slack/views/diagnostics.js';

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-example', SLACK_SIGNING_SECRET: 'example-secret' };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function load(yaml: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-rabbit-config-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'firebreak.yml'), ['incidents:', '  channel: C0INCIDENTS', ...yaml].join('\n'));
  return loadConfig({ ...SLACK, ...env, FIREBREAK_CONFIG: path.join(dir, 'firebreak.yml') }, dir);
}

const problems = (input: unknown): string[] => {
  const r = rabbitTargetSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const EXAMPLE = new URL('../../../firebreak.example.yml', import.meta.url).pathname;

describe('firebreak.example.yml: targets.rabbitmq', () => {
  const loaded = loadConfig({ ...SLACK, FIREBREAK_CONFIG: EXAMPLE }, '/');
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const lines = (() => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const all = text.slice(text.indexOf('\ntargets:\n') + 1).split('\n');
    const start = all.indexOf('  rabbitmq:');
    return all.slice(start + 1, all.findIndex((l, i) => i > start && /^ {0,2}\S/.test(l)));
  })();
  const lineOf = (key: string) => lines.find((l) => new RegExp(`^\\s*(?:- )?${key}:`).test(l));

  it('loads, with every threshold at its default, the default pattern, and the broker in the allow-list', () => {
    const [broker] = loaded.config.targets.rabbitmq;
    expect(broker).toMatchObject({ name: 'broker', queues: ['workflow-tasks', 'notifications'], deadLetterQueues: ['dead_letter'], purgeable: ['dead_letter'], deadLetterPattern: DEFAULT_DEAD_LETTER_PATTERN });
    expect(broker!.thresholds).toEqual(DEFAULT_RABBIT_THRESHOLDS);
    expect(Object.keys(broker!.thresholds!).sort()).toEqual(Object.keys((rabbitThresholdsSchema as unknown as { shape: object }).shape).sort());
    expect(loaded.config.remediation.allow.rabbitmq).toEqual(['broker']);
  });

  it('shows and explains every key of a broker and of its thresholds', () => {
    const targetKeys = Object.keys((rabbitTargetSchema as unknown as { shape: object }).shape);
    expect(targetKeys.length).toBeGreaterThan(8);
    const keys = [...targetKeys.filter((k) => k !== 'name' && k !== 'thresholds'), ...Object.keys((rabbitThresholdsSchema as unknown as { shape: object }).shape)];
    expect(keys.filter((k) => !/#\s*\S/.test(lineOf(k) ?? ''))).toEqual([]);
  });
});

describe('targets.rabbitmq', () => {
  it('accepts a broker with named queues, or with the management API and no list', () => {
    expect(problems({ name: 'broker', url: 'amqp://firebreak:pw@mq:5672/%2F', queues: ['orders'] })).toEqual([]);
    expect(problems({ name: 'broker', url: 'amqps://mq.internal/prod', management: 'https://mq.internal:15671' })).toEqual([]);
    expect(problems({ name: 'broker', url: 'amqp://mq', deadLetterQueues: ['dead_letter'], purgeable: ['dead_letter'] })).toEqual([]);
  });

  it('refuses, with the path of each problem', () => {
    expect(problems({ name: 'broker', url: 'redis://mq', queues: ['a'] })).toEqual(['url: expected a amqp:// or amqps:// URL']);
    expect(problems({ name: 'broker', url: 'amqp://mq' })).toEqual([
      'queues: over AMQP alone the queues cannot be listed: name them (queues, deadLetterQueues), or configure management to read every queue of the vhost',
    ]);
    expect(problems({ name: 'broker', url: 'amqp://mq', management: 'ftp://mq' })).toEqual(['management: expected an http:// or https:// URL']);
    expect(problems({ name: 'broker', url: 'amqp://mq', queues: [] })).toEqual(['queues: list at least one queue, or leave the key out']);
    expect(problems({ name: 'broker', url: 'amqp://mq', queues: ['bad\nname'] })).toEqual(['queues.0: expected a queue name: 1 to 255 characters, no control characters']);
    expect(problems({ name: 'broker', url: 'amqp://mq', queues: ['a'], deadLetterPattern: '(unclosed' })[0]).toMatch(/^deadLetterPattern: not a regular expression: /);
    expect(problems({ name: 'broker', url: 'amqp://mq', queues: ['a'], thresholds: { readyWarn: 50000 } })).toEqual(['thresholds.readyWarn: readyWarn (50000) must not be above readyCritical (10000, its default)']);
    expect(problems({ name: 'broker', url: 'amqp://mq', queues: ['a'], thresholds: { nope: 1 } })[0]).toMatch(/^thresholds: .*nope/i);
    expect(problems({ name: 'broker', url: 'amqp://mq', queues: ['a'], thresholds: { readyWarn: 100 }, queueThresholds: { a: { readyCritical: 50 } } })).toEqual([
      "queueThresholds.a.readyCritical: readyWarn (100, the target's) must not be above readyCritical (50)",
    ]);
  });

  it('thresholds: defaults from seed 004, then the target\'s, then the queue\'s own', () => {
    expect(DEFAULT_RABBIT_THRESHOLDS).toEqual({ readyWarn: 1000, readyCritical: 10_000, unackedWarn: 1000, unackedCritical: 10_000, deadLetterCritical: 1000 });
    const t = rabbitTargetSchema.parse({ name: 'b', url: 'amqp://mq', queues: ['a', 'b'], thresholds: { readyWarn: '200' }, queueThresholds: { b: { readyWarn: 5, deadLetterCritical: 3 } } });
    expect(thresholdsFor(t, 'a')).toEqual({ ...DEFAULT_RABBIT_THRESHOLDS, readyWarn: 200 });
    expect(thresholdsFor(t, 'b')).toEqual({ ...DEFAULT_RABBIT_THRESHOLDS, readyWarn: 5, deadLetterCritical: 3 });
  });

  it('reads the vhost from the URL, dead-letter queues by name and by pattern, management credentials', () => {
    expect([vhostOf('amqp://mq'), vhostOf('amqp://mq/'), vhostOf('amqp://mq/%2F'), vhostOf('amqp://mq/prod'), vhostOf('amqp://mq/team%2Fa')]).toEqual(['/', '/', '/', 'prod', 'team/a']);
    const byDefault = deadLetterTest({ name: 'b', url: 'amqp://mq', deadLetterQueues: ['graveyard'] });
    expect(['graveyard', 'dead_letter', 'orders.dlq', 'orders-dead-letters', 'DLQ', 'orders', 'dlq.orders'].map(byDefault)).toEqual([true, true, true, true, true, false, false]);
    const own = deadLetterTest({ name: 'b', url: 'amqp://mq', deadLetterPattern: '^failed\\.' });
    expect(['failed.orders', 'orders.dlq'].map(own)).toEqual([true, false]);
    const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
    expect(managementAccess({ name: 'b', url: 'amqp://app:amqp%40pw@mq', management: 'https://ops:m%3Apw@mq:15671/rabbit' })).toEqual({ base: 'https://mq:15671/rabbit/', authorization: basic('ops', 'm:pw') });
    expect(managementAccess({ name: 'b', url: 'amqp://app:amqp%40pw@mq', management: 'http://mq:15672' })).toEqual({ base: 'http://mq:15672/', authorization: basic('app', 'amqp@pw') });
    expect(managementAccess({ name: 'b', url: 'amqp://mq', management: 'http://mq:15672' })!.authorization).toBe(basic('guest', 'guest'));
  });

  it('passwords come from ${VAR} and are scrubbed from the logs, the management one too', () => {
    const r = load(
      ['targets:', '  rabbitmq:', '    - name: broker', '      url: "amqp://firebreak:${RABBITMQ_PASSWORD}@mq:5672/%2F"', '      management: "http://ops:${RABBITMQ_MANAGEMENT_PASSWORD}@mq:15672"', '      queues: [orders]'],
      { RABBITMQ_PASSWORD: 'amqp-secret-1', RABBITMQ_MANAGEMENT_PASSWORD: 'mgmt-secret-2' },
    );
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(targetSecrets(r.config.targets)).toEqual(['amqp-secret-1', 'mgmt-secret-2']);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', secrets: secretsOf(r.config), destination: new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }) });
    logger.info({ url: r.config.targets.rabbitmq[0]!.url, management: r.config.targets.rabbitmq[0]!.management }, 'connecting');
    expect(lines.join('')).not.toMatch(/amqp-secret-1|mgmt-secret-2/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('/diag queue through the registry; the catalogue, the form and the remediation catalogue', async () => {
    const r = load(['targets:', '  rabbitmq:', '    - { name: broker, url: "amqp://127.0.0.1:5672", queues: [orders] }', '    - { name: other, url: "amqp://127.0.0.1:5672", queues: [emails] }', 'remediation:', '  allow: { rabbitmq: [broker] }']);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(DIAG_WORDS).toContain('queue');
    const diagnostics = diagnosticsFor(r.config);
    const probes = diagnostics.probes({ kind: 'queue', target: 'other' });
    expect(probes.ok && probes.probes.map((p) => [p.kind, p.target])).toEqual([['rabbitmq', 'other']]);
    expect(diagnostics.probes({ kind: 'queue', target: 'nope' })).toEqual({ ok: false, message: 'There is no RabbitMQ target "nope". Configured: broker, other.' });
    const all = diagnostics.probes({ kind: 'all' });
    expect(all.ok && all.probes.filter((p) => p.kind === 'rabbitmq').length).toBe(2);
    expect(diagnostics.catalogue().rabbitmq).toEqual(['broker', 'other']);
    const none = diagnosticsFor({ ...r.config, targets: { ...r.config.targets, rabbitmq: [] } }).probes({ kind: 'queue' });
    expect(none).toEqual({ ok: false, message: 'No RabbitMQ target is configured: add one under targets.rabbitmq in the configuration.' });

    const view = diagnosticsView(diagnostics.catalogue(), { channelId: 'C1' }) as { blocks: Array<Record<string, any>> };
    const kinds = view.blocks.find((b) => b.block_id === 'kind')!.element.options.map((o: any) => o.value);
    expect(kinds).toContain('queue');
    const groups = view.blocks.find((b) => b.block_id === 'target')!.element.option_groups;
    expect(groups.find((g: any) => g.label.text === 'RabbitMQ queues').options.map((o: any) => o.value)).toEqual(['queue:broker', 'queue:other']);
    const select = (v: string) => ({ type: 'static_select', selected_option: { value: v } });
    expect(readDiagnosticsSubmission({ kind: { kind: select('queue') }, target: { target: select('queue:other') } })).toEqual({ ok: true, request: { kind: 'queue', target: 'other', namespace: undefined, deployment: undefined, sinceSeconds: undefined } });

    const catalogue = remediationCatalogueFor(r.config);
    const purge = catalogue.actions.get('rabbitmq.purge')!;
    expect([purge.risk, purge.targetKind, purge.usage]).toEqual(['critical', 'rabbitmq', '<queue>']);
    expect(catalogue.target('rabbitmq', undefined)).toMatchObject({ ok: true, name: 'broker' });
    expect(allowedTarget('rabbitmq', 'broker', undefined, r.config.remediation.allow)).toEqual({ allowed: true });
    expect(allowedTarget('rabbitmq', 'other', undefined, r.config.remediation.allow)).toMatchObject({ allowed: false, reason: 'Target "other" is not in remediation.allow.rabbitmq (broker).' });
    expect(allowedTarget('rabbitmq', 'broker', undefined, { kubernetes: { namespaces: [] }, postgres: [], redis: [], docker: [] })).toMatchObject({ allowed: false });
  });
});
