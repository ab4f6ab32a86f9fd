/**
 * The code a spawned Firebreak runs in the suite: main.ts, src/ and commands/ compiled to
 * JavaScript once per run, file for file in the same layout, instead of every process compiling
 * the sources again through tsx. Measured on 2 cores while another run loaded the machine: about
 * 4.3 s of CPU from spawn to the first 200 on /healthz through tsx, 2.3 s compiled; the suite
 * starts dozens of processes. esbuild does the compiling, as tsx does (the same transform, the
 * project's tsconfig), so the processes run the same JavaScript they would through tsx.
 *
 * The copy sits in the project (`.cache/`, ignored by git and Docker) because the compiled files
 * need what is above them there: package.json for `"type": "module"` and for the folder the
 * runbooks are found from, node_modules for the packages. The console page's sources go along as
 * they are: local mode bundles them when it starts.
 */
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT as PROJECT } from './e2e/spawn.js';

const PAGE = 'src/adapters/local-slack/console/page';

/** The TypeScript files a running Firebreak loads, relative to the project. */
function sources(): string[] {
  const under = (dir: string) =>
    readdirSync(path.join(PROJECT, dir), { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(dir, f))
      .filter((f) => f.endsWith('.ts') && !f.startsWith(`${PAGE}/`));
  return ['main.ts', ...under('src'), ...under('commands')];
}

/** Compiles into a new folder under `.cache/` (emptied first if it is there) and returns its path; removeCompiledCopy takes it away. */
export async function buildCompiledCopy(name: string): Promise<string> {
  const out = path.join(PROJECT, '.cache', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const { build } = await import('esbuild');
  await build({
    entryPoints: sources().map((f) => path.join(PROJECT, f)),
    outbase: PROJECT,
    outdir: out,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(PROJECT, 'tsconfig.json'),
    logLevel: 'error',
  });
  cpSync(path.join(PROJECT, PAGE), path.join(out, PAGE), { recursive: true });
  return out;
}

export function removeCompiledCopy(out: string): void {
  rmSync(out, { recursive: true, force: true });
}
