/**
 * Docker targets in the configuration: the defaults (the local socket, API 1.44, seed 002's
 * thresholds), TLS certificate paths from ${VAR}, what is refused and why (a remote daemon without
 * TLS, TLS on a socket, services without a project, thresholds out of order), and the kind in the
 * registry: /diag docker with its container, /diag all, the form's catalogue, the docker.* actions
 * and remediation.allow.docker; and how `/diag docker` reads its arguments.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { diagnosticsFor, remediationCatalogueFor } from '../../../src/adapters/targets/registry.js';
import { allowedTarget } from '../../../src/core/approval/policy.js';
import { diagCommand } from '../../../commands/diag.js';

const creds = { SLACK_BOT_TOKEN: 'xoxb-1-abc', SLACK_SIGNING_SECRET: 'shhh-secret' };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function load(targets: string, env: Record<string, string> = {}, extra = '') {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-docker-config-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'firebreak.yml'), `incidents:\n  channel: C0INCIDENTS\ntargets:\n  docker:\n${targets}\n${extra}`);
  return loadConfig({ ...creds, ...env }, dir);
}
const problems = (targets: string) => {
  const r = load(targets);
  if (r.ok) throw new Error('the configuration loaded');
  return r.problems.join('\n');
};

describe('targets.docker', () => {
  it('defaults to the local socket, API 1.44 and no thresholds of its own', () => {
    const r = load('    - { name: local }');
    expect(r.ok && r.config.targets.docker).toEqual([{ name: 'local', host: 'unix:///var/run/docker.sock', apiVersion: '1.44' }]);
  });

  it('takes a remote daemon with TLS certificate paths from the environment, a project, its services, watched names, thresholds', () => {
    const r = load(
      [
        '    - name: prod',
        '      host: tcp://docker.example.com:2376',
        '      tls: { ca: "${DOCKER_CERT_PATH}/ca.pem", cert: "${DOCKER_CERT_PATH}/cert.pem", key: "${DOCKER_CERT_PATH}/key.pem" }',
        '      apiVersion: "1.43"',
        '      project: shop',
        '      services: [api, worker]',
        '      containers: [nginx]',
        '      thresholds: { cpuWarnPct: 70, memoryWarnBytes: 300mb, memoryCritBytes: "${MEM_CRIT:-2gb}", logTailLines: 100 }',
      ].join('\n'),
      { DOCKER_CERT_PATH: '/etc/firebreak/docker' },
    );
    expect(r.ok && r.config.targets.docker[0]).toEqual({
      name: 'prod',
      host: 'tcp://docker.example.com:2376',
      tls: { ca: '/etc/firebreak/docker/ca.pem', cert: '/etc/firebreak/docker/cert.pem', key: '/etc/firebreak/docker/key.pem' },
      apiVersion: '1.43',
      project: 'shop',
      services: ['api', 'worker'],
      containers: ['nginx'],
      thresholds: { cpuWarnPct: 70, memoryWarnBytes: 300 * 1024 ** 2, memoryCritBytes: 2 * 1024 ** 3, logTailLines: 100 },
    });
  });

  it('a daemon on the loopback may be reached without TLS (a local port, an SSH tunnel)', () => {
    expect(load('    - { name: tunnel, host: "tcp://127.0.0.1:2375" }').ok).toBe(true);
  });

  it.each([
    ['    - { name: prod, host: "tcp://docker.example.com:2375" }', 'a remote daemon (tcp://docker.example.com:2375) is reached with TLS client certificates: add tls: { ca, cert, key }'],
    ['    - { name: local, tls: { cert: a.pem, key: b.pem } }', 'tls is for tcp:// hosts; a unix socket needs none'],
    ['    - { name: local, host: "http://docker:2375" }', 'expected unix:///path/to/docker.sock or tcp://host:port'],
    ['    - { name: local, host: "tcp://10.0.0.1:99999", tls: { cert: a.pem, key: b.pem } }', 'expected a port from 1 to 65535'],
    ['    - { name: prod, host: "tcp://10.0.0.1:2376", tls: { cert: a.pem } }', "required: the path of the client certificate's key (a PEM file)"],
    ['    - { name: local, services: [api] }', 'services are those of a compose project: set project too'],
    ['    - { name: local, project: Shop }', 'expected a compose project name: lowercase letters, digits, "-" and "_"'],
    ['    - { name: local, containers: ["bad name"] }', 'expected a container name'],
    ['    - { name: local, apiVersion: "2.0" }', 'expected an Engine API version from 1.24, like "1.44"'],
    ['    - { name: local, thresholds: { cpuWarnPct: 90, cpuCritPct: 85 } }', 'cpuWarnPct (90) must not be above cpuCritPct (85)'],
    ['    - { name: local, thresholds: { memoryWarnBytes: 2gb } }', 'memoryWarnBytes (2 GB) must not be above memoryCritBytes (1 GB, its default)'],
    ['    - { name: local, thresholds: { memoryWarnBytes: lots } }', 'expected a size like "500mb" or "2gb"'],
    ['    - { name: local, thresholds: { cpu: 80 } }', 'cpu'],
    ['    - { name: local }\n    - { name: local }', 'target names must be unique within a kind'],
  ])('refuses %s', (targets, message) => {
    expect(problems(targets)).toContain(message);
  });
});

describe('the docker kind in the registry', () => {
  const r = load('    - { name: local, project: shop }\n    - { name: other, containers: [nginx] }', {}, 'remediation:\n  allow: { docker: [local] }\n');
  if (!r.ok) throw new Error(r.problems.join('\n'));
  const { config } = r;

  it('/diag docker takes a target and a container or project; /diag all probes every docker target', () => {
    const d = diagnosticsFor(config);
    const one = d.probes({ kind: 'docker', target: 'other', container: 'nginx' });
    expect(one.ok && one.probes.map((p) => [p.kind, p.target])).toEqual([['docker', 'other']]);
    const all = d.probes({ kind: 'all' });
    expect(all.ok && all.probes.filter((p) => p.kind === 'docker').map((p) => p.target)).toEqual(['local', 'other']);
    const unknown = d.probes({ kind: 'docker', target: 'nope' });
    expect(unknown).toEqual({ ok: false, message: 'There is no Docker target "nope". Configured: local, other.' });
    expect(d.catalogue().docker).toEqual(['local', 'other']);
  });

  it('the docker.* actions, their risks, and remediation.allow.docker', () => {
    const catalogue = remediationCatalogueFor(config);
    const docker = [...catalogue.actions.values()].filter((a) => a.targetKind === 'docker').map((a) => [a.id, a.risk, a.usage]);
    expect(docker).toEqual([
      ['docker.restart', 'high', '<container>'],
      ['docker.start', 'high', '<container>'],
      ['docker.compose-restart', 'critical', '<project>'],
    ]);
    expect(config.remediation.allow.docker).toEqual(['local']);
    expect(allowedTarget('docker', 'local', undefined, config.remediation.allow)).toEqual({ allowed: true });
    expect(allowedTarget('docker', 'other', undefined, config.remediation.allow)).toEqual({ allowed: false, reason: 'Target "other" is not in remediation.allow.docker (local).', code: 'target_not_allowed' });
    expect(catalogue.target('docker', undefined)).toMatchObject({ ok: true, name: 'local' });
  });
});

describe('/diag docker [target] [container|project]', () => {
  const args = diagCommand.subcommands.find((c) => c.name === 'docker')!.args;

  it('takes a target, then a container or the project; both optional', () => {
    expect(args.parse('')).toEqual({ target: undefined, container: undefined });
    expect(args.parse('local')).toEqual({ target: 'local', container: undefined });
    expect(args.parse(' local  shop-api-1 ')).toEqual({ target: 'local', container: 'shop-api-1' });
  });

  it('refuses more words or names that are not names', () => {
    expect(args.safeParse('local shop api').error?.issues[0]?.message).toBe('give at most a target and one of its containers (or its compose project)');
    expect(args.safeParse('local <@U0BOB>').success).toBe(false);
  });
});
