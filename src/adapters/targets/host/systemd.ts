/**
 * What systemctl prints, read: the `Key=Value` blocks of `systemctl show` (one per unit, in the
 * order asked), the lines of `systemctl --failed --plain --no-legend`, and a unit's state in words.
 * Shared by the probe (`/diag host`) and the host.restart-unit action. Pure.
 */
import { formatDuration } from '../../../core/duration.js';
import { HOST_COMMANDS } from './commands.js';
import type { HostSession } from './ssh.js';

export interface UnitState {
  id: string;
  /** "loaded", "not-found", "masked"… */
  loadState: string;
  /** "active", "failed", "inactive", "activating", "deactivating", "reloading". */
  activeState: string;
  /** "running", "dead", "failed", "auto-restart", "exited"… */
  subState: string;
  /** Automatic restarts since the unit was last started by hand. */
  restarts: number;
  /** The main process's last exit status. */
  exitStatus: number;
  /** As systemctl writes it ("Tue 2024-05-14 10:22:33 UTC"), "" when never active. */
  activeEnter: string;
  /** Microseconds since boot when it last became active; 0 when never. */
  activeEnterMonotonic: number;
  mainPid: number;
}

const num = (v: string | undefined): number => (v !== undefined && /^\d+$/.test(v) ? Number(v) : 0);

/** The blocks of `systemctl show`, each read into a UnitState, in the order printed. */
export function parseShow(text: string): UnitState[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((block) => {
      const p = new Map<string, string>();
      for (const line of block.split(/\r?\n/)) {
        const at = line.indexOf('=');
        if (at > 0) p.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      return p;
    })
    .filter((p) => p.has('Id'))
    .map((p) => ({
      id: p.get('Id') ?? '',
      loadState: p.get('LoadState') ?? '',
      activeState: p.get('ActiveState') ?? '',
      subState: p.get('SubState') ?? '',
      restarts: num(p.get('NRestarts')),
      exitStatus: num(p.get('ExecMainStatus')),
      activeEnter: (p.get('ActiveEnterTimestamp') ?? '').replace(/^n\/a$/, ''),
      activeEnterMonotonic: num(p.get('ActiveEnterTimestampMonotonic')),
      mainPid: num(p.get('MainPID')),
    }));
}

export interface FailedUnit {
  unit: string;
  description: string;
}

/** `UNIT LOAD ACTIVE SUB DESCRIPTION` lines (the plain, legend-less form). */
export function parseFailed(text: string): FailedUnit[] {
  const out: FailedUnit[] = [];
  for (const line of text.split(/\r?\n/)) {
    const words = line.replace(/^\s*[●*x×]\s+/, '').trim().split(/\s+/);
    if (words.length < 4 || !words[0]) continue;
    out.push({ unit: words[0], description: words.slice(4).join(' ') });
  }
  return out;
}

/** Seconds since boot, from /proc/uptime. */
export function parseUptime(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text.trim() + ' ');
  return m ? Number(m[1]) : undefined;
}

/** How long the unit has been active, from its monotonic timestamp and the host's uptime. */
export function activeFor(u: UnitState, uptimeSeconds: number | undefined): string | undefined {
  if (u.activeState !== 'active' || u.activeEnterMonotonic <= 0 || uptimeSeconds === undefined) return undefined;
  const ms = uptimeSeconds * 1000 - u.activeEnterMonotonic / 1000;
  return ms >= 0 ? formatDuration(ms) : undefined;
}

/** "active (running) since Tue 2024-05-14 10:22:33 UTC, for 3 h; main PID 4242; 2 automatic restarts". */
export function describeUnit(u: UnitState, uptimeSeconds?: number): string {
  if (u.loadState === 'not-found') return 'not found on the host (LoadState not-found)';
  const since = u.activeEnter && u.activeState === 'active' ? ` since ${u.activeEnter}` : '';
  const length = activeFor(u, uptimeSeconds);
  const parts = [`${u.activeState} (${u.subState})${since}${length ? `, for ${length}` : ''}`];
  if (u.mainPid > 0) parts.push(`main PID ${u.mainPid}`);
  if (u.activeState !== 'active' || u.exitStatus !== 0) parts.push(`last exit status ${u.exitStatus}`);
  if (u.restarts > 0) parts.push(`${u.restarts} automatic restart${u.restarts === 1 ? '' : 's'}`);
  if (u.loadState && u.loadState !== 'loaded') parts.push(`LoadState ${u.loadState}`);
  return parts.join('; ');
}

/** Reads the state of configured units in one `systemctl show`, or says why it could not. */
export async function readUnits(session: HostSession, units: readonly string[]): Promise<{ ok: true; units: Map<string, UnitState> } | { ok: false; error: string }> {
  const read = await session.run(HOST_COMMANDS.showUnits(units));
  if (!read.ok) return { ok: false, error: read.error };
  if (read.value.code !== 0) return { ok: false, error: `systemctl show exited with status ${read.value.code ?? '?'}${stderrLine(read.value.stderr)}` };
  // Blocks come in the order asked; an alias's block names the unit it stands for (its Id).
  const states = parseShow(read.value.stdout);
  const byOrder = states.length === units.length;
  return { ok: true, units: new Map(byOrder ? units.map((name, i) => [name, states[i] as UnitState]) : states.map((u) => [u.id, u])) };
}

/** The first line of a command's error output, short, for a message. */
export function stderrLine(stderr: string): string {
  const line = stderr.split(/\r?\n/).find((l) => l.trim() !== '');
  return line ? `: ${line.trim().slice(0, 300)}` : '';
}
