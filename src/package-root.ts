/**
 * The folder Firebreak is installed in: the one holding its package.json, runbooks/ (and the
 * communication templates under it) and manifest.yml. Files shipped beside the code are found
 * from here rather than by a fixed number of `..` from the module, because the module runs from
 * src/ under tsx and from dist/src/ once compiled (`npm run build`), one folder deeper.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `from` that holds a package.json. */
export function packageRootAbove(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json in ${from} or any folder above it`);
  }
}

export const PACKAGE_ROOT: string = packageRootAbove(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the installed package: `shipped('runbooks', 'templates')`. */
export function shipped(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
