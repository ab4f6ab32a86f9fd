/**
 * Local mode's console, on the bot's own HTTP server: the page (built with esbuild from
 * console/page/), the workspace as one person sees it (GET /console/state), a stream of changes
 * (GET /console/events, server-sent events), and what people do (POST /console/send), which goes
 * to the bot exactly as Slack sends it: signed slash commands, block_actions, view_submission,
 * view_closed and reaction_added events to /slack/events. What the bot does in return arrives
 * through the Web API stand-in (web-api.ts), whose workspace the state is read from.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { viewProblems } from './block-kit-rules.js';
import { crossSiteProblem, readConsoleRequest } from './console-request.js';
import { consoleState } from './console-state.js';
import { createSlackDriver, type DriverResponse, type SlackDriver } from './driver.js';
import { CLOCK_FACTORS, type FastClock } from './fast-clock.js';
import { APP_ID, BOT_USER_ID, TEAM_ID, type ApiCall, type SlackStandIn } from './web-api.js';
import type { ConsoleAction, ConsoleAnswer, ConsoleCommand, ConsoleNotice, ConsoleRequest, ConsoleState, ConsoleUser } from './console/protocol.js';

/** A route of the bot's HTTP server (Bolt's custom routes take this shape). */
export interface ConsoleRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface ConsoleOptions {
  standIn: SlackStandIn;
  /** The bot's own address (known once it listens): requests go to its /slack/events. */
  appUrl: () => string;
  /** The port the console is served on (known once the bot listens), for the Host check. */
  port: () => number;
  signingSecret: string;
  users: readonly ConsoleUser[];
  commands: readonly ConsoleCommand[];
  /** Commands whose text Slack escapes (`should_escape` in the manifest): @name becomes <@U…|name>. */
  escapedCommands: ReadonlySet<string>;
  clock: FastClock;
  /** The incidents channel: the page opens on it. */
  defaultChannel: string;
  /** Channels that exist before the bot starts, in sidebar order. */
  seededChannels: ReadonlyArray<{ id: string; name: string }>;
  /** What went wrong on the console's side (a request the bot did not answer), for the bot's log. */
  onProblem?: (problem: { error: string; details: string[] }) => void;
}

export interface ConsoleServer {
  routes: ConsoleRoute[];
  /** Ends the event streams (an open stream would hold the HTTP server's close). */
  stop(): void;
}

const PAGE_DIR = fileURLToPath(new URL('./console/page/', import.meta.url));
/** Slack waits this long for a command's or an interaction's answer before telling the person it failed. */
const SLACK_WAIT_MS = 3000;
const NOTICES_KEPT = 50;
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The page draws what the bot sends: no script but the bundle, no connection but to itself.
  'content-security-policy': "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

/** Builds the page's script (esbuild, in memory). A broken page is a start-up error, not a blank screen. */
export async function buildConsolePage(): Promise<{ js: string; css: string; html: string }> {
  if (!existsSync(`${PAGE_DIR}main.ts`)) {
    throw new Error('local mode runs from a checkout of the source (`npm run local`): this installation has no console page sources (the compiled build leaves them out)');
  }
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [`${PAGE_DIR}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text ?? '';
  const [css, html] = await Promise.all([readFile(`${PAGE_DIR}console.css`, 'utf8'), readFile(`${PAGE_DIR}index.html`, 'utf8')]);
  return { js, css, html };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...headers });
  res.end(body);
}
const sendJson = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });

/** What a text file looks like enough to be shown in the browser rather than downloaded. */
function looksLikeText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 4096).includes(0);
}

export function consoleServer(options: ConsoleOptions, page: { js: string; css: string; html: string }): ConsoleServer {
  const { standIn, clock } = options;
  const world = standIn.world;
  for (const user of options.users) world.addUser({ id: user.id, name: user.name, realName: user.realName });
  for (const channel of options.seededChannels) world.seedChannel(channel.id, channel.name);
  for (const user of options.users) for (const channel of options.seededChannels) world.membersOf(channel.id).add(user.id);

  const users = new Map(options.users.map((u) => [u.id, u]));
  const byName = new Map(options.users.map((u) => [u.name.toLowerCase(), u]));
  const notices: ConsoleNotice[] = [];
  const viewErrors = new Map<string, Record<string, string>>();
  const streams = new Set<ServerResponse>();
  let version = 0;
  let noticeSeq = 0;
  let driver: SlackDriver | undefined;
  const bot = () => (driver ??= createSlackDriver({ appUrl: options.appUrl(), signingSecret: options.signingSecret, standIn }));

  let pending: NodeJS.Timeout | undefined;
  const changed = () => {
    if (pending) return;
    // Coalesced: one refresh of the page for a burst of calls (a card, a pin, a topic).
    pending = setTimeout(() => {
      pending = undefined;
      version += 1;
      for (const res of streams) res.write(`event: changed\ndata: ${JSON.stringify({ version })}\n\n`);
    }, 25);
  };

  const notice = (n: Omit<ConsoleNotice, 'id' | 'at'>) => {
    notices.push({ ...n, id: ++noticeSeq, at: Date.now() });
    if (notices.length > NOTICES_KEPT) notices.splice(0, notices.length - NOTICES_KEPT);
    changed();
  };

  const unsubscribe = standIn.onActivity((call?: ApiCall) => {
    // What Slack refused is what a person would not see: say so, with Slack's details.
    const result = call?.result;
    if (call && isRecord(result) && result.ok === false) {
      const metadata = isRecord(result.response_metadata) ? result.response_metadata : {};
      const details = Array.isArray(metadata.messages) ? metadata.messages.map(String) : [];
      const channel = typeof call.args.channel === 'string' ? call.args.channel : undefined;
      notice({ method: call.method, error: String(result.error), details, ...(channel ? { channel } : {}) });
      return;
    }
    changed();
  });
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  const stateFor = (me: string): ConsoleState =>
    consoleState({ world, me, version, notices, viewErrors, clock, users: options.users, commands: options.commands, seededChannels: options.seededChannels, defaultChannel: options.defaultChannel });

  // ---- what people do, sent as Slack sends it ----

  const slackUser = (id: string) => {
    const u = world.user(id);
    return { id, username: u.name, name: u.name, team_id: TEAM_ID };
  };
  const channelName = (id: string) => (/^[UWD]/.test(id) ? 'directmessage' : world.channel(id).name);

  /** @alice → <@U0ALICE|alice> (or <@U0ALICE> in messages), #name → <#C…|name>, as Slack rewrites them. */
  function escapeMentions(text: string, withNames: boolean): string {
    const channelsByName = new Map(world.allChannels().map((c) => [c.name, c.id]));
    return text
      .replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (whole, lead: string, name: string) => {
        const u = byName.get(name.toLowerCase());
        return u ? `${lead}<@${u.id}${withNames ? `|${u.name}` : ''}>` : whole;
      })
      .replace(/(^|[\s(])#([a-z0-9_-]+)/g, (whole, lead: string, name: string) => {
        const id = channelsByName.get(name);
        return id ? `${lead}<#${id}|${name}>` : whole;
      });
  }

  /** Slack waits 3 s for the app's answer; past that the person is told, whatever the app does later. */
  async function withinSlackWait(what: string, request: Promise<DriverResponse>): Promise<DriverResponse | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), SLACK_WAIT_MS)));
    const answer = await Promise.race([request, late]).finally(() => clearTimeout(timer));
    if (!answer) {
      const problem = { error: 'operation_timeout', details: [`${what}: the app did not answer within 3 seconds (Slack would show "operation_timeout")`] };
      notice(problem);
      options.onProblem?.(problem);
    }
    return answer;
  }

  function failed(what: string, res: DriverResponse, channel?: string): void {
    const problem = { error: 'dispatch_failed', details: [`${what}: the app answered HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 300)}` : ''}`] };
    notice({ ...problem, ...(channel ? { channel } : {}) });
    options.onProblem?.(problem);
  }

  async function command(r: Extract<ConsoleRequest, { kind: 'command' }>): Promise<ConsoleAnswer> {
    const m = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(r.text.trim());
    const known = options.commands.map((c) => c.command);
    if (!m || !known.includes(m[1]!.toLowerCase())) {
      const name = m?.[1] ?? r.text.trim().split(/\s/)[0];
      return { ok: false, error: `${name} is not a command here. The bot's commands: ${known.join(', ')} (type / to see them).` };
    }
    const name = m[1]!.toLowerCase();
    const raw = (m[2] ?? '').trim();
    const text = options.escapedCommands.has(name) ? escapeMentions(raw, true) : raw;
    const responseUrl = standIn.responseUrl({ channel: r.channel, user: r.user });
    const res = await withinSlackWait(
      name,
      bot().command({ command: name, text, userId: r.user, channelId: r.channel, channelName: channelName(r.channel), triggerId: world.triggerFor(r.user), responseUrl }),
    );
    if (!res) return { ok: true };
    if (res.status !== 200) {
      failed(name, res, r.channel);
      return { ok: true };
    }
    // The command's answer in the HTTP response is shown as Slack shows it (ephemeral unless in_channel).
    const answer = isRecord(res.json) ? res.json : res.text.trim() !== '' ? { text: res.text } : undefined;
    if (answer && (answer.text !== undefined || answer.blocks !== undefined)) {
      await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) });
    }
    return { ok: true };
  }

  function actionPayload(a: ConsoleAction): Record<string, unknown> {
    const actionTs = (Date.now() / 1000).toFixed(6);
    const base = { action_id: a.action_id, block_id: a.block_id, action_ts: actionTs };
    switch (a.type) {
      case 'button':
        return { ...base, type: 'button', text: plain(a.text), value: a.value ?? '', ...(a.style ? { style: a.style } : {}) };
      case 'static_select':
      case 'overflow':
        return { ...base, type: a.type, selected_option: { text: plain(a.selected_option.text), value: a.selected_option.value } };
      case 'users_select':
        return { ...base, type: 'users_select', selected_user: a.selected_user };
      case 'checkboxes':
        return { ...base, type: 'checkboxes', selected_options: a.selected_options.map((o) => ({ text: { type: 'mrkdwn', text: o.text, verbatim: false }, value: o.value })) };
      case 'datepicker':
        return { ...base, type: 'datepicker', selected_date: a.selected_date };
    }
  }

  async function action(r: Extract<ConsoleRequest, { kind: 'action' }>): Promise<ConsoleAnswer> {
    const triggerId = world.triggerFor(r.user);
    const payload: Record<string, unknown> = {
      type: 'block_actions',
      user: slackUser(r.user),
      api_app_id: APP_ID,
      token: 'local-console',
      trigger_id: triggerId,
      team: { id: TEAM_ID, domain: 'firebreak-local' },
      enterprise: null,
      is_enterprise_install: false,
      actions: [actionPayload(r.action)],
    };
    if (r.viewId !== undefined) {
      const open = world.openView(r.viewId);
      if (!open || open.user !== r.user) return { ok: false, error: 'That form is no longer open: open it again.' };
      payload.container = { type: 'view', view_id: r.viewId };
      payload.view = { ...open.view, state: { values: r.values ?? {} } };
      payload.state = { values: r.values ?? {} };
    } else {
      if (!r.channel || !r.messageTs) return { ok: false, error: 'A click on a message needs its channel and messageTs.' };
      const ephemeral = world.ephemerals.find((e) => e.ts === r.messageTs && e.user === r.user);
      const message = ephemeral ? undefined : world.message(r.channel, r.messageTs);
      if (!ephemeral && !message) return { ok: false, error: 'That message is gone: it was deleted or replaced.' };
      payload.container = { type: 'message', message_ts: r.messageTs, channel_id: r.channel, is_ephemeral: ephemeral !== undefined };
      payload.channel = { id: r.channel, name: channelName(r.channel) };
      if (message) {
        // Slack hands the app the message clicked on, without its metadata.
        const { metadata: _hidden, ...shown } = message;
        payload.message = shown;
      }
      payload.state = { values: {} };
      payload.response_url = standIn.responseUrl({ channel: r.channel, user: r.user, messageTs: r.messageTs, ephemeral: ephemeral !== undefined });
    }
    const res = await withinSlackWait(`the ${r.action.type} ${r.action.action_id}`, bot().interaction(payload));
    if (res && res.status !== 200) failed(`the ${r.action.type} ${r.action.action_id}`, res, r.channel);
    return { ok: true };
  }

  /** Shows a view the bot answered a submission with, or says why Slack would not. */
  function placeAnswered(user: string, view: unknown, how: 'update' | 'push', currentId: string): boolean {
    const problems = viewProblems(view);
    if (!isRecord(view) || problems.length > 0) {
      notice({ method: `view_submission response_action ${how}`, error: 'invalid_arguments', details: problems.map((p) => `[ERROR] ${p}`) });
      return false;
    }
    if (how === 'update') world.placeView(world.storeView(currentId, view), { replace: currentId });
    else world.placeView(world.storeView(world.nextId('V'), view), { push: user });
    return true;
  }

  async function submit(r: Extract<ConsoleRequest, { kind: 'submit' }>): Promise<ConsoleAnswer> {
    const open = world.openView(r.viewId);
    if (!open || open.user !== r.user) return { ok: false, error: 'That form is no longer open: open it again.' };
    const v = open.view;
    const res = await withinSlackWait(
      `submitting "${String(isRecord(v.title) ? v.title.text : 'the form')}"`,
      bot().viewSubmission({
        view: {
          id: r.viewId,
          hash: String(v.hash),
          callback_id: String(v.callback_id ?? ''),
          ...(typeof v.private_metadata === 'string' ? { private_metadata: v.private_metadata } : {}),
          ...(Array.isArray(v.blocks) ? { blocks: v.blocks } : {}),
        },
        values: r.values as unknown as Record<string, Record<string, unknown>>,
        userId: r.user,
      }),
    );
    if (!res) return { ok: false, error: 'The app did not answer in time; the form stays open. Try again.' };
    if (res.status !== 200) {
      failed('the form', res);
      return { ok: false, error: `The app answered HTTP ${res.status}; the form stays open.` };
    }
    const answer = isRecord(res.json) ? res.json : {};
    viewErrors.delete(r.viewId);
    switch (answer.response_action) {
      case 'errors':
        viewErrors.set(r.viewId, isRecord(answer.errors) ? Object.fromEntries(Object.entries(answer.errors).map(([k, m]) => [k, String(m)])) : {});
        break;
      case 'update':
        placeAnswered(r.user, answer.view, 'update', r.viewId);
        break;
      case 'push':
        placeAnswered(r.user, answer.view, 'push', r.viewId);
        break;
      case 'clear':
        world.closeViews(r.user, { all: true });
        break;
      default:
        world.closeViews(r.user, { top: true });
    }
    changed();
    return { ok: true };
  }

  async function close(r: Extract<ConsoleRequest, { kind: 'close' }>): Promise<ConsoleAnswer> {
    const open = world.openView(r.viewId);
    if (!open || open.user !== r.user) return { ok: true };
    world.closeViews(r.user, { all: true });
    viewErrors.delete(r.viewId);
    changed();
    if (open.view.notify_on_close === true) {
      const payload = { type: 'view_closed', team: { id: TEAM_ID, domain: 'firebreak-local' }, user: slackUser(r.user), api_app_id: APP_ID, token: 'local-console', view: open.view, is_cleared: true, is_enterprise_install: false };
      const res = await withinSlackWait('closing the form', bot().interaction(payload));
      if (res && res.status !== 200) failed('closing the form', res);
    }
    return { ok: true };
  }

  async function reaction(r: Extract<ConsoleRequest, { kind: 'reaction' }>): Promise<ConsoleAnswer> {
    const message = world.message(r.channel, r.ts);
    if (!message) return { ok: false, error: 'That message is gone: reactions go on messages of the channel.' };
    if (!world.react(r.channel, r.ts, r.name, r.user)) return { ok: true };
    changed();
    const res = await withinSlackWait(`the :${r.name}: reaction`, bot().event({ type: 'reaction_added', user: r.user, reaction: r.name, item: { type: 'message', channel: r.channel, ts: r.ts }, item_user: String(message.user ?? BOT_USER_ID) }));
    if (res && res.status !== 200) failed(`the :${r.name}: reaction`, res, r.channel);
    return { ok: true };
  }

  async function handle(r: ConsoleRequest): Promise<ConsoleAnswer> {
    if ('user' in r && !users.has(r.user)) return { ok: false, error: `Unknown user ${r.user}: pick one of ${[...users.keys()].join(', ')}.` };
    switch (r.kind) {
      case 'command':
        return command(r);
      case 'message':
        standIn.userMessage(r.channel, r.user, escapeMentions(r.text, false), r.threadTs);
        return { ok: true };
      case 'action':
        return action(r);
      case 'submit':
        return submit(r);
      case 'close':
        return close(r);
      case 'reaction':
        return reaction(r);
      case 'clock':
        if (!clock.setFactor(r.factor)) return { ok: false, error: `The clock runs at ${CLOCK_FACTORS.map((f) => `×${f}`).join(', ')}; ×${r.factor} is not offered.` };
        changed();
        return { ok: true };
    }
  }

  // ---- routes ----

  const routes: ConsoleRoute[] = [
    { path: '/', method: ['GET'], handler: (_req, res) => send(res, 200, 'text/html; charset=utf-8', page.html) },
    { path: '/console/app.js', method: ['GET'], handler: (_req, res) => send(res, 200, 'text/javascript; charset=utf-8', page.js) },
    { path: '/console/app.css', method: ['GET'], handler: (_req, res) => send(res, 200, 'text/css; charset=utf-8', page.css) },
    {
      path: '/console/state',
      method: ['GET'],
      handler: (req, res) => {
        const me = new URL(req.url ?? '/', 'http://console').searchParams.get('user') ?? options.users[0]?.id ?? '';
        if (!users.has(me)) return sendJson(res, 400, { ok: false, error: `Unknown user "${me}": pick one of ${[...users.keys()].join(', ')}.` });
        sendJson(res, 200, stateFor(me));
      },
    },
    {
      path: '/console/events',
      method: ['GET'],
      handler: (req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', ...SECURITY_HEADERS });
        res.write(`retry: 1000\nevent: changed\ndata: ${JSON.stringify({ version })}\n\n`);
        streams.add(res);
        req.on('close', () => streams.delete(res));
      },
    },
    {
      path: '/console/send',
      method: ['POST'],
      handler: (req, res) => {
        void (async () => {
          const read = await readConsoleRequest(req);
          if (!read.ok) return sendJson(res, 400, { ok: false, error: read.error });
          try {
            sendJson(res, 200, await handle(read.request));
          } catch (err) {
            sendJson(res, 502, { ok: false, error: `The bot could not be reached: ${(err as Error).message}. Is it still running?` });
          }
        })();
      },
    },
    {
      path: '/console/file',
      method: ['GET'],
      handler: (req, res) => {
        const url = new URL(req.url ?? '/', 'http://console');
        const id = url.searchParams.get('id') ?? '';
        const bytes = world.uploads.get(id);
        if (!bytes) return send(res, 404, 'text/plain; charset=utf-8', `No file ${id}: it was never uploaded, or the console was restarted.\n`);
        const name = (world.uploadInfo(id)?.filename ?? id).replace(/[^\w.-]+/g, '_');
        const download = url.searchParams.get('download') === '1';
        const type = looksLikeText(bytes) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
        send(res, 200, type, bytes, { 'content-disposition': `${download ? 'attachment' : 'inline'}; filename="${name}"` });
      },
    },
  ];

  const guarded = routes.map((route) => ({
    ...route,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      const problem = crossSiteProblem(req, options.port());
      if (!problem) return route.handler(req, res);
      req.resume();
      sendJson(res, 403, { ok: false, error: `Refused: ${problem}.` });
    },
  }));

  return {
    routes: guarded,
    stop() {
      unsubscribe();
      clearInterval(keepAlive);
      if (pending) clearTimeout(pending);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
