#!/usr/bin/env node
// Entry point of the `firebreak` command (`npx firebreak diag db`): loads the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
