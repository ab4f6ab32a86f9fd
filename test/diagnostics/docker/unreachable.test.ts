/**
 * Reaching the daemon: over its unix socket, plain TCP on the loopback, TCP with TLS client
 * certificates; and when it cannot be reached (no socket, a closed port, a daemon that never
 * answers, one that answers 500, one that refuses the pinned API version, a client certificate
 * it does not trust, a certificate file that cannot be read), one finding saying so, in time.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerProbe } from '../../../src/adapters/targets/docker/probe/index.js';
import type { DockerTarget } from '../../../src/adapters/targets/docker/target.js';
import { makeCertificates, type TestCertificates } from '../../docker/certs.js';
import { startEngineApi, type EngineApiServer } from '../../docker/engine-api.js';
import { shopContainers } from '../../docker/fixtures.js';
import { deadline, one, shopTarget } from '../../docker/harness.js';

let server: EngineApiServer;
let certs: TestCertificates | undefined;
beforeAll(async () => {
  certs = makeCertificates();
  server = await startEngineApi({ containers: shopContainers(), ...(certs ? { certs } : {}) });
});
afterAll(async () => {
  await server?.close();
  certs?.remove();
});

const probe = (target: Partial<DockerTarget>, ms = 3000) => dockerProbe({ ...shopTarget(server), ...target }).run(deadline(ms));

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('reaching the daemon', () => {
  it('over plain TCP on the loopback', async () => {
    const findings = await probe({ host: server.tcpHost });
    expect(one(findings, 'reachable', 'local')).toMatchObject({ status: 'ok' });
    expect(one(findings, 'container state', 'shop-worker-1').status).toBe('critical');
    expect(server.requests.at(-1)?.via).toBe('tcp');
  });

  it('over TCP with TLS and a client certificate its CA signed (skipped without openssl)', async (ctx) => {
    if (!certs || !server.tlsHost) return ctx.skip('openssl is not installed: no certificates to test TLS with');
    const findings = await probe({ host: server.tlsHost, tls: { ca: certs.caPath, cert: certs.certPath, key: certs.keyPath } });
    expect(one(findings, 'reachable', 'local').value).toContain(`at ${server.tlsHost}`);
    expect(one(findings, 'health', 'shop-api-1').status).toBe('critical');
    expect(server.requests.at(-1)?.via).toBe('tls');
  });
});

describe('unreachable', () => {
  it('no socket at that path: critical, saying the daemon may not run here', async () => {
    const f = one(await probe({ host: `unix://${join(server.socketPath, '..', 'nothing.sock')}` }), 'reachable', 'local');
    expect(f.status).toBe('critical');
    expect(f.value).toMatch(/^unreachable: no such socket \(is the Docker daemon running on this machine\?\) \(ENOENT, unix:\/\/.*nothing\.sock\)$/);
    expect(f.recommendation).toContain('the docker group');
  });

  it('a closed TCP port: connection refused', async () => {
    const f = one(await probe({ host: `tcp://127.0.0.1:${await closedPort()}` }), 'reachable', 'local');
    expect(f.value).toMatch(/^unreachable: connection refused \(ECONNREFUSED, tcp:\/\/127\.0\.0\.1:\d+\)$/);
  });

  it('a daemon that never answers: unreachable by the deadline, not after it', async () => {
    server.mode('hang');
    try {
      const started = Date.now();
      const findings = await probe({}, 700);
      expect(Date.now() - started).toBeLessThan(700 + 400);
      expect(findings).toHaveLength(1);
      expect(one(findings, 'reachable', 'local').value).toMatch(/^unreachable: no answer from unix:\/\/.* before the deadline$/);
    } finally {
      server.mode('ok');
    }
  });

  it('a daemon answering 500: one unknown finding with its message', async () => {
    server.mode('error500');
    try {
      const f = one(await probe({}), 'containers', 'local');
      expect(f).toMatchObject({ status: 'unknown', value: 'could not list the containers: HTTP 500: Internal Server Error: the daemon is in trouble' });
    } finally {
      server.mode('ok');
    }
  });

  it('a daemon that refuses the pinned API version (Docker 29 takes 1.44 at the least): set apiVersion', async () => {
    const newer = await startEngineApi({ containers: shopContainers(), minApi: '1.44' });
    try {
      const f = one(await dockerProbe({ ...shopTarget(newer), apiVersion: '1.43' }).run(deadline()), 'containers', 'local');
      expect(f.value).toBe('could not list the containers: HTTP 400: client version 1.43 is too old. Minimum supported API version is 1.44, please upgrade your client to a newer version');
      expect(f.recommendation).toBe('The daemon does not accept API version 1.43: set apiVersion for this target to one it supports.');
      const ok = await dockerProbe({ ...shopTarget(newer), apiVersion: '1.44' }).run(deadline());
      expect(one(ok, 'reachable', 'local').status).toBe('ok');
    } finally {
      await newer.close();
    }
  });

  it('a client certificate the daemon does not trust (skipped without openssl)', async (ctx) => {
    if (!certs || !server.tlsHost) return ctx.skip('openssl is not installed: no certificates to test TLS with');
    const f = one(await probe({ host: server.tlsHost, tls: { ca: certs.caPath, cert: certs.strangerCertPath, key: certs.strangerKeyPath } }), 'reachable', 'local');
    expect(f.status).toBe('critical');
    expect(f.value).toContain('the daemon may have refused the client certificate');
  });

  it('a daemon whose certificate is not signed by the CA configured (skipped without openssl)', async (ctx) => {
    if (!certs || !server.tlsHost) return ctx.skip('openssl is not installed: no certificates to test TLS with');
    const f = one(await probe({ host: server.tlsHost, tls: { ca: join(certs.dir, 'other-ca.pem'), cert: certs.certPath, key: certs.keyPath } }), 'reachable', 'local');
    expect(f.value).toMatch(/^unreachable: TLS handshake failed/);
  });

  it('a certificate file that cannot be read: which one, and nothing is sent', async () => {
    const before = server.requests.length;
    const f = one(await probe({ host: server.tcpHost.replace('127.0.0.1', 'localhost'), tls: { cert: '/nonexistent/client.pem', key: '/nonexistent/key.pem' } }), 'reachable', 'local');
    expect(f.value).toBe('unreachable: cannot read the client certificate /nonexistent/client.pem: ENOENT');
    expect(server.requests.length).toBe(before);
  });
});
