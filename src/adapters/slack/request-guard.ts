/**
 * What every request to /slack/events goes through before Bolt's HTTP receiver sees it: the body
 * read (bounded), the signature checked both ways in time, the body parsed as Bolt will parse it
 * and refused unless it is an object (Bolt reads fields of it before any listener runs, and a
 * `null` there used to end the process). Then the request is handed on, its body already read, to
 * Bolt, while the store says whether its signature was seen before: the acknowledgement does not
 * wait on the store, and the work does (screened-app.ts stops an exact replay at its ack, before
 * the listener does anything). No acknowledgement carries stored data (a command's is empty or
 * its usage text, a form's is the errors of the fields it was sent), so a replay learns nothing
 * from being acknowledged.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { noMetrics, type Metrics, type ReplayStore } from '../../ports.js';
import type { Logger } from '../../logger.js';
import { readBody } from '../http/read-body.js';
import { isSslCheck, parseBody } from './request-body.js';
import { checkSignature, SIGNATURE_WINDOW_SECONDS } from './request-signature.js';
import { newRequestId } from './request-scope.js';
import type { ArrivedRequest } from './screened-app.js';

/** Bolt's own default limit: views (up to 250 kB) and their state arrive URL-encoded, so well above that. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/** How long a request may wait for the replay check before it goes on without it (the ack deadline is 3 s). */
const REPLAY_CHECK_MS = 1000;
/**
 * A signature is kept past its window by this much, so replicas whose clocks disagree by less
 * still recognise a replay (each refuses the request as stale by its own clock afterwards).
 */
const REPLAY_MARGIN_SECONDS = 60;
const PRUNE_EVERY_MS = 60_000;

export interface RequestGuardOptions {
  signingSecret: string;
  replays: ReplayStore;
  logger: Logger;
  /** The paths Slack posts to. */
  endpoints: readonly string[];
  /** Wall-clock milliseconds (Slack's timestamps are compared with real time, whatever the app's clock). */
  now?: () => number;
  /** Told of the requests refused here. */
  metrics?: Metrics;
}

const ARRIVAL = Symbol('firebreak.arrival');
type Arrived = IncomingMessage & { [ARRIVAL]?: ArrivedRequest };

/** The id and arrival time the guard gave a request (for Bolt's customProperties), if it screened it. */
export const arrivalOf = (req: IncomingMessage): ArrivedRequest | undefined => (req as Arrived)[ARRIVAL];

/** A listener for the receiver's server that screens Slack's requests, then calls `next` (Bolt's listener) for the good ones. */
export function guardSlackRequests(next: RequestListener, options: RequestGuardOptions): RequestListener {
  const now = options.now ?? Date.now;
  const metrics = options.metrics ?? noMetrics;
  const edge = options.logger.child({ component: 'slack-edge' });
  let lastPrune = 0;

  const prune = (at: number) => {
    if (at - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = at;
    options.replays.prune(new Date(at)).catch((err: unknown) => edge.warn({ err }, 'could not prune the signatures of old requests'));
  };

  /** True when the request is new (or the check could not be made); false for a replay. Never rejects. */
  const isFirstDelivery = async (signature: string, timestamp: number, log: typeof edge): Promise<boolean> => {
    const at = now();
    const expiresAt = new Date((timestamp + SIGNATURE_WINDOW_SECONDS + REPLAY_MARGIN_SECONDS) * 1000);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), REPLAY_CHECK_MS);
      timer.unref();
    });
    try {
      const fresh = await Promise.race([options.replays.remember(signature, expiresAt, new Date(at)), late]);
      if (fresh === 'late') {
        log.warn('the replay check did not answer in time; handling the request without it');
        return true;
      }
      prune(at);
      return fresh;
    } catch (err) {
      // The database is unreachable: the use cases will say so to the person, which they could not
      // if every request were refused here; and with no database, a replay can change nothing.
      log.warn({ err }, 'could not check the request against the ones already received; handling it without that check');
      return true;
    } finally {
      clearTimeout(timer);
    }
  };

  const screen = async (req: IncomingMessage, res: ServerResponse, arrival: ArrivedRequest, log: typeof edge): Promise<void> => {
    const body = await readBody(req, BODY_LIMIT_BYTES);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      metrics.slackRequestRefused('too_large');
      return answer(res, 413);
    }
    const contentType = req.headers['content-type'];
    if (isSslCheck(contentType, body)) return answer(res, 200);

    const check = checkSignature({
      secret: options.signingSecret,
      signature: req.headers['x-slack-signature'],
      timestamp: req.headers['x-slack-request-timestamp'],
      body,
      nowSeconds: Math.floor(now() / 1000),
    });
    if (!check.ok) {
      metrics.slackRequestRefused('signature');
      log.warn({ reason: check.reason, remote: req.socket.remoteAddress }, `refused a request to ${req.url ?? ''}: signature ${check.reason}`);
      return answer(res, 401);
    }

    const parsed = parseBody(contentType, body);
    if (!parsed.ok) {
      metrics.slackRequestRefused('body');
      log.warn({ problem: parsed.problem }, `refused a signed request whose body is not a Slack payload: ${parsed.problem}`);
      return answer(res, 400, `Firebreak expects a Slack payload: ${parsed.problem}.`);
    }

    // Slack's retries (X-Slack-Retry-Num, Events API only) are new deliveries signed anew, so they
    // pass this check and go on: whether the first delivery was handled is for the listener to
    // know (event listeners are idempotent). The retry headers are not signed, so they never
    // excuse a request carrying a signature already seen: that is a replay, whatever it claims.
    arrival.firstDelivery = isFirstDelivery(check.signature, check.timestamp, log).then((first) => {
      if (!first) {
        metrics.slackRequestRefused('replay');
        log.warn({ retryNum: req.headers['x-slack-retry-num'], timestamp: check.timestamp }, 'dropped a replayed request (its signature was already received)');
      }
      return first;
    });
    if (req.headers['x-slack-retry-num'] !== undefined) {
      log.info({ retryNum: req.headers['x-slack-retry-num'], retryReason: req.headers['x-slack-retry-reason'] }, 'Slack redelivered a request');
    }
    // Bolt reads the body from here instead of the stream, already consumed.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    next(req, res);
  };

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || !options.endpoints.includes(path)) {
      next(req, res);
      return;
    }
    // Every request Slack posts gets its id here, on arrival: the guard's log lines carry it, and
    // so do Bolt's listeners' (it travels on as the event's customProperties, http-receiver.ts).
    const arrival: ArrivedRequest = { id: newRequestId(), receivedAt: performance.now() };
    (req as Arrived)[ARRIVAL] = arrival;
    const log = edge.child({ requestId: arrival.id });
    screen(req, res, arrival, log).catch((err: unknown) => {
      log.error({ err }, 'unexpected failure while screening a Slack request');
      if (!res.headersSent) answer(res, 500);
    });
  };
}

function answer(res: ServerResponse, status: number, text?: string): void {
  if (text === undefined) {
    res.writeHead(status);
    res.end();
  } else {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(text);
  }
}
