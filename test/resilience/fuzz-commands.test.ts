/**
 * Every slash command's argument parsing, fuzzed with fast-check from a fixed seed: the `args`
 * schema of every subcommand in the registry (thousands of cases), the dispatch of every command,
 * then a few hundred signed commands sent over HTTP to the running app. Nothing throws; what is
 * refused says why, within Slack's limits, without a mention from the text; what is accepted has
 * the type its subcommand promises; and over HTTP each command is acknowledged and answered, and
 * nothing Firebreak sends carries a mention the person typed (unless they asked for it: the
 * person `/incident assign` names).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.js';
import type { SlashCommandModule, Subcommand } from '../../commands/contract.js';
import { TITLE_MAX } from '../../src/core/incident/limits.js';
import { NOTE_MAX } from '../../src/app/incidents/notes.js';
import { LIMITS, toBlockKit } from '../../src/adapters/slack/block-kit.js';
import { dispatch, replyFor } from '../../src/adapters/slack/dispatch.js';
import { BOT_USER_ID } from '../../src/adapters/local-slack/web-api.js';
import { declareIncident, type Declared } from '../e2e/flows.js';
import { startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { hostileText, leaks, SEED, sender, SENDERS, strayMentions, VICTIM } from '../security/hostile.js';

/** Words the parsers look for, so the fuzz gets past their first checks as well as failing them. */
const WORDS = [
  'INC-1', 'inc-2', 'INC-999999999', 'INC-0', 'P0', 'p3', 'P7', 'critical', 'high', 'warning', 'low', 'critical - business',
  `<@${VICTIM}>`, `<@${VICTIM}|victim>`, '<@U0ALICE|alice>', '@bob', 'commander', 'comms', 'ic', '--target', 'main', 'pg.cancel',
  'redis.flushdb', 'k8s.rollout-restart', '5m', '24h', '25h', '30d', '12w', '3m', 'forever', '100', '0', '-1', '1e3', '101',
  'db', 'redis', 'k8s', 'logs', 'all', 'form', 'list', 'audit', 'help', 'open', 'note', 'api', 'payments', 'kube-system',
  'docker', 'shop-api-1', 'docker.restart',
];
const commandText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...WORDS) }, { weight: 2, arbitrary: hostileText }), { maxLength: 7 }).map((w) => w.join(' ')) },
  { weight: 1, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...WORDS, ' ', '\t', '\n', ''), { maxLength: 6 }).map((w) => w.join('')) },
);

const NAME = /^[A-Za-z0-9_.-]{1,63}$/;
const isOptional = (check: (v: unknown) => boolean) => (v: unknown) => v === undefined || check(v);
/**
 * What each field of a parsed result may be, whichever subcommand produced it. A field not listed
 * fails the test: a new subcommand's output gets its invariant here.
 */
const FIELD_INVARIANTS: Record<string, (v: unknown) => boolean> = {
  number: isOptional((v) => Number.isSafeInteger(v) && (v as number) >= 0),
  userId: (v) => typeof v === 'string' && /^[UW][A-Z0-9]+$/.test(v),
  role: (v) => v === 'commander' || v === 'comms',
  level: (v) => typeof v === 'string' && /^P[0-3]$/.test(v),
  title: isOptional((v) => typeof v === 'string' && v.length > 0 && v.length <= TITLE_MAX && !/[\r\n]/.test(v)),
  note: (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= NOTE_MAX,
  from: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  to: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
  target: isOptional((v) => typeof v === 'string' && NAME.test(v)),
  namespace: isOptional((v) => typeof v === 'string' && NAME.test(v)),
  deployment: (v) => typeof v === 'string' && NAME.test(v),
  container: isOptional((v) => typeof v === 'string' && NAME.test(v)),
  sinceSeconds: isOptional((v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 86_400),
  limit: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100,
  actionId: (v) => typeof v === 'string' && /^[a-z0-9]+\.[a-z0-9-]+$/.test(v),
  args: (v) => Array.isArray(v) && v.every((a) => typeof a === 'string' && a.length > 0 && !/\s/.test(a)),
  targetName: isOptional((v) => typeof v === 'string' && v.length > 0 && !/\s/.test(v)),
  filter: (v) => typeof v === 'string' && v.length <= 100,
  id: (v) => typeof v === 'string' && /^[a-z][a-z0-9_-]{0,62}$/.test(v),
  given: (v) => typeof v === 'object' && v !== null && Object.entries(v).every(([k, x]) => /^[a-z][a-z0-9_-]{0,62}$/.test(k) && typeof x === 'string' && x.length > 0),
};

/** A refusal or help as the person sees it: within Slack's limits, and no mention that came from their text. */
function expectCleanReply(module: SlashCommandModule, reply: ReturnType<typeof replyFor>, typed: string) {
  const kit = toBlockKit(reply);
  expect(kit.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
  expect(kit.text.length).toBeLessThanOrEqual(LIMITS.messageText);
  for (const b of kit.blocks) {
    const text = (b as { text?: { text?: string } }).text?.text;
    if (text !== undefined) expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
  }
  const texts = [kit.text, ...kit.blocks.map((b) => JSON.stringify(b))].join('\n');
  expect(strayMentions(texts, new Set()), `${module.command} ${typed.slice(0, 200)}`).toEqual([]);
}

const subcommandsOf = (module: SlashCommandModule): Array<Subcommand<unknown>> => [...(module.fallback ? [module.fallback] : []), ...module.subcommands];
const PARSER_RUNS = 500;

describe('every subcommand\'s argument parser', () => {
  const cases = COMMANDS.flatMap((module) => subcommandsOf(module).map((sub) => [`${module.command} ${sub.name}`, module, sub] as const));

  it('covers every subcommand of the registry', () => {
    expect(cases.length).toBe(COMMANDS.reduce((n, m) => n + subcommandsOf(m).length, 0));
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases)('%s: never throws; refusals say why, cleanly; results have their promised types', (_name, module, sub) => {
    fc.assert(
      fc.property(commandText, (text) => {
        const parsed = sub.args.safeParse(text);
        if (!parsed.success) {
          const problems = parsed.error.issues.map((i) => i.message);
          expect(problems.length).toBeGreaterThan(0);
          for (const p of problems) expect(p.trim().length).toBeGreaterThan(0);
          expectCleanReply(module, replyFor(module, { kind: 'invalid', subcommand: sub, problems }), text);
          return;
        }
        const data = parsed.data;
        if (typeof data === 'string') return;
        expect(typeof data).toBe('object');
        for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
          const invariant = FIELD_INVARIANTS[key];
          expect(invariant, `no invariant for the field "${key}" of ${module.command} ${sub.name}`).toBeDefined();
          expect(invariant!(value), `${module.command} ${sub.name} ${JSON.stringify(text).slice(0, 200)} → ${key} = ${JSON.stringify(value)}`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: PARSER_RUNS },
    );
  });
});

describe('every command\'s dispatch', () => {
  it.each(COMMANDS.map((m) => [m.command, m] as const))('%s: any text is run, or answered with a clean usage or refusal', (_name, module) => {
    const names = subcommandsOf(module).map((s) => s.name);
    const text = fc.oneof(commandText, fc.tuple(fc.constantFrom(...names, 'help', 'HELP', '--help', ''), commandText).map(([n, rest]) => `${n} ${rest}`));
    fc.assert(
      fc.property(text, (typed) => {
        const d = dispatch(module, typed);
        expect(['help', 'unknown', 'invalid', 'run']).toContain(d.kind);
        if (d.kind !== 'run') expectCleanReply(module, replyFor(module, d), typed);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('fuzzed slash commands over HTTP', () => {
  let t: AppUnderTest;
  let inc: Declared;
  beforeAll(async () => {
    t = await startAppUnderTest();
    inc = await declareIncident(t, { title: 'Checkout 502', severity: 'P1' });
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
  });

  const moduleOf = (command: string) => COMMANDS.find((m) => m.command === command)!;
  const sent = fc.record({
    command: fc.constantFrom(...COMMANDS.map((m) => m.command)),
    words: commandText,
    channel: fc.constantFrom('incident', 'C0GENERAL'),
    user: sender,
  }).chain(({ words, ...c }) =>
    fc.oneof(fc.constant(words), fc.constantFrom(...moduleOf(c.command).subcommands.map((s) => s.name), 'help').map((n) => `${n} ${words}`)).map((text) => ({ ...c, text })),
  );

  it('each is acknowledged and answered, and nothing sent back mentions anyone the person did not ask for', async () => {
    await fc.assert(
      fc.asyncProperty(sent, async ({ command, text, channel, user }) => {
        const module = moduleOf(command);
        const calls = t.standIn.calls.length;
        const responses = t.standIn.responses.length;
        const res = await t.driver.command({ command: module.command, text, userId: user, channelId: channel === 'incident' ? inc.channelId! : channel });
        expect(res.status, `${module.command} ${text.slice(0, 200)}`).toBe(200);
        await t.running.ctx.inflight.drain(10_000);
        const newCalls = t.standIn.calls.slice(calls);
        const newResponses = t.standIn.responses.slice(responses);
        const answered = (res.json as { text?: unknown } | undefined)?.text !== undefined || newResponses.length > 0 || newCalls.length > 0;
        expect(answered, `no answer to ${module.command} ${text.slice(0, 200)}`).toBe(true);
        // Asked for: the person /incident assign names is mentioned when given the role.
        const d = dispatch(module, text);
        const named = d.kind === 'run' && typeof (d.args as { userId?: unknown }).userId === 'string' ? [(d.args as { userId: string }).userId] : [];
        const allowed = new Set<string>([...SENDERS, BOT_USER_ID, ...named]);
        const found = leaks({ calls: newCalls, responses: newResponses, acks: res.json ? [res.json] : [] }, allowed);
        expect(found, `mentions sent back for ${module.command} ${text.slice(0, 300)}`).toEqual([]);
      }),
      { seed: SEED, numRuns: 250 },
    );
  }, 120_000);

  it('a command whose user id is not a Slack id is acknowledged and ignored: nothing posted, nothing stored', async () => {
    const calls = t.standIn.calls.length;
    const before = (await t.running.ctx.store.listTimeline(inc.incidentId)).length;
    for (const userId of ['<!channel>', '<@U0VICTIM>', 'u0alice', '']) {
      const res = await t.driver.command({ command: '/incident', text: `note ${inc.id} hello`, userId, channelId: inc.channelId! });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
    }
    await t.running.ctx.inflight.drain(5000);
    expect(t.standIn.calls.slice(calls)).toEqual([]);
    expect((await t.running.ctx.store.listTimeline(inc.incidentId)).length).toBe(before);
  });
});
