import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildCompiledCopy, removeCompiledCopy } from './compiled-copy.js';
import { COMPILED_COPY_VAR } from './e2e/spawn.js';
import { missingServices } from './services.js';

/**
 * Caches of the tools the suite runs (the TypeScript loader of a spawned Firebreak), not files
 * a test made: they may stay until the run's folder goes.
 */
const TOOL_CACHES = /^tsx-\d+$/;

/** What is left in the run's temporary folder, one line per entry, for the failure message. */
function leftovers(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !TOOL_CACHES.test(name))
    .sort()
    .map((name) => {
      const full = path.join(dir, name);
      try {
        const inside = statSync(full).isDirectory() ? readdirSync(full).length : undefined;
        return inside === undefined ? full : `${full}/ (${inside} ${inside === 1 ? 'entry' : 'entries'} inside)`;
      } catch {
        return full;
      }
    });
}

/**
 * The suite needs the real servers: fail at once, saying how to get them, rather than skip.
 *
 * Every test process (and what it spawns) gets its own temporary folder for the run, through
 * TMPDIR, so that the run can check it cleaned up after itself without counting what other runs
 * on the same machine are doing. Whatever a test leaves there fails the run, named by path.
 */
export default async function setup(project?: TestProject): Promise<() => void> {
  const missing = await missingServices();
  if (missing.length > 0) {
    throw new Error(
      `The test suite needs real services that are not reachable: ${missing.join(', ')}.\n` +
        'Run `npm run services` to install and start them (Debian packages), then run the tests again.',
    );
  }

  const previous = process.env.TMPDIR;
  const runDir = mkdtempSync(path.join(tmpdir(), 'fb-test-run-'));
  // Open like the system's own temporary folder: tests run servers as the postgres user in it.
  chmodSync(runDir, 0o1777);
  process.env.TMPDIR = runDir;
  // The processes tests start run this compiled copy of the sources (test/compiled-copy.ts).
  const compiled = await buildCompiledCopy(`test-run-${process.pid}`);
  process.env[COMPILED_COPY_VAR] = compiled;
  // In watch mode the sources change between runs: each run compiles them again.
  project?.onTestsRerun(async () => {
    await buildCompiledCopy(`test-run-${process.pid}`);
  });

  return () => {
    removeCompiledCopy(compiled);
    delete process.env[COMPILED_COPY_VAR];
    const left = leftovers(runDir);
    rmSync(runDir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length === 0) return;
    const message =
      `The test run left ${left.length} temporary ${left.length === 1 ? 'entry' : 'entries'} behind (now removed). ` +
      'A test must remove what it creates, in afterEach/afterAll or in the helper that made it; the name says which:\n' +
      left.map((l) => `  - ${l}`).join('\n');
    // Vitest reports an error thrown here without failing the run: the exit status must say so too.
    process.exitCode = 1;
    throw new Error(message);
  };
}
