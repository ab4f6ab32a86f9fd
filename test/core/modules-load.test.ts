/**
 * Every module of the core loads, and so do the other modules mutation testing changes
 * (stryker.config.json: the logger, Slack's request signature, the schedule store). Each import is made inside its own test, so a module that throws
 * while loading (a table built at load time from a broken row, say) fails a test by name instead of
 * leaving a test file that collects nothing; mutation testing counts only failed tests, and would
 * otherwise take such a change for one nobody noticed.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));
const modules = readdirSync(CORE, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.split(path.sep).join('/'))
  .sort();
const OTHERS = ['../logger.ts', '../adapters/slack/request-signature.ts', '../adapters/postgres/schedule-store.ts'];

describe('the core modules', () => {
  it('are found', () => {
    expect(modules).toContain('incident/severity-terms.ts');
    expect(modules.length).toBeGreaterThan(20);
  });

  it.each([...modules, ...OTHERS])('%s loads', async (file) => {
    const loaded: Record<string, unknown> = await import(path.join(CORE, file));
    expect(typeof loaded).toBe('object');
  });
});
