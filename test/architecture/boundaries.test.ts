/** Imports run one way (rules.ts): checked over the real tree, and the rules shown to catch breaks. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, importsOf, type ImportEdge } from './import-graph.js';
import { violations } from './rules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the import boundaries', () => {
  const edges = importGraph(ROOT, ['src', 'commands']);

  it('reads the tree (a graph with nothing in it would pass every rule)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/app/context.ts', to: 'src/ports.ts' }));
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/adapters/targets/registry.ts', to: 'src/adapters/targets/postgres/index.ts' }));
  });

  it('holds over src/ and commands/', () => {
    const found = violations(edges).map((v) => `${v.edge.from}:${v.edge.line} → ${v.edge.to}: ${v.rule}`);
    expect(found).toEqual([]);
  });
});

describe('the rules catch what they forbid', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, line: 1 });
  const cases: Array<[string, string, string]> = [
    ['src/core/incident/card.ts', 'src/ports.ts', 'core/'],
    ['src/core/incident/card.ts', 'pg', 'core/'],
    ['src/core/incident/card.ts', 'node:fs', 'core/'],
    ['src/ports.ts', 'src/app/context.ts', 'ports.ts'],
    ['src/app/remediation/flow.ts', 'src/adapters/targets/registry.ts', 'app/'],
    ['src/app/context.ts', 'src/compose.ts', 'app/'],
    ['src/adapters/slack/chat.ts', 'src/compose.ts', 'adapters/'],
    ['commands/incident-open.ts', 'src/adapters/slack/views/open-incident.ts', 'commands/'],
    ['src/adapters/targets/redis/actions/flushdb.ts', 'src/adapters/targets/redis/probe/index.ts', 'actions'],
    ['src/adapters/targets/postgres/probe/probe.ts', 'src/adapters/targets/postgres/actions/session.ts', 'probe'],
    ['src/adapters/targets/prometheus/probe/alertmanager.ts', 'src/adapters/targets/http/probe.ts', 'another kind'],
    ['src/adapters/targets/postgres/connect.ts', 'src/adapters/slack/chat.ts', 'other adapters'],
    ['src/server.ts', 'test/slack/web-api.ts', 'test/'],
    ['src/adapters/slack/block-kit.ts', 'src/adapters/local-slack/block-kit-rules.ts', 'only local-slack/'],
    ['src/adapters/slack/chat.ts', 'src/adapters/local-slack/web-api.ts', 'only local-slack/'],
    ['src/adapters/local-slack/block-kit-rules.ts', 'src/adapters/slack/block-kit.ts', 'local-slack/ imports only'],
  ];
  it.each(cases)('%s → %s is refused', (from, to, words) => {
    const found = violations([edge(from, to)]);
    expect(found).toHaveLength(1);
    expect(found[0]?.rule).toContain(words);
  });

  const allowed: Array<[string, string]> = [
    ['src/core/incident/card.ts', 'src/core/incident/incident.ts'],
    ['src/core/incident/card.ts', 'zod'],
    ['src/app/context.ts', 'src/ports.ts'],
    ['src/adapters/slack/server.ts', 'src/app/context.ts'],
    ['src/adapters/targets/redis/actions/flushdb.ts', 'src/adapters/targets/redis/format.ts'],
    ['src/adapters/targets/prometheus/probe/alertmanager.ts', 'src/adapters/targets/shared/bounded-get.ts'],
    ['src/compose.ts', 'src/adapters/targets/registry.ts'],
    ['src/local.ts', 'src/adapters/local-slack/web-api.ts'],
    ['src/adapters/local-slack/web-api.ts', 'src/adapters/local-slack/web-api-methods.ts'],
    ['src/adapters/local-slack/console-request.ts', 'src/adapters/http/read-body.ts'],
  ];
  it.each(allowed)('%s → %s is allowed', (from, to) => {
    expect(violations([edge(from, to)])).toEqual([]);
  });

  it('reads every form of import', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const d = await import('./d.js');",
      "import pg from 'pg';",
      "import { App } from '@slack/bolt/dist/App.js';",
    ].join('\n');
    expect(importsOf('src/x/y.ts', text).map((e) => e.to)).toEqual(['src/x/a.ts', 'src/b/b.ts', 'src/x/c.ts', 'src/x/side-effect.ts', 'src/x/d.ts', 'pg', '@slack/bolt']);
  });
});
