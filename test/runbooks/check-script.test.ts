/** `npm run runbooks:check` as run: scripts/runbooks-check.ts under tsx, its output and exit status. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = path.join(ROOT, 'scripts', 'runbooks-check.ts');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script from the repository root (so fixture directories are shown relative to it). */
function check(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(TSX, [SCRIPT, ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('npm run runbooks:check', () => {
  it('valid runbooks: "N runbooks OK", exit 0', async () => {
    const run = await check('test/fixtures/runbooks/valid');
    expect(run).toEqual({ status: 0, stdout: '2 runbooks OK\n', stderr: '' });
  });

  it('broken runbooks: one line per problem, with the file, line and field, then a count; exit 1', async () => {
    const run = await check('test/fixtures/runbooks/broken');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      'test/fixtures/runbooks/broken/redis-down-again.md:9: kind: unknown step kind "chek" (did you mean "check"?): a step is firebreak check, firebreak action, firebreak manual or firebreak notify',
      'test/fixtures/runbooks/broken/redis-down.md:2: id: runbook id "redis-down" is already the id of redis-down-again.md (line 2): each runbook needs its own',
      'test/fixtures/runbooks/broken/redis-down.md:18: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)',
      '3 problems in 2 files',
      '',
    ]);
  });

  it('with --config, target names are checked against that configuration', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-runbooks-check-'));
    dirs.push(dir);
    const runbooks = path.join(dir, 'runbooks');
    mkdirSync(runbooks);
    writeFileSync(path.join(runbooks, 'pg.md'), ['---', 'id: pg', 'title: T', 'severity: P2', '---', '```firebreak check', 'id: db', 'diag: db', 'target: mian', '```'].join('\n'));
    // No directory given: the configuration's runbooks.dir is read.
    writeFileSync(path.join(dir, 'firebreak.yml'), ['incidents: { channel: C0INCIDENTS }', 'targets:', '  postgres:', '    - { name: main, url: "postgres://firebreak@127.0.0.1:5432/app" }', `runbooks: { dir: ${JSON.stringify(runbooks)} }`].join('\n'));

    const without = await check(runbooks);
    expect(without).toEqual({ status: 0, stdout: '1 runbook OK\n', stderr: '' });
    const withConfig = await check('--config', path.join(dir, 'firebreak.yml'));
    expect(withConfig.status).toBe(1);
    expect(withConfig.stderr).toBe(`${runbooks}/pg.md:9: target: there is no postgres target "mian" (did you mean "main"?); configured: main\n1 problem in 1 file\n`);
  });

  it('a configuration that does not load, or a wrong option: exit 2 with the reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fb-runbooks-check-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'bad.yml'), 'incidents: { channel: C0INCIDENTS }\nrunbooks: { autoRunChecks: maybe }\n');
    const bad = await check('--config', path.join(dir, 'bad.yml'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('runbooks.autoRunChecks: expected true or false, got "maybe"');
    const wrong = await check('--strict');
    expect(wrong).toMatchObject({ status: 2, stderr: 'unknown option --strict\nusage: npm run runbooks:check -- [runbooks-dir] [--config firebreak.yml]\n' });
  });
});
