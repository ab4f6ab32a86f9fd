import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, truncate, dateToken, userMention } from '../../src/core/render/text.js';
import { parseTemplate, renderTemplate, TemplateError } from '../../src/core/render/template.js';

describe('escapeMrkdwn', () => {
  it('neutralises mentions, links and formatting typed by a user', () => {
    const out = escapeMrkdwn('<!channel> *x* <@U123> & _y_ ~z~ `code`');
    expect(out).not.toMatch(/<|>/);
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('&amp;');
    // every formatting character is preceded by a zero-width space, so none can open or close a style
    expect(out.match(/(?<!\u200B)[*_~`]/g)).toBeNull();
    expect(out.replace(/\u200B/g, '')).toBe('&lt;!channel&gt; *x* &lt;@U123&gt; &amp; _y_ ~z~ `code`');
  });
});

describe('truncate', () => {
  it('leaves short text alone and cuts long text to the limit with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    const cut = truncate('a'.repeat(5000), 3000);
    expect(cut).toHaveLength(3000);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never cuts inside an entity, a Slack token or an emoji surrogate pair', () => {
    expect(truncate('abc &amp; def', 7)).toBe('abc …');
    expect(truncate(`at ${dateToken(new Date(0))} now`, 12)).toBe('at …');
    const emoji = truncate('ab🔥🔥🔥', 4);
    expect(emoji).toBe('ab…');
    expect(() => encodeURIComponent(emoji)).not.toThrow();
  });
});

describe('dateToken and mentions', () => {
  it('gives every reader local time with a UTC fallback', () => {
    expect(dateToken(new Date('2026-11-22T10:05:09Z'))).toBe('<!date^1795341909^{date_short_pretty} {time}|2026-11-22 10:05 UTC>');
  });
  it('only mentions well-formed user ids', () => {
    expect(userMention('U0ALICE')).toBe('<@U0ALICE>');
    expect(userMention('U1><!channel')).toBeNull();
    expect(userMention(null)).toBeNull();
  });
});

describe('templates', () => {
  const allowed = ['title', 'eta', 'who'];
  it('renders values escaped, missing ones as a dash, trusted mrkdwn as is', () => {
    const t = parseTemplate('t.md', 'Title: {{title}} / ETA: {{ eta }} / {{who}}', allowed);
    expect(renderTemplate(t, { title: '<!here> *bold*', eta: null, who: { mrkdwn: '<@U1>' } })).toBe(
      'Title: &lt;!here&gt; \u200B*bold\u200B* / ETA: — / <@U1>',
    );
    expect(renderTemplate(t, { title: '   ', eta: undefined, who: { mrkdwn: '' } })).toBe('Title: — / ETA: — / —');
  });

  it('names the file, line and placeholder of an unknown marker', () => {
    expect(() => parseTemplate('runbooks/templates/en/x.md', 'a\n{{title}}\n{{titel}}', allowed)).toThrow(
      new TemplateError('runbooks/templates/en/x.md:3: unknown placeholder "{{titel}}"; this template may use: title, eta, who'),
    );
    expect(() => parseTemplate('x.md', 'oops {{title', allowed)).toThrow(/without a closing/);
    expect(() => parseTemplate('x.md', '{{Bad Name}}', allowed)).toThrow(/not a valid placeholder name/);
  });

  it('keeps huge values from crowding out the rest and cuts the whole to the limit', () => {
    const t = parseTemplate('t.md', '{{title}}|{{eta}}', allowed);
    const out = renderTemplate(t, { title: 'x'.repeat(10_000), eta: 'soon' });
    expect(out).toContain('|soon');
    expect(out.length).toBeLessThanOrEqual(3000);
    expect(renderTemplate(t, { title: 'y'.repeat(2000), eta: 'z'.repeat(2000) }, 2500)).toHaveLength(2500);
  });
});
