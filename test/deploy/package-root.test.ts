/** Files shipped beside the code are found from the package's folder, from src/ (tsx) and from dist/src/ (compiled) alike. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNBOOKS_DIR } from '../../src/adapters/runbooks/load-runbooks.js';
import { DEFAULT_TEMPLATES_DIR } from '../../src/adapters/templates/load-templates.js';
import { PACKAGE_ROOT, packageRootAbove } from '../../src/package-root.js';
import { VERSION } from '../../src/version.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const made = mkdtempSync(path.join(tmpdir(), 'fb-root-'));
afterAll(() => rmSync(made, { recursive: true, force: true }));

describe('the package folder', () => {
  it('is the repository when the code runs from src/', () => {
    expect(PACKAGE_ROOT).toBe(ROOT);
    expect(DEFAULT_RUNBOOKS_DIR).toBe(path.join(ROOT, 'runbooks'));
    expect(DEFAULT_TEMPLATES_DIR).toBe(path.join(ROOT, 'runbooks', 'templates'));
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is the same folder from a compiled module two levels down (dist/src/adapters/…)', () => {
    writeFileSync(path.join(made, 'package.json'), '{"version":"9.9.9"}');
    const deep = path.join(made, 'dist', 'src', 'adapters', 'runbooks');
    mkdirSync(deep, { recursive: true });
    expect(packageRootAbove(deep)).toBe(made);
    expect(packageRootAbove(path.join(made, 'dist', 'src'))).toBe(made);
  });

  it('says so when no folder above holds a package.json', () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'fb-bare-'));
    try {
      expect(() => packageRootAbove(bare)).toThrow(/no package\.json in .*fb-bare-/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
