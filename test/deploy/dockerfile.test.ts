/**
 * The Dockerfile read as Docker reads it (no daemon here): a build stage that compiles, a slim
 * runtime stage with the production dependencies only, the compiled code and the files read at
 * run time, never the sources or the tests, run as a non-root numeric user with a health check.
 * build.test.ts repeats the runtime stage's steps outside Docker and runs the result.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOf, execForm, instructions, parseDockerfile, readDockerfile, ROOT, type Stage } from './dockerfile.js';

const { stages } = readDockerfile();
const build = stages[0]!;
const runtime = stages.at(-1)!;
const runs = (stage: Stage) => instructions(stage, 'RUN').map((i) => i.args);
const envOf = (stage: Stage) => Object.fromEntries(instructions(stage, 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));

describe('the Dockerfile reader', () => {
  it('joins continued lines, skips comments and puts ARG defaults into FROM', () => {
    const read = parseDockerfile('ARG IMG=node:20-slim\n# a comment\nFROM ${IMG} AS one\nRUN a \\\n  # inside\n  && b\nFROM one\nCMD ["x", "y"]\n');
    expect(read.stages.map((s) => [s.from, s.name])).toEqual([['node:20-slim', 'one'], ['one', undefined]]);
    expect(read.stages[0]!.instructions).toEqual([{ keyword: 'RUN', args: 'a && b', line: 4 }]);
    expect(execForm(read.stages[1]!.instructions[0]!.args)).toEqual(['x', 'y']);
    expect(copyOf({ keyword: 'COPY', args: '--from=build --chown=1:1 /app/dist ./dist', line: 1 })).toEqual({ from: 'build', sources: ['/app/dist'], destination: './dist' });
  });
});

describe('the build stage', () => {
  it('installs every dependency from the lock file and compiles', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name).toBe('build');
    const commands = runs(build);
    expect(commands.some((c) => /\bnpm ci\b/.test(c) && !c.includes('--omit'))).toBe(true);
    expect(commands.some((c) => c.includes('npm run build'))).toBe(true);
    const copied = instructions(build, 'COPY').flatMap((i) => copyOf(i).sources);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'main.ts', 'src', 'commands']) expect(copied).toContain(needed);
  });
});

describe('the runtime stage', () => {
  it('starts from a slim Node 20 image', () => {
    expect(runtime.from).toMatch(/^node:20(\.\d+)*-(\w+-)?slim(@sha256:[0-9a-f]{64})?$/);
    expect(runtime.name).toBe('runtime');
  });

  it('installs the production dependencies only, from the lock file', () => {
    const installs = runs(runtime).filter((c) => /\bnpm (ci|install|i)\b/.test(c));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/\bnpm ci --omit=dev\b/);
    expect(envOf(runtime).NODE_ENV).toBe('production');
  });

  it('copies the compiled code from the build stage and, from the sources, only what is read at run time', () => {
    const copies = instructions(runtime, 'COPY').map(copyOf);
    const fromBuild = copies.filter((c) => c.from !== undefined);
    expect(fromBuild).toEqual([{ from: 'build', sources: ['/app/dist'], destination: './dist' }]);
    const fromContext = copies.filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(fromContext.sort()).toEqual(['bin', 'package-lock.json', 'package.json', 'runbooks']);
    for (const never of ['src', 'commands', 'test', 'scripts', 'main.ts', 'tsconfig.json', 'node_modules', '.']) expect(fromContext).not.toContain(never);
    expect(instructions(runtime, 'ADD')).toEqual([]);
  });

  it('runs as a non-root user named by number, created with that number', () => {
    const users = instructions(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.args.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid).toMatch(/^\d+$/);
    expect(runs(runtime).join('\n')).toContain(`useradd --system --uid ${uid} --gid ${gid}`);
    // USER comes after every RUN (nothing after it runs as root) and before CMD.
    const lines = runtime.instructions.map((i) => i.keyword);
    expect(lines.lastIndexOf('RUN')).toBeLessThan(lines.indexOf('USER'));
    expect(lines.indexOf('USER')).toBeLessThan(lines.indexOf('CMD'));
  });

  it('exposes 3000, checks /healthz with node (no curl in a slim image) and starts dist/main.js', () => {
    expect(instructions(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['3000']);
    expect(envOf(runtime).PORT).toBe('3000');
    const health = instructions(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    const check = execForm(health[0]!.args);
    expect(check[0]).toBe('node');
    expect(check.join(' ')).toContain('/healthz');
    expect(health[0]!.args).not.toMatch(/\b(curl|wget)\b/);
    expect(execForm(instructions(runtime, 'CMD')[0]!.args)).toEqual(['node', 'dist/main.js']);
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  it('keeps dependencies, history, build output, local state, secrets and test output out of the context', () => {
    for (const entry of ['node_modules', '.git', 'dist', '.env', '.env.*', 'firebreak.yml', '.firebreak-data', 'coverage', 'reports', 'test/artifacts', '.stryker-tmp']) {
      expect(ignored).toContain(entry);
    }
  });
  it('does not leave out anything the Dockerfile copies', () => {
    const copied = stages.flatMap((s) => instructions(s, 'COPY').map(copyOf).filter((c) => c.from === undefined).flatMap((c) => c.sources));
    for (const source of copied) expect(ignored.filter((entry) => entry === source || entry === source.split('/')[0])).toEqual([]);
  });
});
