/** Bolt's Logger interface over pino, so Bolt's own messages land in the same JSON stream. */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';

const TO_BOLT: Record<string, LogLevel> = { trace: LogLevel.DEBUG, debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN };

export function boltLogger(log: Logger): BoltLogger {
  let child = log.child({ component: 'bolt' });
  const join = (msgs: unknown[]) => msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    debug: (...m: unknown[]) => child.debug(join(m)),
    info: (...m: unknown[]) => child.info(join(m)),
    warn: (...m: unknown[]) => child.warn(join(m)),
    error: (...m: unknown[]) => child.error(join(m)),
    setLevel: () => {
      /* the level is LOG_LEVEL's, set once for the whole process */
    },
    getLevel: () => TO_BOLT[log.level] ?? LogLevel.ERROR,
    setName: (name: string) => {
      child = log.child({ component: name });
    },
  };
}
