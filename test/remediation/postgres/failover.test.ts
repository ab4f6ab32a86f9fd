/**
 * pg.failover's refusals against the local server. A real promotion needs a streaming standby,
 * which this suite does not build: the promote → verify path is not exercised here.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresTarget } from '../../../src/adapters/targets/postgres/probe/index.js';
import { failoverParams, pgFailoverAction } from '../../../src/adapters/targets/postgres/actions/index.js';
import { TEST_DATABASE_URL, actionContext } from './helpers.js';

let closedPort: number;
let silent: net.Server;
let silentPort: number;
const silentSockets = new Set<net.Socket>();

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

beforeAll(async () => {
  const probe = net.createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
  // Accepts connections and never says a word: a hung primary.
  silent = net.createServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => {});
  });
  silentPort = await listen(silent);
});
afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

const local = new URL(TEST_DATABASE_URL);
const targets: Record<string, PostgresTarget> = {
  main: { name: 'main', url: TEST_DATABASE_URL },
  // The same local server under another address: it answers, and it is not in recovery.
  standby: { name: 'standby', url: `postgres://${local.username}@${local.hostname}${local.pathname}` },
  down: { name: 'down', url: `postgres://postgres@127.0.0.1:${0}/test` },
};
const action = pgFailoverAction((name) => targets[name]);
const deadPrimary = (): PostgresTarget => ({ name: 'down', url: `postgres://postgres@127.0.0.1:${closedPort}/test` });

describe('pg.failover', () => {
  it('validates the replica name', () => {
    expect(failoverParams.parse(['standby'])).toEqual({ replica: 'standby' });
    expect(failoverParams.safeParse(['a b;']).error?.issues[0]?.message).toBe('"a b;" is not a target name');
    expect(failoverParams.safeParse([]).error?.issues[0]?.message).toBe('usage: <replica-target>');
  });

  it('refuses while the primary still answers', async () => {
    const preview = await action.preview(targets.main!, { replica: 'standby' }, actionContext());
    expect(preview.refusal).toMatch(/^the primary still answers; failing over now would split the cluster \(main, 127\.0\.0\.1:5432: it accepted a connection/);
    const result = await action.execute(targets.main!, { replica: 'standby' }, { replica: 'standby', systemId: '1' }, actionContext());
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(/^the primary still answers; .* nothing done$/);
  });

  it('counts an error reply (here: unknown database) as the primary answering', async () => {
    const wrongDb = { name: 'main', url: TEST_DATABASE_URL.replace(/\/[^/]*$/, '/no_such_db_fb') };
    const preview = await action.preview(wrongDb, { replica: 'standby' }, actionContext());
    expect(preview.refusal).toMatch(/^the primary still answers; .*it replied: database "no_such_db_fb" does not exist\)$/);
  });

  it('refuses a replica that is not in recovery once the primary is unreachable', async () => {
    const started = Date.now();
    const preview = await action.preview(deadPrimary(), { replica: 'standby' }, actionContext());
    expect(preview.refusal).toBe('standby is not a replica (pg_is_in_recovery() is false): it is already a primary');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives a silent primary 2 s, then treats it as unreachable', async () => {
    const hung = { name: 'hung', url: `postgres://postgres@127.0.0.1:${silentPort}/test` };
    const started = Date.now();
    const preview = await action.preview(hung, { replica: 'standby' }, actionContext());
    const took = Date.now() - started;
    expect(preview.refusal).toBe('standby is not a replica (pg_is_in_recovery() is false): it is already a primary');
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(4000);
  });

  it('refuses an unknown replica target, or the primary itself', async () => {
    expect((await action.preview(deadPrimary(), { replica: 'nope' }, actionContext())).refusal).toBe('there is no postgres target named "nope"');
    expect((await action.preview(targets.down!, { replica: 'down' }, actionContext())).refusal).toBe('down is the primary itself, not a replica');
  });

  it('verify reports a server already out of recovery that accepts writes, and what to repoint', async () => {
    const verified = await action.verify(deadPrimary(), { replica: 'standby' }, actionContext());
    expect(verified.ok).toBe(true);
    expect(verified.summary).toMatch(/^standby \(127\.0\.0\.1:5432\) is out of recovery and accepts writes\. Now: point the applications' connection strings/);
    expect(verified.after).toMatchObject({ newPrimary: '127.0.0.1:5432', inRecovery: false });
    expect((verified.after?.repoint as string[]).join('\n')).toContain('it must not come back as a primary');
  });
});

describe('pg.failover with both down', () => {
  it('refuses when the replica cannot be reached either', async () => {
    const t = { name: 'r2', url: `postgres://postgres@127.0.0.1:${closedPort}/other` };
    const a = pgFailoverAction((name) => (name === 'r2' ? t : undefined));
    const preview = await a.preview({ name: 'main', url: `postgres://postgres@127.0.0.1:${closedPort}/test` }, { replica: 'r2' }, actionContext());
    expect(preview.refusal).toBe(`cannot reach the replica r2 (127.0.0.1:${closedPort}): connection refused by 127.0.0.1:${closedPort}`);
  });
});
