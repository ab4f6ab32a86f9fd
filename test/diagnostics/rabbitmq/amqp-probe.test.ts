/**
 * /diag queue over AMQP alone (no management API) on the real RabbitMQ: each test declares its own
 * queues, publishes to them, leaves some without consumers and gives others one, then reads the
 * findings. Passive declares only: the probe must create, consume and purge nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { rabbitProbe, type RabbitTarget } from '../../../src/adapters/targets/rabbitmq/probe/index.js';
import { AMQP_URL, amqpUrl, context, management, TestBroker, unique, waitFor } from '../../rabbitmq/broker.js';

let broker: TestBroker;
beforeEach(async () => {
  broker = await TestBroker.open();
});
afterEach(async () => {
  await broker.cleanup();
});

const target = (extra: Partial<RabbitTarget>): RabbitTarget => ({ name: 'broker', url: AMQP_URL, ...extra });
const find = (findings: Finding[], check: string, component: string) => findings.find((f) => f.check === check && f.component === component);
const about = (findings: Finding[], component: string) => findings.filter((f) => f.component === component).map((f) => `${f.check}:${f.status}`);

describe('rabbitmq probe over AMQP', () => {
  it('grades each named queue: a backlog with no consumer, one that is consumed, an idle one, a missing one, dead letters', async () => {
    const backlog = await broker.queue(unique('orders'));
    const busy = await broker.queue(unique('emails'));
    const idle = await broker.queue(unique('reports'));
    const gone = unique('gone');
    const dead = await broker.queue(unique('dead_letter'));
    const emptyDead = await broker.queue(unique('audit.dlq'));
    const goneDead = unique('missing.dlq');
    await broker.publish(backlog, 1200);
    await broker.publish(dead, 7);
    const consumer = await broker.consumer(busy, 'ack');
    await broker.publish(busy, 30);
    await waitFor('the consumer to drain its queue', async () => (await broker.depth(busy))?.ready === 0);

    const started = Date.now();
    const findings = await rabbitProbe(target({ queues: [backlog, busy, idle, gone, emptyDead], deadLetterQueues: [dead, goneDead], purgeable: [dead] })).run(context(5000));
    expect(Date.now() - started).toBeLessThan(3000);

    expect(find(findings, 'reachable', 'broker')).toMatchObject({ status: 'ok', value: expect.stringMatching(/^RabbitMQ \d+\.\d+\.\d+ at amqp:\/\/127\.0\.0\.1:5672, vhost \/$/) });
    // No management API: no finding about it.
    expect(findings.some((f) => f.check === 'management API')).toBe(false);

    expect(find(findings, 'no consumer', backlog)).toMatchObject({ status: 'critical', value: '1,200 messages ready, 0 consumers' });
    expect(find(findings, 'queue depth', backlog)).toMatchObject({ status: 'warning', value: '1,200 messages ready (0 consumers)', threshold: 'warning at 1,000, critical at 10,000 ready' });
    expect(find(findings, 'no consumer', idle)).toMatchObject({ status: 'warning', value: 'empty, 0 consumers' });
    expect(find(findings, 'missing queue', gone)).toMatchObject({ status: 'critical', value: `no queue ${gone} in vhost /` });
    // A DLQ expects no consumer: only its messages count, from the first one.
    expect(about(findings, dead)).toEqual(['dead letters:warning']);
    expect(find(findings, 'dead letters', dead)).toMatchObject({
      value: '7 messages (7 ready; 0 consumers)',
      threshold: 'warning from the first message, critical at 1,000',
      remediation: { action: 'rabbitmq.purge', args: [dead], label: `Purge ${dead}` },
    });
    expect(find(findings, 'dead letters', dead)!.recommendation).toContain('work that failed');
    // A dead-letter queue by the default pattern (.dlq), though listed among the work queues: empty is fine, no consumer expected.
    expect(about(findings, emptyDead)).toEqual(['dead letters:ok']);
    expect(find(findings, 'dead letters', emptyDead)!.value).toBe('empty');
    expect(find(findings, 'missing queue', goneDead)).toMatchObject({ status: 'warning' });
    // The consumed queue is among those that are fine.
    expect(about(findings, busy)).toEqual([]);
    const fine = find(findings, 'queues', 'broker')!;
    expect(fine.status).toBe('ok');
    expect(fine.value).toMatch(/^1 queue under their thresholds/);
    expect(fine.value).toContain(`${busy} 0 ready, 1 consumer`);
    // Worst first.
    expect(findings[0]!.status).toBe('critical');
    expect(findings.at(-1)!.status).toBe('ok');

    // Only read: nothing consumed, purged or declared.
    expect(await broker.depth(backlog)).toEqual({ ready: 1200, consumers: 0 });
    expect(await broker.depth(dead)).toEqual({ ready: 7, consumers: 0 });
    expect(await broker.depth(gone)).toBeNull();
    await consumer.stop();
  });

  it('one missing queue closes only its own channel: the queues after it are still read', async () => {
    const names = [unique('a'), unique('b'), unique('c')];
    for (const n of names) await broker.queue(n);
    await broker.publish(names[2]!, 3);
    const missing = Array.from({ length: 12 }, () => unique('nope'));
    const findings = await rabbitProbe(target({ queues: [...missing, ...names] })).run(context(5000));
    expect(findings.filter((f) => f.check === 'missing queue').map((f) => f.component).sort()).toEqual([...missing].sort());
    expect(find(findings, 'no consumer', names[2]!)).toMatchObject({ status: 'critical', value: '3 messages ready, 0 consumers' });
    expect(find(findings, 'no consumer', names[0]!)).toMatchObject({ status: 'warning' });
    expect(find(findings, 'reachable', 'broker')!.status).toBe('ok');
  });

  it('thresholds: the target\'s, a queue\'s own over them, and the dead-letter critical line', async () => {
    const small = await broker.queue(unique('small'));
    const big = await broker.queue(unique('big'));
    const dlq = await broker.queue(unique('failed'));
    await broker.publish(small, 50);
    await broker.publish(big, 50);
    await broker.publish(dlq, 5);
    await broker.consumer(small, 'hold', { prefetch: 1 });
    await broker.consumer(big, 'hold', { prefetch: 1 });
    const t = target({
      queues: [small, big],
      deadLetterQueues: [dlq],
      thresholds: { readyWarn: 20, readyCritical: 100, deadLetterCritical: 5 },
      queueThresholds: { [big]: { readyWarn: 10, readyCritical: 40 } },
    });
    const findings = await rabbitProbe(t).run(context(5000));
    expect(find(findings, 'queue depth', small)).toMatchObject({ status: 'warning', value: '49 messages ready (1 consumer)', threshold: 'warning at 20, critical at 100 ready' });
    expect(find(findings, 'queue depth', big)).toMatchObject({ status: 'critical', threshold: 'warning at 10, critical at 40 ready' });
    expect(find(findings, 'dead letters', dlq)).toMatchObject({ status: 'critical', value: '5 messages (5 ready; 0 consumers)', threshold: 'warning from the first message, critical at 5' });
    // Not purgeable: no button, and the advice says how it could be.
    expect(find(findings, 'dead letters', dlq)!.remediation).toBeUndefined();
    expect(find(findings, 'dead letters', dlq)!.recommendation).toContain('once the queue is listed in the target\'s purgeable queues');
    // Over AMQP there are no unacknowledged counts: no finding about them.
    expect(findings.some((f) => f.check === 'unacknowledged')).toBe(false);
  });

  it('messages really dead-lettered by a consumer that rejects them, in a queue the default pattern names', async () => {
    const dlq = await broker.queue(unique('work.dlq'));
    const work = await broker.queue(unique('work'), { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } });
    const rejecting = await broker.consumer(work, 'reject');
    await broker.publish(work, 12);
    await waitFor('the rejected messages in the dead-letter queue', async () => (await broker.depth(dlq))?.ready === 12);
    const findings = await rabbitProbe(target({ queues: [work, dlq] })).run(context(5000));
    expect(find(findings, 'dead letters', dlq)).toMatchObject({ status: 'warning', value: '12 messages (12 ready; 0 consumers)' });
    expect(about(findings, work)).toEqual([]);
    expect(find(findings, 'queues', 'broker')!.value).toContain(`${work} 0 ready, 1 consumer`);
    await rejecting.stop();
    // An empty pattern turns the default off: the same queue is then a work queue without a consumer.
    const off = await rabbitProbe(target({ queues: [dlq], deadLetterPattern: '' })).run(context(5000));
    expect(about(off, dlq)).toEqual(['no consumer:critical']);
  });

  it('a user with no permission on any queue (configure, write and read "^$") reads them all the same', async () => {
    const q = await broker.queue(unique('orders'));
    await broker.publish(q, 4);
    const user = await broker.user('s3cret-pw', '', '/', { configure: '^$', write: '^$', read: '^$' });
    const findings = await rabbitProbe(target({ url: amqpUrl({ user, password: 's3cret-pw' }), queues: [q] })).run(context(5000));
    expect(find(findings, 'reachable', 'broker')!.status).toBe('ok');
    expect(find(findings, 'no consumer', q)).toMatchObject({ status: 'critical', value: '4 messages ready, 0 consumers' });
    // The probe's connection says who it is in the broker's connection list, and is gone afterwards.
    await waitFor('the probe connection to close', async () => {
      const { json } = await management('GET', '/api/connections?columns=user,client_properties');
      return !(json as Array<{ user: string }>).some((c) => c.user === user);
    });
  });

  it('a queue on another vhost is read through the URL\'s vhost', async () => {
    const vhost = await broker.vhost();
    const q = await broker.queue(unique('jobs'), { vhost });
    await broker.publishOn(vhost, q, 2);
    const findings = await rabbitProbe(target({ url: amqpUrl({ vhost }), queues: [q] })).run(context(5000));
    expect(find(findings, 'reachable', 'broker')!.value).toContain(`vhost ${vhost}`);
    expect(find(findings, 'no consumer', q)).toMatchObject({ value: '2 messages ready, 0 consumers' });
    // The same name on the default vhost does not exist.
    const elsewhere = await rabbitProbe(target({ queues: [q] })).run(context(5000));
    expect(find(elsewhere, 'missing queue', q)).toMatchObject({ value: `no queue ${q} in vhost /` });
  });
});
