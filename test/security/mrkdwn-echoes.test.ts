/**
 * What users type (and ids a forged request carries) is shown back in mrkdwn in many places: the
 * refusals and confirmations of /remediate, what actions and targets say, the notices of incident
 * changes, /diag, the audit listing. None of it may reach Slack as a live token: no broadcast, no
 * user-group ping, no mention, no link. Checked on everything the recording Chat got, and on
 * every call the Slack stand-in recorded from the running app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { z } from 'zod';
import { acknowledge } from '../../src/app/incidents/acknowledge.js';
import { addNote } from '../../src/app/incidents/notes.js';
import { reopenIncident, resolveIncident } from '../../src/app/incidents/resolve.js';
import { assignRole } from '../../src/app/incidents/roles.js';
import { changeSeverity } from '../../src/app/incidents/severity.js';
import type { Outcome } from '../../src/app/incidents/outcome.js';
import { approveRemediation, requestRemediation } from '../../src/app/remediation/flow.js';
import type { Message } from '../../src/core/render/message.js';
import { openIncident } from '../../src/app/open-incident.js';
import { fakeContext, type FakeContext } from '../fakes/context.js';
import { slackApiError } from '../fakes/recording-chat.js';
import { fakeAction, fakeCatalogue, fakeSystem } from '../fakes/remediation.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../services.js';
import { givenIncident, TEAM } from '../app/fixtures.js';
import { startAppUnderTest, type AppUnderTest } from '../e2e/app-under-test.js';
import { INCIDENTS_CHANNEL } from '../fakes/context.js';
import { declareIncident } from '../e2e/flows.js';

/** What a user may type; each must come back inert. */
const HOSTILE = ['<!channel>', '<!here>', '<!subteam^S1|x>', '<https://evil.example|click>', '<@U123>'];
/** The same, as they look once escaped (what must be shown instead). */
const SHOWN = HOSTILE.map((h) => h.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
/** Any of them live. */
const LIVE = /<(?:!channel|!here|!everyone|!subteam\^|https?:\/\/evil|@U123\b)/;
/** As Slack sends text a user typed (with should_escape, `<` and `>` arrive as entities). */
const typed = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Every text of a neutral message that Slack renders as mrkdwn (headers and buttons are plain_text). */
function mrkdwnOf(message: Message): string[] {
  const parts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'text') parts.push(block.text);
    if (block.type === 'context') parts.push(...block.items);
    if (block.type === 'fields') parts.push(...block.fields.flatMap((f) => [f.label, f.value]));
    if (block.type === 'checklist') parts.push(...block.items.map((i) => i.text));
  }
  return parts;
}

/** Every mrkdwn text the recording Chat was given, and the replies the use cases returned. */
function chatTexts(ctx: FakeContext, outcomes: Outcome[]): string[] {
  const texts = outcomes.map((o) => o.reply);
  for (const call of ctx.chat.calls) {
    if (call.method === 'post') texts.push(...mrkdwnOf(call.args[1] as Message));
    if (call.method === 'postEphemeral') texts.push(...mrkdwnOf(call.args[2] as Message));
    if (call.method === 'update') texts.push(...mrkdwnOf(call.args[1] as Message));
  }
  return texts;
}

const expectInert = (texts: string[], mustShow: string[]) => {
  const all = texts.join('\n');
  expect(all.match(LIVE)?.[0] ?? null).toBeNull();
  for (const shown of mustShow) expect(all).toContain(shown);
};

describe('use cases show a crafted user id escaped, never as a token', () => {
  it.each(HOSTILE.map((h, i) => [h, SHOWN[i] as string]))('actor %s in acknowledge, note, severity, resolve, reopen and assign', async (hostile, shown) => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx, { commanderId: null });
    const outcomes: Outcome[] = [];
    outcomes.push(await acknowledge(ctx, incident, hostile));
    outcomes.push(await addNote(ctx, incident, { actorId: hostile, text: 'rolled back' }));
    outcomes.push(await changeSeverity(ctx, incident, { actorId: hostile, to: 'P0' }));
    outcomes.push(await assignRole(ctx, incident, { actorId: hostile, userId: hostile, role: 'comms' }));
    const current = (await ctx.store.getIncident(incident.id))!;
    outcomes.push(await resolveIncident(ctx, current, { actorId: hostile, resolution: { rootCause: 'disk', fixApplied: 'bigger disk', finalImpact: null, postmortemDate: null } }));
    outcomes.push(await reopenIncident(ctx, (await ctx.store.getIncident(incident.id))!, { actorId: hostile }));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, true]);
    expectInert(chatTexts(ctx, outcomes), [shown]);
  });
});

describe('remediation shows what users, actions and targets say escaped', () => {
  const world = (summary: string) => {
    const system = fakeSystem();
    // Takes any argument, so what was typed reaches the preview, the confirmation and the outcome.
    const anything = fakeAction({
      id: 'fake.any',
      params: z.array(z.string()).min(1),
      execute: () => ({ ok: true, summary }),
      verify: () => ({ ok: true, summary: `verified ${summary}` }),
    });
    const refusing = fakeAction({ id: 'fake.refuse', preview: (_t, [name]) => ({ current: [], change: [], guard: {}, refusal: `${name} cannot be changed` }) });
    const unreadable = fakeAction({ id: 'fake.unreadable', preview: (_t, [name]) => Promise.reject(new Error(`cannot read ${name}`)) });
    const ctx = fakeContext({
      config: { approvals: { approvers: ['U0APPROVER'], expiresAfter: '10m' }, remediation: { allow: { postgres: ['main'] } } },
      remediation: fakeCatalogue([anything, refusing, unreadable], { postgres: { main: system } }),
    });
    return ctx;
  };

  it.each(HOSTILE.map((h, i) => [h, SHOWN[i] as string]))('%s as arguments, action id, target, refusal, error and outcome', async (hostile, shown) => {
    const ctx = world(`${hostile} restarted`);
    const ask = (actionId: string, args: string[], targetName?: string) =>
      requestRemediation(ctx, ctx.remediation, { teamId: TEAM, channelId: 'C0OPS', actorId: 'U0DAVE', actionId, args, targetName });
    const outcomes: Outcome[] = [];
    outcomes.push(await ask('fake.any', [hostile]));
    outcomes.push(await ask(`fake.${hostile}`, ['x']));
    outcomes.push(await ask('fake.any', ['x'], hostile));
    outcomes.push(await ask('fake.refuse', [hostile]));
    outcomes.push(await ask('fake.unreadable', [hostile]));
    const [asked] = await ctx.store.remediation.listExpired(new Date('2999-01-01T00:00:00.000Z'));
    outcomes.push(await approveRemediation(ctx, ctx.remediation, asked!.id, 'U0APPROVER'));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, false, false, true]);
    expectInert(chatTexts(ctx, outcomes), [shown]);
  });
});

describe('what other systems answer is shown escaped', () => {
  it.each(HOSTILE.map((h, i) => [h, SHOWN[i] as string]))('a Slack error %s, in a side-step report and in the reporter\'s warning', async (hostile, shown) => {
    const ctx = fakeContext();
    const incident = await givenIncident(ctx);
    // The rise to P0 announced in the incidents channel (not a thread) fails: the report says why.
    ctx.chat.failNext('post', slackApiError(hostile), { when: (channel, _m, options) => channel === INCIDENTS_CHANNEL && options?.threadTs === undefined });
    const outcomes = [await changeSeverity(ctx, incident, { actorId: 'U0DAVE', to: 'P0' })];
    // An announcement that cannot be posted: the reporter is told why.
    ctx.chat.failNext('post', slackApiError(hostile), { when: (channel) => channel === INCIDENTS_CHANNEL });
    const opened = await openIncident(ctx, {
      teamId: TEAM, title: 'Search down', severity: 'P2', impact: null, symptoms: null, actions: null, eta: null,
      reporterId: 'U0ALICE', commanderId: null, declaredAt: ctx.clock.now(), sourceKey: 'search-down', replyChannel: 'C0GENERAL',
    });
    expect(opened).toMatchObject({ outcome: 'opened', announced: false });
    const reports = ctx.chat.posts().filter((p) => p.message.text.includes('failed ('));
    expect(reports).toHaveLength(1);
    expect(ctx.chat.callsTo('postEphemeral').at(-1)?.args[2].text).toContain('announcement could not be posted');
    expectInert(chatTexts(ctx, outcomes), [shown]);
  });
});

describe('through Slack, on the running app', () => {
  let t: AppUnderTest;
  let idle: pg.Client;

  beforeAll(async () => {
    t = await startAppUnderTest({
      yaml: [
        'incidents:', `  channel: ${INCIDENTS_CHANNEL}`,
        'targets:',
        '  postgres:', `    - { name: main, url: "${TEST_DATABASE_URL}" }`,
        '  redis:', `    - { name: cache, url: "${TEST_REDIS_URL}" }`,
        'approvals:', '  approvers: [U0APPROVER]', '  expiresAfter: 10m',
        'remediation:', '  allow: { postgres: [main], redis: [cache] }',
      ].join('\n'),
    });
    idle = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await idle.connect();
  });
  afterAll(async () => {
    await idle?.end();
    await t?.stop();
  });

  /** Runs a command and returns its answer: the body of the acknowledgement, or what was sent to its response_url. */
  async function say(command: string, text: string, userId = 'U0DAVE', channelId = 'C0OPS'): Promise<string> {
    const before = t.standIn.responses.length;
    const res = await t.driver.command({ command, text, userId, channelId });
    if (res.json !== undefined) return JSON.stringify(res.json);
    const answer = await t.standIn.waitForResponse((r) => t.standIn.responses.indexOf(r) >= before, 15_000);
    return JSON.stringify(answer.body);
  }

  interface Mark {
    calls: number;
    responses: number;
  }
  const mark = (): Mark => ({ calls: t.standIn.calls.length, responses: t.standIn.responses.length });

  /** Every text the app sent Slack since `since` that Slack renders as mrkdwn: message texts and mrkdwn objects. */
  function sentTexts(extra: string[], since: Mark): string[] {
    const texts = [...extra];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (value === null || typeof value !== 'object') return;
      const o = value as Record<string, unknown>;
      if (o.type === 'plain_text') return;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') texts.push(o.text);
      for (const v of Object.values(o)) walk(v);
    };
    for (const call of t.standIn.calls.slice(since.calls)) {
      if (typeof call.args.text === 'string') texts.push(call.args.text);
      walk(typeof call.args.blocks === 'string' ? JSON.parse(call.args.blocks) : call.args.blocks);
    }
    for (const r of t.standIn.responses.slice(since.responses)) {
      const body = r.body as Record<string, unknown>;
      if (typeof body?.text === 'string') texts.push(body.text);
      walk(body?.blocks);
    }
    return texts;
  }

  it('answers /remediate, /diag and the audit listing with what was typed escaped', async () => {
    const since = mark();
    const [hChannel, hHere, hSubteam, hLink, hMention] = HOSTILE.map(typed) as [string, string, string, string, string];
    const pid = (await idle.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    // An entry whose actor is no user id (Slack's edge refuses such requests now; older entries may hold one).
    await t.running.ctx.store.remediation.audit({
      at: new Date(), actorId: HOSTILE[0]!, event: 'refused', actionId: 'pg.cancel', targetName: HOSTILE[1]!, args: [HOSTILE[2]!], requestId: null,
      detail: HOSTILE[3]!, approvers: [], before: null, after: null, permalink: null,
    });
    const replies = [
      await say('/remediate', `pg.cancel ${hChannel}`),
      await say('/remediate', `pg.cancel ${pid} --target ${hHere}`),
      await say('/remediate', `redis.maxmemory ${hSubteam}`),
      await say('/remediate', `redis.maxmemory 512mb ${hLink}`),
      await say('/diag', `db ${hMention}`),
      await say('/remediate', 'audit 10'),
    ];
    await t.running.ctx.inflight.drain(10_000);
    expectInert(sentTexts(replies, since), SHOWN.map((s) => JSON.stringify(s).slice(1, -1)));
  });

  it('shows a note typed with such text escaped on the timeline', async () => {
    const incident = await declareIncident(t, { title: 'Checkout down', severity: 'P2' });
    const since = mark();
    const note = HOSTILE.map(typed).join(' ');
    const replies = [await say('/incident', `note ${incident.id} ${note}`, 'U0ALICE', 'C0GENERAL')];
    replies.push(await say('/incident', `timeline ${incident.id}`, 'U0ALICE', 'C0GENERAL'));
    await t.running.ctx.inflight.drain(10_000);
    expectInert(sentTexts(replies, since), SHOWN.map((s) => JSON.stringify(s).slice(1, -1)));
  });
});
