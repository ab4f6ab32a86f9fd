/** The two outputs the timeline writes to, Slack mrkdwn and a Markdown file, one helper at a time. */
import { describe, expect, it } from 'vitest';
import { field, markdownFormat, markdownText, numberField, safeHttpsUrl, slackFormat } from '../../../src/core/incident/event-format.js';

const ZWSP = '\u200B';

describe('safe https URLs', () => {
  it('keeps a plain https URL as it is', () => {
    expect(safeHttpsUrl('https://grafana.example.com/d/abc?from=now-1h&to=now')).toBe('https://grafana.example.com/d/abc?from=now-1h&to=now');
  });

  it('refuses what is not text, not https, or could end the markup around it', () => {
    for (const url of [undefined, null, 42, {}, '', 'http://example.com', 'javascript:alert(1)', 'ftp://x', ' https://x.example', 'https://x.example ', 'https://',
      'https://a.example/<b>', 'https://a.example/|label', 'https://a.example/(x)', 'https://a.example/[x]', 'https://a.example/"x', "https://a.example/'x", 'https://a.example/`x', 'https://a.example/\nx', 'HTTPS://A.EXAMPLE']) {
      expect(safeHttpsUrl(url), String(url)).toBeNull();
    }
  });

  it('refuses an https-looking text that is not a URL', () => {
    expect(safeHttpsUrl('https://exa mple')).toBeNull();
    expect(safeHttpsUrl('https://[::1')).toBeNull();
    expect(safeHttpsUrl('https://:80')).toBeNull();
  });
});

describe('values that only look like text', () => {
  // An object whose toString gives a valid URL or user id (a parsed payload can hold anything).
  const like = (text: string) => ({ toString: () => text });
  it('are neither URLs nor users', () => {
    expect(safeHttpsUrl(like('https://x.example/a'))).toBeNull();
    expect(slackFormat.user(like('U123'))).toBeNull();
    expect(markdownFormat.user(like('U123'))).toBeNull();
    expect(slackFormat.link(like('https://x.example/a'), 'label')).toBe('label');
  });
});

describe('Slack output', () => {
  it('writes user text on one line with markup made inert', () => {
    expect(slackFormat.text('  *bold*\n<!channel>  & more ')).toBe(`${ZWSP}*bold${ZWSP}* &lt;!channel&gt; &amp; more`);
  });

  it('mentions valid user ids only', () => {
    expect(slackFormat.user('U123ABC')).toBe('<@U123ABC>');
    expect(slackFormat.user('W1')).toBe('<@W1>');
    expect(slackFormat.user('u123')).toBeNull();
    expect(slackFormat.user('U1>|x')).toBeNull();
    expect(slackFormat.user(42)).toBeNull();
    expect(slackFormat.user(undefined)).toBeNull();
  });

  it('links a safe URL, and shows the label alone otherwise', () => {
    expect(slackFormat.link('https://x.example/a', 'dashboard')).toBe('<https://x.example/a|dashboard>');
    expect(slackFormat.link('http://x.example/a', 'dashboard')).toBe('dashboard');
    expect(slackFormat.link(undefined, 'dashboard')).toBe('dashboard');
  });

  it('writes a moment as a date token with a UTC fallback', () => {
    expect(slackFormat.time(new Date('2026-11-22T09:30:15Z'))).toBe(`<!date^${Date.UTC(2026, 10, 22, 9, 30, 15) / 1000}^{time}|2026-11-22 09:30 UTC>`);
  });
});

describe('Markdown output', () => {
  it('shows angle brackets and entities as typed, and leaves emphasis alone', () => {
    expect(markdownText('<!channel> <script> *bold* &amp; &#60; &x;y & z')).toBe('&lt;!channel&gt; &lt;script&gt; *bold* &amp;amp; &amp;#60; &amp;x;y & z');
    expect(markdownText('AT&T &Amp; &nbsp')).toBe('AT&T &amp;Amp; &nbsp');
    expect(markdownFormat.text(' a\n\tb ')).toBe('a b');
  });

  it('writes valid user ids as @id, nothing for the rest', () => {
    expect(markdownFormat.user('U123')).toBe('@U123');
    expect(markdownFormat.user('W9Z')).toBe('@W9Z');
    expect(markdownFormat.user('U')).toBeNull();
    expect(markdownFormat.user('X123')).toBeNull();
    expect(markdownFormat.user('U12a')).toBeNull();
    expect(markdownFormat.user(' U123')).toBeNull();
    expect(markdownFormat.user('U123 ')).toBeNull();
    expect(markdownFormat.user(7)).toBeNull();
  });

  it('links a safe URL with the label bracket-escaped, and shows the label alone otherwise', () => {
    expect(markdownFormat.link('https://x.example/a', 'see [this] one')).toBe('[see \\[this\\] one](https://x.example/a)');
    expect(markdownFormat.link('https://x.example/a', 'plain')).toBe('[plain](https://x.example/a)');
    expect(markdownFormat.link('javascript:x', '[x]')).toBe('[x]');
  });

  it('writes a moment as UTC hours and minutes', () => {
    expect(markdownFormat.time(new Date('2026-11-22T09:05:59Z'))).toBe('09:05 UTC');
  });
});

describe('fields of an event', () => {
  it('gives text and finite numbers, and null for everything else', () => {
    const data = { s: 'up', n: 3, zero: 0, neg: -1.5, blank: '  ', empty: '', inf: Infinity, nan: NaN, obj: {}, arr: ['x'], no: null, yes: true };
    expect(['s', 'n', 'zero', 'neg'].map((k) => field(data, k))).toEqual(['up', '3', '0', '-1.5']);
    for (const k of ['blank', 'empty', 'inf', 'nan', 'obj', 'arr', 'no', 'yes', 'missing']) expect(field(data, k), k).toBeNull();
    expect(field({ s: ' padded ' }, 's')).toBe(' padded ');
  });

  it('gives finite numbers only as numbers', () => {
    const data = { n: 3, zero: 0, text: '3', inf: -Infinity, nan: NaN, no: null };
    expect(numberField(data, 'n')).toBe(3);
    expect(numberField(data, 'zero')).toBe(0);
    for (const k of ['text', 'inf', 'nan', 'no', 'missing']) expect(numberField(data, k), k).toBeNull();
  });
});
