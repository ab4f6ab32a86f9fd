/**
 * A Chat that records every call (method, arguments, what it returned or threw) and answers with
 * ids and timestamps of its own, so a test can assert what was posted where, and can make the next
 * call(s) of a method fail the way Slack's Web API fails.
 */
import type { MessageRef } from '../../src/core/incident/incident.js';
import type { Message } from '../../src/core/render/message.js';
import type { Chat } from '../../src/ports.js';

export type ChatMethod = keyof Chat;

export interface ChatCall<M extends ChatMethod = ChatMethod> {
  method: M;
  /** A copy of the arguments, as they were when the call was made. */
  args: Parameters<Chat[M]>;
  /** What the call returned; absent when it failed. */
  result?: Awaited<ReturnType<Chat[M]>>;
  /** The error the call was made to throw. */
  error?: unknown;
}

/** A message that was posted (successfully), with where it went. */
export interface Post {
  channel: string;
  message: Message;
  threadTs: string | undefined;
  ref: MessageRef;
}

interface Failure {
  error: unknown;
  times: number;
  when: ((...args: never[]) => boolean) | undefined;
}

export interface RecordingChat extends Chat {
  /** Every call in order, failed ones included. */
  readonly calls: readonly ChatCall[];
  /** The calls of one method, in order. */
  callsTo<M extends ChatMethod>(method: M): Array<ChatCall<M>>;
  /** The posts that went through, in order. */
  posts(): Post[];
  /**
   * Makes the next `times` (default 1) calls of `method` throw `error`; with `when`, only calls
   * whose arguments match count (e.g. only posts to one channel).
   */
  failNext<M extends ChatMethod>(method: M, error: unknown, options?: { times?: number; when?: (...args: Parameters<Chat[M]>) => boolean }): void;
  /** What userGroupMembers answers for a group (unknown groups have no members). */
  setUserGroup(groupId: string, members: string[]): void;
  /** Channel names createChannel answers `{ taken: true }` for. */
  takeChannelName(name: string): void;
}

/** An error as Slack's Web API client throws it for an `ok: false` answer (describeCause reads `data.error`). */
export function slackApiError(code: string): Error {
  return Object.assign(new Error(`An API error occurred: ${code}`), { code: 'slack_webapi_platform_error', data: { ok: false, error: code } });
}

/** An error as the client throws it for HTTP 429 when told not to wait (`retryAfter` in seconds). */
export function slackRateLimited(retryAfterSeconds: number): Error {
  return Object.assign(new Error(`A rate limit was exceeded (retry after ${retryAfterSeconds} s)`), {
    code: 'slack_webapi_rate_limited_error', retryAfter: retryAfterSeconds,
  });
}

/** A new chat with nothing recorded. */
export function recordingChat(): RecordingChat {
  const calls: ChatCall[] = [];
  const failures = new Map<ChatMethod, Failure[]>();
  const texts = new Map<string, string>();
  const groups = new Map<string, string[]>();
  const taken = new Set<string>();
  let seq = 0;

  const refKey = (ref: MessageRef) => `${ref.channel}/${ref.ts}`;
  // Shaped like Slack's (seconds.micro), increasing, so thread and ordering logic sees realistic values.
  const nextTs = () => `${1_700_000_000 + ++seq}.${String(seq).padStart(6, '0')}`;

  const takeFailure = (method: ChatMethod, args: unknown[]): Failure | undefined => {
    const queue = failures.get(method) ?? [];
    const failure = queue.find((f) => f.when === undefined || f.when(...(args as never[])));
    if (!failure) return undefined;
    failure.times -= 1;
    if (failure.times <= 0) queue.splice(queue.indexOf(failure), 1);
    return failure;
  };

  /** Records the call, then fails it if told to, else returns what `answer` gives. */
  async function record<M extends ChatMethod>(method: M, args: Parameters<Chat[M]>, answer: () => Awaited<ReturnType<Chat[M]>>): Promise<Awaited<ReturnType<Chat[M]>>> {
    const call: ChatCall<M> = { method, args: structuredClone(args) };
    calls.push(call as ChatCall);
    const failure = takeFailure(method, args);
    if (failure) {
      call.error = failure.error;
      throw failure.error;
    }
    const result = answer();
    call.result = structuredClone(result);
    return result;
  }

  return {
    calls,
    callsTo: <M extends ChatMethod>(method: M) => calls.filter((c): c is ChatCall<M> => c.method === method),
    posts: () =>
      calls
        .filter((c): c is ChatCall<'post'> => c.method === 'post' && c.result !== undefined)
        .map((c) => ({ channel: c.args[0], message: c.args[1], threadTs: c.args[2]?.threadTs, ref: c.result as MessageRef })),
    failNext(method, error, options = {}) {
      const queue = failures.get(method) ?? [];
      queue.push({ error, times: options.times ?? 1, when: options.when as Failure['when'] });
      failures.set(method, queue);
    },
    setUserGroup: (groupId, members) => groups.set(groupId, [...members]),
    takeChannelName: (name) => taken.add(name),

    post: (channel, message, options) =>
      record('post', options === undefined ? [channel, message] : [channel, message, options], () => {
        const ref = { channel, ts: nextTs() };
        texts.set(refKey(ref), message.text);
        return ref;
      }),
    postEphemeral: (channel, user, message) => record('postEphemeral', [channel, user, message], () => undefined),
    update: (ref, message) =>
      record('update', [ref, message], () => {
        texts.set(refKey(ref), message.text);
      }),
    createChannel: (name) =>
      record('createChannel', [name], () => {
        if (taken.has(name)) return { taken: true as const };
        taken.add(name);
        return { id: `CFAKE${++seq}` };
      }),
    invite: (channel, userIds) => record('invite', [channel, userIds], () => undefined),
    setTopic: (channel, topic) => record('setTopic', [channel, topic], () => undefined),
    pin: (ref) => record('pin', [ref], () => undefined),
    permalink: (ref) => record('permalink', [ref], () => `https://fake.slack.test/archives/${ref.channel}/p${ref.ts.replace('.', '')}`),
    messageText: (ref) => record('messageText', [ref], () => texts.get(refKey(ref)) ?? null),
    uploadFile: (file) => record('uploadFile', [file], () => undefined),
    userGroupMembers: (groupId) => record('userGroupMembers', [groupId], () => [...(groups.get(groupId) ?? [])]),
  };
}
