/**
 * The same probe against a real Docker daemon, when one is reachable: DOCKER_HOST (unix:// or
 * tcp://), with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for TLS and DOCKER_API_VERSION to pin
 * another version, as the docker command reads them. Skipped, saying so, when DOCKER_HOST is unset.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerProbe } from '../../../src/adapters/targets/docker/probe/index.js';
import { DEFAULT_API_VERSION, type DockerTarget } from '../../../src/adapters/targets/docker/target.js';
import { deadline, having, one } from '../../docker/harness.js';

const host = process.env.DOCKER_HOST;
const certs = process.env.DOCKER_CERT_PATH ?? join(process.env.HOME ?? '', '.docker');
const target: DockerTarget | undefined = host
  ? {
      name: 'real',
      host,
      apiVersion: process.env.DOCKER_API_VERSION ?? DEFAULT_API_VERSION,
      ...(host.startsWith('tcp://') && process.env.DOCKER_TLS_VERIFY ? { tls: { ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem') } } : {}),
    }
  : undefined;

if (!target) console.info('test/diagnostics/docker/real-daemon.test.ts: skipped, DOCKER_HOST is not set (no real Docker daemon to probe)');

describe.skipIf(!target)('against the Docker daemon at DOCKER_HOST', () => {
  it('reaches it, reads every container, and grades what it finds', async () => {
    const findings = await dockerProbe(target!).run(deadline(15_000));
    const reachable = one(findings, 'reachable', 'real');
    expect(reachable.status, reachable.value).toBe('ok');
    expect(reachable.value).toMatch(/^Docker \S+ \(API 1\.\d+\)/);
    for (const f of findings) {
      expect(['critical', 'warning', 'unknown', 'ok']).toContain(f.status);
      expect(f.value.length).toBeGreaterThan(0);
    }
    for (const f of [...having(findings, 'cpu'), ...having(findings, 'memory')]) expect(f.value).not.toMatch(/NaN|undefined/);
  });

  it('refuses a container that is not there', async () => {
    const findings = await dockerProbe(target!, { container: 'firebreak-no-such-container' }).run(deadline(15_000));
    expect(one(findings, 'container', 'real').status).toBe('unknown');
  });
});
