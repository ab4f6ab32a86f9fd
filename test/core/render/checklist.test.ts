/** The post-incident checklist read from its template: the items, the heading, and what start-up refuses. */
import { describe, expect, it } from 'vitest';
import { checklistHeading, checklistItems, checklistProblems, CHECKLIST_ITEM_MAX, CHECKLIST_MAX_ITEMS } from '../../../src/core/render/checklist.js';
import { parseTemplate, renderTemplate } from '../../../src/core/render/template.js';

const tpl = (text: string, source = 'checklist.en.md') => parseTemplate(source, text, ['incident', 'channel']);

describe('checklist items', () => {
  it('are the lines starting with "- " or "* ", keyed by position, trimmed', () => {
    const t = tpl('Before closing {{incident}}:\n- Timeline complete  \n  * Owner named\n-not an item\n- \ntext\n\t-  Postmortem date set\n*bold* line');
    expect(checklistItems(t)).toEqual([
      { key: 'item-1', text: 'Timeline complete' },
      { key: 'item-2', text: 'Owner named' },
      { key: 'item-3', text: 'Postmortem date set' },
    ]);
  });

  it('read a placeholder in an item as written, so start-up can refuse it', () => {
    expect(checklistItems(tpl('- Tell {{channel}}'))).toEqual([{ key: 'item-1', text: 'Tell {{channel}}' }]);
  });

  it('are none in a template without item lines', () => {
    expect(checklistItems(tpl('Nothing to tick.'))).toEqual([]);
  });
});

describe('checklist heading', () => {
  it('is the template without its item lines, placeholders kept', () => {
    const t = tpl('Before closing {{incident}}:\n- one\n* two\n-   three spaced\n   - indented\nAsk - then tick\nThanks, {{channel}}.\n-not an item');
    const heading = checklistHeading(t);
    expect(heading.source).toBe('checklist.en.md');
    expect(renderTemplate(heading, { incident: 'INC-7', channel: '#inc-7' })).toBe('Before closing INC-7:\nAsk - then tick\nThanks, #inc-7.\n-not an item');
    expect(checklistItems(t).map((i) => i.text)).toEqual(['one', 'two', 'three spaced', 'indented']);
  });
});

describe('checklist problems', () => {
  const item = (n: number) => Array.from({ length: n }, (_, i) => `- item ${i + 1}`).join('\n');

  it('are none for locales with the same items, within the limits', () => {
    expect(CHECKLIST_ITEM_MAX).toBe(75); // Slack's checkbox option text
    expect(checklistProblems([{ locale: 'en', template: tpl(item(CHECKLIST_MAX_ITEMS)) }, { locale: 'fr', template: tpl(item(CHECKLIST_MAX_ITEMS), 'checklist.fr.md') }])).toEqual([]);
    expect(checklistProblems([{ locale: 'en', template: tpl(`- ${'x'.repeat(75)}`) }])).toEqual([]);
  });

  it('name a template without items', () => {
    expect(checklistProblems([{ locale: 'en', template: tpl('Only a heading') }])).toEqual(['checklist.en.md: no items (write each one on a line starting with "- ")']);
  });

  it('name too many items, and an item too long', () => {
    expect(checklistProblems([{ locale: 'en', template: tpl(item(31)) }])).toEqual(['checklist.en.md: 31 items; at most 30']);
    expect(checklistProblems([{ locale: 'en', template: tpl(`- ${'abcdefghij'.repeat(7)}xyzuvw`) }]))
      .toEqual([`checklist.en.md: item "${'abcdefghij'.repeat(3)}…" is longer than 75 characters`]);
  });

  it('name an item holding a placeholder', () => {
    expect(checklistProblems([{ locale: 'en', template: tpl('- Tell {{channel}}') }])).toEqual(['checklist.en.md: item "Tell {{channel}}" may not contain placeholders']);
  });

  it('name locales whose item counts differ, with each count', () => {
    expect(checklistProblems([
      { locale: 'en', template: tpl(item(3)) },
      { locale: 'fr', template: tpl(item(2), 'checklist.fr.md') },
      { locale: 'de', template: tpl(item(3), 'checklist.de.md') },
    ])).toEqual(['checklist item counts differ between locales (en: 3, fr: 2, de: 3); ticks are kept by position, so every locale needs the same items']);
  });
});
