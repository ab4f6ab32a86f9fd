/**
 * One owner per embedded-database directory. PGlite is a single-process database: two processes
 * writing the same directory destroy it. The owner holds `<dir>/firebreak.lock`, created
 * atomically (O_EXCL) with its pid, host, start time and a random token, until the store closes
 * (or the process exits). A lock whose process no longer exists (SIGKILL, power loss) is taken
 * over, with a warning; one held by a live process never is.
 *
 * Liveness can only be known on the same host: a lock written on another host is treated as held.
 * On this host a pid counts as the owner only while the process with that pid started when the
 * lock says (Linux `/proc/<pid>/stat`), so a pid reused after a crash (pid 1 in a restarted
 * container) does not keep a dead owner's lock alive.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { FirebreakError } from '../../core/errors.js';

export const LOCK_FILE = 'firebreak.lock';

const lockSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** When the owner process started (ms since the epoch), to tell a reused pid from the owner. */
  processStartedAt: z.number(),
  /** When the lock was taken (ISO 8601), for people. */
  lockedAt: z.string(),
  token: z.string(),
});
export type LockInfo = z.infer<typeof lockSchema>;

export interface DataDirLock {
  /** The directory, absolute. */
  dir: string;
  info: LockInfo;
  /** Removes the lock if it is still ours; safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** Told when a stale lock is taken over (its owner is gone). */
  onTakeover?: (previous: LockInfo | null, why: string) => void;
}

/** Start time of a process of this host, from /proc (ms since the epoch), or null where it cannot be read. */
function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, in clock ticks since boot) comes after the command name in parentheses,
    // which may itself contain spaces and parentheses: count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    if (!Number.isFinite(ticks) || !Number.isFinite(uptime)) return null;
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return Date.now() - uptime * 1000 + (ticks / 100) * 1000;
  } catch {
    return null;
  }
}

const OWN_START = processStartTime(process.pid) ?? Date.now() - process.uptime() * 1000;

/**
 * The directories this process holds. A lock naming this process's pid is ours only if it is
 * listed here; otherwise a restart reused the pid. Process-wide on purpose, like the lock itself.
 */
const heldHere = new Map<string, string>();

/** Why the lock's owner is gone, or null while it may be alive. */
export function staleReason(info: LockInfo, here = { host: hostname(), pid: process.pid }): string | null {
  if (info.host !== here.host) return null;
  if (info.pid === here.pid) {
    if ([...heldHere.values()].includes(info.token)) return null;
    return `process ${info.pid} is this process, which did not take the lock (a restart reused the pid)`;
  }
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return `process ${info.pid} no longer exists`;
    // EPERM: it exists, under another user.
    return null;
  }
  const started = processStartTime(info.pid);
  // Start times computed from ticks and uptime drift by a few ms; a reused pid started much later.
  if (started !== null && Math.abs(started - info.processStartedAt) > 2_000) return `pid ${info.pid} now belongs to another process`;
  return null;
}

function readLock(file: string): LockInfo | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const parsed = lockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function heldError(dir: string, info: LockInfo | null): FirebreakError {
  const owner = info
    ? `process ${info.pid} on host ${info.host} (holding it since ${info.lockedAt})`
    : `another process (its lock file ${path.join(dir, LOCK_FILE)} cannot be read)`;
  return new FirebreakError(
    'STORE_IN_USE',
    `the embedded database in ${dir} is in use by ${owner}. One directory can have only one Firebreak process: ` +
      'stop that one, or give this one another FIREBREAK_DATA_DIR, or set DATABASE_URL so that several processes share a PostgreSQL server.' +
      (info && info.host !== hostname() ? ` If that host is gone for good, delete ${path.join(dir, LOCK_FILE)} and start again.` : ''),
  );
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the directory's lock (the directory must exist), or throws STORE_IN_USE naming the owner.
 * Synchronous on purpose: it runs once at start, and `release` must work inside an 'exit' handler.
 */
export function lockDataDir(directory: string, options: LockOptions = {}): DataDirLock {
  const dir = path.resolve(directory);
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), processStartedAt: OWN_START, lockedAt: new Date().toISOString(), token: randomBytes(12).toString('hex') };

  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(info)}\n`);
      } finally {
        closeSync(fd);
      }
      heldHere.set(dir, info.token);
      return owned(dir, file, info);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = readLock(file);
    if (current === 'missing') continue;
    if (current === null) {
      // Unreadable: being written this instant by its owner, or damaged. Give a writer time first.
      if (attempt < 5) {
        sleepSync(20);
        continue;
      }
      throw heldError(dir, null);
    }
    const why = staleReason(current);
    if (why === null) throw heldError(dir, current);
    takeOver(file, current, () => options.onTakeover?.(current, why));
  }
  throw heldError(dir, null);
}

/**
 * Removes a stale lock, unless it changed meanwhile. Two processes may find the same stale lock:
 * a takeover directory makes the check-and-remove one step, so one of them never removes the lock
 * the other has just created.
 */
function takeOver(file: string, stale: LockInfo, announce: () => void): void {
  const mutex = `${file}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Left by a process that died mid-takeover: it only ever lives for a few ms.
    try {
      if (Date.now() - statSync(mutex).mtimeMs > 5_000) rmdirSync(mutex);
    } catch {
      /* removed meanwhile */
    }
    sleepSync(20);
    return;
  }
  try {
    const again = readLock(file);
    if (again !== 'missing' && again !== null && again.token === stale.token) {
      unlinkSync(file);
      announce();
    }
  } finally {
    rmdirSync(mutex);
  }
}

function owned(dir: string, file: string, info: LockInfo): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (heldHere.get(dir) === info.token) heldHere.delete(dir);
    try {
      const current = readLock(file);
      if (current !== 'missing' && current !== null && current.token === info.token) unlinkSync(file);
    } catch {
      // The directory went away, or became unreadable: nothing of ours is left to remove.
    }
  };
  // A process that ends without closing the store (an uncaught error, process.exit) still lets go.
  process.on('exit', release);
  return { dir, info, release };
}
