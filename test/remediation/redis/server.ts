/** A throwaway redis-server on a free port for the remediation tests (never the shared instance). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { ActionContext } from '../../../src/core/remediation/action.js';

export interface OwnRedis {
  url: string;
  /** A client of the test itself, on db `db`. */
  client(db?: number): Redis;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startRedis(extra: string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-rem-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const clients: Redis[] = [];
  const client = (db = 0) => {
    const c = new Redis({ host: '127.0.0.1', port, db, lazyConnect: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };
  const first = client();
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await first.ping()) === 'PONG') break;
    } catch {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`redis-server on ${port} did not start`);
      await sleep(50);
      if (first.status === 'end') await first.connect().catch(() => {});
    }
  }
  const stop = async () => {
    for (const c of clients) c.disconnect();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, client, stop };
}

export function actionContext(ms = 5000): ActionContext {
  return { deadline: Date.now() + ms, signal: AbortSignal.timeout(ms), now: () => new Date() };
}

/** `n` keys named `${prefix}:i` on the client's db, each `size` bytes. */
export async function fill(c: Redis, prefix: string, n: number, size = 10): Promise<void> {
  const value = 'x'.repeat(size);
  const pipeline = c.pipeline();
  for (let i = 0; i < n; i++) pipeline.set(`${prefix}:${i}`, value);
  await pipeline.exec();
}
