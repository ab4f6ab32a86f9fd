/**
 * /diag queue with the management API, on the real RabbitMQ and its management plugin: each test
 * gets a vhost of its own, so "every queue of the vhost" is exactly the test's queues. The
 * management statistics lag by a few seconds: each test waits until they show what it published.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { rabbitProbe, type RabbitTarget } from '../../../src/adapters/targets/rabbitmq/probe/index.js';
import { amqpUrl, context, freePort, MANAGEMENT, TestBroker, statsShow, unique } from '../../rabbitmq/broker.js';

let broker: TestBroker;
let vhost: string;
beforeEach(async () => {
  broker = await TestBroker.open();
  vhost = await broker.vhost();
});
afterEach(async () => {
  await broker.cleanup();
});

const find = (findings: Finding[], check: string, component: string) => findings.find((f) => f.check === check && f.component === component);
const about = (findings: Finding[], component: string) => findings.filter((f) => f.component === component).map((f) => `${f.check}:${f.status}`);
const target = (extra: Partial<RabbitTarget> = {}): RabbitTarget => ({ name: 'broker', url: amqpUrl({ vhost }), management: MANAGEMENT.withCredentials, ...extra });

describe('rabbitmq probe with the management API', () => {
  it('reads every queue of the vhost with no list: ready, unacknowledged, consumers; dead letters by pattern', async () => {
    const held = await broker.queue(unique('orders'), { vhost });
    const waiting = await broker.queue(unique('emails'), { vhost });
    const quiet = await broker.queue(unique('reports'), { vhost });
    const dlq = await broker.queue(unique('orders.dead-letter'), { vhost });
    await broker.consumer(held, 'hold', { prefetch: 6, vhost });
    await broker.publishOn(vhost, held, 20);
    await broker.publishOn(vhost, waiting, 3);
    await broker.publishOn(vhost, dlq, 2);
    await statsShow(vhost, held, { ready: 14, unacked: 6, consumers: 1 });
    await statsShow(vhost, waiting, { ready: 3, consumers: 0 });
    await statsShow(vhost, dlq, { ready: 2, consumers: 0 });

    const findings = await rabbitProbe(target({ thresholds: { unackedWarn: 5, unackedCritical: 50 } })).run(context(5000));
    expect(find(findings, 'management API', 'broker')).toMatchObject({
      status: 'ok',
      value: expect.stringMatching(/^http:\/\/127\.0\.0\.1:15672 \(RabbitMQ \d+\.\d+\.\d+, cluster .+\): 4 queues in the vhost, 4 read$/),
    });
    expect(find(findings, 'reachable', 'broker')).toMatchObject({ status: 'ok', value: expect.stringContaining(`vhost ${vhost}`) });
    expect(find(findings, 'unacknowledged', held)).toMatchObject({ status: 'warning', value: '6 messages delivered and not acknowledged (1 consumer)', threshold: 'warning at 5, critical at 50' });
    expect(find(findings, 'no consumer', waiting)).toMatchObject({ status: 'critical', value: '3 messages ready, 0 consumers' });
    expect(find(findings, 'dead letters', dlq)).toMatchObject({ status: 'warning', value: '2 messages (2 ready, 0 unacknowledged; 0 consumers)' });
    // Found by listing, not named: an empty queue without consumer is not worth a warning.
    expect(about(findings, quiet)).toEqual([]);
    expect(find(findings, 'queues', 'broker')!.value).toContain(`${quiet} 0 ready, 0 unacked, 0 consumers`);
  });

  it('named queues are looked up in the list: one that is not there is missing', async () => {
    const q = await broker.queue(unique('jobs'), { vhost });
    await broker.publishOn(vhost, q, 1);
    await statsShow(vhost, q, { ready: 1, consumers: 0 });
    const gone = unique('gone');
    const findings = await rabbitProbe(target({ queues: [q, gone] })).run(context(5000));
    expect(find(findings, 'management API', 'broker')!.value).toMatch(/: 1 queue in the vhost, 2 read$/);
    expect(find(findings, 'missing queue', gone)).toMatchObject({ status: 'critical', value: `no queue ${gone} in vhost ${vhost}` });
    expect(find(findings, 'no consumer', q)).toMatchObject({ status: 'critical' });
  });

  it('without its own credentials it uses the AMQP URL\'s; with wrong ones it says so and reads the named queues over AMQP', async () => {
    const q = await broker.queue(unique('jobs'), { vhost });
    await broker.publishOn(vhost, q, 2);
    const noCredentials = MANAGEMENT.base;
    const borrowed = await rabbitProbe(target({ management: noCredentials, queues: [q] })).run(context(5000));
    expect(find(borrowed, 'management API', 'broker')!.status).toBe('ok');

    const wrong = new URL(MANAGEMENT.base);
    wrong.username = 'guest';
    wrong.password = 'not-the-password';
    const findings = await rabbitProbe(target({ management: wrong.href, queues: [q] })).run(context(5000));
    expect(find(findings, 'management API', 'broker')).toMatchObject({
      status: 'unknown',
      value: `the management API refused the credentials (401) for the queues of vhost "${vhost}"`,
      recommendation: expect.stringContaining('read over AMQP'),
    });
    expect(JSON.stringify(findings)).not.toContain('not-the-password');
    // Over AMQP: live numbers, no unacknowledged count.
    expect(find(findings, 'no consumer', q)).toMatchObject({ status: 'critical', value: '2 messages ready, 0 consumers' });
  });

  it('AMQP unreachable but the management API answering: the broker is unreachable for the applications, the queues are still graded', async () => {
    const q = await broker.queue(unique('jobs'), { vhost });
    await broker.publishOn(vhost, q, 5);
    await statsShow(vhost, q, { ready: 5, consumers: 0 });
    const closed = await freePort();
    const findings = await rabbitProbe(target({ url: `amqp://guest:guest@127.0.0.1:${closed}/${encodeURIComponent(vhost)}` })).run(context(5000));
    expect(find(findings, 'reachable', 'broker')).toMatchObject({ status: 'critical', value: `unreachable: connection refused (127.0.0.1:${closed})` });
    expect(find(findings, 'management API', 'broker')!.status).toBe('ok');
    expect(find(findings, 'no consumer', q)).toMatchObject({ status: 'critical', value: '5 messages ready, 0 consumers' });
  });

  it('least privilege: a user with only the monitoring tag and no permission on the queues reads the whole vhost', async () => {
    const q = await broker.queue(unique('jobs'), { vhost });
    await broker.publishOn(vhost, q, 1);
    await statsShow(vhost, q, { ready: 1, consumers: 0 });
    const user = await broker.user('watcher-pw', 'monitoring', vhost, { configure: '^$', write: '^$', read: '^$' });
    const findings = await rabbitProbe({ name: 'broker', url: amqpUrl({ vhost, user, password: 'watcher-pw' }), management: MANAGEMENT.base }).run(context(5000));
    expect(find(findings, 'reachable', 'broker')!.status).toBe('ok');
    expect(find(findings, 'management API', 'broker')!.status).toBe('ok');
    expect(find(findings, 'no consumer', q)).toMatchObject({ status: 'critical', value: '1 message ready, 0 consumers' });
  });

  it('a vhost that does not exist: AMQP refuses it, the management API says not found', async () => {
    const nowhere = unique('no-vhost');
    const findings = await rabbitProbe({ name: 'broker', url: amqpUrl({ vhost: nowhere }), management: MANAGEMENT.withCredentials }).run(context(5000));
    expect(find(findings, 'reachable', 'broker')).toMatchObject({ status: 'critical', value: `unreachable: the broker refused to open vhost ${nowhere}: it does not exist, or the user has no permission on it` });
    expect(find(findings, 'management API', 'broker')).toMatchObject({ status: 'unknown', value: `vhost "${nowhere}" not found (404)` });
    expect(findings).toHaveLength(2);
  });
});
