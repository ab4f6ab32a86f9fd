/**
 * The pure parts of the Linux host kind: unit names and the fixed commands, host key pins, the
 * target's configuration, and the readers of what systemctl, df, /proc and journalctl print.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HOST_COMMANDS, unitName } from '../../../src/adapters/targets/host/commands.js';
import { fingerprintOf, hostKeyAlgorithms, matchesPin, parseHostKeyPin } from '../../../src/adapters/targets/host/host-key.js';
import { DEFAULT_HOST_THRESHOLDS, hostTargetSchema, hostThresholdsSchema, resolveHostThresholds } from '../../../src/adapters/targets/host/index.js';
import { analysedLine, diskFindings, journalFindings, loadFinding, memoryFindings, parseCpus, parseDf, parseJournal, parseLoadavg, parseMeminfo } from '../../../src/adapters/targets/host/probe/index.js';
import { describeUnit, parseFailed, parseShow } from '../../../src/adapters/targets/host/systemd.js';

/** A key blob as SSH writes one: the type, then bytes. */
function blob(type: string, body = 'k'.repeat(32)): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const out = Buffer.alloc(8 + t.length + b.length);
  out.writeUInt32BE(t.length, 0);
  t.copy(out, 4);
  out.writeUInt32BE(b.length, 4 + t.length);
  b.copy(out, 8 + t.length);
  return out;
}

describe('unit names', () => {
  it('accepts systemd names, a name without a type being a service', () => {
    expect(unitName('api')).toBe('api.service');
    expect(unitName('api.service')).toBe('api.service');
    expect(unitName('getty@tty1.service')).toBe('getty@tty1.service');
    expect(unitName('backup.timer')).toBe('backup.timer');
    expect(unitName('app_v2-worker.socket')).toBe('app_v2-worker.socket');
  });

  it.each(['api; rm -rf /', '$(id)', '`id`', 'api service', "api'", 'api"', '-api', '--help', 'a|b', 'a&b', 'a>b', '../etc', 'a..b', 'x\\x2d', '', 'a\nb', 'é.service', 'a'.repeat(300)])(
    'refuses %j',
    (name) => expect(unitName(name)).toBeUndefined(),
  );

  it('quotes units in every command, and refuses to build one with an unchecked name', () => {
    expect(HOST_COMMANDS.restart('api.service', false).line).toBe("systemctl restart 'api.service'");
    expect(HOST_COMMANDS.restart('api.service', true).line).toBe("sudo -n systemctl restart 'api.service'");
    expect(HOST_COMMANDS.isActive('api.service').line).toBe("systemctl is-active 'api.service'");
    expect(HOST_COMMANDS.journal('api.service', 500).line).toBe("env LC_ALL=C journalctl -u 'api.service' --since=-1h -o json --no-pager -n 500");
    expect(HOST_COMMANDS.showUnits(['a.service', 'b.socket']).line).toBe(
      "env LC_ALL=C systemctl show --no-pager -p Id,LoadState,ActiveState,SubState,NRestarts,ExecMainStatus,ActiveEnterTimestamp,ActiveEnterTimestampMonotonic,MainPID 'a.service' 'b.socket'",
    );
    expect(() => HOST_COMMANDS.restart('api; rm -rf /', false)).toThrow(/not a unit name/);
    expect(() => HOST_COMMANDS.journal('$(id).service', 10)).toThrow(/not a unit name/);
    expect(() => HOST_COMMANDS.showUnits(['ok.service', 'x y.service'])).toThrow(/not a unit name/);
  });
});

describe('host key pins', () => {
  const key = blob('ssh-ed25519');
  const line = `web1.example.com ssh-ed25519 ${key.toString('base64')} root@web1`;

  it('reads a fingerprint and a known_hosts line, and matches only the pinned key', () => {
    const fp = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
    expect(fingerprintOf(key)).toBe(fp);
    const byLine = parseHostKeyPin(line);
    const byFingerprint = parseHostKeyPin(fp);
    const bare = parseHostKeyPin(`ssh-ed25519 ${key.toString('base64')}`);
    expect(byLine).toMatchObject({ kind: 'key', type: 'ssh-ed25519', fingerprint: fp });
    expect(byFingerprint).toEqual({ kind: 'fingerprint', fingerprint: fp });
    expect(bare).toMatchObject({ kind: 'key', type: 'ssh-ed25519' });
    for (const pin of [byLine, byFingerprint]) {
      expect(typeof pin).toBe('object');
      expect(matchesPin([pin as Exclude<typeof pin, string>], key)).toBe(true);
      expect(matchesPin([pin as Exclude<typeof pin, string>], blob('ssh-ed25519', 'x'.repeat(32)))).toBe(false);
    }
  });

  it('offers only the pinned key types when every pin is a key', () => {
    const ed = parseHostKeyPin(line) as Exclude<ReturnType<typeof parseHostKeyPin>, string>;
    const rsa = parseHostKeyPin(`h ssh-rsa ${blob('ssh-rsa').toString('base64')}`) as typeof ed;
    const fp = parseHostKeyPin(fingerprintOf(key)) as typeof ed;
    expect(hostKeyAlgorithms([ed])).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithms([ed, rsa])).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms([ed, fp])).toBeUndefined();
  });

  it.each([
    ['SHA256:short', /43 base64 characters/],
    ['MD5:aa:bb', /expected a SHA256: fingerprint or a known_hosts line/],
    [`@cert-authority *.example.com ssh-ed25519 ${blob('ssh-ed25519').toString('base64')}`, /cannot pin a host/],
    [`h ssh-ed25519 not*base64`, /not base64/],
    [`h ssh-ed25519 ${blob('ssh-rsa').toString('base64')}`, /says it is ssh-rsa, not ssh-ed25519/],
    ['h ssh-dss AAAA', /expected a SHA256: fingerprint/],
  ])('refuses %s', (text, message) => {
    expect(parseHostKeyPin(text)).toMatch(message);
  });
});

describe('the configuration of a host', () => {
  const key = `h ssh-ed25519 ${blob('ssh-ed25519').toString('base64')}`;
  const base = { name: 'web1', host: 'web1.example.com', user: 'firebreak', privateKey: '/etc/firebreak/id_ed25519', hostKey: key };

  it('fills the defaults and normalises units', () => {
    const t = hostTargetSchema.parse({ ...base, units: ['api', { name: 'worker.service', critical: true }], connectTimeout: '3s', verifyAfter: '0s', passphrase: '' });
    expect(t).toMatchObject({ port: 22, sudo: false, hostKey: [key], units: [{ name: 'api.service', critical: false }, { name: 'worker.service', critical: true }], connectTimeout: 3000, verifyAfter: 0 });
    expect(t.passphrase).toBeUndefined();
    expect(hostTargetSchema.parse(base).units).toEqual([]);
  });

  it('says what is wrong, every problem at once', () => {
    const r = hostTargetSchema.safeParse({ name: 'web1', host: 'bad host', user: 'root;', privateKey: '', units: ['api; rm -rf /', 'a', 'a.service'], port: 70000, extra: 1 });
    const messages = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'host: expected a host name or an IP address, like web1.example.com or 10.0.0.5',
        'user: expected a user name: letters, digits, "_", "." and "-"',
        'privateKey: expected the path of the private key file',
        'hostKey: required: the host key, as a SHA256: fingerprint or a known_hosts line (checked out of band: Firebreak never trusts a key on first use)',
        expect.stringMatching(/^units\.0: expected a systemd unit name: .*, got "api; rm -rf \/"$/),
        'port: expected a whole number from 1 to 65535',
      ]),
    );
    expect(messages.some((m) => m.includes('extra'))).toBe(true);
    const dup = hostTargetSchema.safeParse({ ...base, units: ['a', 'a.service'] });
    expect(dup.error!.issues.map((i) => i.message)).toEqual(['unit a.service is listed more than once']);
    expect(hostTargetSchema.safeParse({ ...base, hostKey: 'SHA256:nope' }).error!.issues[0]!.message).toMatch(/43 base64 characters/);
    expect(hostTargetSchema.safeParse({ ...base, host: '::1' }).success).toBe(true);
    expect(hostTargetSchema.safeParse({ ...base, verifyAfter: '5m' }).error!.issues[0]!.message).toBe('at most 1m: the check after a restart must fit in its 2 minutes');
  });

  it('thresholds: defaults from the seeds, warnings not past criticals', () => {
    expect(resolveHostThresholds()).toEqual(DEFAULT_HOST_THRESHOLDS);
    expect(DEFAULT_HOST_THRESHOLDS).toMatchObject({ diskWarnPct: 90, diskCritPct: 95, memoryCritPct: 90 });
    expect(resolveHostThresholds({ diskWarnPct: 70 })).toMatchObject({ diskWarnPct: 70, diskCritPct: 95 });
    const r = hostThresholdsSchema.safeParse({ diskWarnPct: 97, loadPerCpuCrit: 0.5, bogus: 1 });
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toContain('diskWarnPct (97) must not be above diskCritPct (95, its default)');
    expect(messages).toContain('loadPerCpuWarn (1, its default) must not be above loadPerCpuCrit (0.5)');
    expect(messages.some((m) => /bogus/.test(m))).toBe(true);
  });
});

describe('systemctl output', () => {
  const show = [
    'Id=api.service', 'LoadState=loaded', 'ActiveState=active', 'SubState=running', 'NRestarts=2', 'ExecMainStatus=0',
    'ActiveEnterTimestamp=Tue 2024-05-14 10:22:33 UTC', 'ActiveEnterTimestampMonotonic=1000000', 'MainPID=4242', '',
    'Id=gone.service', 'LoadState=not-found', 'ActiveState=inactive', 'SubState=dead', 'NRestarts=0', 'ExecMainStatus=0', 'ActiveEnterTimestamp=', 'MainPID=0', '',
  ].join('\n');

  it('reads one state per block, in order', () => {
    const [api, gone] = parseShow(show);
    expect(api).toEqual({ id: 'api.service', loadState: 'loaded', activeState: 'active', subState: 'running', restarts: 2, exitStatus: 0, activeEnter: 'Tue 2024-05-14 10:22:33 UTC', activeEnterMonotonic: 1_000_000, mainPid: 4242 });
    expect(describeUnit(api!, 3601)).toBe('active (running) since Tue 2024-05-14 10:22:33 UTC, for 1 h; main PID 4242; 2 automatic restarts');
    expect(describeUnit(gone!)).toBe('not found on the host (LoadState not-found)');
  });

  it('reads the failed units, with or without the bullet', () => {
    const text = 'worker.service loaded failed failed Background worker\n● cron.service   loaded failed failed Regular background program processing daemon\n\n';
    expect(parseFailed(text)).toEqual([
      { unit: 'worker.service', description: 'Background worker' },
      { unit: 'cron.service', description: 'Regular background program processing daemon' },
    ]);
    expect(parseFailed('')).toEqual([]);
  });
});

describe('resources', () => {
  const th = DEFAULT_HOST_THRESHOLDS;
  const df = [
    'Filesystem     Type     1024-blocks      Used Available Capacity Mounted on',
    '/dev/vda1      ext4       102626232  99000000   3626232      97% /',
    '/dev/vdb1      xfs         51474912  47000000   4474912      92% /var/lib/my data',
    '/dev/loop3     squashfs       56064     56064         0     100% /snap/core/123',
    'tmpfs          tmpfs        1630512      2040   1628472       1% /run',
  ].join('\n');

  it('df: reads every mount (a path with spaces too), leaves out read-only images, grades each', () => {
    const mounts = parseDf(df);
    expect(mounts.map((m) => m.mountedOn)).toEqual(['/', '/var/lib/my data', '/run']);
    const findings = diskFindings('web1', mounts, false, th);
    expect(findings.map((f) => [f.component, f.status])).toEqual([['web1:/', 'critical'], ['web1:/var/lib/my data', 'warning']]);
    expect(findings[0]!.value).toBe('97 % used (94.4 GB of 97.9 GB; 3.46 GB free) on /dev/vda1 (ext4)');
    expect(findings[0]!.recommendation).toContain('du -xh --max-depth=2 / | sort -h');
    const calm = diskFindings('web1', parseDf(df.split('\n').filter((l) => !/9\d%/.test(l)).join('\n')), false, th);
    expect(calm).toEqual([{ check: 'disk', component: 'web1', status: 'ok', value: '1 mounts below 90 %; the fullest is /run at 1 %', threshold: 'warning at 90 %, critical at 95 %' }]);
  });

  it('df -i: a filesystem without inodes is left out', () => {
    const text = 'Filesystem Type Inodes IUsed IFree IUse% Mounted on\n/dev/vda1 ext4 6553600 6300000 253600 97% /\nbtrfs0 btrfs 0 0 0 - /data\n';
    const f = diskFindings('web1', parseDf(text), true, th);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'inodes', status: 'critical', value: '97 % of inodes used (6300000 of 6553600; 253600 free) on /dev/vda1 (ext4)' });
  });

  it('memory: MemAvailable against MemTotal (critical at 90 %), swap in use', () => {
    const meminfo = parseMeminfo('MemTotal:       16000000 kB\nMemFree:          200000 kB\nMemAvailable:    1000000 kB\nSwapTotal:       4000000 kB\nSwapFree:        1000000 kB\nHugePages_Total:       0\n');
    expect(meminfo.get('HugePages_Total')).toBe(0);
    const [memory, swap] = memoryFindings('web1', meminfo, th);
    expect(memory).toMatchObject({ check: 'memory', status: 'critical', value: '93.8 % in use: 976.6 MB available of 15.3 GB' });
    expect(swap).toMatchObject({ check: 'swap', status: 'warning', value: '75.0 % in use: 2.86 GB of 3.81 GB' });
    expect(memoryFindings('web1', parseMeminfo('MemTotal: 100 kB\n'), th)[0]).toMatchObject({ status: 'unknown' });
  });

  it('load: the 5-minute average per CPU', () => {
    expect(parseLoadavg('3.10 2.80 2.50 2/467 12345\n')).toEqual({ one: 3.1, five: 2.8, fifteen: 2.5 });
    expect(parseCpus('4\n')).toBe(4);
    expect(parseCpus('')).toBeUndefined();
    expect(loadFinding('web1', { one: 2.9, five: 2.8, fifteen: 2.5 }, 4, th)).toMatchObject({ status: 'ok', value: '0.70 per CPU over 5 min (load 2.90 2.80 2.50 (1, 5, 15 min) on 4 CPUs)' });
    expect(loadFinding('web1', { one: 3.1, five: 2.8, fifteen: 2.5 }, 4, th).value).toContain('on 4 CPUs, rising)');
    expect(loadFinding('web1', { one: 1, five: 2.8, fifteen: 2.5 }, 1, th).value).toContain('on 1 CPU, falling)');
    expect(loadFinding('web1', { one: 9, five: 9, fifteen: 4 }, 4, th)).toMatchObject({ status: 'critical', value: expect.stringContaining('2.25 per CPU') });
    expect(loadFinding('web1', { one: 5, five: 5, fifteen: 5 }, 4, th).status).toBe('warning');
    expect(loadFinding('web1', { one: 5, five: 5, fifteen: 5 }, undefined, th).status).toBe('unknown');
  });
});

describe('the journal', () => {
  const th = DEFAULT_HOST_THRESHOLDS;
  const entry = (MESSAGE: unknown, PRIORITY = '6') => JSON.stringify({ __REALTIME_TIMESTAMP: '1715682153000000', _SYSTEMD_UNIT: 'api.service', PRIORITY, MESSAGE });

  it('reads JSON entries, byte-array messages too, and counts what is not an entry', () => {
    const text = [entry('started'), entry([104, 105, 0xc3, 0xa9]), 'not json', JSON.stringify({ PRIORITY: '3' }), ''].join('\n');
    expect(parseJournal(text)).toEqual({ entries: [{ message: 'started', priority: 6 }, { message: 'hié', priority: 6 }], unreadable: 2 });
  });

  it('an entry logged at err or worse is an error (or fatal) line whatever its words', () => {
    expect(analysedLine({ message: 'request failed', priority: 3 })).toBe('[error] request failed');
    expect(analysedLine({ message: 'giving up', priority: 2 })).toBe('[crit] giving up');
    expect(analysedLine({ message: 'ERROR already says so', priority: 3 })).toBe('ERROR already says so');
    expect(analysedLine({ message: 'all good', priority: 6 })).toBe('all good');
  });

  it('goes through the shared log analysis: categories, repeated messages, grading', () => {
    const lines = [
      ...Array.from({ length: 6 }, (_, i) => entry(`ERROR connect ECONNREFUSED 10.0.0.${i}:5432`)),
      entry('database timeout after 3000 ms', '3'),
      ...Array.from({ length: 13 }, () => entry('handled request')),
    ];
    const { finding, lastLines } = journalFindings('web1/api.service', 'api.service', lines.join('\n'), false, th);
    expect(finding).toMatchObject({ check: 'journal errors', component: 'web1/api.service', status: 'critical', value: '7 error lines of 20 (35 %) in the last hour of its journal: database 1, connection 6' });
    expect(finding.evidence).toEqual(['6× ERROR connect ECONNREFUSED <ip>', '1× [error] database timeout after <n> ms']);
    expect(finding.recommendation).toMatch(/^Connection errors/);
    expect(lastLines).toHaveLength(5);
    const quiet = journalFindings('web1/api.service', 'api.service', entry('ok'), false, th).finding;
    expect(quiet).toMatchObject({ status: 'ok', value: 'no error lines in 1 lines of the last hour of its journal' });
    expect(journalFindings('c', 'api.service', '', true, th).finding.value).toBe('no journal entries in the last hour of its journal (cut: too much output)');
  });
});
