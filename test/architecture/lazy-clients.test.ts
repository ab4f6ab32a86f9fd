/**
 * The target kinds' client libraries are loaded when a target of their kind is first used, not
 * when Firebreak starts (src/adapters/targets/shared/lazy-module.ts): a process that imports the
 * whole bot (composition, Slack server, local mode) loads none of them, which is read off a real
 * child process: a module hook prints every package imported, and the require cache lists every
 * package required (the lazy loads go through require).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clientNode } from '../../src/adapters/targets/kubernetes/lib.js';
import { lazyModule } from '../../src/adapters/targets/shared/lazy-module.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAZY = ['@kubernetes/client-node', 'ssh2', 'amqplib', 'ioredis'];

/** What the process required, printed after the script ran. */
const REQUIRED = `
const { createRequire } = await import('node:module');
for (const file of Object.keys(createRequire(import.meta.url).cache)) {
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
  if (m) process.stderr.write('package ' + m[1] + '\\n');
}`;

async function packagesResolvedBy(script: string): Promise<string[]> {
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--import', './test/architecture/fixtures/package-trace.mjs', '--input-type=module', '-e', script + REQUIRED], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('package '))
    .map((l) => l.slice('package '.length));
}

describe('the client libraries of the target kinds', () => {
  it('are not loaded by importing the whole bot', async () => {
    const loaded = await packagesResolvedBy("await import('./src/compose.ts'); await import('./src/server.ts'); await import('./src/local.ts');");
    // The hook sees packages at all: the ones every start needs are there.
    expect(loaded).toEqual(expect.arrayContaining(['@slack/bolt', 'pg', 'zod', 'pino']));
    for (const name of LAZY) expect(loaded, name).not.toContain(name);
  }, 90_000);

  it('are loaded on first use, once', async () => {
    const loaded = await packagesResolvedBy("const { clientNode } = await import('./src/adapters/targets/kubernetes/lib.ts'); const k = clientNode(); new k.KubeConfig();");
    expect(loaded).toContain('@kubernetes/client-node');
    // The control for the test above: the same detection sees a package loaded through require.
    expect(loaded).not.toContain('ssh2');

    const lib = lazyModule<{ sep: string }>('node:path', import.meta.url);
    expect(lib.loaded).toBe(false);
    expect(lib().sep).toBe(path.sep);
    expect(lib.loaded).toBe(true);
    expect(lib()).toBe(lib());
    // The same module as a static import would give (instanceof holds across both).
    const { KubeConfig } = await import('@kubernetes/client-node');
    expect(clientNode().KubeConfig).toBe(KubeConfig);
  }, 90_000);
});
