/** Running Firebreak as its own process (`node src/main.ts`), as an operator does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The TypeScript loader `npm start` uses, resolved here because the child runs in another directory. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** Without `cwd`, the process runs in a folder of its own (its embedded database goes there), removed when it exits. */
export function runFirebreak(env: Record<string, string>, cwd?: string): Proc {
  const own = cwd === undefined ? mkdtempSync(path.join(tmpdir(), 'fb-proc-')) : undefined;
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/main.ts')], {
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
