/**
 * What /diag host refuses or gives up on, against a real sshd: a host key other than the pinned
 * one (as a known_hosts line or a fingerprint), a key type the host does not have, a private key
 * the host does not accept, key files that cannot be used, a port that accepts and never speaks,
 * a closed port, and commands that do not answer in time. Nothing runs on a refused host.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { fingerprintOf } from '../../../src/adapters/targets/host/host-key.js';
import { hostProbe } from '../../../src/adapters/targets/host/probe/index.js';
import { boundedContext, freePort, silentServer, startSshd, type OwnSshd } from '../../host/sshd.js';

let sshd: OwnSshd;

beforeAll(async () => {
  sshd = await startSshd({ 'api.service': { activeState: 'active', subState: 'running', mainPid: 10, activeForSeconds: 60 } });
});
afterAll(async () => {
  await sshd?.stop();
});

async function run(over: Parameters<OwnSshd['target']>[0], ms = 15_000): Promise<{ findings: Finding[]; elapsed: number }> {
  const ctx = boundedContext(ms);
  const started = Date.now();
  try {
    const findings = await hostProbe(sshd.target(over)).run(ctx);
    return { findings, elapsed: Date.now() - started };
  } finally {
    ctx.done();
  }
}

/** Another host's key: a known_hosts line and its fingerprint. */
function otherHostKey(name: string): { line: string; fingerprint: string } {
  const file = sshd.newKey(name);
  const [type, data] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
  return { line: `web1 ${type} ${data}`, fingerprint: fingerprintOf(Buffer.from(data!, 'base64')) };
}

describe('the host key', () => {
  it('connects when the pinned fingerprint is the host\u2019s', async () => {
    const { findings } = await run({ hostKey: [sshd.hostFingerprint] });
    expect(findings.find((f) => f.component === 'web1/api.service')).toMatchObject({ status: 'ok' });
  });

  it.each([
    ['a known_hosts line', (k: { line: string }) => k.line],
    ['a fingerprint', (k: { fingerprint: string }) => k.fingerprint],
  ])('refuses a host whose key is not the pinned one (%s), and runs nothing on it', async (_what, pin) => {
    sshd.clearLogs();
    const other = otherHostKey(`other-${Math.random().toString(36).slice(2)}`);
    const { findings } = await run({ hostKey: [pin(other)] });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      check: 'host key',
      component: 'web1',
      status: 'critical',
      value: `refused: the host key of 127.0.0.1 (ssh-ed25519 ${sshd.hostFingerprint}) is not the one pinned in the configuration (hostKey): refused`,
    });
    expect(findings[0]!.recommendation).toMatch(/never connects to a host whose key is unknown or changed.*update hostKey/);
    expect(sshd.commands()).toEqual([]);
  });

  it('refuses when the host has no key of the pinned type', async () => {
    const rsa = `web1 ssh-rsa ${Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.alloc(40, 1)]).toString('base64')}`;
    const { findings } = await run({ hostKey: [rsa] });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'host key', status: 'critical', value: expect.stringMatching(/^refused: .*has no host key of the pinned type/) });
  });
});

describe('the private key', () => {
  it('a key the host does not accept: unreachable, authentication refused', async () => {
    sshd.clearLogs();
    const stranger = sshd.newKey('stranger');
    const { findings } = await run({ privateKey: stranger });
    expect(findings).toEqual([
      {
        check: 'reachable',
        component: 'web1',
        status: 'critical',
        value: `unreachable: ${sshd.user}@127.0.0.1:${sshd.port} refused the private key ${stranger} for user ${sshd.user}`,
        recommendation: expect.stringContaining("~/.ssh/authorized_keys"),
      },
    ]);
    expect(sshd.commands()).toEqual([]);
  });

  it('an encrypted key opens with its passphrase only', async () => {
    const locked = sshd.newKey('locked', { passphrase: 'correct horse', authorize: true });
    expect((await run({ privateKey: locked, passphrase: 'correct horse' })).findings.find((f) => f.component === 'web1/api.service')).toMatchObject({ status: 'ok' });
    const wrong = (await run({ privateKey: locked, passphrase: 'battery staple' })).findings;
    expect(wrong).toEqual([expect.objectContaining({ check: 'reachable', value: `unreachable: cannot use the private key file ${locked}: the passphrase does not open it` })]);
    const none = (await run({ privateKey: locked })).findings;
    expect(none).toEqual([expect.objectContaining({ value: `unreachable: cannot use the private key file ${locked}: it is encrypted and no passphrase is configured` })]);
  });

  it('a file that is missing, or not a private key', async () => {
    const missing = path.join(sshd.dir, 'nope');
    expect((await run({ privateKey: missing })).findings[0]).toMatchObject({ value: `unreachable: cannot read the private key file ${missing}: no such file` });
    const pub = `${sshd.clientKey}.pub`;
    expect((await run({ privateKey: pub })).findings[0]).toMatchObject({ value: `unreachable: the file ${pub} holds a public key, not a private one` });
    expect((await run({ privateKey: sshd.dir })).findings[0]).toMatchObject({ value: `unreachable: cannot read the private key file ${sshd.dir}: it is a directory` });
  });
});

describe('timeouts', () => {
  it('a port that accepts and never speaks: unreachable after the connect timeout', async () => {
    const silent = await silentServer();
    try {
      const { findings, elapsed } = await run({ port: silent.port, connectTimeout: 700 });
      expect(findings).toEqual([expect.objectContaining({ check: 'reachable', status: 'critical', value: `unreachable: no SSH session with ${sshd.user}@127.0.0.1:${silent.port} within 700 ms` })]);
      expect(silent.accepted()).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(650);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await silent.stop();
    }
  });

  it('the probe deadline bounds the connection too', async () => {
    const silent = await silentServer();
    try {
      const { findings, elapsed } = await run({ port: silent.port, connectTimeout: 60_000 }, 800);
      expect(findings[0]).toMatchObject({ check: 'reachable', value: expect.stringMatching(/^unreachable: no SSH session with .* (within \d+ ms|before the deadline)$/) });
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await silent.stop();
    }
  });

  it('a closed port: unreachable, connection refused', async () => {
    const port = await freePort();
    const { findings } = await run({ port });
    expect(findings).toEqual([expect.objectContaining({ check: 'reachable', value: expect.stringMatching(new RegExp(`^unreachable: cannot reach ${sshd.user}@127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)) })]);
  });

  it('a command that does not answer in time: its checks are unknown, the others still come', async () => {
    // systemctl sleeps 5 s; the target gives each command 1.5 s (the others take well under a
    // second, even on a loaded machine).
    sshd.hang('systemctl', 5);
    try {
      const { findings, elapsed } = await run({ commandTimeout: 1500 });
      expect(findings.find((f) => f.check === 'unit')).toEqual({ check: 'unit', component: 'web1', status: 'unknown', value: "could not read the units' state: the state of the units: no answer within 1500 ms" });
      expect(findings.find((f) => f.check === 'failed units')).toMatchObject({ status: 'unknown', value: 'could not read: the failed units: no answer within 1500 ms' });
      expect(findings.find((f) => f.check === 'memory')!.status).not.toBe('unknown');
      expect(findings.find((f) => f.check === 'load')!.value).toContain('per CPU');
      expect(elapsed).toBeLessThan(4_500);
    } finally {
      sshd.hang('systemctl', null);
    }
  });
});
