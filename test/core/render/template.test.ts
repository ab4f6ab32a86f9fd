/** Communication templates at their edges: each refusal's whole message, the parts, values at their limit. */
import { describe, expect, it } from 'vitest';
import { MAX_VALUE_LENGTH, parseTemplate, renderTemplate, TemplateError } from '../../../src/core/render/template.js';

const allowed = ['title', 'eta'];

describe('parseTemplate', () => {
  it('splits the text into literals and placeholders, spaces inside a marker ignored', () => {
    expect(parseTemplate('t.md', 'Title: {{title}}\n{{  eta }}.', allowed)).toEqual({
      source: 't.md',
      parts: [{ literal: 'Title: ' }, { placeholder: 'title' }, { literal: '\n' }, { placeholder: 'eta' }, { literal: '.' }],
    });
    expect(parseTemplate('t.md', 'No marker } { here', allowed)).toEqual({ source: 't.md', parts: [{ literal: 'No marker } { here' }] });
    expect(parseTemplate('t.md', '', allowed)).toEqual({ source: 't.md', parts: [{ literal: '' }] });
  });

  it.each([
    ['{{1title}}', 't.md:1: "{{1title}}" is not a valid placeholder name'],
    ['{{Title}}', 't.md:1: "{{Title}}" is not a valid placeholder name'],
    ['a\n\n{{title-2}}', 't.md:3: "{{title-2}}" is not a valid placeholder name'],
    ['{{title x}}', 't.md:1: "{{title x}}" is not a valid placeholder name'],
    ['{{}}', 't.md:1: "{{}}" is not a valid placeholder name'],
    ['{{ti}}', 't.md:1: unknown placeholder "{{ti}}"; this template may use: title, eta'],
    ['{{title}}\n{{etas}}', 't.md:2: unknown placeholder "{{etas}}"; this template may use: title, eta'],
    ['{{title}} {{eta', 't.md: "{{" without a closing "}}"'],
    ['{{ title', 't.md: "{{" without a closing "}}"'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseTemplate('t.md', text, allowed)).toThrow(new TemplateError(message));
  });

  it('refuses with a TemplateError of its own code', () => {
    let caught: unknown;
    try {
      parseTemplate('t.md', '{{nope}}', allowed);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect(caught).toMatchObject({ name: 'TemplateError', code: 'TEMPLATE_INVALID' });
  });
});

describe('renderTemplate', () => {
  const t = parseTemplate('t.md', '{{title}}|{{eta}}', allowed);

  it('trims the whole, and values, but not trusted markup inside the text', () => {
    const padded = parseTemplate('t.md', '\n  {{title}} / {{eta}}  \n', allowed);
    expect(renderTemplate(padded, { title: '  Checkout  ', eta: { mrkdwn: ' <@U0BOB> ' } })).toBe('Checkout /  <@U0BOB>');
    expect(renderTemplate(padded, { title: 7, eta: 0 })).toBe('7 / 0');
    expect(renderTemplate(padded, { title: '\n\t', eta: { mrkdwn: ' \n ' } })).toBe('— / —');
  });

  it('shows a dash for a value the template names but the caller does not give', () => {
    expect(renderTemplate(t, {})).toBe('—|—');
  });

  it('keeps a value of exactly the limit whole and cuts one character more', () => {
    expect(MAX_VALUE_LENGTH).toBe(1500);
    expect(renderTemplate(t, { title: 'x'.repeat(1500), eta: 'soon' })).toBe(`${'x'.repeat(1500)}|soon`);
    expect(renderTemplate(t, { title: 'x'.repeat(1501), eta: 'soon' })).toBe(`${'x'.repeat(1499)}…|soon`);
  });

  it('does not cut trusted markup to the value limit', () => {
    const markup = `<@U0BOB> ${'y'.repeat(2000)}`;
    expect(renderTemplate(t, { title: { mrkdwn: markup }, eta: null }, 5000)).toBe(`${markup}|—`);
  });

  it('cuts the whole to 3000 characters unless told otherwise, at the exact limit', () => {
    const long = parseTemplate('t.md', '{{title}}{{eta}}', allowed);
    const exact = renderTemplate(long, { title: 'a'.repeat(1500), eta: 'b'.repeat(1500) });
    expect(exact).toBe(`${'a'.repeat(1500)}${'b'.repeat(1500)}`);
    const over = renderTemplate(parseTemplate('t.md', '{{title}}.{{eta}}', allowed), { title: 'a'.repeat(1500), eta: 'b'.repeat(1500) });
    expect(over).toBe(`${'a'.repeat(1500)}.${'b'.repeat(1498)}…`);
    expect(renderTemplate(t, { title: 'abcdef', eta: 'g' }, 6)).toBe('abcde…');
  });
});
