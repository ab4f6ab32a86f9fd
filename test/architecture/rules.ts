/**
 * Which way imports may run. Read it as layers: core (pure) ← ports ← app (use cases) ← adapters
 * ← composition (compose.ts, server.ts, main.ts, cli.ts). Commands sit beside the adapters and
 * never reach into them. Each kind of target keeps its diagnostics (probe/) and its remediation
 * (actions/) apart, and no kind reaches into another: they share `targets/shared/` and `kind.ts`.
 */
import type { ImportEdge } from './import-graph.js';

export interface Violation {
  edge: ImportEdge;
  rule: string;
}

/** Packages core may use: validation only. No I/O, no Slack, no database or HTTP client. */
const CORE_PACKAGES = new Set(['zod']);
const COMPOSITION = new Set(['src/compose.ts', 'src/server.ts', 'src/main.ts', 'src/cli.ts', 'src/local.ts']);
/** The stand-in for Slack (local mode's console and the tests' Slack). */
const LOCAL_SLACK = 'src/adapters/local-slack/';
/** What local-slack/ may use beside itself: the ports, and plumbing that carries no Slack limit. */
const LOCAL_SLACK_MAY_USE = new Set(['src/ports.ts', 'src/adapters/http/read-body.ts']);
const TARGET = /^src\/adapters\/targets\/([^/]+)\/(?:(probe|actions)\/)?/;

export function violations(edges: readonly ImportEdge[]): Violation[] {
  const out: Violation[] = [];
  const flag = (edge: ImportEdge, rule: string) => out.push({ edge, rule });
  for (const edge of edges) {
    const { from, to } = edge;
    const local = to.startsWith('src/') || to.startsWith('commands/') || to.startsWith('test/');
    if (from.startsWith('src/core/')) {
      if (local ? !to.startsWith('src/core/') : !CORE_PACKAGES.has(to)) flag(edge, 'core/ imports only core/ (and zod)');
    }
    if (from === 'src/ports.ts' && local && !to.startsWith('src/core/')) flag(edge, 'ports.ts imports only core/');
    if (from.startsWith('src/app/')) {
      if (to.startsWith('src/adapters/')) flag(edge, 'app/ never imports adapters/ (use a port)');
      if (COMPOSITION.has(to) || to.startsWith('commands/')) flag(edge, 'app/ never imports the composition or commands/');
    }
    if (from.startsWith('src/adapters/') && COMPOSITION.has(to)) flag(edge, 'adapters/ never import the composition');
    if (from.startsWith('commands/') && to.startsWith('src/adapters/')) flag(edge, 'commands/ never import adapters/ (the contract is commands/contract.ts)');
    if (from.startsWith('src/') && to.startsWith('test/')) flag(edge, 'src/ never imports test/');
    // What Slack refuses is written down once, in the stand-in: if the code that builds messages
    // read it (or the stand-in read the code's limits) a raised limit would pass on both sides.
    if (to.startsWith(LOCAL_SLACK) && !from.startsWith(LOCAL_SLACK) && from.startsWith('src/') && !COMPOSITION.has(from)) {
      flag(edge, 'only local-slack/ itself and the composition import local-slack/ (the stand-in stays apart from the code it checks)');
    }
    if (from.startsWith(LOCAL_SLACK) && local && !to.startsWith(LOCAL_SLACK) && !LOCAL_SLACK_MAY_USE.has(to)) {
      flag(edge, 'local-slack/ imports only itself, ports.ts and the shared HTTP body reader (never the Slack adapter whose messages it checks)');
    }
    const a = TARGET.exec(from);
    const b = TARGET.exec(to);
    if (a && b) {
      if (a[1] !== b[1] && b[1] !== 'shared') flag(edge, `targets/${a[1]} never imports another kind (targets/${b[1]}); share through targets/shared/`);
      else if (a[1] === b[1] && a[2] && b[2] && a[2] !== b[2]) flag(edge, `targets/${a[1]}/${a[2]} never imports ${b[2]}/: what both need lives at the kind's root`);
    }
    if (from.startsWith('src/adapters/targets/') && (to.startsWith('src/adapters/') && !to.startsWith('src/adapters/targets/'))) {
      flag(edge, 'targets/ never import the other adapters');
    }
  }
  return out;
}
