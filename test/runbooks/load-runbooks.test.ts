/**
 * Loading a runbooks directory: which files are read, every problem of every file reported at
 * once, the runbooks config section, and start-up stopping on an invalid runbook before the
 * store is opened.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRunbooks, DEFAULT_RUNBOOKS_DIR, loadRunbooks, runbookWorld } from '../../src/adapters/runbooks/load-runbooks.js';
import { targetsSchema } from '../../src/adapters/targets/registry.js';
import { composeFirebreak } from '../../src/compose.js';
import { createLogger } from '../../src/logger.js';
import { fakeConfig } from '../fakes/context.js';
import { memoryStore } from '../fakes/memory-store.js';

const VALID = new URL('../fixtures/runbooks/valid', import.meta.url).pathname;
const CATALOGUE = runbookWorld({ targets: targetsSchema.parse({}), remediation: { maxReplicas: 20 } }, { checkTargets: false });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmpDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-runbooks-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const front = (id: string, extra: string[] = []) => ['---', `id: ${id}`, 'title: T', 'severity: P3', ...extra, '---'];
const manual = (id: string) => ['```firebreak manual', `id: ${id}`, 'instruction: Do it.', '```'];

describe('loadRunbooks', () => {
  it('reads the *.md directly in the directory, in name order, skipping README.md and subdirectories', () => {
    const runbooks = loadRunbooks(VALID, CATALOGUE);
    expect(runbooks.map((r) => [r.file, r.id])).toEqual([
      ['pg-long-queries.md', 'pg-long-queries'],
      ['redis-memory.md', 'redis-memory'],
    ]);
  });

  it('defaults to the shipped runbooks directory', () => {
    expect(DEFAULT_RUNBOOKS_DIR).toBe(new URL('../../runbooks', import.meta.url).pathname.replace(/\/$/, ''));
  });

  it('reports every problem of every file in one error that stops start-up', () => {
    const dir = tmpDir({
      'a-first.md': [...front('first'), '```firebreak action', 'id: restart', 'action: k8s.restrat', '```'].join('\n'),
      'b-no-front.md': ['# No front matter', ...manual('one')].join('\n'),
      'c-twice.md': [...front('first'), ...manual('one'), ...manual('one')].join('\n'),
      'd-junk.md': Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]),
      'e-kind.md': [...front('e'), '```firebreak chek', 'id: x', '```'].join('\n'),
      'notes.txt': 'not a runbook',
      'README.md': 'no front matter here, and none needed',
      'templates/en/update.md': 'not a runbook',
    });
    let thrown: unknown;
    try {
      loadRunbooks(dir, CATALOGUE);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'FirebreakError', code: 'RUNBOOK_INVALID' });
    const lines = (thrown as Error).message.split('\n');
    expect(lines[0]).toBe('Invalid runbooks (6 problems):');
    expect(lines.slice(1)).toEqual([
      `- ${dir}/a-first.md:8: action: unknown action "k8s.restrat" (did you mean "k8s.rollout-restart"?)`,
      `- ${dir}/b-no-front.md:1: front matter: a runbook starts with its front matter: a line "---", then id, title and severity (docs/RUNBOOKS.md), then a line "---"`,
      `- ${dir}/c-twice.md:2: id: runbook id "first" is already the id of a-first.md (line 2): each runbook needs its own`,
      `- ${dir}/c-twice.md:11: id: step id "one" is already used by the step at line 6: each step needs its own`,
      `- ${dir}/d-junk.md:1: file: not a text file: it is not UTF-8 (a runbook is UTF-8 Markdown)`,
      `- ${dir}/e-kind.md:6: kind: unknown step kind "chek" (did you mean "check"?): a step is firebreak check, firebreak action, firebreak manual or firebreak notify`,
    ]);
  });

  it('shows a directory below the working directory relative to it', () => {
    const check = checkRunbooks(new URL('../fixtures/runbooks/broken', import.meta.url).pathname, CATALOGUE);
    expect(check.shownDir).toBe(path.relative(process.cwd(), new URL('../fixtures/runbooks/broken', import.meta.url).pathname));
    expect(check.problems.length).toBeGreaterThan(0);
  });

  it('an empty directory holds no runbooks; a missing one is a problem', () => {
    expect(loadRunbooks(tmpDir(), CATALOGUE)).toEqual([]);
    const missing = path.join(tmpDir(), 'nope');
    expect(() => loadRunbooks(missing, CATALOGUE)).toThrow(`Invalid runbooks (1 problem):\n- runbooks.dir: cannot read the runbooks directory ${missing}: it does not exist`);
    const file = path.join(tmpDir({ 'f.md': 'x' }), 'f.md');
    expect(() => loadRunbooks(file, CATALOGUE)).toThrow(/runbooks\.dir: cannot read the runbooks directory .*: it is not a directory/);
  });

  it('checks target names against the configured targets when the world has them', () => {
    const dir = tmpDir({ 'pg.md': [...front('pg'), '```firebreak check', 'id: db', 'diag: db', 'target: mian', '```'].join('\n') });
    expect(loadRunbooks(dir, CATALOGUE)).toHaveLength(1);
    const world = runbookWorld(fakeConfig({ targets: { postgres: [{ name: 'main', url: 'postgres://firebreak@127.0.0.1:5432/app' }] } }));
    expect(world.targets).toEqual({ postgres: ['main'], redis: [], kubernetes: [], http: [], prometheus: [], hosts: [], docker: [], rabbitmq: [] });
    expect(() => loadRunbooks(dir, world)).toThrow(`- ${dir}/pg.md:9: target: there is no postgres target "mian" (did you mean "main"?); configured: main`);
  });
});

describe('the runbooks config section', () => {
  it('defaults to the shipped runbooks and no automatic checks', () => {
    expect(fakeConfig().runbooks).toEqual({ dir: undefined, autoRunChecks: false });
  });

  it('takes dir and autoRunChecks from the file; FIREBREAK_RUNBOOKS_DIR wins over the file', () => {
    expect(fakeConfig({ runbooks: { dir: './ops/runbooks', autoRunChecks: true } }).runbooks).toEqual({ dir: './ops/runbooks', autoRunChecks: true });
    expect(fakeConfig({ runbooks: { dir: './ops/runbooks' } }, { FIREBREAK_RUNBOOKS_DIR: '/srv/runbooks' }).runbooks).toEqual({ dir: '/srv/runbooks', autoRunChecks: false });
  });

  it('refuses what is not a setting of the section', () => {
    expect(() => fakeConfig({ runbooks: { autoRunChecks: 'yes' } })).toThrow('runbooks.autoRunChecks: expected true or false, got "yes"');
    expect(() => fakeConfig({ runbooks: { directory: 'x' } })).toThrow(/runbooks: unknown key "directory"/);
  });
});

describe('start-up', () => {
  const logger = createLogger({ level: 'silent', secrets: [] });

  it('loads the runbooks of the configured directory into ctx.runbooks', async () => {
    const dir = tmpDir();
    cpSync(VALID, dir, { recursive: true });
    const composed = await composeFirebreak(fakeConfig({}, { FIREBREAK_RUNBOOKS_DIR: dir }), logger, { store: memoryStore() });
    try {
      expect(composed.ctx.runbooks.list().map((r) => r.id)).toEqual(['pg-long-queries', 'redis-memory']);
      expect(composed.ctx.runbooks.match({ alertnames: ['RedisMemoryHigh'] }).map((r) => r.id)).toEqual(['redis-memory']);
    } finally {
      await composed.stop({ drainMs: 100 });
    }
  });

  it('an invalid runbook stops start-up before the store is opened', async () => {
    const dir = tmpDir({ 'bad.md': [...front('bad'), '```firebreak action', 'id: x', 'action: pg.terminate-lng', '```'].join('\n') });
    const dataDir = path.join(tmpDir(), 'data');
    await expect(composeFirebreak(fakeConfig({ runbooks: { dir } }, { FIREBREAK_DATA_DIR: dataDir }), logger)).rejects.toMatchObject({
      code: 'RUNBOOK_INVALID',
      userMessage: `Invalid runbooks (1 problem):\n- ${dir}/bad.md:8: action: unknown action "pg.terminate-lng" (did you mean "pg.terminate-long"?)`,
    });
    expect(existsSync(dataDir)).toBe(false);
  });
});
