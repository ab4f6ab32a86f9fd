/**
 * The production entry point: `npm run build` compiles it to dist/main.js, which `node dist/main.js`
 * (`npm run start:prod`, the container's CMD) runs. It only starts src/main.ts, which owns the
 * process; it lives here so that the entry is dist/main.js while src/ and commands/ keep their
 * own folders under dist/ (commands/ sits beside src/, so both compile from the repository's root).
 */
import './src/main.js';
