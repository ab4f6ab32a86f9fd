/**
 * /diag queue when the broker cannot be used: a closed port, a port that accepts and never answers
 * (AMQP and management alike), a cancelled run, wrong credentials, an unknown host, no time left.
 * Always findings, never a hang past the deadline, and no socket left open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbitProbe } from '../../../src/adapters/targets/rabbitmq/probe/index.js';
import { AMQP_URL, amqpUrl, context, freePort, silentServer } from '../../rabbitmq/broker.js';

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

describe('rabbitmq probe: unreachable brokers', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    silent = await silentServer();
  });
  afterAll(async () => {
    await silent?.close();
  });

  it('a closed port: one critical finding, at once', async () => {
    const port = await freePort();
    const { result, ms } = await timed(() => rabbitProbe({ name: 'broker', url: `amqp://guest:guest@127.0.0.1:${port}`, queues: ['orders'] }).run(context(5000)));
    expect(ms).toBeLessThan(1500);
    expect(result).toEqual([
      { check: 'reachable', component: 'broker', status: 'critical', value: `unreachable: connection refused (127.0.0.1:${port})`, recommendation: expect.stringContaining('reachable from Firebreak') },
    ]);
  });

  it('a port that accepts and never answers: critical by the deadline, and the socket is closed', async () => {
    const { result, ms } = await timed(() => rabbitProbe({ name: 'broker', url: `amqp://guest:guest@127.0.0.1:${silent.port}`, queues: ['orders'] }).run(context(2000)));
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3000);
    expect(result).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: expect.stringMatching(new RegExp(`^unreachable: no AMQP answer from 127\\.0\\.0\\.1:${silent.port} within (19\\d\\d|2000) ms$`)) })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(silent.open()).toBe(0);
  });

  it('the management API on a silent port too: both given up by the deadline', async () => {
    const port = await freePort();
    const { result, ms } = await timed(() =>
      rabbitProbe({ name: 'broker', url: `amqp://guest:guest@127.0.0.1:${port}`, management: `http://guest:guest@127.0.0.1:${silent.port}` }).run(context(2000)),
    );
    expect(ms).toBeLessThan(3000);
    expect(result.map((f) => `${f.check}:${f.status}`).sort()).toEqual(['management API:unknown', 'reachable:critical']);
    expect(result.find((f) => f.check === 'management API')!.value).toMatch(new RegExp(`^unreachable: no answer from 127\\.0\\.0\\.1:${silent.port} within \\d+ ms$`));
    await new Promise((r) => setTimeout(r, 300));
    expect(silent.open()).toBe(0);
  });

  it('cancelled before the deadline: says so, at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result, ms } = await timed(() =>
      rabbitProbe({ name: 'broker', url: `amqp://127.0.0.1:${silent.port}`, queues: ['orders'] }).run({ deadline: Date.now() + 5000, signal: controller.signal, now: () => new Date() }),
    );
    expect(ms).toBeLessThan(1000);
    expect(result).toEqual([expect.objectContaining({ status: 'critical', value: 'unreachable: the diagnostic was cancelled before RabbitMQ answered' })]);
  });

  it('wrong credentials: authentication failed, without the password', async () => {
    const result = await rabbitProbe({ name: 'broker', url: amqpUrl({ user: 'guest', password: 'wrong-pass-123' }), queues: ['orders'] }).run(context(5000));
    expect(result).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: expect.stringMatching(/^unreachable: authentication failed: ACCESS_REFUSED/) })]);
    expect(JSON.stringify(result)).not.toContain('wrong-pass-123');
  });

  it('an unknown host, or no time left: critical findings, not exceptions', async () => {
    const { result, ms } = await timed(() => rabbitProbe({ name: 'broker', url: 'amqp://no-such-host.invalid:5672', queues: ['orders'] }).run(context(2000)));
    expect(ms).toBeLessThan(3000);
    expect(result).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: expect.stringMatching(/^unreachable: (host not found \(DNS\)|no AMQP answer)/) })]);
    const late = await rabbitProbe({ name: 'broker', url: AMQP_URL, queues: ['orders'] }).run({ deadline: Date.now() - 1, signal: AbortSignal.abort(), now: () => new Date() });
    expect(late).toEqual([expect.objectContaining({ status: 'critical', value: 'unreachable: no time left before the deadline' })]);
  });
});
