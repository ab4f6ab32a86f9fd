/**
 * Reads every runbook of the runbooks directory once, at start (and for `npm run runbooks:check`),
 * and checks each against the rest of Firebreak: the remediation catalogue, the diagnostics, the
 * communication templates and, at start-up, the configured targets. Every problem of every file
 * is collected; one invalid runbook stops start-up, as an invalid template does.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { FirebreakError } from '../../core/errors.js';
import { shipped } from '../../package-root.js';
import type { Runbook } from '../../core/runbook/model.js';
import { formatProblem, validate, type RunbookProblem, type RunbookWorld, type SourcedRunbook } from '../../core/runbook/validate.js';
import { TEMPLATE_KINDS } from '../../core/render/templates-catalogue.js';
import { DIAG_WORDS, remediationCatalogueFor, type TargetsConfig } from '../targets/registry.js';
import { LARGEST_RUNBOOK, parseRunbookMarkdown } from './parse-markdown.js';

/** The runbooks shipped with Firebreak (communication templates live in its templates/ folder, not read here). */
export const DEFAULT_RUNBOOKS_DIR = shipped('runbooks');

/** What the rules check runbooks against, from a configuration. Without `checkTargets`, names of targets are not checked (no configuration at hand). */
export function runbookWorld(config: { targets: TargetsConfig; remediation: { maxReplicas: number } }, options: { checkTargets?: boolean } = {}): RunbookWorld {
  const { targets } = config;
  return {
    actions: remediationCatalogueFor(config).actions,
    diagWords: DIAG_WORDS.filter((w) => w !== 'all'),
    templateKinds: Object.keys(TEMPLATE_KINDS),
    ...(options.checkTargets === false
      ? {}
      : {
          targets: {
            postgres: targets.postgres.map((t) => t.name),
            redis: targets.redis.map((t) => t.name),
            kubernetes: targets.kubernetes.map((t) => t.name),
            http: targets.http.map((t) => t.name),
            prometheus: targets.prometheus.map((t) => t.name),
            hosts: targets.hosts.map((t) => t.name),
            docker: targets.docker.map((t) => t.name),
            rabbitmq: targets.rabbitmq.map((t) => t.name),
          },
        }),
  };
}

export interface RunbookCheck {
  runbooks: Runbook[];
  problems: RunbookProblem[];
  /** How the directory is shown before each file in a problem ("runbooks"). */
  shownDir: string;
}

/** The directory as people see it from where Firebreak runs: relative when it is below, else absolute. */
function shownDirOf(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : dir;
}

/** The `*.md` files directly in `dir` (README.md aside; subdirectories such as templates/ are not runbooks). */
function runbookFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name.toLowerCase().endsWith('.md') && e.name.toLowerCase() !== 'readme.md')
    .filter((e) => e.isFile() || (e.isSymbolicLink() && statSafe(path.join(dir, e.name))?.isFile()))
    .map((e) => e.name)
    .sort();
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and checks every runbook of `dir` (unset: the shipped runbooks/); never throws for what the files hold. */
export function checkRunbooks(dirOrDefault: string | undefined, world: RunbookWorld): RunbookCheck {
  const dir = dirOrDefault ?? DEFAULT_RUNBOOKS_DIR;
  const shownDir = shownDirOf(dir);
  const problems: RunbookProblem[] = [];
  let files: string[];
  try {
    files = runbookFiles(dir);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is not a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    return { runbooks: [], shownDir, problems: [{ file: '', line: 0, field: 'runbooks.dir', message: `cannot read the runbooks directory ${dir}: ${why}` }] };
  }
  const sourced: SourcedRunbook[] = [];
  for (const file of files) {
    let text: string;
    try {
      const bytes = readFileSync(path.join(dir, file));
      if (bytes.length > LARGEST_RUNBOOK * 4) {
        problems.push({ file, line: 1, field: 'file', message: `${bytes.length} bytes is more than a runbook holds: split it into several runbooks` });
        continue;
      }
      text = utf8.decode(bytes);
    } catch (err) {
      const reason = err instanceof TypeError ? 'not a text file: it is not UTF-8 (a runbook is UTF-8 Markdown)' : `cannot be read: ${String((err as { code?: unknown }).code ?? (err as Error).message)}`;
      problems.push({ file, line: 1, field: 'file', message: reason });
      continue;
    }
    const parsed = parseRunbookMarkdown(file, text);
    problems.push(...parsed.problems);
    if (parsed.runbook) sourced.push({ runbook: parsed.runbook, lines: parsed.lines, brokenStepIds: parsed.brokenStepIds });
  }
  problems.push(...validate(sourced, world));
  // File by file, line by line, as an editor lists them.
  const ordered = problems.map((p, i) => ({ p, i })).sort((a, b) => a.p.file.localeCompare(b.p.file) || a.p.line - b.p.line || a.i - b.i).map((x) => x.p);
  return { runbooks: sourced.map((s) => s.runbook), problems: ordered, shownDir };
}

/** A problem as a line: `runbooks/redis-down.md:42: action: …` (or the directory's own problem). */
export function problemLine(problem: RunbookProblem, shownDir: string): string {
  return problem.file ? formatProblem(problem, shownDir) : `${problem.field}: ${problem.message}`;
}

/**
 * The runbooks of `dir` (unset: the shipped runbooks/), checked against `world`, or one RUNBOOK_INVALID error listing every
 * problem of every file (start-up stops on it, as on an invalid communication template).
 */
export function loadRunbooks(dir: string | undefined, world: RunbookWorld): Runbook[] {
  const { runbooks, problems, shownDir } = checkRunbooks(dir, world);
  if (problems.length) {
    throw new FirebreakError('RUNBOOK_INVALID', `Invalid runbooks (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n- ${problems.map((p) => problemLine(p, shownDir)).join('\n- ')}`);
  }
  return runbooks;
}
