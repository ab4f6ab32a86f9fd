/**
 * `firebreak diag host` from a terminal against a real sshd on loopback: the configuration read
 * as in production (the private key's path from `${VAR}`), the report printed or given as JSON,
 * and the exit status of the worst finding. Also the /diag form: Linux hosts among its targets,
 * and a host picked in it becomes a `host` request.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnosticsView, readDiagnosticsSubmission } from '../../src/adapters/slack/views/diagnostics.js';
import { journalEntry, startSshd, type OwnSshd } from '../host/sshd.js';
import { ROOT } from './spawn.js';

let sshd: OwnSshd;
let dir: string;

beforeAll(async () => {
  sshd = await startSshd({
    'api.service': { activeState: 'active', subState: 'running', mainPid: 31, activeForSeconds: 30 },
    'worker.service': { activeState: 'failed', subState: 'failed', exitStatus: 137, journal: [journalEntry('worker.service', 'Out of memory: Killed process 4242 (worker)', 3)] },
  });
  dir = mkdtempSync(path.join(tmpdir(), 'fb-host-cli-'));
});
afterAll(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The disks, memory and load are this machine's own (real df, /proc): loose thresholds keep its state (a busy test run) out of the verdicts. */
const LOOSE = '{ diskWarnPct: 99, diskCritPct: 100, inodesWarnPct: 99, inodesCritPct: 100, memoryWarnPct: 99, memoryCritPct: 100, swapWarnPct: 99, swapCritPct: 100, loadPerCpuWarn: 500, loadPerCpuCrit: 1000 }';

function config(units: string): string {
  return [
    'incidents:',
    '  channel: C0INCIDENTS',
    'targets:',
    '  hosts:',
    '    - name: web1',
    '      host: 127.0.0.1',
    `      port: ${sshd.port}`,
    `      user: ${sshd.user}`,
    '      privateKey: "${FB_TEST_SSH_KEY}"',
    `      hostKey: "${sshd.hostFingerprint}"`,
    `      units: ${units}`,
    `      thresholds: ${LOOSE}`,
    'diagnostics:',
    '  timeout: 15s',
  ].join('\n');
}

function cli(args: string[], yaml: string, options: { keyVariable?: boolean } = {}): Promise<{ code: number | null; out: string; err: string }> {
  writeFileSync(path.join(dir, 'firebreak.yml'), yaml);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...(options.keyVariable === false ? {} : { FB_TEST_SSH_KEY: sshd.clientKey }) };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/firebreak.mjs'), ...args], { cwd: dir, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('firebreak diag host', () => {
  it('prints the report; a failed unit it was not asked about is a warning: exit 1', async () => {
    const ok = await cli(['diag', 'host', '--target', 'web1'], config('[api]'));
    expect(ok.code).toBe(1);
    expect(ok.out).toMatch(/^## web1 \(host\): warning/m);
    expect(ok.out).toContain('- [warning] failed units · web1: 1 failed unit: worker.service');
    expect(ok.out).toContain('- [ok] unit · web1/api.service: active (running)');
    expect(ok.out).toContain('web1/api.service');
  });

  it('--json, and exit 2 for a failed unit, with its journal', async () => {
    const down = await cli(['diag', 'host', '--json'], config('[api, worker]'));
    expect(down.code).toBe(2);
    const json = JSON.parse(down.out) as { status: string; reports: Array<{ kind: string; target: string; findings: Array<{ check: string; component: string; status: string; value: string }> }> };
    expect(json.status).toBe('critical');
    expect(json.reports.map((r) => `${r.kind}:${r.target}`)).toEqual(['host:web1']);
    const findings = json.reports[0]!.findings;
    expect(findings.find((f) => f.component === 'web1/worker.service' && f.check === 'unit')).toMatchObject({ status: 'critical', value: 'failed (failed); last exit status 137' });
    expect(findings.find((f) => f.component === 'web1/worker.service' && f.check === 'journal errors')).toMatchObject({ value: '1 error line of 1 (100 %) in the last hour of its journal: memory 1' });
  });

  it('an unset ${VAR} or a host with another key: it says so and does not run', async () => {
    const unset = await cli(['diag', 'host'], config('[api]'), { keyVariable: false });
    expect(unset.code).toBe(3);
    expect(unset.err).toContain('targets.hosts.0.privateKey: environment variable FB_TEST_SSH_KEY is not set');
    const wrongPin = config('[api]').replace(sshd.hostFingerprint, 'SHA256:rEPFSF9FZcJ/zhM0UD5YfC7V3aZ1TB5Q1qzmQLTEJ+4');
    sshd.clearLogs();
    const refused = await cli(['diag', 'host'], wrongPin);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`is not the one pinned in the configuration (hostKey): refused`);
    expect(sshd.commands()).toEqual([]);
  });
});

describe('the /diag form', () => {
  const catalogue = { postgres: [], redis: [], kubernetes: [], http: [], prometheus: [], docker: [], hosts: ['web1', 'web2'] };

  it('lists the Linux hosts, and a host picked becomes a host request', () => {
    const view = diagnosticsView(catalogue, { channelId: 'C0OPS' }) as { blocks: Array<Record<string, any>> };
    const kind = view.blocks.find((b) => b.block_id === 'kind')!;
    expect(kind.element.options.map((o: { value: string }) => o.value)).toEqual(['host', 'all']);
    const target = view.blocks.find((b) => b.block_id === 'target')!;
    expect(target.element.option_groups).toEqual([{ label: { type: 'plain_text', text: 'Linux hosts', emoji: true }, options: ['web1', 'web2'].map((n) => ({ text: { type: 'plain_text', text: n, emoji: true }, value: `host:${n}` })) }]);
    const picked = readDiagnosticsSubmission({ kind: { kind: { type: 'static_select', selected_option: { value: 'host' } } }, target: { target: { type: 'static_select', selected_option: { value: 'host:web2' } } } });
    expect(picked).toMatchObject({ ok: true, request: { kind: 'host', target: 'web2' } });
    const mismatch = readDiagnosticsSubmission({ kind: { kind: { type: 'static_select', selected_option: { value: 'redis' } } }, target: { target: { type: 'static_select', selected_option: { value: 'host:web2' } } } });
    expect(mismatch).toMatchObject({ ok: false, errors: { target: expect.stringContaining('not a redis target') } });
  });
});
