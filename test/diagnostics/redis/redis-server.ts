/** Throwaway redis-server processes on free ports, for the Redis probe's tests (never the shared instance). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { ProbeContext } from '../../../src/core/diagnostics/probe.js';

export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  child: ChildProcess;
  /** A client for the test itself (the probe opens its own). */
  client: Redis;
  log: () => string;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `redis-server` with no persistence on a free port (extra args after the defaults win). */
export async function startRedis(extra: string[] = []): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extra];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const password = extra[extra.indexOf('--requirepass') + 1];
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, password: extra.includes('--requirepass') ? password : undefined });
  client.on('error', () => undefined);
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (e) {
      client.disconnect();
      if (child.exitCode !== null || Date.now() > until) throw new Error(`redis-server on ${port} did not start: ${String(e)}\n${log}`);
      await sleep(50);
    }
  }
  const stop = async () => {
    client.disconnect();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, url: `redis://127.0.0.1:${port}`, dir, child, client, log: () => log, stop };
}

/** A probe context whose deadline is `ms` from now. */
export function context(ms: number): ProbeContext {
  return { deadline: Date.now() + ms, signal: AbortSignal.timeout(ms), now: () => new Date() };
}

/** Polls until `check` is true (or throws after `ms`). */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** One INFO field of a server, read by the test's own client. */
export async function infoField(client: Redis, section: string, field: string): Promise<string | undefined> {
  const text = await client.info(section);
  return text.split(/\r?\n/).find((l) => l.startsWith(`${field}:`))?.slice(field.length + 1);
}
