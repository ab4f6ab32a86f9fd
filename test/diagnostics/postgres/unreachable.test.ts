import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { postgresProbe } from '../../../src/adapters/targets/postgres/probe/index.js';
import { runProbe } from '../../../src/app/diagnostics/run.js';
import { systemClock } from '../../../src/ports.js';
import { probeContext, TEST_DATABASE_URL, waitUntil } from './helpers.js';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; open: () => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.resume(); // reads (and ignores) what it is sent, as a hung server's kernel would
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    open: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('postgres probe: unreachable targets', () => {
  it('a closed port: one critical "unreachable" at once', async () => {
    const port = await closedPort();
    const started = Date.now();
    const findings = await postgresProbe({ name: 'main', url: `postgres://postgres@127.0.0.1:${port}/test` }).run(probeContext(5000));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'reachable', component: 'main', status: 'critical', value: `unreachable: connection refused by 127.0.0.1:${port}` });
  });

  it('a server that accepts and never answers: unreachable by the deadline, and its sockets closed', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const findings = await postgresProbe({ name: 'main', url: `postgres://postgres:pw@127.0.0.1:${silent.port}/test` }).run(probeContext(2000));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(2000 + 1000);
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      console.log(`silent server: unreachable after ${elapsed} ms for a 2000 ms deadline`);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'reachable', status: 'critical' });
      expect(findings[0]!.value).toMatch(new RegExp(`^unreachable: no answer from 127\\.0\\.0\\.1:${silent.port} within (1|2)\\d{3} ms$`));
      await waitUntil('the probe closed its sockets', async () => silent.open() === 0, 1000);
    } finally {
      await silent.close();
    }
  });

  it('through the diagnostics runner, the probe’s own answer arrives before the runner’s cut-off', async () => {
    const silent = await silentServer();
    try {
      const report = await runProbe(postgresProbe({ name: 'main', url: `postgres://postgres@127.0.0.1:${silent.port}/test` }), 1000, systemClock);
      expect(report.findings).toHaveLength(1);
      expect(report.findings[0]!.value).toMatch(/^unreachable: no answer from 127\.0\.0\.1:\d+ within \d{3,4} ms$/);
    } finally {
      await silent.close();
    }
  });

  it('never shows the password: a missing database, an unknown role', async () => {
    const secret = 'Sup3r-S3cret!pw';
    const base = new URL(TEST_DATABASE_URL);
    base.password = secret;
    const noDb = new URL(base);
    noDb.pathname = '/fb_probe_no_such_db';
    const noRole = new URL(base);
    noRole.username = 'fb_probe_no_such_role';
    for (const [url, expected] of [
      [noDb, /^unreachable: database "fb_probe_no_such_db" does not exist$/],
      [noRole, /^unreachable: authentication failed: .*fb_probe_no_such_role/],
    ] as const) {
      const findings = await postgresProbe({ name: 'main', url: url.toString() }).run(probeContext(5000));
      expect(findings).toHaveLength(1);
      expect(findings[0]!.value).toMatch(expected);
      const text = JSON.stringify(findings);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  });

  it('no time left: unreachable without connecting', async () => {
    const findings = await postgresProbe({ name: 'main', url: TEST_DATABASE_URL }).run({ deadline: Date.now() - 1, signal: AbortSignal.abort(), now: () => new Date() });
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical' })]);
  });
});
