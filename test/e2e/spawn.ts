/** Running Firebreak as its own process (`node src/main.ts`, compiled), as an operator does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The TypeScript loader `npm start` uses, resolved here because the child runs in another directory. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
/**
 * The compiled copy of the sources the suite's global setup makes (test/compiled-copy.ts), when
 * there is one: a process then starts from JavaScript instead of compiling through tsx.
 */
export const COMPILED_COPY_VAR = 'FIREBREAK_TEST_COMPILED';

/** What `node` is given to run Firebreak from the sources: the compiled copy's src/main.js, or src/main.ts through tsx. */
function entryArgs(preload: string[]): string[] {
  const compiled = process.env[COMPILED_COPY_VAR];
  // A preload (a test's fault injector) is TypeScript: tsx loads it, and then whatever comes after.
  if (compiled && preload.length === 0) return [path.join(compiled, 'src/main.js')];
  return ['--import', TSX, ...preload, compiled ? path.join(compiled, 'src/main.js') : path.join(ROOT, 'src/main.ts')];
}

export interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** Without `cwd`, the process runs in a folder of its own (its embedded database goes there), removed when it exits. */
export function runFirebreak(env: Record<string, string>, cwd?: string, options: { preload?: string; args?: string[] } = {}): Proc {
  const own = cwd === undefined ? mkdtempSync(path.join(tmpdir(), 'fb-proc-')) : undefined;
  // A preload (a test's fault injector) runs before main.ts, in the same process.
  const preload = options.preload ? ['--import', pathToFileURL(options.preload).href] : [];
  const child = spawn(process.execPath, [...entryArgs(preload), ...(options.args ?? [])], {
    cwd: cwd ?? own,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (own) rmSync(own, { recursive: true, force: true });
      resolve(code);
    }),
  );
  return { child, out: () => out, err: () => err, exited };
}

/**
 * `npm start` in the repository, as a process manager runs it: signals go to npm's pid. `env`
 * must name the configuration (FIREBREAK_CONFIG), since the working directory is the repository.
 */
export function runNpmStart(env: Record<string, string>): Proc {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

/** Every process below `pid` (children, grandchildren…), read from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = (p: number): number[] => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((task) =>
        readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return []; // gone already
      throw err;
    }
  };
  const found: number[] = [];
  for (let queue = children(pid); queue.length > 0; ) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...children(next));
  }
  return found;
}

/** Whether a process with this pid still exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves with the HTTP port once the process logged that it serves. */
export async function servingPort(p: Proc, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = p.out().split('\n').find((l) => l.includes('"Firebreak is serving"'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}: ${p.err()}${p.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not serving after ${timeoutMs} ms:\n${p.out()}\n${p.err()}`);
}
