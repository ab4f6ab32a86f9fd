/**
 * What the fuzz suites share: hostile text and ids (fast-check arbitraries), the fixed seed, and
 * the check that nothing Firebreak sent to Slack carries a mention a user typed.
 */
import fc from 'fast-check';
import type { ApiCall, ResponseUrlPost } from '../../src/adapters/local-slack/web-api.js';

/** Fixed, so a run is reproducible; FUZZ_SEED replays another one (fast-check prints the seed of a failure). */
export const SEED = Number(process.env.FUZZ_SEED ?? 20_250_425);

/** The people a fuzzed payload may come from: Firebreak may mention these, and nobody else. */
export const SENDERS = ['U0ALICE', 'U0BOB', 'W0CAROL'] as const;
/** Mentions of people and groups that only hostile text contains. */
export const VICTIM = 'U0VICTIM';

const SNIPPETS = [
  '<!channel>', '<!here>', '<!everyone>', '<!channel|channel>', '<!here|@here>', `<@${VICTIM}>`, `<@W0VICTIM|boss>`,
  '<!subteam^S0VICTIM>', '<!subteam^S0VICTIM|@oncall>', '&lt;!channel&gt;', '&lt;@U0VICTIM&gt;', '<#C0VICTIM|general>',
  '<https://evil.example|click here>', '*bold* _italic_ ~strike~ `code` ```block```', '> quoted', '{{title}}', '{{incident_id}}',
  "'; DROP TABLE incidents; --", '" OR 1=1 --', '$(rm -rf /)', '`id`', '; cat /etc/passwd |', '&& reboot', '\u0000', 'a\u0000b',
  '\uD800', '\uDC00x', '🔥🧯‍🚒', 'é\u0301', '\u202Eevil', '\r\n\t', 'INC-1', 'inc-999999999', 'P0', 'critical',
  '--target', '@channel', '<@U0ALICE>', 'null', 'undefined', '{}', '[]', '%00', '%3C!channel%3E',
];

/** Text a person, or a forger holding the signing secret, might send. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SNIPPETS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 4, arbitrary: fc.array(fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 8 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(' ')) },
  { weight: 1, arbitrary: fc.constantFrom(...SNIPPETS).map((s) => `${'x'.repeat(50_000)} ${s} ${'y'.repeat(50_000)}`) },
);

/** Ids that are not Slack ids of the expected kind. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('<!channel>', '<!here>', `<@${VICTIM}>`, 'U0ALICE>', 'u0alice', '', 'U', 'U0ALICE|x', 'C0GENERAL', 'T0TEST', 'U0ALICE ', ' U0ALICE', 'U0ALICE\n'),
  hostileText,
);

export const sender: fc.Arbitrary<string> = fc.constantFrom(...SENDERS);

const BROADCAST = /<!(?:channel|here|everyone)(?:\|[^>]*)?>/g;
const GROUP = /<!subteam\^[^>]*>/g;
const PERSON = /<@([^>|]*)(?:\|[^>]*)?>/g;

/** The mentions in `text` that Firebreak was not asked to make: broadcasts, groups, people outside `allowed`. */
export function strayMentions(text: string, allowed: ReadonlySet<string>): string[] {
  const people = [...text.matchAll(PERSON)].filter((m) => !allowed.has(m[1] ?? '')).map((m) => m[0]);
  return [...(text.match(BROADCAST) ?? []), ...(text.match(GROUP) ?? []), ...people];
}

/** Texts Slack renders as mrkdwn (where a mention pings): message texts, topics, and every mrkdwn object. */
export function mrkdwnTexts(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, top: boolean): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, false));
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    if (top) for (const key of ['text', 'topic', 'purpose', 'initial_comment']) if (typeof o[key] === 'string') out.push(o[key]);
    for (const [key, x] of Object.entries(o)) if (key !== 'text' || typeof x === 'object') walk(x, false);
  };
  walk(value, true);
  return out;
}

export interface Leak {
  where: string;
  mentions: string[];
  text: string;
}

/** Stray mentions in the Web API calls and response_url posts given (plus any ack bodies). */
export function leaks(sent: { calls: readonly ApiCall[]; responses: readonly ResponseUrlPost[]; acks?: readonly unknown[] }, allowed: ReadonlySet<string>): Leak[] {
  const found: Leak[] = [];
  const check = (where: string, value: unknown) => {
    for (const text of mrkdwnTexts(value)) {
      const mentions = strayMentions(text, allowed);
      if (mentions.length) found.push({ where, mentions, text: text.length > 300 ? `${text.slice(0, 300)}…` : text });
    }
  };
  for (const c of sent.calls) check(c.method, c.args);
  for (const r of sent.responses) check(`response_url ${r.path}`, r.body);
  for (const a of sent.acks ?? []) check('ack', a);
  return found;
}
