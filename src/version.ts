/** The version Firebreak reports (package.json), in /healthz and the start-up log. */
import { readFileSync } from 'node:fs';
import { shipped } from './package-root.js';

export const VERSION: string = (JSON.parse(readFileSync(shipped('package.json'), 'utf8')) as { version: string }).version;
