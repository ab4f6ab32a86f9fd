/**
 * A target kind's client library, loaded the first time a target of that kind is used rather than
 * when Firebreak starts: most deployments configure a few kinds, and each library costs every
 * process its resident memory once loaded (client-node alone about 70 MB, ssh2 15 MB, ioredis
 * 20 MB). The load is synchronous (require, which on Node 20.19 and later also loads ES modules),
 * so the code using it stays as it was; only types are imported statically.
 */
import { createRequire } from 'node:module';

export interface LazyModule<T> {
  (): T;
  /** Whether this process has loaded it yet. */
  readonly loaded: boolean;
}

export function lazyModule<T>(specifier: string, from: string): LazyModule<T> {
  let mod: T | undefined;
  const get = (() => (mod ??= createRequire(from)(specifier) as T)) as LazyModule<T>;
  Object.defineProperty(get, 'loaded', { get: () => mod !== undefined });
  return get;
}
