/**
 * A local stand-in for Slack's Web API, for tests that run the real Bolt app over HTTP.
 * Point Bolt at it with `clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } }`.
 *
 * It serves three kinds of paths on 127.0.0.1:
 *   /api/<method>        Web API calls (form-encoded, JSON or multipart), recorded in `calls`
 *   /response_url/<n>    targets for `respond()`, recorded in `responses`
 *   /upload/<file_id>    upload URLs handed out by files.getUploadURLExternal
 * Method behaviour (answers, validation) is in web-api-methods.ts, the workspace state in workspace.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_ID, BOT_ID, BOT_USER_ID, blocksRefusal, handleMethod, SlackWorld, TEAM_ID, type Answer, type Args, type ResponseTarget } from './web-api-methods.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export { newTriggerId, userNameFor, TEAM_ID, BOT_USER_ID, BOT_ID, APP_ID, SlackWorld, type ResponseTarget } from './web-api-methods.js';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** Date.now() when the call arrived. */
  at: number;
  /** HTTP status the stand-in answered with; 0 when it never answered (a hang). */
  status: number;
  /** The JSON body the stand-in answered with (for views.* it holds the view id and hash). */
  result: unknown;
}

export interface ResponseUrlPost {
  path: string;
  body: unknown;
}

/**
 * How a call fails: a Slack error in a 200 answer, an HTTP status (429 with Retry-After), or a hang:
 * the connection is accepted and never answered. A hang with `deliver` does the call's work first
 * (the message is posted, the channel created), so only the answer is lost, as when Slack stalls
 * after acting.
 */
export type Failure = { error: string } | { status: 429; retryAfter: number } | { status: number } | { hang: true; deliver?: boolean };

export interface SlackStandIn {
  apiUrl: string;
  baseUrl: string;
  /**
   * A fresh response_url. With `target` (the channel, person and message it was handed out for),
   * a post to it acts as Slack's does: an ephemeral reply, an in_channel message, or the original
   * message replaced or deleted. Without, posts are only recorded.
   */
  responseUrl(target?: ResponseTarget): string;
  /** The workspace's state (local mode's console reads it). */
  world: SlackWorld;
  /** Called after anything changed the workspace (a call, a response_url post, a person's message); returns the unsubscribe. */
  onActivity(listener: (call?: ApiCall) => void): () => void;
  calls: ApiCall[];
  responses: ResponseUrlPost[];
  callsTo(method: string): ApiCall[];
  waitFor(method: string, predicate?: (c: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  waitForResponse(predicate?: (r: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
  /** The next call to `method` (matching `when`, if given) fails as said. Several queue up. */
  failNext(method: string, failure: Failure, when?: (args: Record<string, unknown>) => boolean): void;
  setHandler(method: string, handler: (args: Record<string, unknown>) => object): void;
  /** Adds a message written by a person, as if typed in Slack; returns it (with its ts). */
  userMessage(channel: string, user: string, text: string, threadTs?: string): { ts: string; text: string };
  /** Holds every answer of `method` for `ms` before sending it (until reset), like a slow Slack. */
  delay(method: string, ms: number): void;
  /**
   * Every call to `method` (`*`: to any method) fails as said until cleared with null; a queued
   * failNext still comes first. Calls left hanging stay so (the app must give up on them).
   */
  fault(method: string, failure: Failure | null): void;
  /** The messages the workspace holds in `channel`, oldest first: what people see, whatever the answers said. */
  messagesIn(channel: string): Array<Record<string, unknown>>;
  uploadedFile(fileId: string): Buffer | undefined;
  reset(): void;
  close(): Promise<void>;
}

/** Resolves with the first element of `list` (present or future) matching `predicate`. */
function waitIn<T>(
  list: T[],
  subscribers: Set<(item: T) => void>,
  predicate: (item: T) => boolean,
  timeoutMs: number,
  describeTimeout: () => string,
): Promise<T> {
  const found = list.find(predicate);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise<T>((resolve, reject) => {
    const onItem = (item: T) => {
      let matched: boolean;
      try {
        matched = predicate(item);
      } catch (error) {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (matched) {
        cleanup();
        resolve(item);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(describeTimeout()));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      subscribers.delete(onItem);
    };
    subscribers.add(onItem);
  });
}

/** web-api sends objects and arrays (blocks, view, files…) as JSON strings inside the form: decode them. */
function decodeValue(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function parseArgs(contentType: string, body: Buffer, query: URLSearchParams): Promise<Args> {
  const args: Args = {};
  for (const [k, v] of query) args[k] = decodeValue(v);
  if (body.length === 0) return args;
  if (contentType.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) Object.assign(args, parsed);
  } else if (contentType.startsWith('multipart/form-data')) {
    for (const [k, v] of await readMultipart(contentType, body)) args[k] = typeof v === 'string' ? decodeValue(v) : v;
  } else {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) args[k] = decodeValue(v);
  }
  return args;
}

/** Multipart parsing via the fetch API's own parser (undici), to avoid a dependency. */
async function readMultipart(contentType: string, body: Buffer): Promise<Array<[string, string | Buffer]>> {
  const form = await new Request('http://stand-in.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  const out: Array<[string, string | Buffer]> = [];
  for (const [k, v] of form) out.push([k, typeof v === 'string' ? v : Buffer.from(await v.arrayBuffer())]);
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** "auth.test, chat.postMessage ×2" — for timeout messages. */
function summarize(methods: string[]): string {
  if (methods.length === 0) return '(none)';
  const counts = new Map<string, number>();
  for (const m of methods) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => (n > 1 ? `${m} ×${n}` : m)).join(', ');
}

export interface StandInOptions {
  port?: number;
  /** Keep only the last this many calls and response posts (local mode runs for hours); default: all. */
  keepCalls?: number;
}

/** Slack's answer to a response_url post, done to the workspace. */
function respondAs(world: SlackWorld, target: ResponseTarget, body: Record<string, unknown>): void {
  const text = typeof body.text === 'string' ? body.text : '';
  if (body.delete_original === true || body.delete_original === 'true') {
    if (target.messageTs && target.ephemeral) {
      const i = world.ephemerals.findIndex((m) => m.ts === target.messageTs);
      if (i !== -1) world.ephemerals.splice(i, 1);
    } else if (target.messageTs) world.deleteMessage(target.channel, target.messageTs);
    return;
  }
  if ((body.replace_original === true || body.replace_original === 'true') && target.messageTs) {
    if (target.ephemeral) {
      const e = world.ephemerals.find((m) => m.ts === target.messageTs);
      if (e) Object.assign(e, { text, blocks: body.blocks });
    } else world.updateMessage(target.channel, target.messageTs, { text, blocks: body.blocks });
    return;
  }
  if (body.response_type === 'in_channel') {
    const ts = world.nextTs();
    world.remember(target.channel, { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, app_id: APP_ID, team: TEAM_ID, text, blocks: body.blocks, ts });
    return;
  }
  world.postEphemeral({ channel: target.channel, user: target.user, text, blocks: body.blocks });
}

export async function startSlackStandIn(options: StandInOptions = {}): Promise<SlackStandIn> {
  const calls: ApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const callSubscribers = new Set<(c: ApiCall) => void>();
  const responseSubscribers = new Set<(r: ResponseUrlPost) => void>();
  const failures = new Map<string, Array<{ failure: Failure; when: (args: Record<string, unknown>) => boolean }>>();
  const overrides = new Map<string, (args: Record<string, unknown>) => object>();
  const delays = new Map<string, number>();
  const faults = new Map<string, Failure>();
  let responseUrlSeq = 0;
  // The world needs the base URL (for upload URLs), known only once the server listens.
  let world = new SlackWorld('');
  const activity = new Set<(call?: ApiCall) => void>();
  const keep = options.keepCalls ?? Infinity;
  const record = <T>(list: T[], item: T) => {
    list.push(item);
    if (list.length > keep) list.splice(0, list.length - keep);
  };
  const changed = (call?: ApiCall) => {
    for (const listener of [...activity]) listener(call);
  };

  async function handleApi(method: string, req: IncomingMessage, res: ServerResponse, body: Buffer, query: URLSearchParams) {
    const args = await parseArgs(req.headers['content-type'] ?? '', body, query);
    const hold = delays.get(method);
    if (hold) await new Promise((resolve) => setTimeout(resolve, hold));
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const token = bearer?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    const call: ApiCall = { method, args, token, at: Date.now(), status: 200, result: undefined };

    let headers: Record<string, string> = {};
    const queue = failures.get(method) ?? [];
    const index = queue.findIndex((f) => f.when(args));
    const failure = index === -1 ? (faults.get(method) ?? faults.get('*')) : queue.splice(index, 1)[0]?.failure;
    if (failure && 'hang' in failure) {
      call.status = 0;
      if (failure.deliver) call.result = handleMethod(world, method, args);
      record(calls, call);
      for (const s of [...callSubscribers]) s(call);
      changed(call);
      // Never answered: the socket stays open until the app gives up or the stand-in closes.
      return;
    }
    if (failure && 'error' in failure) {
      call.result = { ok: false, error: failure.error };
    } else if (failure) {
      call.status = failure.status;
      call.result = { ok: false, error: failure.status === 429 ? 'ratelimited' : `http_${failure.status}` };
      if ('retryAfter' in failure) headers = { 'retry-after': String(failure.retryAfter) };
    } else {
      const override = overrides.get(method);
      if (override) {
        const answer = override(args) as Record<string, unknown>;
        call.result = 'ok' in answer ? answer : { ok: true, ...answer };
      } else {
        call.result = handleMethod(world, method, args) ?? ({ ok: false, error: 'unknown_method' } satisfies Answer);
      }
    }
    // Record (and wake waiters) before answering, so a test never sees the app react to a call it has not recorded.
    record(calls, call);
    for (const s of [...callSubscribers]) s(call);
    changed(call);
    sendJson(res, call.status, call.result, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const path = url.pathname;
    if (path.startsWith('/api/')) return handleApi(path.slice('/api/'.length), req, res, body, url.searchParams);
    if (path.startsWith('/response_url/')) {
      const text = body.toString('utf8');
      const post: ResponseUrlPost = { path, body: text === '' ? undefined : decodeValue(text) };
      record(responses, post);
      for (const s of [...responseSubscribers]) s(post);
      // A response_url refuses what chat.postMessage refuses (the post is still recorded, for the tests to see).
      const refusal = isRecord(post.body) ? blocksRefusal(post.body) : null;
      const target = world.responseTarget(path);
      if (!refusal && target && isRecord(post.body)) respondAs(world, target, post.body);
      changed();
      return sendJson(res, 200, refusal ?? { ok: true });
    }
    if (path.startsWith('/upload/')) {
      // web-api posts the bytes as a multipart form (one field); accept raw bodies too.
      const ct = req.headers['content-type'] ?? '';
      const parts = ct.startsWith('multipart/form-data') ? await readMultipart(ct, body) : [['body', body] as const];
      const data = parts.map(([, v]) => v).find((v) => typeof v !== 'string') ?? parts[0]?.[1] ?? Buffer.alloc(0);
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (!world.recordUpload(path.slice('/upload/'.length), bytes)) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
      changed();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`OK - ${bytes.length}`);
      return;
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A stand-in bug should show up loudly in the app's error, not as a hang.
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'stand_in_error', detail: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  world = new SlackWorld(baseUrl);

  return {
    apiUrl: `${baseUrl}/api/`,
    baseUrl,
    calls,
    responses,
    responseUrl: (target) => {
      const path = `/response_url/${++responseUrlSeq}`;
      if (target) world.rememberResponseTarget(path, target);
      return baseUrl + path;
    },
    get world() {
      return world;
    },
    onActivity: (listener) => {
      activity.add(listener);
      return () => void activity.delete(listener);
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor: (method, predicate = () => true, timeoutMs = 5000) =>
      waitIn(calls, callSubscribers, (c) => c.method === method && predicate(c), timeoutMs, () => {
        const seen = calls.filter((c) => c.method === method).length;
        return (
          `Slack stand-in: no call to ${method}${seen > 0 ? ` matching the predicate (${seen} non-matching)` : ''} ` +
          `within ${timeoutMs} ms. Methods seen so far: ${summarize(calls.map((c) => c.method))}`
        );
      }),
    waitForResponse: (predicate = () => true, timeoutMs = 5000) =>
      waitIn(responses, responseSubscribers, predicate, timeoutMs, () =>
        `Slack stand-in: no matching response_url post within ${timeoutMs} ms (${responses.length} received: ${
          responses.map((r) => r.path).join(', ') || 'none'
        }). Web API methods seen so far: ${summarize(calls.map((c) => c.method))}`,
      ),
    failNext: (method, failure, when = () => true) => {
      const queue = failures.get(method) ?? [];
      queue.push({ failure, when });
      failures.set(method, queue);
    },
    setHandler: (method, handler) => void overrides.set(method, handler),
    delay: (method, ms) => void delays.set(method, ms),
    fault: (method, failure) => void (failure ? faults.set(method, failure) : faults.delete(method)),
    messagesIn: (channel) => world.messagesIn(channel),
    uploadedFile: (fileId) => world.uploads.get(fileId),
    userMessage: (channel, user, text, threadTs) => {
      const message = world.userMessage(channel, user, text, threadTs) as { ts: string; text: string };
      changed();
      return message;
    },
    reset: () => {
      calls.length = 0;
      responses.length = 0;
      failures.clear();
      overrides.clear();
      delays.clear();
      faults.clear();
      world.reset();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from the app's fetch would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
