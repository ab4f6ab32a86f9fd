/**
 * /diag host against a real sshd on loopback: the configured units' state (an active one, a
 * failed one, one in a restart loop, one that is not on the host) from the stand-in systemctl,
 * the journal of the troubled ones through the shared log analysis, the failed units, and the
 * real df, /proc/meminfo, /proc/loadavg and nproc of this machine, graded by the target's
 * thresholds. Only the fixed commands run, each unit name arriving as one argument.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/diagnostics/finding.js';
import { hostProbe } from '../../../src/adapters/targets/host/probe/index.js';
import { diagnosticsFor, targetsSchema } from '../../../src/adapters/targets/registry.js';
import { runProbes } from '../../../src/app/diagnostics/run.js';
import { systemClock } from '../../../src/ports.js';
import { parseDf } from '../../../src/adapters/targets/host/probe/index.js';
import { boundedContext, journalEntry, startSshd, type OwnSshd } from '../../host/sshd.js';

let sshd: OwnSshd;

beforeAll(async () => {
  sshd = await startSshd({
    'api.service': { activeState: 'active', subState: 'running', mainPid: 4242, activeForSeconds: 130, description: 'API server' },
    'worker.service': {
      activeState: 'failed',
      subState: 'failed',
      exitStatus: 1,
      restarts: 5,
      description: 'Background worker',
      journal: [
        journalEntry('worker.service', 'Starting worker', 6, 900),
        ...Array.from({ length: 4 }, (_, i) => journalEntry('worker.service', `ERROR could not connect to 10.0.0.7:5432: Connection refused (attempt ${i + 1})`, 3, 800 - i)),
        journalEntry('worker.service', 'giving up after 4 attempts', 2, 700),
        journalEntry('worker.service', 'worker.service: Main process exited, code=exited, status=1/FAILURE', 5, 699),
      ],
    },
    'queue.service': {
      activeState: 'activating',
      subState: 'auto-restart',
      exitStatus: 2,
      restarts: 14,
      description: 'Queue consumer',
      journal: Array.from({ length: 14 }, (_, i) => journalEntry('queue.service', 'panic: runtime error: invalid memory address or nil pointer dereference', 6, 600 - i * 30)),
    },
    'flaky.service': { activeState: 'active', subState: 'running', mainPid: 777, restarts: 4, activeForSeconds: 30, journal: [journalEntry('flaky.service', 'request timed out after 30s', 4)] },
  });
});
afterAll(async () => {
  await sshd?.stop();
});

const byComponent = (findings: Finding[], check: string, component: string) => findings.find((f) => f.check === check && f.component === component);

async function probe(over: Parameters<OwnSshd['target']>[0] = {}): Promise<Finding[]> {
  const ctx = boundedContext(20_000);
  try {
    return await hostProbe(sshd.target(over)).run(ctx);
  } finally {
    ctx.done();
  }
}

describe('/diag host on a real sshd', () => {
  it('grades each configured unit, reads the journal of the failed and restarting ones, lists the failed units', async () => {
    sshd.clearLogs();
    const units = ['api.service', 'worker.service', 'queue.service', 'flaky.service', 'missing.service'].map((name) => ({ name, critical: false }));
    const findings = await probe({ units });

    const api = byComponent(findings, 'unit', 'web1/api.service')!;
    expect(api.status).toBe('ok');
    expect(api.value).toMatch(/^active \(running\) since \w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC, for 2 min 1\d s; main PID 4242$/);
    expect(api.remediation).toBeUndefined();

    const worker = byComponent(findings, 'unit', 'web1/worker.service')!;
    expect(worker).toMatchObject({ status: 'critical', value: 'failed (failed); last exit status 1; 5 automatic restarts', remediation: { action: 'host.restart-unit', args: ['worker.service'], label: 'Restart worker.service' } });
    expect(worker.evidence).toEqual([
      'ActiveState=failed SubState=failed NRestarts=5 ExecMainStatus=1 MainPID=0',
      'last journal lines:',
      ...[2, 3, 4].map((n) => `ERROR could not connect to 10.0.0.7:5432: Connection refused (attempt ${n})`),
      'giving up after 4 attempts',
      'worker.service: Main process exited, code=exited, status=1/FAILURE',
    ]);
    const workerLog = byComponent(findings, 'journal errors', 'web1/worker.service')!;
    // "giving up" was logged at crit: fatal, whatever its words.
    expect(workerLog).toMatchObject({ status: 'critical', value: '5 error lines of 7 (71 %) in the last hour of its journal; 1 fatal: connection 4, other 1' });
    expect(workerLog.evidence).toEqual(['4× ERROR could not connect to <ip>: Connection refused (attempt <n>)', '1× [crit] giving up after <n> attempts']);

    const queue = byComponent(findings, 'unit', 'web1/queue.service')!;
    expect(queue).toMatchObject({ status: 'critical', value: 'activating (auto-restart); last exit status 2; 14 automatic restarts', remediation: { args: ['queue.service'] } });
    expect(queue.recommendation).toMatch(/^It keeps crashing and systemd keeps restarting it: read why it stopped/);
    expect(byComponent(findings, 'journal errors', 'web1/queue.service')).toMatchObject({ status: 'critical', value: '14 error lines of 14 (100 %) in the last hour of its journal; 14 fatal: memory 14' });

    // Up, but restarted more often than restartsWarn: a warning, and its journal is read.
    expect(byComponent(findings, 'unit', 'web1/flaky.service')).toMatchObject({ status: 'warning', value: expect.stringContaining('4 automatic restarts') });
    expect(byComponent(findings, 'journal errors', 'web1/flaky.service')).toMatchObject({ status: 'ok', value: 'no error lines in 1 lines of the last hour of its journal' });

    expect(byComponent(findings, 'unit', 'web1/missing.service')).toMatchObject({ status: 'critical', value: 'not found on the host (LoadState not-found)' });
    expect(byComponent(findings, 'journal errors', 'web1/api.service')).toBeUndefined();
    expect(byComponent(findings, 'journal errors', 'web1/missing.service')).toBeUndefined();

    expect(byComponent(findings, 'failed units', 'web1')).toMatchObject({ status: 'critical', value: '1 failed unit: worker.service', evidence: ['worker.service — Background worker'] });

    // Only the fixed commands ran, each unit one quoted word.
    expect(new Set(sshd.commands())).toEqual(
      new Set([
        "env LC_ALL=C systemctl show --no-pager -p Id,LoadState,ActiveState,SubState,NRestarts,ExecMainStatus,ActiveEnterTimestamp,ActiveEnterTimestampMonotonic,MainPID 'api.service' 'worker.service' 'queue.service' 'flaky.service' 'missing.service'",
        'env LC_ALL=C systemctl --failed --plain --no-legend --no-pager',
        'env LC_ALL=C df -P -T',
        'env LC_ALL=C df -P -T -i',
        'cat /proc/meminfo',
        'cat /proc/loadavg',
        'cat /proc/uptime',
        'nproc',
        "env LC_ALL=C journalctl -u 'worker.service' --since=-1h -o json --no-pager -n 500",
        "env LC_ALL=C journalctl -u 'queue.service' --since=-1h -o json --no-pager -n 500",
        "env LC_ALL=C journalctl -u 'flaky.service' --since=-1h -o json --no-pager -n 500",
      ]),
    );
    expect(sshd.commands()).toHaveLength(11);
    expect(sshd.argv()).toContain('journalctl [-u] [worker.service] [--since=-1h] [-o] [json] [--no-pager] [-n] [500]');
  });

  it("reads this machine's real disks, memory and load", async () => {
    const findings = await probe({ units: [] });
    const local = parseDf(execFileSync('df', ['-P', '-T'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }));
    const disk = findings.filter((f) => f.check === 'disk');
    if (disk.length === 1 && disk[0]!.status === 'ok') {
      const fullest = [...local].sort((a, b) => b.usedPct - a.usedPct)[0]!;
      expect(disk[0]!.value).toMatch(new RegExp(`^${local.length} mounts below 90 %; the fullest is ${fullest.mountedOn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} at \\d+ %$`));
    } else {
      expect(disk.map((f) => f.component.replace(/^web1:/, '')).sort()).toEqual(local.filter((m) => m.usedPct >= 90).map((m) => m.mountedOn).sort());
    }
    expect(findings.filter((f) => f.check === 'inodes').length).toBeGreaterThan(0);
    const memTotalKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    const memory = findings.find((f) => f.check === 'memory')!;
    expect(memory.value).toMatch(/^\d+\.\d % in use: [\d.]+ (KB|MB|GB) available of [\d.]+ (MB|GB|TB)$/);
    expect(memory.value).toContain(`of ${(memTotalKb / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} GB`);
    expect(findings.find((f) => f.check === 'swap')).toBeDefined();
    const cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    expect(findings.find((f) => f.check === 'load')!.value).toMatch(new RegExp(`^[\\d.]+ per CPU over 5 min \\(load [\\d.]+ [\\d.]+ [\\d.]+ \\(1, 5, 15 min\\) on ${cpus} CPUs?(, rising|, falling)?\\)$`));
    // No unit configured: systemctl show is not run, the failed units still are.
    expect(findings.some((f) => f.check === 'unit')).toBe(false);
    // worker.service is failed on the host, though not configured here: a warning, not critical.
    expect(findings.find((f) => f.check === 'failed units')).toMatchObject({ status: 'warning', value: '1 failed unit: worker.service' });
  });

  it('a stopped unit is a warning, critical when it is configured as critical; neither has its journal read', async () => {
    sshd.setUnit('stopped.service', { activeState: 'inactive', subState: 'dead' });
    sshd.setUnit('vital.service', { activeState: 'inactive', subState: 'dead' });
    const findings = await probe({ units: [{ name: 'stopped.service', critical: false }, { name: 'vital.service', critical: true }] });
    expect(byComponent(findings, 'unit', 'web1/stopped.service')).toMatchObject({ status: 'warning', value: 'inactive (dead); last exit status 0', remediation: { args: ['stopped.service'] } });
    expect(byComponent(findings, 'unit', 'web1/vital.service')).toMatchObject({ status: 'critical', recommendation: expect.stringMatching(/^It is stopped: if nobody stopped it on purpose, read why/) });
    expect(findings.some((f) => f.check === 'journal errors')).toBe(false);
  });

  it('counts the CPUs in /proc/cpuinfo where nproc is missing', async () => {
    sshd.withoutNproc(true);
    sshd.clearLogs();
    try {
      const findings = await probe({ units: [] });
      const cpus = (readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm) ?? []).length;
      expect(findings.find((f) => f.check === 'load')!.value).toMatch(new RegExp(` on ${cpus} CPUs?(, rising|, falling)?\\)$`));
      expect(sshd.commands()).toEqual(expect.arrayContaining(['nproc', 'grep -c ^processor /proc/cpuinfo']));
    } finally {
      sshd.withoutNproc(false);
    }
  });

  it("grades the real values by the target's own thresholds", async () => {
    const findings = await probe({ units: [], thresholds: { diskWarnPct: 0, diskCritPct: 0, memoryWarnPct: 0, memoryCritPct: 0.001, loadPerCpuWarn: 0, loadPerCpuCrit: 0, inodesWarnPct: 0, inodesCritPct: 100 } });
    const disk = findings.filter((f) => f.check === 'disk');
    expect(disk.length).toBeGreaterThan(1);
    expect(disk.every((f) => f.status === 'critical' && f.component.startsWith('web1:/') && f.threshold === 'warning at 0 %, critical at 0 %')).toBe(true);
    expect(findings.filter((f) => f.check === 'inodes').every((f) => f.status === 'warning')).toBe(true);
    expect(findings.find((f) => f.check === 'memory')).toMatchObject({ status: 'critical', threshold: 'warning at 0 %, critical at 0.001 % (MemTotal − MemAvailable)' });
    expect(findings.find((f) => f.check === 'load')).toMatchObject({ status: 'critical', threshold: 'warning at 0 per CPU, critical at 0' });
  });

  it('through the registry: /diag host [target] and /diag all run it, as a report of kind host', async () => {
    const t = sshd.target({ units: [{ name: 'api.service', critical: false }] });
    const targets = targetsSchema.parse({ hosts: [{ ...t, connectTimeout: '5s', commandTimeout: '5s', verifyAfter: '300ms', units: ['api'] }] });
    const diagnostics = diagnosticsFor({ targets, diagnostics: { timeout: 15_000 } });
    expect(diagnostics.catalogue().hosts).toEqual(['web1']);
    const one = diagnostics.probes({ kind: 'host', target: 'web1' });
    const all = diagnostics.probes({ kind: 'all' });
    expect(one.ok && all.ok && all.probes.map((p) => `${p.kind}:${p.target}`)).toEqual(['host:web1']);
    expect(diagnostics.probes({ kind: 'host', target: 'web2' })).toEqual({ ok: false, message: 'There is no Linux host target "web2". Configured: web1.' });
    const empty = diagnosticsFor({ targets: targetsSchema.parse({}), diagnostics: { timeout: 1000 } });
    expect(empty.probes({ kind: 'host' })).toEqual({ ok: false, message: 'No Linux host target is configured: add one under targets.hosts in the configuration.' });
    const [report] = await runProbes(one.ok ? one.probes : [], 15_000, systemClock);
    expect(report).toMatchObject({ kind: 'host', target: 'web1' });
    expect(report!.findings.find((f) => f.component === 'web1/api.service')).toMatchObject({ status: 'ok' });
  });
});
