import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisProbe } from '../../../src/adapters/targets/redis/probe/index.js';
import { context, freePort, startRedis, type TestRedis } from './redis-server.js';

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

describe('redis probe: unreachable targets', () => {
  let silent: net.Server;
  let silentPort: number;
  const sockets = new Set<net.Socket>();
  let secured: TestRedis;
  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket); // accepts, reads what comes, never answers
      socket.resume();
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
    secured = await startRedis(['--requirepass', 's3cret']);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await secured?.stop();
  });

  it('a closed port: one critical finding, at once', async () => {
    const port = await freePort();
    const { result, ms } = await timed(() => redisProbe({ name: 'cache', url: `redis://127.0.0.1:${port}` }).run(context(5000)));
    expect(ms).toBeLessThan(1500);
    expect(result).toEqual([
      {
        check: 'reachable', component: 'cache', status: 'critical',
        value: `unreachable: connection refused (127.0.0.1:${port})`,
        recommendation: expect.stringMatching(/reachable from Firebreak/),
      },
    ]);
  });

  it('a server that accepts and never answers: critical by the deadline, and the socket is closed', async () => {
    const { result, ms } = await timed(() => redisProbe({ name: 'cache', url: `redis://127.0.0.1:${silentPort}` }).run(context(2000)));
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3000);
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ check: 'reachable', status: 'critical' });
    expect(result[0]!.value).toMatch(/^unreachable: no answer within (19\d\d|2000) ms: the server accepted the connection but did not reply to PING$/);
    // The probe has disconnected: the server saw the connection close.
    await new Promise((r) => setTimeout(r, 300));
    expect(sockets.size).toBe(0);
  });

  it('cancelled before the deadline: says so, at once', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result, ms } = await timed(() =>
      redisProbe({ name: 'cache', url: `redis://127.0.0.1:${silentPort}` }).run({ deadline: Date.now() + 5000, signal: controller.signal, now: () => new Date() }),
    );
    expect(ms).toBeLessThan(1000);
    expect(result).toEqual([expect.objectContaining({ status: 'critical', value: 'unreachable: the diagnostic was cancelled before Redis answered' })]);
  });

  it('an unknown host: critical within the deadline', async () => {
    const { result, ms } = await timed(() => redisProbe({ name: 'cache', url: 'redis://no-such-host.invalid:6379' }).run(context(2000)));
    expect(ms).toBeLessThan(3000);
    expect(result).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
    expect(result[0]!.value).toMatch(/^unreachable: (host not found \(DNS\)|no connection within)/);
  });

  it('authentication: none given, a wrong one, then the right one', async () => {
    const none = await redisProbe({ name: 'cache', url: secured.url }).run(context(2000));
    expect(none).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: 'unreachable: authentication required (NOAUTH): the URL has no password' })]);
    expect(none[0]!.recommendation).toMatch(/credentials/);
    const wrong = await redisProbe({ name: 'cache', url: `redis://:nope@127.0.0.1:${secured.port}` }).run(context(2000));
    expect(wrong).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
    expect(wrong[0]!.value).toMatch(/^unreachable: authentication failed: WRONGPASS/);
    expect(wrong[0]!.value).not.toContain('nope');
    const right = await redisProbe({ name: 'cache', url: `redis://:s3cret@127.0.0.1:${secured.port}` }).run(context(2000));
    expect(right.find((f) => f.check === 'reachable')?.status).toBe('ok');
  });

  it('an invalid URL or no time left gives an unreachable finding, not an exception', async () => {
    const late = await redisProbe({ name: 'cache', url: secured.url }).run({ deadline: Date.now() - 1, signal: AbortSignal.abort(), now: () => new Date() });
    expect(late).toEqual([expect.objectContaining({ status: 'critical', value: 'unreachable: no time left before the deadline' })]);
    for (const url of ['', 'localhost', 'http://127.0.0.1:6379', 'redis://127.0.0.1:notaport']) {
      const bad = await redisProbe({ name: 'cache', url }).run(context(2000));
      expect(bad, url).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: expect.stringMatching(/^unreachable: invalid URL: /) })]);
      expect(bad[0]!.recommendation).toMatch(/redis:\/\//);
    }
  });
});
