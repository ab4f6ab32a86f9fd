/**
 * One Slack request from its arrival to the end of the work it started: its id (in every log line
 * of the request, and in the reference of an internal error shown to the person), its labels for
 * the metrics, when it was acknowledged and how it ended.
 *
 * The request is carried by an AsyncLocalStorage scope opened around Bolt's dispatch (see
 * screened-app.ts), so whatever runs on its behalf, its background work included, finds it: the
 * background work holds the request open (compose.ts' inflight), and the request is counted once
 * the last of it is over.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AppContext } from '../../app/context.js';
import type { Metrics, RequestLabels, RequestOutcome } from '../../ports.js';

/** 12 hex digits: short enough to read out, and unique enough among a deployment's logs. */
export const newRequestId = (): string => randomBytes(6).toString('hex');

/** Worse outcomes win: a request whose work failed in two ways reports the worse one. */
const RANK: Record<RequestOutcome, number> = { ok: 0, ignored: 1, failed: 2, error: 3 };

export class SlackRequest {
  readonly id: string;
  readonly labels: RequestLabels;
  /** performance.now() when the request arrived. */
  readonly receivedAt: number;
  readonly #metrics: Metrics;
  #outcome: RequestOutcome = 'ok';
  #holds = 0;
  #acked = false;
  #counted = false;

  constructor(input: { id: string; labels: RequestLabels; receivedAt: number; metrics: Metrics }) {
    this.id = input.id;
    this.labels = input.labels;
    this.receivedAt = input.receivedAt;
    this.#metrics = input.metrics;
  }

  /** The first acknowledgement: the time since arrival is what Slack waited for. */
  acknowledged(): void {
    if (this.#acked) return;
    this.#acked = true;
    this.#metrics.slackAck(this.labels, (performance.now() - this.receivedAt) / 1000);
  }

  mark(outcome: RequestOutcome): void {
    if (RANK[outcome] > RANK[this.#outcome]) this.#outcome = outcome;
  }

  get outcome(): RequestOutcome {
    return this.#outcome;
  }

  /** Keeps the request open while some of its work runs; the returned function lets go (once). */
  hold(): () => void {
    this.#holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      if (this.#holds === 0 && !this.#counted) {
        this.#counted = true;
        this.#metrics.slackRequest(this.labels, this.#outcome);
      }
    };
  }
}

const scope = new AsyncLocalStorage<SlackRequest>();

/** The Slack request the current code runs for, if any. */
export const currentSlackRequest = (): SlackRequest | undefined => scope.getStore();

/** Runs Bolt's handling of `request` in its scope; the request is held until `handle` settles (and its work ends). */
export async function withinSlackRequest<T>(request: SlackRequest, handle: () => Promise<T>): Promise<T> {
  const release = request.hold();
  try {
    return await scope.run(request, handle);
  } catch (err) {
    request.mark('error');
    throw err;
  } finally {
    release();
  }
}

/** The context a listener works with: the same, with a logger whose every line carries the request's id. */
export function requestContext(ctx: AppContext): AppContext {
  const request = currentSlackRequest();
  return request ? { ...ctx, logger: ctx.logger.child({ requestId: request.id }) } : ctx;
}
