/**
 * Mutation testing of one source file at a time, static mutants included, with only the tests that
 * import it (`npm run test:mutation:file -- src/core/incident/labels.ts`). A static mutant (code
 * that runs when a module loads) cannot be traced to the tests that cover it, so Stryker runs every
 * test of the configuration for each one, with every module loaded again: 20 to 30 s each here over
 * the whole mutation set. A test file that does not import the mutated file, directly or through
 * other modules, cannot see the mutant; leaving it out changes no result and makes each run a
 * fraction as long. The tests that import it are the ones `vitest related` finds (static and
 * literal dynamic imports); a test reaching the file only through a child process or a computed
 * import would be left out, which could only make a mutant look surviving, never killed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

interface Options {
  files: string[];
  concurrency: number;
}

const USAGE = `Mutation testing of single source files, static mutants included, each with the tests that import it.

  npm run test:mutation:file -- src/core/incident/labels.ts [more files]
  npm run test:mutation:file -- --concurrency 1 src/core/size.ts

Options:
  --concurrency N   Stryker's test runners (default 2)

Each file gets its own report (reports/mutation/file-<name>.json) and incremental file, so a
second run of the same file re-runs only what changed (not the static mutants after a test file
was added: delete the incremental file then). Printed: killed, survived and not covered,
static mutants apart, and every surviving mutant with its line and replacement.`;

function parseArgs(argv: string[]): Options {
  const files: string[] = [];
  let concurrency = 2;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--concurrency') {
      concurrency = Number(argv[(i += 1)]);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency takes a whole number of at least 1');
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg} (see --help)`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) throw new Error('name at least one source file (see --help)');
  return { files, concurrency };
}

/** The test files of the mutation configuration that import `file`, relative to the project. */
function relatedTests(file: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fb-mutation-related-'));
  try {
    const out = join(dir, 'related.json');
    const run = spawnSync('npx', ['vitest', 'related', file, '--run', '--config', 'vitest.mutation.config.ts', '--reporter=json', `--outputFile=${out}`, '--passWithNoTests'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`vitest related ${file} failed (exit ${run.status}): the tests must pass before mutants can be judged`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: Array<{ name: string }> };
    return report.testResults.map((r) => relative(process.cwd(), r.name)).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Mutant {
  status: string;
  static?: boolean;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}

function summarise(file: string, reportPath: string): void {
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { files: Record<string, { mutants: Mutant[] }> };
  const mutants = report.files[file]?.mutants ?? [];
  const count = (list: Mutant[], statuses: string[]) => list.filter((m) => statuses.includes(m.status)).length;
  for (const [label, list] of [['not static', mutants.filter((m) => !m.static)], ['static', mutants.filter((m) => m.static)]] as const) {
    const killed = count(list, ['Killed', 'Timeout']);
    const survived = count(list, ['Survived']);
    const uncovered = count(list, ['NoCoverage']);
    const scored = killed + survived + uncovered;
    const score = scored === 0 ? '—' : `${((killed / scored) * 100).toFixed(1)} %`;
    console.log(`  ${label}: ${score} (killed ${killed}, survived ${survived}, not covered ${uncovered}, errors ${list.length - scored})`);
  }
  for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
    const where = `${m.location.start.line}:${m.location.start.column}`;
    console.log(`    ${m.status === 'Survived' ? 'survived' : 'not covered'}${m.static ? ' (static)' : ''} ${where} ${m.mutatorName}: ${JSON.stringify(m.replacement ?? '').slice(0, 100)}`);
  }
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const base = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as Record<string, unknown>;
  let failed = false;
  for (const file of options.files) {
    const name = file.replace(/^src\//, '').replace(/\.ts$/, '').replace(/[^A-Za-z0-9]+/g, '-');
    const tests = relatedTests(file);
    console.log(`${file}: ${tests.length} test files import it`);
    if (tests.length === 0) {
      console.log('  no test imports it: every mutant is not covered');
      continue;
    }
    const configPath = `stryker.file-${name}.local.json`;
    const reportPath = `reports/mutation/file-${name}.json`;
    writeFileSync(configPath, JSON.stringify({
      ...base,
      mutate: [file],
      concurrency: options.concurrency,
      tempDirName: `.stryker-tmp-file-${name}`,
      incrementalFile: `reports/mutation/file-${name}-incremental.json`,
      jsonReporter: { fileName: reportPath },
      reporters: ['json', 'progress'],
    }, null, 2));
    try {
      const run = spawnSync('npx', ['stryker', 'run', configPath], { stdio: 'inherit', env: { ...process.env, MUTATION_TESTS: JSON.stringify(tests) } });
      if (run.status !== 0) {
        console.error(`${file}: Stryker exited with ${run.status}`);
        failed = true;
        continue;
      }
      summarise(file, reportPath);
    } finally {
      rmSync(configPath, { force: true });
    }
  }
  process.exit(failed ? 1 : 0);
}

try {
  main();
} catch (err) {
  console.error(`mutation-file: ${(err as Error).message}`);
  process.exit(2);
}
