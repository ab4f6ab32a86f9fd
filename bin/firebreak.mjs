#!/usr/bin/env node
// Entry point of the `firebreak` command (`npx firebreak diag db`): the compiled CLI when
// `npm run build` has made dist/ (as in the container image, which has no TypeScript loader),
// else the TypeScript sources through tsx, as in a fresh clone after `npm ci`.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
