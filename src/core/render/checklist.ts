/**
 * The post-incident checklist template: its "- " lines are the items. Items are keyed by position
 * ("item-1"…) so a tick means the same thing in every locale; start-up checks that every locale
 * has the same number of items and that each fits in a Slack checkbox option.
 */
import type { Template } from './template.js';

export interface ChecklistItem {
  key: string;
  text: string;
}

export const CHECKLIST_ITEM_MAX = 75;
export const CHECKLIST_MAX_ITEMS = 30;

function literalText(template: Template): string {
  return template.parts.map((p) => ('literal' in p ? p.literal : `{{${p.placeholder}}}`)).join('');
}

export function checklistItems(template: Template): ChecklistItem[] {
  return literalText(template)
    .split('\n')
    .filter((line) => /^\s*[-*]\s+\S/.test(line))
    .map((line, i) => ({ key: `item-${i + 1}`, text: line.replace(/^\s*[-*]\s+/, '').trim() }));
}

/** The template without its item lines: the heading shown above the checkboxes. */
export function checklistHeading(template: Template): Template {
  const parts = template.parts.map((p) =>
    'literal' in p ? { literal: p.literal.split('\n').filter((l) => !/^\s*[-*]\s+\S/.test(l)).join('\n') } : p,
  );
  return { source: template.source, parts };
}

/** Problems with one locale's checklist, or with the locales disagreeing; empty when fine. */
export function checklistProblems(byLocale: Array<{ locale: string; template: Template }>): string[] {
  const problems: string[] = [];
  const counts = byLocale.map(({ locale, template }) => {
    const items = checklistItems(template);
    if (items.length === 0) problems.push(`${template.source}: no items (write each one on a line starting with "- ")`);
    if (items.length > CHECKLIST_MAX_ITEMS) problems.push(`${template.source}: ${items.length} items; at most ${CHECKLIST_MAX_ITEMS}`);
    for (const item of items) {
      if (item.text.length > CHECKLIST_ITEM_MAX) problems.push(`${template.source}: item "${item.text.slice(0, 30)}…" is longer than ${CHECKLIST_ITEM_MAX} characters`);
      if (item.text.includes('{{')) problems.push(`${template.source}: item "${item.text}" may not contain placeholders`);
    }
    return { locale, count: items.length };
  });
  const distinct = new Set(counts.map((c) => c.count));
  if (distinct.size > 1) problems.push(`checklist item counts differ between locales (${counts.map((c) => `${c.locale}: ${c.count}`).join(', ')}); ticks are kept by position, so every locale needs the same items`);
  return problems;
}
