/**
 * A real OpenSSH server for the Linux host tests, on a free loopback port, all of it in a temp
 * dir: a generated host key, a generated client key in authorized_keys, a generated sshd_config
 * (no PAM, no passwords, key authentication only, StrictModes no; root may log in by key when the
 * tests run as root, for this sshd only), run as `sshd -D -e -f <config>`.
 *
 * systemd does not run here, so `systemctl`, `journalctl` and `sudo` are stand-ins: small bash
 * scripts in the temp dir that print what the real commands print for what Firebreak asks
 * (`systemctl show -p … <units>` blocks, `--failed --plain --no-legend` lines, `is-active`, the
 * journal as JSON lines) from state files the tests write, and that record restarts so that
 * `is-active` changes after one. They come first on the session's PATH through a ForceCommand
 * wrapper (chosen over `SetEnv PATH=…`, which the login shell's own start-up files may still
 * change): it logs the command line exactly as received, sets PATH to the stand-ins then
 * /usr/bin:/bin, and runs the line with /bin/sh. Everything else — df, /proc/meminfo,
 * /proc/loadavg, /proc/uptime, nproc (behind a wrapper that can make it missing) — is the real
 * thing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, uptime, userInfo } from 'node:os';
import path from 'node:path';
import type { ActionContext } from '../../src/core/remediation/action.js';
import type { ProbeContext } from '../../src/core/diagnostics/probe.js';
import type { HostTarget, HostUnit } from '../../src/adapters/targets/host/index.js';

export const SSHD = '/usr/sbin/sshd';

/** A unit as the stand-in systemctl reports it. */
export interface UnitFixture {
  activeState: 'active' | 'failed' | 'inactive' | 'activating' | 'deactivating';
  subState: string;
  restarts?: number;
  exitStatus?: number;
  mainPid?: number;
  /** Seconds before now it became active (for ActiveEnterTimestamp); none when never. */
  activeForSeconds?: number;
  description?: string;
  /** What `systemctl restart` does to it: comes back (default), fails right after, or is refused. */
  onRestart?: 'recover' | 'fail' | 'deny';
  /** Journal entries of its last hour, as journalctl -o json prints them. */
  journal?: ReadonlyArray<Record<string, unknown>>;
}

export interface OwnSshd {
  port: number;
  dir: string;
  user: string;
  /** The host key as a known_hosts line, and its SHA256: fingerprint. */
  hostKeyLine: string;
  hostFingerprint: string;
  /** The client's private key file (in authorized_keys). */
  clientKey: string;
  /** A target for this sshd; `units` as configured (strings or objects). */
  target(over?: Partial<HostTarget>): HostTarget;
  setUnit(name: string, unit: UnitFixture): void;
  /** The state file of a unit as the stand-in keeps it (Key=Value lines). */
  unitState(name: string): Record<string, string>;
  /** Makes a stand-in (systemctl, journalctl) sleep that many seconds before answering; null stops it. */
  hang(program: 'systemctl' | 'journalctl', seconds: number | null): void;
  /** Makes the stand-in sudo refuse (no NOPASSWD rule). */
  denySudo(deny: boolean): void;
  /** Makes nproc missing on the host (the real one answers otherwise). */
  withoutNproc(missing: boolean): void;
  /** Every command line the server ran, exactly as received. */
  commands(): string[];
  /** Every stand-in call, each argument in brackets: `systemctl [restart] [api.service]`. */
  argv(): string[];
  /** The units restarted, in order. */
  restarts(): string[];
  /** Forgets the logs (commands, argv, restarts). */
  clearLogs(): void;
  /** Generates another key pair in the temp dir (not authorized unless `authorize`). */
  newKey(name: string, options?: { passphrase?: string; authorize?: boolean }): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const keygen = (file: string, passphrase = '') => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'firebreak-test', '-f', file], { stdio: 'ignore' });

const SESSION = (dir: string) => `#!/bin/sh
# ForceCommand: log the line as received, put the stand-ins first on PATH, run the line.
printf '%s\\n' "$SSH_ORIGINAL_COMMAND" >> '${dir}/commands.log'
PATH='${dir}/bin:/usr/bin:/bin'; export PATH
exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
`;

const LOG_ARGV = (dir: string, name: string) => `printf '%s' '${name}' >> '${dir}/argv.log'; for a in "$@"; do printf ' [%s]' "$a" >> '${dir}/argv.log'; done; echo >> '${dir}/argv.log'`;

const SYSTEMCTL = (dir: string) => `#!/bin/bash
# Stand-in for systemctl: answers show, --failed, is-active and restart from the state files in units/.
D='${dir}'
${LOG_ARGV(dir, 'systemctl')}
[ -f "$D/hang-systemctl" ] && sleep "$(cat "$D/hang-systemctl")"
prop() { [ -f "$D/units/$1" ] && grep -m1 "^$2=" "$D/units/$1" | cut -d= -f2-; }
setprop() { sed -i "s|^$2=.*|$2=$3|" "$D/units/$1"; }
now_mono() { awk '{ printf "%d", $1 * 1000000 }' /proc/uptime; }
case "$1" in
  show)
    shift
    [ "$1" = --no-pager ] && shift
    [ "$1" = -p ] || { echo "stand-in systemctl: unexpected arguments: show $*" >&2; exit 9; }
    IFS=, read -ra props <<< "$2"; shift 2
    first=1
    for u in "$@"; do
      [ "$first" = 1 ] || echo
      first=0
      for p in "\${props[@]}"; do
        if [ -f "$D/units/$u" ]; then v="$(prop "$u" "$p")"
        else case "$p" in Id) v="$u";; LoadState) v=not-found;; ActiveState) v=inactive;; SubState) v=dead;; ActiveEnterTimestamp) v=;; *) v=0;; esac
        fi
        echo "$p=$v"
      done
    done
    ;;
  --failed)
    [ "$*" = "--failed --plain --no-legend --no-pager" ] || { echo "stand-in systemctl: unexpected arguments: $*" >&2; exit 9; }
    for f in "$D"/units/*; do
      [ -f "$f" ] || continue
      u="$(basename "$f")"
      [ "$(prop "$u" ActiveState)" = failed ] && echo "$u loaded failed $(prop "$u" SubState) $(prop "$u" Description)"
    done
    exit 0
    ;;
  is-active)
    [ $# -eq 2 ] || { echo "stand-in systemctl: unexpected arguments: $*" >&2; exit 9; }
    s="$(prop "$2" ActiveState)"; s="\${s:-inactive}"
    echo "$s"
    [ "$s" = active ] && exit 0
    exit 3
    ;;
  restart)
    [ $# -eq 2 ] || { echo "stand-in systemctl: unexpected arguments: $*" >&2; exit 9; }
    u="$2"
    [ -f "$D/units/$u" ] || { echo "Failed to restart $u: Unit $u not found." >&2; exit 5; }
    behaviour="$(cat "$D/units/$u.on-restart" 2>/dev/null || echo recover)"
    if [ "$behaviour" = deny ]; then echo "Failed to restart $u: Access denied" >&2; exit 4; fi
    echo "$u" >> "$D/restarts.log"
    if [ "$behaviour" = fail ]; then
      setprop "$u" ActiveState failed; setprop "$u" SubState failed; setprop "$u" ExecMainStatus 1; setprop "$u" MainPID 0
    else
      setprop "$u" ActiveState active; setprop "$u" SubState running; setprop "$u" NRestarts 0; setprop "$u" ExecMainStatus 0
      setprop "$u" MainPID "$(( $(prop "$u" MainPID) + 1000 ))"
      setprop "$u" ActiveEnterTimestamp "$(LC_ALL=C date -u '+%a %Y-%m-%d %H:%M:%S UTC')"
      setprop "$u" ActiveEnterTimestampMonotonic "$(now_mono)"
    fi
    exit 0
    ;;
  *) echo "stand-in systemctl: unexpected arguments: $*" >&2; exit 9 ;;
esac
`;

const JOURNALCTL = (dir: string) => `#!/bin/bash
# Stand-in for journalctl: -u UNIT --since=-1h -o json --no-pager -n N prints the last N entries of journal/UNIT.
D='${dir}'
${LOG_ARGV(dir, 'journalctl')}
[ -f "$D/hang-journalctl" ] && sleep "$(cat "$D/hang-journalctl")"
if [ $# -ne 8 ] || [ "$1" != -u ] || [ "$3" != --since=-1h ] || [ "$4 $5 $6 $7" != "-o json --no-pager -n" ]; then
  echo "stand-in journalctl: unexpected arguments: $*" >&2; exit 9
fi
[ -f "$D/journal/$2" ] || exit 0
tail -n "$8" "$D/journal/$2"
`;

const NPROC = (dir: string) => `#!/bin/sh
# In front of the real nproc: missing (as on a host without coreutils' nproc) while no-nproc exists.
[ -f '${dir}/no-nproc' ] && { echo "sh: 1: nproc: not found" >&2; exit 127; }
exec /usr/bin/nproc "$@"
`;

const SUDO = (dir: string) => `#!/bin/bash
# Stand-in for sudo: only "sudo -n <command>", refused when sudo-denied exists (no NOPASSWD rule).
D='${dir}'
${LOG_ARGV(dir, 'sudo')}
[ "$1" = -n ] || { echo "stand-in sudo: expected -n" >&2; exit 9; }
shift
if [ -f "$D/sudo-denied" ]; then echo "sudo: a password is required" >&2; exit 1; fi
exec "$@"
`;

/** As systemctl prints a timestamp in the C locale on a host in UTC: "Tue 2024-05-14 10:22:33 UTC". */
export function systemdTime(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  return `${day} ${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

function unitFile(name: string, u: UnitFixture): string {
  const entered = u.activeForSeconds === undefined ? undefined : Math.max(0, uptime() - u.activeForSeconds);
  const at = u.activeForSeconds === undefined ? '' : systemdTime(new Date(Date.now() - u.activeForSeconds * 1000));
  return [
    `Id=${name}`,
    'LoadState=loaded',
    `ActiveState=${u.activeState}`,
    `SubState=${u.subState}`,
    `NRestarts=${u.restarts ?? 0}`,
    `ExecMainStatus=${u.exitStatus ?? 0}`,
    `ActiveEnterTimestamp=${at}`,
    `ActiveEnterTimestampMonotonic=${entered === undefined ? 0 : Math.floor(entered * 1_000_000)}`,
    `MainPID=${u.mainPid ?? 0}`,
    `Description=${u.description ?? name}`,
    '',
  ].join('\n');
}

export async function startSshd(units: Record<string, UnitFixture> = {}): Promise<OwnSshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (npm run services does)`);
  // The privilege separation directory the package expects (systemd makes it at boot): left in place.
  mkdirSync('/run/sshd', { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-sshd-'));
  const user = userInfo().username;
  for (const sub of ['bin', 'units', 'journal']) mkdirSync(path.join(dir, sub));
  keygen(path.join(dir, 'host_ed25519'));
  const clientKey = path.join(dir, 'client_ed25519');
  keygen(clientKey);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  const hostPub = readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(/\s+/);
  const hostKeyLine = `[127.0.0.1]:0 ${hostPub[0]} ${hostPub[1]}`;
  const hostFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(/\s+/)[1] as string;

  const script = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    chmodSync(path.join(dir, name), 0o755);
  };
  script('session', SESSION(dir));
  script('bin/systemctl', SYSTEMCTL(dir));
  script('bin/journalctl', JOURNALCTL(dir));
  script('bin/sudo', SUDO(dir));
  script('bin/nproc', NPROC(dir));
  for (const log of ['commands.log', 'argv.log', 'restarts.log']) writeFileSync(path.join(dir, log), '');

  const setUnit = (name: string, u: UnitFixture) => {
    writeFileSync(path.join(dir, 'units', name), unitFile(name, u));
    writeFileSync(path.join(dir, 'units', `${name}.on-restart`), u.onRestart ?? 'recover');
    writeFileSync(path.join(dir, 'journal', name), (u.journal ?? []).map((e) => JSON.stringify(e)).join('\n') + (u.journal?.length ? '\n' : ''));
  };
  for (const [name, u] of Object.entries(units)) setUnit(name, u);

  let port = 0;
  let child: ReturnType<typeof spawn> | undefined;
  let stderr = '';
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    const config = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host_ed25519`,
      `PidFile ${dir}/sshd.pid`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AuthenticationMethods publickey',
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'StrictModes no',
      `PermitRootLogin ${user === 'root' ? 'prohibit-password' : 'no'}`,
      `AllowUsers ${user}`,
      `ForceCommand ${dir}/session`,
      'PermitTTY no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'AllowAgentForwarding no',
      'LogLevel VERBOSE',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'sshd_config'), config);
    const c = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    stderr = '';
    const listening = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      c.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/Server listening on/.test(stderr)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      c.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (listening) child = c;
    else c.kill('SIGKILL');
  }
  if (!child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`sshd did not start: ${stderr.slice(-500)}`);
  }
  const running = child;
  const exited = new Promise<void>((resolve) => (running.exitCode !== null ? resolve() : running.once('exit', () => resolve())));
  // Keep reading its log so that it never blocks on a full pipe.
  running.stderr!.resume();

  const lines = (file: string) => readFileSync(path.join(dir, file), 'utf8').split('\n').filter((l) => l !== '');
  const flag = (name: string, value: string | null) => (value === null ? rmSync(path.join(dir, name), { force: true }) : writeFileSync(path.join(dir, name), value));

  return {
    port,
    dir,
    user,
    hostKeyLine,
    hostFingerprint,
    clientKey,
    target: (over = {}) => ({
      name: 'web1',
      host: '127.0.0.1',
      port,
      user,
      privateKey: clientKey,
      hostKey: [hostKeyLine],
      sudo: false,
      units: Object.keys(units).map((name): HostUnit => ({ name, critical: false })),
      connectTimeout: 5_000,
      commandTimeout: 5_000,
      verifyAfter: 300,
      ...over,
    }),
    setUnit,
    unitState: (name) => Object.fromEntries(lines(`units/${name}`).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
    hang: (program, seconds) => flag(`hang-${program}`, seconds === null ? null : String(seconds)),
    denySudo: (deny) => flag('sudo-denied', deny ? '1' : null),
    withoutNproc: (missing) => flag('no-nproc', missing ? '1' : null),
    commands: () => lines('commands.log'),
    argv: () => lines('argv.log'),
    restarts: () => lines('restarts.log'),
    clearLogs: () => {
      for (const log of ['commands.log', 'argv.log', 'restarts.log']) writeFileSync(path.join(dir, log), '');
    },
    newKey(name, options = {}) {
      const file = path.join(dir, name);
      keygen(file, options.passphrase ?? '');
      if (options.authorize) writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${file}.pub`), { flag: 'a' });
      return file;
    },
    async stop() {
      if (running.exitCode === null && running.signalCode === null) running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts connections and never says a word (a hung sshd, a black hole). */
export async function silentServer(): Promise<{ port: number; accepted(): number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((s) => {
    count++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A context for a probe or an action step, with a real deadline. */
export function boundedContext(ms = 15_000): ProbeContext & ActionContext & { done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { deadline: Date.now() + ms, signal: controller.signal, now: () => new Date(), done: () => clearTimeout(timer) };
}

/** A journal entry as journalctl -o json prints it. */
export function journalEntry(unit: string, message: string | number[], priority = 6, secondsAgo = 60): Record<string, unknown> {
  const at = (Date.now() - secondsAgo * 1000) * 1000;
  return {
    __CURSOR: `s=0123456789abcdef;i=${Math.floor(Math.random() * 1e6).toString(16)}`,
    __REALTIME_TIMESTAMP: String(at),
    __MONOTONIC_TIMESTAMP: String(Math.floor(uptime() * 1e6)),
    _BOOT_ID: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    PRIORITY: String(priority),
    SYSLOG_FACILITY: '3',
    SYSLOG_IDENTIFIER: unit.replace(/\.service$/, ''),
    _PID: '4242',
    _COMM: unit.replace(/\.service$/, ''),
    _SYSTEMD_UNIT: unit,
    MESSAGE: message,
  };
}
