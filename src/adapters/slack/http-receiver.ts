/** Bolt's HTTP receiver, with Firebreak's screening of Slack's requests in front of it (request-guard.ts). */
import { HTTPReceiver, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { ReplayStore } from '../../ports.js';
import { guardSlackRequests } from './request-guard.js';

export const SLACK_ENDPOINT = '/slack/events';

export function createHttpReceiver(options: {
  signingSecret: string;
  replays: ReplayStore;
  logger: Logger;
  boltLogger: BoltLogger;
  customRoutes: CustomRoute[];
}): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: [SLACK_ENDPOINT],
    logger: options.boltLogger,
    customRoutes: options.customRoutes,
  });
  // The receiver's server calls this property for every request: the guard goes in front of Bolt's own.
  receiver.requestListener = guardSlackRequests(receiver.requestListener, {
    signingSecret: options.signingSecret,
    replays: options.replays,
    logger: options.logger,
    endpoints: [SLACK_ENDPOINT],
  });
  return receiver;
}
