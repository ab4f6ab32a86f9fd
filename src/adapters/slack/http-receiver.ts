/** Bolt's HTTP receiver, with Firebreak's screening of Slack's requests in front of it (request-guard.ts). */
import { HTTPReceiver, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Metrics, ReplayStore } from '../../ports.js';
import { arrivalOf, guardSlackRequests } from './request-guard.js';
import { ARRIVED } from './screened-app.js';

export const SLACK_ENDPOINT = '/slack/events';

export function createHttpReceiver(options: {
  signingSecret: string;
  replays: ReplayStore;
  logger: Logger;
  boltLogger: BoltLogger;
  customRoutes: CustomRoute[];
  metrics?: Metrics;
}): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: [SLACK_ENDPOINT],
    logger: options.boltLogger,
    customRoutes: options.customRoutes,
    // The id and arrival time the guard gave the request reach the app's processEvent (screened-app.ts).
    customPropertiesExtractor: (req) => {
      const arrival = arrivalOf(req);
      return arrival ? { [ARRIVED]: arrival } : {};
    },
  });
  // The receiver's server calls this property for every request: the guard goes in front of Bolt's own.
  receiver.requestListener = guardSlackRequests(receiver.requestListener, {
    signingSecret: options.signingSecret,
    replays: options.replays,
    logger: options.logger,
    endpoints: [SLACK_ENDPOINT],
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return receiver;
}
