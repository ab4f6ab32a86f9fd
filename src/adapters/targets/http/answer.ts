/** Reading an HTTP answer's JSON, for the `/diag http` probe and the checks that send requests. */
import { excerpt } from '../shared/bounded-get.js';

/** Health answers are small; anything larger is not what was configured. */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;

/** A JSON value for people: strings quoted, so "1" and 1 differ. */
export function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : excerpt(text, 120);
}

/** The value at a top-level key, else along a dotted path (numeric segments index arrays). */
export function lookupJson(root: unknown, path: string): { found: true; value: unknown } | { found: false } {
  const own = (obj: unknown, key: string): obj is Record<string, unknown> =>
    typeof obj === 'object' && obj !== null && !Array.isArray(obj) && Object.prototype.hasOwnProperty.call(obj, key);
  if (own(root, path)) return { found: true, value: root[path] };
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      const i = Number(segment);
      if (i >= current.length) return { found: false };
      current = current[i];
    } else if (own(current, segment)) {
      current = current[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}
