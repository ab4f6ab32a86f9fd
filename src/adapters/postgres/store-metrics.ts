/**
 * The store, counting its failures: every call of the Store port (and of its parts: schedule,
 * remediation, replays, runbooks, alerts) that rejects is told to the metrics by its name
 * ("getIncident", "schedule.claimDue") and whether the database could not be reached. The calls
 * themselves are unchanged: same arguments, same results, the same error thrown on.
 */
import { isFirebreakError } from '../../core/errors.js';
import type { Metrics } from '../../ports.js';
import { isConnectionError } from './connection-errors.js';

/** Properties that are not parts of the port (the Db under an opened store is the caller's, not counted). */
const NOT_WRAPPED = new Set(['db']);

const unavailable = (err: unknown): boolean => (isFirebreakError(err) && err.code === 'STORE_UNAVAILABLE') || isConnectionError(err);

function counted<T extends object>(target: T, metrics: Metrics, prefix: string): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof prop !== 'string' || NOT_WRAPPED.has(prop)) return value;
      if (wrapped.has(prop)) return wrapped.get(prop);
      let out: unknown = value;
      if (typeof value === 'function') {
        const name = `${prefix}${prop}`;
        out = (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
          if (result instanceof Promise) {
            return result.catch((err: unknown) => {
              metrics.storeError(name, unavailable(err) ? 'unavailable' : 'other');
              throw err;
            });
          }
          return result;
        };
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !prefix) {
        out = counted(value, metrics, `${prop}.`);
      } else {
        return value;
      }
      wrapped.set(prop, out);
      return out;
    },
  });
}

export function countStoreErrors<S extends object>(store: S, metrics: Metrics): S {
  return counted(store, metrics, '');
}
