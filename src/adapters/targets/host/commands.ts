/**
 * Every command Firebreak runs on a Linux host, and nothing else: a fixed list written here. The
 * only values that reach a command line are systemd unit names, and only names that match a strict
 * pattern (letters, digits and `_ . : @ -`, a known unit type); they are quoted besides. Nothing a
 * person types becomes shell. The SSH session runs only the HostCommand values built below.
 */

declare const built: unique symbol;

export interface HostCommand {
  /** Only this module makes them. */
  readonly [built]: true;
  /** What it reads or does, for messages ("the state of the units"). */
  readonly what: string;
  /** The exact command line sent. */
  readonly line: string;
  /** The most output kept; past it the command is stopped and its output marked cut. */
  readonly maxBytes: number;
  /** Runs until the action's deadline rather than the target's command timeout (a restart). */
  readonly long?: boolean;
}

const KIB = 1024;

function command(what: string, line: string, maxBytes = 256 * KIB, long = false): HostCommand {
  return { what, line, maxBytes, ...(long ? { long } : {}) } as HostCommand;
}

/** Unit types Firebreak names; a name without one is a service, as systemctl reads it. */
const UNIT_TYPES = ['service', 'socket', 'timer', 'target', 'mount', 'path'] as const;
const UNIT = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,200}\\.(?:${UNIT_TYPES.join('|')})$`);
const HAS_TYPE = new RegExp(`\\.(?:${UNIT_TYPES.join('|')})$`);

/**
 * The unit's full name ("api" is "api.service"), or undefined when it is not a name Firebreak
 * accepts: anything but letters, digits and `_ . : @ -`, a leading sign, or another unit type.
 */
export function unitName(text: string): string | undefined {
  const name = HAS_TYPE.test(text) ? text : `${text}.service`;
  return UNIT.test(name) && !name.includes('..') ? name : undefined;
}

export const UNIT_NAME_RULE = `a systemd unit name: letters, digits and "_ . : @ -", starting with a letter or digit, like api.service (a ${UNIT_TYPES.join(', ')} unit)`;

/** The unit as one shell word. Names are already checked; quoting them is a second lock. */
function quoted(unit: string): string {
  if (unitName(unit) !== unit) throw new Error(`not a unit name Firebreak runs commands with: ${JSON.stringify(unit.slice(0, 80))}`);
  return `'${unit.replace(/'/g, `'\\''`)}'`;
}

/** Read commands run in the C locale (their output is parsed), through env: any login shell takes it. */
const C = 'env LC_ALL=C ';

/** The properties `systemctl show` is asked for. */
export const UNIT_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'NRestarts', 'ExecMainStatus', 'ActiveEnterTimestamp', 'ActiveEnterTimestampMonotonic', 'MainPID'] as const;

export const HOST_COMMANDS = {
  /** One block of `Key=Value` lines per unit, blocks apart by an empty line. */
  showUnits: (units: readonly string[]) => command('the state of the units', `${C}systemctl show --no-pager -p ${UNIT_PROPERTIES.join(',')} ${units.map(quoted).join(' ')}`),
  failedUnits: () => command('the failed units', `${C}systemctl --failed --plain --no-legend --no-pager`),
  disk: () => command('disk use (df)', `${C}df -P -T`),
  inodes: () => command('inode use (df -i)', `${C}df -P -T -i`),
  memory: () => command('/proc/meminfo', 'cat /proc/meminfo'),
  load: () => command('/proc/loadavg', 'cat /proc/loadavg'),
  uptime: () => command('/proc/uptime', 'cat /proc/uptime'),
  /** The CPUs this user's processes may use. */
  cpus: () => command('the number of CPUs', 'nproc'),
  /** Where nproc is missing: the processors /proc/cpuinfo lists. */
  cpuinfo: () => command('the number of CPUs (/proc/cpuinfo)', 'grep -c ^processor /proc/cpuinfo'),
  /** The unit's last hour, one JSON object per entry, at most `lines` entries (the latest). */
  journal: (unit: string, lines: number) =>
    command(`the journal of ${unit}`, `${C}journalctl -u ${quoted(unit)} --since=-1h -o json --no-pager -n ${Math.max(1, Math.min(10_000, Math.floor(lines)))}`, 8 * 1024 * KIB),
  isActive: (unit: string) => command(`whether ${unit} is active`, `systemctl is-active ${quoted(unit)}`, KIB),
  /** `sudo -n`: never waits for a password it would not get. */
  restart: (unit: string, sudo: boolean) => command(`the restart of ${unit}`, `${sudo ? 'sudo -n ' : ''}systemctl restart ${quoted(unit)}`, 16 * KIB, true),
} as const;
