import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/adapters/templates/load-templates.js';
import { LOCALES, TEMPLATE_KINDS } from '../../src/core/render/templates-catalogue.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function copyOfShipped(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-templates-'));
  dirs.push(dir);
  cpSync(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  return dir;
}

describe('loading the communication templates', () => {
  it('loads every shipped template in every locale', () => {
    const t = loadTemplates();
    for (const locale of LOCALES) for (const kind of Object.keys(TEMPLATE_KINDS)) expect(() => t.get(locale, kind as keyof typeof TEMPLATE_KINDS)).not.toThrow();
  });

  it('stops with every problem named: unknown placeholder, missing file, empty template, checklist mismatch', () => {
    const dir = copyOfShipped();
    writeFileSync(path.join(dir, 'en/update.md'), 'Update {{incident_id}} {{progres}}\n');
    rmSync(path.join(dir, 'fr/resolution.md'));
    writeFileSync(path.join(dir, 'en/severity.md'), '  {{title}}  \n');
    expect(() => loadTemplates(dir)).toThrow(
      expect.objectContaining({
        code: 'TEMPLATE_INVALID',
        userMessage: expect.stringMatching(/en\/update\.md:1: unknown placeholder "\{\{progres\}\}"[\s\S]*en\/severity\.md: renders to nothing[\s\S]*fr\/resolution\.md: missing/),
      }),
    );
    const other = copyOfShipped();
    writeFileSync(path.join(other, 'fr/checklist.md'), 'Liste {{incident_id}}\n- Un\n- Deux\n');
    expect(() => loadTemplates(other)).toThrow(/checklist item counts differ between locales \(en: 10, fr: 2\)/);
  });
});
