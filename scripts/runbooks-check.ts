/**
 * `npm run runbooks:check [dir] [--config firebreak.yml]`: reads every runbook of the directory
 * (default: the shipped runbooks/) and checks it against every remediation action Firebreak has,
 * and, with --config, against that configuration's targets as start-up would. Prints each
 * problem on a line of its own and exits 1 when there is any, else "N runbooks OK" and exits 0.
 * A usage mistake or a configuration that does not load exits 2.
 */
import { loadConfig } from '../src/config.js';
import { checkRunbooks, problemLine, runbookWorld } from '../src/adapters/runbooks/load-runbooks.js';
import { targetsSchema } from '../src/adapters/targets/registry.js';
import type { RunbookWorld } from '../src/core/runbook/validate.js';

const USAGE = 'usage: npm run runbooks:check -- [runbooks-dir] [--config firebreak.yml]';

function parseArgs(argv: readonly string[]): { dir?: string; config?: string } | string {
  const out: { dir?: string; config?: string } = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return USAGE;
    if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? argv[(i += 1)] : arg.slice('--config='.length);
      if (!value) return `--config needs the path of a configuration file\n${USAGE}`;
      out.config = value;
    } else if (arg.startsWith('-')) return `unknown option ${arg}\n${USAGE}`;
    else if (out.dir !== undefined) return `one runbooks directory at a time (got ${out.dir} and ${arg})\n${USAGE}`;
    else out.dir = arg;
  }
  return out;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    (args === USAGE ? process.stdout : process.stderr).write(`${args}\n`);
    return args === USAGE ? 0 : 2;
  }
  let world: RunbookWorld;
  let dir = args.dir;
  if (args.config !== undefined) {
    const loaded = loadConfig({ ...process.env, FIREBREAK_CONFIG: args.config }, process.cwd(), { requireSlack: false });
    if (!loaded.ok) {
      process.stderr.write(`${args.config} does not load:\n${loaded.problems.map((p) => `- ${p}`).join('\n')}\n`);
      return 2;
    }
    world = runbookWorld(loaded.config);
    dir ??= loaded.config.runbooks.dir;
  } else {
    // Every action exists whatever is configured: an empty configuration gives the whole catalogue.
    world = runbookWorld({ targets: targetsSchema.parse({}), remediation: { maxReplicas: 20 } }, { checkTargets: false });
  }
  const { runbooks, problems, shownDir } = checkRunbooks(dir, world);
  if (problems.length) {
    for (const p of problems) process.stderr.write(`${problemLine(p, shownDir)}\n`);
    const files = new Set(problems.map((p) => p.file).filter(Boolean)).size;
    process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'}${files ? ` in ${files} file${files === 1 ? '' : 's'}` : ''}\n`);
    return 1;
  }
  process.stdout.write(`${runbooks.length} runbook${runbooks.length === 1 ? '' : 's'} OK\n`);
  return 0;
}

process.exitCode = main();
