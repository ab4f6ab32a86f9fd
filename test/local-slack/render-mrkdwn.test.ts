/** mrkdwn as the console draws it: each token, nesting, entities, mentions, dates, escaping. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMOJI, formatSlackDate, renderMrkdwn, renderText, type RenderContext } from '../../src/adapters/local-slack/console/render/index.js';
import { escapeMrkdwn } from '../../src/core/render/text.js';
import { all, one, parseHtml, readText } from './render-html.js';

/** 2014-02-18 14:39:42 UTC, a Tuesday (Slack's own example). */
const TS = 1392734382;
const ctx: RenderContext = {
  users: { U1: { name: 'alice', realName: 'Alice Martin' }, U2: { name: 'bob', realName: 'Bob Chen' }, UBOT: { name: 'firebreak' } },
  channels: { C1: { name: 'incidents' } },
  timeZone: 'UTC',
  now: Date.UTC(2014, 1, 18, 15, 0, 0),
  botUserId: 'UBOT',
  me: 'U2',
};
const md = (text: string, c: RenderContext = ctx) => renderMrkdwn(text, c);
const tree = (text: string, c: RenderContext = ctx) => parseHtml(md(text, c));

describe('formatting', () => {
  it.each([
    ['*bold*', '<b>bold</b>'],
    ['_italic_', '<i>italic</i>'],
    ['~strike~', '<s>strike</s>'],
    ['`code`', '<code class="sk-code">code</code>'],
    ['*bold _it_*', '<b>bold <i>it</i></b>'],
    ['_*both*_', '<i><b>both</b></i>'],
    ['~*gone* too~', '<s><b>gone</b> too</s>'],
    ['say *this* and *that*.', 'say <b>this</b> and <b>that</b>.'],
    ['(*in parens*)', '(<b>in parens</b>)'],
    ['~_*all three*_~', '<s><i><b>all three</b></i></s>'],
    ['*~x~*', '<b><s>x</s></b>'],
    // A strike that would close outside the bold it opened in is left as typed, never mis-nested.
    ['*~*~', '<b>~</b>~'],
    ['_*x_*', '_<b>x_</b>'],
  ])('%s → %s', (text, expected) => {
    expect(md(text)).toBe(expected);
  });

  it.each([
    ['a * b * c', 'spaces inside the marks'],
    ['2*3*4', 'marks inside a word'],
    ['snake_case_name', 'underscores inside a word'],
    ['*not closed', 'no closing mark'],
    ['**', 'nothing between'],
    ['* x*', 'space after the opening mark'],
  ])('%s stays as typed (%s)', (text) => {
    expect(md(text)).toBe(text.replace(/&/g, '&amp;'));
  });

  it('does not format what Firebreak escaped with escapeMrkdwn (zero-width space before each mark)', () => {
    const out = tree(escapeMrkdwn('*not bold* _not it_ ~no~ `no code`'));
    expect(all(out, 'b')).toHaveLength(0);
    expect(all(out, 'i')).toHaveLength(0);
    expect(all(out, 's')).toHaveLength(0);
    expect(all(out, 'code')).toHaveLength(0);
    expect(readText(out).replace(/\u200B/g, '')).toBe('*not bold* _not it_ ~no~ `no code`');
  });

  it('keeps code spans verbatim: no formatting, no emoji inside, entities decoded', () => {
    expect(md('run `*x* :fire: a &amp;&amp; b` now :fire:')).toBe('run <code class="sk-code">*x* :fire: a &amp;&amp; b</code> now 🔥');
  });

  it('draws ``` blocks as <pre> with line breaks kept and nothing formatted', () => {
    const out = md('Output:\n```\n$ kubectl get pods\n*one*  _two_\n&lt;none&gt;\n```\nDone.');
    expect(out).toBe('Output:<pre class="sk-pre">$ kubectl get pods\n*one*  _two_\n&lt;none&gt;</pre>Done.');
  });

  it('draws an inline ``` block and an unclosed fence as text', () => {
    expect(md('a ```b``` c')).toBe('a <pre class="sk-pre">b</pre> c');
    expect(md('a ```b')).toBe('a ```b');
  });

  it('turns newlines into <br>', () => {
    expect(md('one\ntwo\n\nthree')).toBe('one<br>two<br><br>three');
  });

  it('groups > lines (and Slack’s &gt;) into one quote, and >>> quotes the rest', () => {
    expect(md('> first\n&gt; second\nafter')).toBe('<blockquote class="sk-quote">first<br>second</blockquote>after');
    expect(md('intro\n>>> all\nof *this*')).toBe('intro<blockquote class="sk-quote">all<br>of <b>this</b></blockquote>');
    expect(md('a > b')).toBe('a &gt; b');
  });
});

describe('links', () => {
  it('links http(s) with a label, opening in a new tab without an opener', () => {
    const a = one(tree('see <https://grafana.example/d/1?from=now-1h&amp;to=now|the *dashboard*>'), 'a');
    expect(a.attrs).toMatchObject({ href: 'https://grafana.example/d/1?from=now-1h&to=now', target: '_blank', rel: 'noopener noreferrer' });
    expect(readText(a)).toBe('the *dashboard*');
  });

  it('shows the URL when there is no label, and links mailto', () => {
    expect(readText(one(tree('<https://status.example>'), 'a'))).toBe('https://status.example');
    expect(one(tree('<mailto:oncall@example.com|mail us>'), 'a').attrs.href).toBe('mailto:oncall@example.com');
  });

  it.each(['<javascript:alert(1)|click me>', '<JavaScript:alert(1)|click me>', '<data:text/html;base64,PHNjcmlwdD4=|click me>', '<vbscript:x|click me>'])(
    'never links %s: the label is shown as text',
    (text) => {
      const out = tree(text);
      expect(all(out, 'a')).toHaveLength(0);
      expect(readText(out)).toBe('click me');
    },
  );

  it('keeps quotes inside an href from breaking out of the attribute', () => {
    const out = tree('<https://x.example/"onmouseover="alert(1)|x>');
    const a = one(out, 'a');
    expect(Object.keys(a.attrs).sort()).toEqual(['class', 'href', 'rel', 'target']);
    expect(a.attrs.href).toBe('https://x.example/"onmouseover="alert(1)');
  });
});

describe('mentions, channels, broadcasts', () => {
  it('names known users from the context and unknown ones by id or label', () => {
    const out = tree('<@U1> <@U1|old-name> <@U9> <@U9|zed>');
    expect(all(out, '.sk-mention').map(readText)).toEqual(['@alice', '@alice', '@U9', '@zed']);
    expect(all(out, '.sk-mention').map((e) => e.attrs['data-user-id'])).toEqual(['U1', 'U1', 'U9', 'U9']);
  });

  it('highlights a mention of the reader', () => {
    expect(one(tree('<@U2> ping'), '.sk-mention').attrs.class).toBe('sk-mention sk-mention-me');
    expect(one(tree('<@U1> ping'), '.sk-mention').attrs.class).toBe('sk-mention');
  });

  it('names channels', () => {
    const out = tree('<#C1> <#C1|old> <#C9|ops> <#C9>');
    expect(all(out, '.sk-channel').map(readText)).toEqual(['#incidents', '#incidents', '#ops', '#C9']);
    expect(all(out, '.sk-channel')[0]?.attrs['data-channel-link']).toBe('C1');
  });

  it('draws @here, @channel, @everyone and user groups', () => {
    const out = tree('<!here> <!channel> <!everyone> <!here|here> <!subteam^S1|@sre> <!subteam^S2|dba> <!subteam^S3>');
    expect(all(out, '.sk-mention').map(readText)).toEqual(['@here', '@channel', '@everyone', '@here', '@sre', '@dba', '@S3']);
  });

  it('formats inside and around mentions', () => {
    expect(md('*<@U1>*')).toBe('<b><span class="sk-mention" data-user-id="U1">@alice</span></b>');
  });
});

describe('dates', () => {
  const date = (format: string, c: RenderContext = ctx) => readText(tree(`<!date^${TS}^${format}|fallback text>`, c));

  it.each([
    ['{date_num}', '2014-02-18'],
    ['{date}', 'February 18th, 2014'],
    ['{date_short}', 'Feb 18, 2014'],
    ['{date_long}', 'Tuesday, February 18th, 2014'],
    ['{date_pretty}', 'Today'],
    ['{date_short_pretty}', 'Today'],
    ['{date_long_pretty}', 'Today'],
    ['{time}', '14:39'],
    ['{time_secs}', '14:39:42'],
    ['{ago}', '20 minutes ago'],
    ['{date_short} at {time}', 'Feb 18, 2014 at 14:39'],
    ['due {date_short_pretty} {time}', 'due today 14:39'],
  ])('%s → %s (UTC)', (format, expected) => {
    expect(date(format)).toBe(expected);
  });

  it('uses yesterday, tomorrow, or the date for the pretty forms', () => {
    const day = 86_400_000;
    expect(date('{date_pretty}', { ...ctx, now: ctx.now + day })).toBe('Yesterday');
    expect(date('{date_short_pretty}', { ...ctx, now: ctx.now - day })).toBe('Tomorrow');
    expect(date('{date_long_pretty}', { ...ctx, now: ctx.now + 3 * day })).toBe('Tuesday, February 18th, 2014');
    expect(date('{ago}', { ...ctx, now: ctx.now - 2 * 3_600_000 })).toBe('in 1 hour');
    expect(date('{ago}', { ...ctx, now: ctx.now + 3 * day })).toBe('3 days ago');
  });

  it('reads the instant in the context’s time zone', () => {
    expect(date('{date_short} {time}', { ...ctx, timeZone: 'Asia/Tokyo' })).toBe('Feb 18, 2014 23:39');
    expect(date('{date_short} {time}', { ...ctx, timeZone: 'America/New_York' })).toBe('Feb 18, 2014 09:39');
    expect(date('{date_short} {time}', { ...ctx, timeZone: 'Pacific/Kiritimati' })).toBe('Feb 19, 2014 04:39');
  });

  it.each([
    [0, '1st'],
    [1, '2nd'],
    [2, '3rd'],
    [3, '4th'],
    [10, '11th'],
    [11, '12th'],
    [12, '13th'],
    [20, '21st'],
    [21, '22nd'],
    [22, '23rd'],
  ])('day index %i is the %s', (offset, word) => {
    const ts = Date.UTC(2014, 0, 1 + offset, 12) / 1000;
    expect(readText(tree(`<!date^${ts}^{date}|x>`))).toBe(`January ${word}, 2014`);
  });

  it.each([
    [`<!date^${TS}^{nope}|fallback text>`, 'an unknown token'],
    [`<!date^${TS}^{date} {wat}|fallback text>`, 'one unknown token among known ones'],
    [`<!date^${TS}^no tokens|fallback text>`, 'no token at all'],
    ['<!date^soon^{date}|fallback text>', 'a timestamp that is not a number'],
    ['<!date^|fallback text>', 'nothing after date^'],
  ])('shows the fallback for %s (%s)', (text) => {
    expect(readText(tree(text))).toBe('fallback text');
  });

  it('links the date when the token carries a link, and only a safe one', () => {
    expect(one(tree(`<!date^${TS}^{date_num}^https://calendar.example/x|f>`), 'a').attrs.href).toBe('https://calendar.example/x');
    expect(all(tree(`<!date^${TS}^{date_num}^javascript:alert(1)|f>`), 'a')).toHaveLength(0);
  });

  it('formats on its own (formatSlackDate) and answers null for broken formats', () => {
    expect(formatSlackDate(TS, '{date_num} {time_secs}', ctx)).toBe('2014-02-18 14:39:42');
    expect(formatSlackDate(TS, '{date_num} {bogus}', ctx)).toBeNull();
    expect(formatSlackDate(Number.NaN, '{date}', ctx)).toBeNull();
  });
});

describe('entities and escaping', () => {
  it('decodes Slack’s &amp; &lt; &gt; and escapes the result again for HTML', () => {
    const out = md('R&amp;D &lt;b&gt;bold?&lt;/b&gt; &amp;lt;');
    expect(out).toBe('R&amp;D &lt;b&gt;bold?&lt;/b&gt; &amp;lt;');
    expect(readText(parseHtml(out))).toBe('R&D <b>bold?</b> &lt;');
    expect(all(parseHtml(out), 'b')).toHaveLength(0);
  });

  it('never lets a raw <script> through', () => {
    const out = tree('<script>alert(1)</script> and <img src=x onerror=alert(1)>');
    expect(all(out, 'script')).toHaveLength(0);
    expect(all(out, 'img')).toHaveLength(0);
    expect(readText(out)).toBe('<script>alert(1)</script> and <img src=x onerror=alert(1)>');
  });

  it('escapes quotes and apostrophes', () => {
    expect(md(`"double" 'single'`)).toBe('&quot;double&quot; &#39;single&#39;');
  });

  it('draws well-formed HTML without scripts, images or unsafe links for any text', () => {
    const pieces = fc.constantFrom('*', '_', '~', '`', '```', '<', '>', '&amp;', '&lt;', '&gt;', '|', '@U1', '#C1', '!here', '!date^1392734382^{date}', 'javascript:', 'https://x', '\n', '> ', ' ', 'a', '"', "'", ':fire:', '\u200B', '\uE000', '\uE001', '0');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 40 }), (parts) => {
        const out = parseHtml(md(parts.join('')));
        expect(all(out, 'script')).toHaveLength(0);
        expect(all(out, 'img')).toHaveLength(0);
        for (const a of all(out, 'a')) expect(a.attrs.href).toMatch(/^(https?:\/\/|mailto:)/i);
      }),
      { numRuns: 400 },
    );
  });
});

describe('emoji', () => {
  it('draws the common shortcodes and leaves unknown ones as typed', () => {
    expect(md(':pushpin: :white_check_mark: :+1: :thumbsup: :rotating_light: :nope: 10:30:00')).toBe('📌 ✅ 👍 👍 🚨 :nope: 10:30:00');
  });

  it.each([
    'pushpin', 'white_check_mark', 'warning', 'rotating_light', 'fire', 'eyes', '+1', 'thumbsup', 'x', 'red_circle', 'large_orange_circle',
    'large_yellow_circle', 'large_green_circle', 'large_blue_circle', 'hourglass', 'bell', 'mag', 'wrench', 'rocket', 'memo', 'clipboard',
    'link', 'lock', 'information_source', 'heavy_check_mark', 'no_entry', 'stopwatch', 'chart_with_upwards_trend', 'busts_in_silhouette', 'speech_balloon',
  ])(':%s: is in the table', (name) => {
    expect(EMOJI[name]).toBeTruthy();
    expect(md(`:${name}:`)).toBe(EMOJI[name]);
  });
});

describe('the emoji Firebreak writes', () => {
  /** Every `:shortcode:` in the code that builds Firebreak's messages. */
  function shortcodesInSource(): string[] {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const dirs = ['src/app', 'src/core', 'src/adapters/slack', 'src/adapters/templates', 'commands'];
    const found = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts')) {
          for (const m of readFileSync(path, 'utf8').matchAll(/(?:^|[^A-Za-z0-9_:]):([a-z][a-z0-9_+-]*):(?![A-Za-z0-9_:])/g)) found.add(m[1] as string);
        }
      }
    };
    for (const d of dirs) walk(join(root, d));
    return [...found].sort();
  }

  it('draws every shortcode the bot’s messages use (none is left as :name:)', () => {
    const names = shortcodesInSource();
    expect(names.length).toBeGreaterThan(20);
    expect(names).toContain('rotating_light');
    expect(names.filter((n) => !EMOJI[n])).toEqual([]);
  });
});

describe('text objects', () => {
  it('draws plain_text escaped, with emoji unless emoji is false', () => {
    expect(renderText({ type: 'plain_text', text: '<b>*Hi*</b> :fire:' }, ctx)).toBe('&lt;b&gt;*Hi*&lt;/b&gt; 🔥');
    expect(renderText({ type: 'plain_text', text: ':fire:', emoji: true }, ctx)).toBe('🔥');
    expect(renderText({ type: 'plain_text', text: ':fire:', emoji: false }, ctx)).toBe(':fire:');
    expect(renderText({ type: 'plain_text', text: 'a\nb' }, ctx)).toBe('a<br>b');
  });

  it('draws mrkdwn, verbatim or not, with its <…> sequences', () => {
    expect(renderText({ type: 'mrkdwn', text: '*<@U1>*' }, ctx)).toBe(renderText({ type: 'mrkdwn', text: '*<@U1>*', verbatim: true }, ctx));
    expect(readText(parseHtml(renderText({ type: 'mrkdwn', text: '*x* <@U1>', verbatim: true }, ctx)))).toBe('x @alice');
  });

  it('draws nothing for what is not a text object', () => {
    expect(renderText(undefined, ctx)).toBe('');
    expect(renderText({ type: 'mrkdwn' }, ctx)).toBe('');
    expect(renderText(42, ctx)).toBe('');
  });
});
