/**
 * Bolt's App, with every payload screened (payload-screen.ts) before Bolt dispatches it. Both
 * receivers (HTTP and Socket Mode) hand payloads to processEvent, so this is the one place that
 * sees them all: it also opens each request's scope (request-scope.ts), with its id, its labels
 * and the time its acknowledgement took.
 */
import { performance } from 'node:perf_hooks';
import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import type { Inflight } from '../../app/inflight.js';
import type { Logger } from '../../logger.js';
import { noMetrics, type Metrics, type RequestLabels } from '../../ports.js';
import { screenPayload, type Routes } from './payload-screen.js';
import { newRequestId, SlackRequest, withinSlackRequest } from './request-scope.js';

/** What the HTTP receiver knows of a request before Bolt (request-guard.ts): its id and when it arrived. */
export interface ArrivedRequest {
  id: string;
  receivedAt: number;
  /** Resolves false when the request's signature was received before (an exact replay); never rejects. */
  firstDelivery?: Promise<boolean>;
}

/**
 * Thrown by the acknowledgement of an exact replay, once it is sent: whatever the listener meant
 * to do after its ack does not happen. processEvent and the app's error handler let it go quietly
 * (the guard has logged and counted the replay).
 */
export class ReplayedRequest extends Error {
  // Bolt passes an error with a code to the app's error handler as it is (asCodedError).
  readonly code = 'firebreak_replayed_request';
  constructor() {
    super('a replayed request stopped at its acknowledgement');
  }
}
/** The in-flight label of a request between its ack and its listener handing its work on. */
export const ACKNOWLEDGED_REQUEST = 'acknowledged request';

/**
 * Past this much work in flight, a request's ack waits for its replay check again, as it did
 * before acks went out first. The check is a store write, queued behind the work already waiting
 * for the store: when the work falls behind (more commands a second than the store and the process
 * get through), acks then come at the pace the work goes, instead of outrunning it until the
 * oldest wait for a store connection longer than the pool allows and fail. Far above what steady
 * use holds (a command's work is done in milliseconds; diagnoses are bounded apart).
 */
export const BACKLOG_LIMIT = 64;

/** The name under which the HTTP receiver hands an ArrivedRequest to Bolt (in the event's customProperties). */
export const ARRIVED = 'firebreakRequest';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The route a value matched: a string id itself, a pattern by its fixed prefix ("snooze" for /^snooze:/). */
function routeName(ids: ReadonlyArray<string | RegExp>, value: string | undefined): string {
  if (value === undefined) return 'other';
  for (const id of ids) {
    if (typeof id === 'string' ? id === value : id.test(value)) return typeof id === 'string' ? id : id.source.replace(/^\^/, '').replace(/:$/, '');
  }
  return 'other';
}

/** A payload's kind and route as the metrics name them: only Firebreak's own routes, never what the payload says otherwise. */
export function requestLabels(body: unknown, routes: Routes): RequestLabels {
  if (!isObject(body)) return { kind: 'unknown', name: 'other' };
  if (isObject(body.event)) return { kind: 'event', name: routeName(routes.events, str(body.event.type)) };
  if (body.command !== undefined) return { kind: 'command', name: routeName(routes.commands, str(body.command)) };
  if (body.type === 'block_actions' && Array.isArray(body.actions)) {
    const first: unknown = body.actions[0];
    return { kind: 'action', name: routeName(routes.actions, isObject(first) ? str(first.action_id) : undefined) };
  }
  if (body.type === 'view_submission' || body.type === 'view_closed') {
    return { kind: body.type, name: routeName(routes.views, isObject(body.view) ? str(body.view.callback_id) : undefined) };
  }
  if (body.name !== undefined || body.type === 'block_suggestion') return { kind: 'options', name: 'other' };
  if (body.type === 'shortcut' || body.type === 'message_action') return { kind: 'shortcut', name: 'other' };
  return { kind: 'unknown', name: 'other' };
}

/** Lets a ReplayedRequest end the handling of its request quietly; anything else goes on. */
function quietReplay(err: unknown): void {
  if (!(err instanceof ReplayedRequest)) throw err;
}

export class ScreenedApp extends App {
  readonly #routes: Routes;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #inflight: Pick<Inflight, 'run' | 'size'> | undefined;

  constructor(options: AppOptions, screening: { routes: Routes; logger: Logger; metrics?: Metrics; inflight?: Pick<Inflight, 'run' | 'size'> }) {
    super(options);
    this.#routes = screening.routes;
    this.#log = screening.logger.child({ component: 'slack-edge' });
    this.#metrics = screening.metrics ?? noMetrics;
    this.#inflight = screening.inflight;
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    const arrived = event.customProperties?.[ARRIVED] as ArrivedRequest | undefined;
    const request = new SlackRequest({
      id: arrived?.id ?? newRequestId(),
      labels: requestLabels(event.body, this.#routes),
      receivedAt: arrived?.receivedAt ?? performance.now(),
      metrics: this.#metrics,
    });
    const ack = event.ack;
    const firstDelivery = arrived?.firstDelivery;
    // From the ack until Bolt is done with the request (its listener has handed its work to
    // inflight by then), the request counts as work in flight: a stop drains it too, since Slack
    // was told it was received.
    let handedOn: (() => void) | undefined;
    const acked: ReceiverEvent = {
      ...event,
      ack: async (response?: unknown) => {
        const behind = (this.#inflight?.size ?? 0) >= BACKLOG_LIMIT;
        if (firstDelivery && !handedOn) {
          const handed = new Promise<void>((resolve) => (handedOn = resolve));
          this.#inflight?.run(ACKNOWLEDGED_REQUEST, () => handed);
          // Behind on the work: this ack waits for its check (bounded, request-guard.ts), so that
          // Slack's next commands come no faster than the work is done.
          if (behind) await firstDelivery;
        }
        request.acknowledged();
        await ack(response);
        // Slack has its answer; the work that follows waits for the replay check (request-guard.ts).
        if (firstDelivery && !(await firstDelivery)) {
          request.mark('ignored');
          throw new ReplayedRequest();
        }
      },
    };
    return withinSlackRequest(request, async () => {
      const verdict = screenPayload(event.body, this.#routes);
      if (!verdict.handle) {
        request.mark('ignored');
        this.#log.warn({ requestId: request.id, kind: verdict.kind, why: verdict.why }, `ignored a Slack payload: ${verdict.why}`);
        return acked.ack(verdict.reply).catch(quietReplay);
      }
      // Bolt acknowledges an event itself before its listeners run: a replay throws there.
      return super.processEvent(acked).catch(quietReplay);
    }).finally(() => handedOn?.());
  }
}
