/**
 * Bolt's App, with every payload screened (payload-screen.ts) before Bolt dispatches it. Both
 * receivers (HTTP and Socket Mode) hand payloads to processEvent, so this is the one place that
 * sees them all.
 */
import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import { screenPayload, type Routes } from './payload-screen.js';

export class ScreenedApp extends App {
  readonly #routes: Routes;
  readonly #log: Logger;

  constructor(options: AppOptions, screening: { routes: Routes; logger: Logger }) {
    super(options);
    this.#routes = screening.routes;
    this.#log = screening.logger.child({ component: 'slack-edge' });
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    const verdict = screenPayload(event.body, this.#routes);
    if (verdict.handle) return super.processEvent(event);
    this.#log.warn({ kind: verdict.kind, why: verdict.why }, `ignored a Slack payload: ${verdict.why}`);
    await event.ack(verdict.reply);
  }
}
