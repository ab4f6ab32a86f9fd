/**
 * Two Firebreak processes on one PostgreSQL schema change one incident: the summary card, the
 * topic and the post-incident checklist Slack ends up showing are the stored, latest state, and no
 * checklist tick is lost. A proxy in front of the Slack stand-in holds chat.update and setTopic
 * answers back for a random time (so calls in flight from both processes could land in any order),
 * and can hold one call until the test lets it go (so a drawing of an older state is still in
 * flight while the other process handles a newer change).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackDriver, viewFromCall, type SlackDriver } from '../../src/adapters/local-slack/driver.js';
import { startSlackStandIn, type ApiCall, type SlackStandIn } from '../../src/adapters/local-slack/web-api.js';
import { TEST_DATABASE_URL } from '../services.js';
import { declarationValues, INCIDENTS_CHANNEL } from './app-under-test.js';
import { resolveValues, visible } from './flows.js';
import { runFirebreak, servingPort, type Proc } from './spawn.js';

const SECRET = 'drawing-replicas-secret';
const SCHEMA = `fb_drawing_${process.pid}`;
/** The calls whose answers the proxy holds back, each for its own random time. */
const JITTERED = new Set(['chat.update', 'conversations.setTopic']);
const MAX_JITTER_MS = 300;

let standIn: SlackStandIn;
let proxy: JitterProxy;
let admin: pg.Client;
let dir: string;
const bots: Proc[] = [];

interface JitterProxy {
  server: Server;
  apiUrl: string;
  /** Holds the next chat.update until `release`; resolves once it is held. */
  holdNextUpdate(): Promise<void>;
  release(): void;
}

/** Forwards the Web API to the stand-in; the calls of JITTERED wait 0–300 ms first, so they may overtake each other. */
function startJitterProxy(target: string): Promise<JitterProxy> {
  let armed: (() => void) | null = null;
  let release = () => {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const hold = JITTERED.has(method) ? Math.floor(Math.random() * MAX_JITTER_MS) : 0;
      let gate: Promise<void> = Promise.resolve();
      if (method === 'chat.update' && armed) {
        armed();
        armed = null;
        gate = new Promise((r) => (release = r));
      }
      const forward = () => {
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'authorization']) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
        fetch(new URL(req.url ?? '/', target), { method: req.method ?? 'POST', headers, ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }) })
          .then(async (answer) => {
            const out: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' };
            const retryAfter = answer.headers.get('retry-after');
            if (retryAfter) out['retry-after'] = retryAfter;
            res.writeHead(answer.status, out);
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => res.destroy());
      };
      void gate.then(() => setTimeout(forward, hold));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
        holdNextUpdate: () => new Promise<void>((r) => (armed = r)),
        release: () => release(),
      }),
    ),
  );
}

beforeAll(async () => {
  standIn = await startSlackStandIn();
  proxy = await startJitterProxy(standIn.baseUrl);
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  dir = mkdtempSync(path.join(tmpdir(), 'fb-drawing-'));
  writeFileSync(path.join(dir, 'firebreak.yml'), `incidents:\n  channel: ${INCIDENTS_CHANNEL}\nescalation:\n  levels: []\n`);
  const env = { SLACK_BOT_TOKEN: 'xoxb-drawing', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: proxy.apiUrl, PORT: '0', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: SCHEMA, LOG_LEVEL: 'info' };
  bots.push(runFirebreak(env, dir));
  await servingPort(bots[0]!, 60_000); // the first one migrates; the second starts on a ready schema
  bots.push(runFirebreak(env, dir));
  await servingPort(bots[1]!, 60_000);
}, 120_000);

afterAll(async () => {
  for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.exited));
  proxy?.release();
  await new Promise((r) => proxy?.server.close(r));
  await standIn?.close();
  await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
  await admin?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two bot processes changing one incident at once', () => {
  let drivers: SlackDriver[];
  let incidentId: string;
  let channel: string;
  let cardTs: string;

  /** The stored row, and whether its drawing is over: nobody holds the lease and the latest revision was drawn. */
  const row = async () => (await admin.query(`select * from ${SCHEMA}.incidents where id = $1`, [incidentId])).rows[0] as Record<string, any>;
  const drawn = async () => {
    const r = await row();
    return r.drawing_until === null && Number(r.drawn_revision) === Number(r.revision);
  };
  /** What Slack shows now (the workspace's state, whatever the answers said). */
  const shown = (ts: string): ApiCall => ({ method: 'shown', args: standIn.world.message(channel, ts) ?? {}, token: undefined, at: 0, status: 200, result: undefined });

  beforeAll(async () => {
    const ports = await Promise.all(bots.map((b) => servingPort(b)));
    drivers = ports.map((port) => createSlackDriver({ appUrl: `http://127.0.0.1:${port}`, signingSecret: SECRET, standIn }));
    const cmd = await drivers[0]!.command({ command: '/incident', text: 'open Orders stuck', channelId: 'C0GENERAL', userId: 'U0ALICE' });
    const open = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId, 15_000);
    await drivers[0]!.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title: 'Orders stuck', severity: 'P2' }), userId: 'U0ALICE' });
    await standIn.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('declared and announced'), 20_000);
    const r = (await admin.query(`select id, channel_id, card_ts from ${SCHEMA}.incidents`)).rows[0];
    [incidentId, channel, cardTs] = [r.id, r.channel_id, r.card_ts];
    expect(cardTs).toEqual(expect.any(String));
  }, 60_000);

  /** `/incident assign` on process `p`, resolved once it has answered (its change, posts and redraw are over). */
  const assign = async (p: number, person: string) => {
    const sent = await drivers[p]!.command({ command: '/incident', text: `assign <@${person}> commander`, channelId: channel, userId: 'U0ALICE' });
    await standIn.waitForResponse((r) => r.path === new URL(sent.responseUrl).pathname, 60_000);
  };
  const topic = () => standIn.world.channel(channel).topic.value;

  it('commander changes going back and forth between the processes: the topic and the card show the latest', async () => {
    // Each process remembers the topic it set last; the other one changed it in between.
    await assign(0, 'U0CMDA');
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);
    await assign(1, 'U0CMDB');
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);
    expect(topic()).toContain('Commander: <@U0CMDB>');
    await assign(0, 'U0CMDA');
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);
    expect(topic()).toContain('Commander: <@U0CMDA>');
    expect(visible(shown(cardTs))).toContain('<@U0CMDA>');
    expect(visible(shown(cardTs))).not.toContain('<@U0CMDB>');

    // Then twelve at once, half on each process, alternating between two people.
    const people = ['U0CMDC', 'U0CMDD'];
    await Promise.all(Array.from({ length: 12 }, (_, i) => assign(i % 2, people[Math.floor(i / 2) % 2]!)));
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);
    const stored = await row();
    expect(people).toContain(stored.commander_id);
    const other = people.find((p) => p !== stored.commander_id)!;
    expect(visible(shown(cardTs))).toContain(`<@${stored.commander_id}>`);
    expect(visible(shown(cardTs))).not.toContain(`<@${other}>`);
    expect(topic()).toContain(`Commander: <@${stored.commander_id}>`);
    for (const b of bots) expect(b.out()).not.toMatch(/"level":50/);
  }, 180_000);

  it('checklist ticks on the message as posted, on both processes: every tick is kept, and an older drawing still in flight never has the last word', async () => {
    const cmd = await drivers[1]!.command({ command: '/incident', text: 'resolve', channelId: channel, userId: 'U0ALICE' });
    const form = await standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId, 15_000);
    await drivers[1]!.viewSubmission({ view: viewFromCall(form), values: resolveValues('A stuck consumer', 'Restarted it'), userId: 'U0ALICE' });
    const posted = await standIn.waitFor('chat.postMessage', (c) => c.args.channel === channel && JSON.stringify(c.args.blocks).includes('checkboxes'), 30_000);
    const ts = (posted.result as { ts: string }).ts;
    const blocks = posted.args.blocks as Array<Record<string, any>>;
    const group = blocks.find((b) => b.type === 'actions')!;
    const items = (group.elements[0].options as Array<{ value: string }>).map((o) => o.value);
    expect(items).toHaveLength(10);
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);

    // Everyone clicks on the checklist as it was posted (nothing ticked): each click's state holds only its own item.
    const tick = (p: number, i: number) =>
      drivers[p]!.blockAction({ actionId: 'incident_checklist', blockId: group.block_id, selectedOptions: [items[i]!], userId: `U0TICK${i}`, channelId: channel, message: { ts, blocks } });
    const ticked = async () =>
      (await admin.query(`select count(*)::int as n from ${SCHEMA}.incident_events where incident_id = $1 and kind = 'checklist_ticked'`, [incidentId])).rows[0].n as number;
    const shownTicks = () => {
      const boxes = (standIn.world.message(channel, ts)!.blocks as Array<Record<string, any>>).find((b) => b.type === 'actions')!.elements[0];
      return ((boxes.initial_options ?? []) as Array<{ value: string }>).map((o) => o.value).sort();
    };

    // Process 0 draws the first tick; Slack holds its card update while process 1 handles the second.
    const held = proxy.holdNextUpdate();
    expect((await tick(0, 0)).status).toBe(200);
    await held;
    expect((await tick(1, 1)).status).toBe(200);
    await expect.poll(ticked, { timeout: 30_000 }).toBe(2);
    // Time for process 1 to redraw, were it to draw over the one in flight.
    await new Promise((r) => setTimeout(r, 1000));
    proxy.release();
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);
    expect(visible(shown(cardTs))).toContain('2/10 done');
    expect(shownTicks()).toEqual([items[0]!, items[1]!].sort());

    // The other eight at once, half on each process.
    const clicks = await Promise.all(items.slice(2).map((_, k) => tick(k % 2, k + 2)));
    expect(clicks.map((c) => c.status)).toEqual(clicks.map(() => 200));
    await expect.poll(ticked, { timeout: 30_000 }).toBe(10);
    await expect.poll(drawn, { timeout: 30_000 }).toBe(true);
    expect([...(await row()).checklist].sort()).toEqual([...items].sort());
    expect(shownTicks()).toEqual([...items].sort());
    expect(visible(shown(cardTs))).toContain('10/10 done');
    for (const b of bots) expect(b.out()).not.toMatch(/"level":50/);
  }, 120_000);
});
