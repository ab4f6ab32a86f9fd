/**
 * The embedded database's directory lock, with real processes: a live owner is never displaced, a
 * dead one (SIGKILL) is taken over, a pid reused by another process does not keep a dead owner's
 * lock, and when several processes race for a stale lock exactly one gets it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir, staleReason, type LockInfo } from '../../src/adapters/postgres/data-dir-lock.js';
import { FirebreakError } from '../../src/core/errors.js';
import { ROOT } from '../e2e/spawn.js';

const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const HOLDER = path.join(ROOT, 'test/store/lock-holder.ts');

const dirs: string[] = [];
const children: ChildProcess[] = [];
const newDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'fb-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Holder {
  child: ChildProcess;
  answer: Promise<{ ok: boolean; pid?: number; code?: string; message?: string }>;
  stderr: () => string;
  exited: Promise<number | null>;
}

function holder(dir: string, mode?: '--try'): Holder {
  const child = spawn(process.execPath, ['--import', TSX, HOLDER, dir, ...(mode ? [mode] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const answer = new Promise<{ ok: boolean }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line));
    });
    child.on('exit', () => (out.includes('\n') ? undefined : reject(new Error(`holder exited without answering: ${err}`))));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, answer, stderr: () => err, exited };
}

const lockOf = (dir: string): LockInfo => JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockInfo;

describe('in one process', () => {
  it('writes who holds it, refuses a second taker, and removes only its own lock', () => {
    const dir = newDir();
    const lock = lockDataDir(dir);
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, host: hostname(), token: lock.info.token });
    expect(lock.dir).toBe(path.resolve(dir));

    let refused: unknown;
    try {
      lockDataDir(dir);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(FirebreakError);
    expect((refused as FirebreakError).code).toBe('STORE_IN_USE');
    expect((refused as FirebreakError).userMessage).toContain(path.resolve(dir));
    expect((refused as FirebreakError).userMessage).toContain(`process ${process.pid} on host ${hostname()}`);
    expect((refused as FirebreakError).userMessage).toMatch(/FIREBREAK_DATA_DIR.*DATABASE_URL/);
    expect(lockOf(dir).token).toBe(lock.info.token);

    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = lockDataDir(dir);
    lock.release(); // a second release of the old lock must not remove the new one
    expect(lockOf(dir).token).toBe(again.info.token);
    again.release();
  });

  it('takes over a lock that names this pid but was not taken by this process (a pid reused after a restart)', () => {
    const dir = newDir();
    const stale: LockInfo = { pid: process.pid, host: hostname(), processStartedAt: 0, lockedAt: '2026-01-01T00:00:00.000Z', token: 'left-by-a-dead-container' };
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(stale));
    const reasons: string[] = [];
    const lock = lockDataDir(dir, { onTakeover: (_p, why) => reasons.push(why) });
    expect(reasons).toEqual([expect.stringContaining('reused the pid')]);
    expect(lockOf(dir).token).toBe(lock.info.token);
    lock.release();
  });

  it('treats a lock from another host as held, and says how to clear it when that host is gone', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'other-host', processStartedAt: 1, lockedAt: '2026-01-01T00:00:00.000Z', token: 't' }));
    expect(() => lockDataDir(dir)).toThrow(/in use by process 4242 on host other-host.*delete .*firebreak\.lock/);
    expect(lockOf(dir).host).toBe('other-host');
  });

  it('leaves an unreadable lock file alone and refuses, naming the file', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, LOCK_FILE), 'not json');
    expect(() => lockDataDir(dir)).toThrow(/its lock file .*firebreak\.lock cannot be read/);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe('not json');
  });
});

describe('staleReason', () => {
  const base = { host: 'h', processStartedAt: 0, lockedAt: '', token: 't' };
  it.each([
    ['another host', { ...base, host: 'elsewhere', pid: 1 }, null],
    ['a pid that does not exist', { ...base, pid: 2 ** 22 + 17 }, /no longer exists/],
    ['this process, not holding it', { ...base, pid: 99 }, /reused the pid/],
  ])('%s', (_label, info, expected) => {
    const here = { host: 'h', pid: 99 };
    const why = staleReason(info, here);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });
});

describe('across processes', () => {
  it('never displaces a live owner, and takes over once it is killed with SIGKILL', async () => {
    const dir = newDir();
    const owner = holder(dir);
    expect(await owner.answer).toEqual({ ok: true, pid: owner.child.pid });

    const second = holder(dir, '--try');
    const refused = await second.answer;
    expect(refused).toMatchObject({ ok: false, code: 'STORE_IN_USE' });
    expect(refused.message).toContain(`process ${owner.child.pid} on host ${hostname()}`);
    expect(await second.exited).toBe(1);
    expect(lockOf(dir).pid).toBe(owner.child.pid);

    owner.child.kill('SIGKILL');
    await owner.exited;
    expect(lockOf(dir).pid).toBe(owner.child.pid); // a killed process cannot clean up

    const next = holder(dir);
    expect(await next.answer).toEqual({ ok: true, pid: next.child.pid });
    expect(next.stderr()).toContain(`took over: process ${owner.child.pid} no longer exists`);
    expect(lockOf(dir).pid).toBe(next.child.pid);
  });

  it('is released when the owner exits normally', async () => {
    const dir = newDir();
    const once = holder(dir, '--try');
    expect((await once.answer).ok).toBe(true);
    expect(await once.exited).toBe(0);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('does not count a live process whose pid the lock names but which started at another time', async () => {
    const dir = newDir();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(other);
    await new Promise((r) => other.once('spawn', r));
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname(), processStartedAt: Date.now() - 86_400_000, lockedAt: '2026-01-01T00:00:00.000Z', token: 'old' }));
    const taker = holder(dir, '--try');
    expect((await taker.answer).ok).toBe(true);
    expect(taker.stderr()).toContain(`took over: pid ${other.pid} now belongs to another process`);
  });

  it('gives a stale lock to exactly one of several processes racing for it', async () => {
    const dir = newDir();
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), processStartedAt: 0, lockedAt: '2026-01-01T00:00:00.000Z', token: 'dead' }));
    const racers = Array.from({ length: 5 }, () => holder(dir));
    const answers = await Promise.all(racers.map((r) => r.answer));
    const winners = answers.filter((a) => a.ok);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => !a.ok).every((a) => a.code === 'STORE_IN_USE')).toBe(true);
    expect(lockOf(dir).pid).toBe(winners[0]?.pid);
  });
});
