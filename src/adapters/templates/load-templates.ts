/** Reads every communication template from disk once, at start, and checks it. */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { FirebreakError } from '../../core/errors.js';
import { shipped } from '../../package-root.js';
import { parseTemplate, renderTemplate, TemplateError, type Template } from '../../core/render/template.js';
import { checklistProblems } from '../../core/render/checklist.js';
import { LOCALES, TEMPLATE_KINDS } from '../../core/render/templates-catalogue.js';
import type { Templates } from '../../ports.js';

export const DEFAULT_TEMPLATES_DIR = shipped('runbooks', 'templates');

/**
 * Loads every kind in every locale. All problems are collected and thrown together as one
 * TEMPLATE_INVALID error naming each file and placeholder.
 */
export function loadTemplates(dir: string = DEFAULT_TEMPLATES_DIR): Templates {
  const loaded = new Map<string, Template>();
  const problems: string[] = [];
  for (const locale of LOCALES) {
    for (const [kind, spec] of Object.entries(TEMPLATE_KINDS)) {
      const file = path.join(dir, locale, spec.file);
      const shown = path.relative(process.cwd(), file) || file;
      if (!existsSync(file)) {
        problems.push(`${shown}: missing (every template must exist in each locale: ${LOCALES.join(', ')})`);
        continue;
      }
      try {
        const template = parseTemplate(shown, readFileSync(file, 'utf8'), spec.placeholders);
        // A template must say something even when every value is missing.
        if (renderTemplate(template, {}).replace(/—/g, '').trim() === '') throw new TemplateError(`${shown}: renders to nothing; write the message around its placeholders`);
        loaded.set(`${locale}/${kind}`, template);
      } catch (err) {
        if (err instanceof TemplateError) problems.push(err.message);
        else throw err;
      }
    }
  }
  if (!problems.length) {
    problems.push(...checklistProblems(LOCALES.map((locale) => ({ locale, template: loaded.get(`${locale}/checklist`) as Template }))));
  }
  if (problems.length) throw new FirebreakError('TEMPLATE_INVALID', `Invalid communication templates:\n- ${problems.join('\n- ')}`);
  return {
    get(locale, kind) {
      const t = loaded.get(`${locale}/${kind}`);
      if (!t) throw new Error(`template ${locale}/${kind} was not loaded`);
      return t;
    },
  };
}
