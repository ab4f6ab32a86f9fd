/** Everything a use case may touch, passed explicitly: no module-level singletons. */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Chat, Clock, Store } from '../ports.js';
import type { Templates } from '../adapters/templates/load-templates.js';
import type { Severity, SeverityLevel } from '../core/incident/severity.js';
import type { Inflight } from './inflight.js';

export interface AppContext {
  config: Readonly<Config>;
  store: Store;
  chat: Chat;
  clock: Clock;
  logger: Logger;
  templates: Templates;
  severities: Readonly<Record<SeverityLevel, Severity>>;
  /** Work that continues after Slack was acknowledged; awaited (bounded) on shutdown. */
  inflight: Inflight;
}
