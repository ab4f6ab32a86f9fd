/**
 * What every benchmark does the same way: the line saying where it was measured, its section of
 * docs/BENCHMARKS.md (between `<!-- name:start -->` and `<!-- name:end -->`, replaced whole, the
 * rest of the file untouched), and, for the benchmarks that start processes, running as a script
 * with the exit codes and clean-up they share.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));

/** `--help`: prints the script's opening comment (what it measures, its options) and exits 0. */
export function printUsage(scriptUrl: string): never {
  process.stdout.write(`${readFileSync(fileURLToPath(scriptUrl), 'utf8').split('*/')[0]!.replace(/^\/\*\*?|^ \* ?/gm, '')}\n`);
  process.exit(0);
}

/** "Measured 2026-12-02 on 2 cores (model), Node v20.19.0". */
export function measuredOn(): string {
  const cpu = cpus();
  return `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}`;
}

/** Replaces the `name` section with `headline` and `body`; says so and returns false when the file has no such markers. */
export function writeSection(name: string, headline: string, body: string, file = BENCHMARKS): boolean {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = current.indexOf(start);
  const to = from === -1 ? -1 : current.indexOf(end, from);
  if (to === -1) {
    console.log(`\n(${path.basename(file)} has no ${name} markers: the figures above were not written)`);
    return false;
  }
  writeFileSync(file, `${current.slice(0, from)}${[start, headline, '', body, end].join('\n')}${current.slice(to + end.length)}`);
  return true;
}

/**
 * Runs a benchmark's `main` with the options `parse` reads from the command line: a bad option
 * exits 2 with its message, a failure 1, an interrupted run 130 (its children's errors after
 * Ctrl-C are expected and not printed); `cleanUp` always runs before the exit.
 */
export function runBenchmark<O>(parse: (argv: string[]) => O, main: (options: O) => Promise<void>, hooks: { cleanUp: () => Promise<void>; signalled: () => number }): void {
  let options: O;
  try {
    options = parse(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  main(options)
    .then(
      () => (process.exitCode = 0),
      (err: unknown) => {
        if (hooks.signalled() === 0) console.error(err);
        process.exitCode = hooks.signalled() ? 130 : 1;
      },
    )
    .finally(async () => {
      await hooks.cleanUp();
      process.exit(process.exitCode ?? 0);
    });
}
