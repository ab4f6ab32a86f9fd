/**
 * Shared setup of the Docker tests: the Engine API stand-in started once per file with fresh
 * fixtures before each test, targets pointing at it (unix socket, TCP), probe and action contexts
 * with a deadline, and lookups of findings.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Finding } from '../../src/core/diagnostics/finding.js';
import type { ProbeContext } from '../../src/core/diagnostics/probe.js';
import type { ActionContext } from '../../src/core/remediation/action.js';
import { DEFAULT_API_VERSION, type DockerTarget } from '../../src/adapters/targets/docker/target.js';
import { startEngineApi, type EngineApiOptions, type EngineApiServer } from './engine-api.js';
import { SHOP_SERVICES, shopContainers, type FakeContainer } from './fixtures.js';

/** A context whose signal aborts at the deadline, `ms` from now. */
export function deadline(ms = 5000): ProbeContext & ActionContext {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms).unref();
  return { deadline: Date.now() + ms, signal: controller.signal, now: () => new Date() };
}

/** The shop project's target on the stand-in's socket: its services expected, nginx watched too. */
export function shopTarget(server: Pick<EngineApiServer, 'unixHost'>, extra: Partial<DockerTarget> = {}): DockerTarget {
  return { name: 'local', host: server.unixHost, apiVersion: DEFAULT_API_VERSION, project: 'shop', services: [...SHOP_SERVICES], containers: ['nginx'], ...extra };
}

export interface Harness {
  server: EngineApiServer;
  target: DockerTarget;
}

/** Starts the stand-in for the file; every test gets fresh containers and an empty request log. */
export function useEngine(fixtures: () => FakeContainer[] = shopContainers, options: Omit<EngineApiOptions, 'containers'> = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.server = await startEngineApi({ ...options, containers: fixtures() });
    h.target = shopTarget(h.server);
  });
  beforeEach(() => {
    h.server.setContainers(fixtures());
    h.server.simulate({ stopMs: 20, settleMs: 60, ...options.simulation });
    h.server.mode('ok');
    h.server.requests.length = 0;
  });
  afterAll(async () => {
    await h.server?.close();
  });
  return h;
}

export const having = (findings: Finding[], check: string, component?: string): Finding[] =>
  findings.filter((f) => f.check === check && (component === undefined || f.component === component));

/** The one finding of that check on that component; fails the test if there is not exactly one. */
export function one(findings: Finding[], check: string, component: string): Finding {
  const found = having(findings, check, component);
  if (found.length !== 1) {
    const seen = findings.map((f) => `${f.check} @ ${f.component}`).join('\n  ');
    throw new Error(`expected one "${check}" on ${component}, found ${found.length}; findings:\n  ${seen}`);
  }
  return found[0]!;
}

/** The requests that changed something. */
export const writes = (server: EngineApiServer) => server.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
