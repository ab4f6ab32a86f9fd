/**
 * The shipped queue-backlog runbook (seed 004's P1 queue steps) on the real RabbitMQ: its queue
 * check is /diag queue on the broker param, graded as the seed says (a queue over 1000 is a P1, a
 * queue with nothing consuming it critical, dead letters a warning), and its dead-letter step is
 * rabbitmq.purge of the dead_letter param on that broker, asked only when the check is not ok.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbooks, runbookWorld } from '../../src/adapters/runbooks/load-runbooks.js';
import { diagnosticsFor } from '../../src/adapters/targets/registry.js';
import { runProbe } from '../../src/app/diagnostics/run.js';
import { loadConfig } from '../../src/config.js';
import { worst } from '../../src/core/diagnostics/finding.js';
import type { Step } from '../../src/core/runbook/model.js';
import { bindParams, fillStep } from '../../src/core/runbook/params.js';
import { systemClock } from '../../src/ports.js';
import { AMQP_URL, TestBroker, unique } from '../rabbitmq/broker.js';

const EXAMPLE = new URL('../../firebreak.example.yml', import.meta.url).pathname;
const loaded = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-example', SLACK_SIGNING_SECRET: 'example-secret', FIREBREAK_CONFIG: EXAMPLE }, '/');
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
const config = loaded.config;
const runbook = loadRunbooks(undefined, runbookWorld(config)).find((r) => r.id === 'queue-backlog')!;

let broker: TestBroker;
let tasks: string;
let deadLetter: string;
beforeAll(async () => {
  broker = await TestBroker.open();
  tasks = await broker.queue(unique('workflow-tasks'));
  deadLetter = await broker.queue(unique('dead_letter'));
});
afterAll(async () => {
  await broker?.cleanup();
});

const step = (id: string, values: Record<string, string>): Step => fillStep(runbook.steps.find((s) => s.id === id)!, values);

describe('queue-backlog runbook', () => {
  it('checks the queues with /diag queue and purges the dead-letter queue with rabbitmq.purge, on the broker param', () => {
    const bound = bindParams(runbook, { broker: 'broker', dead_letter: 'dead_letter' });
    if (!bound.ok) throw new Error(bound.message);
    const queue = step('queue', bound.values);
    expect(queue).toMatchObject({ kind: 'check', check: { type: 'diag', spec: { diag: 'queue', target: 'broker' } } });
    expect(step('verify', bound.values)).toMatchObject({ kind: 'check', check: { type: 'diag', spec: { diag: 'queue', target: 'broker' } } });
    const purge = step('purge-dead-letter', bound.values);
    expect(purge).toMatchObject({ kind: 'action', action: 'rabbitmq.purge', args: ['dead_letter'], target: 'broker', when: { step: 'queue', status: ['critical', 'warning'] } });
    // The seed's commands by hand are gone: Firebreak reads and purges the queues itself.
    expect(runbook.steps.some((s) => s.kind === 'manual' && /rabbitmqctl/.test(JSON.stringify(s)))).toBe(false);
  });

  it('its queue check on the real broker: over 1000 ready with no worker is critical, the dead letters a warning', async () => {
    await broker.publish(tasks, 1001);
    await broker.publish(deadLetter, 2);
    const targets = { ...config.targets, rabbitmq: [{ ...config.targets.rabbitmq[0]!, url: AMQP_URL, management: undefined, queues: [tasks], deadLetterQueues: [deadLetter], purgeable: [deadLetter], queueThresholds: undefined }] };
    const diagnostics = diagnosticsFor({ targets, diagnostics: config.diagnostics });
    const bound = bindParams(runbook, { dead_letter: deadLetter });
    if (!bound.ok) throw new Error(bound.message);
    const filled = step('queue', bound.values);
    if (filled.kind !== 'check' || filled.check.type !== 'diag') throw new Error('not a diag check');
    const probes = diagnostics.probes({ kind: filled.check.spec.diag, target: filled.check.spec.target || undefined });
    if (!probes.ok) throw new Error(probes.message);
    const report = await runProbe(probes.probes[0]!, 5000, systemClock);
    expect(worst(report.findings)).toBe('critical');
    const seen = report.findings.map((f) => `${f.check} ${f.component}: ${f.status}`);
    expect(seen).toEqual(expect.arrayContaining([`no consumer ${tasks}: critical`, `queue depth ${tasks}: warning`, `dead letters ${deadLetter}: warning`, 'reachable broker: ok']));
    // The purge step's when is met, and it names the queue the check found dead letters in.
    const purge = step('purge-dead-letter', bound.values);
    expect(purge.kind === 'action' && purge.args).toEqual([deadLetter]);
  });
});
