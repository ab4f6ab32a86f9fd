/**
 * pg.failover for real: a PostgreSQL server in standby mode (a fresh cluster started with
 * standby.signal: in recovery, its primary gone) is promoted, and then accepts writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgFailoverAction } from '../../../src/adapters/targets/postgres/actions/index.js';

const bin = (() => {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  return path.join('/usr/lib/postgresql', versions.at(-1) as string, 'bin');
})();
/** PostgreSQL refuses to run as root: the standby runs as the postgres user. */
const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe', timeout: 60_000 });

let dir: string;
let port: number;
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fb-standby-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  port = await freePort();
  asPostgres([path.join(bin, 'initdb'), '-D', data, '--auth=trust', '-U', 'postgres']);
  writeFileSync(path.join(data, 'standby.signal'), '');
  execFileSync('chown', ['postgres', path.join(data, 'standby.signal')]);
  asPostgres([path.join(bin, 'pg_ctl'), '-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
}, 90_000);
afterAll(() => {
  if (!dir) return;
  try {
    asPostgres([path.join(bin, 'pg_ctl'), '-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('pg.failover', () => {
  it('promotes a standby whose primary is unreachable, then verifies it accepts writes', async () => {
    const replica = { name: 'replica', url: `postgres://postgres@127.0.0.1:${port}/postgres` };
    const primary = { name: 'main', url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` }; // nothing listens there
    const action = pgFailoverAction((name) => (name === 'replica' ? replica : undefined));
    const ctx = () => ({ deadline: Date.now() + 20_000, signal: new AbortController().signal, now: () => new Date() });
    const params = action.params.parse(['replica']);

    const check = new pg.Client({ connectionString: replica.url });
    check.on('error', () => undefined); // the server is stopped after the test
    await check.connect();
    expect((await check.query('select pg_is_in_recovery() as r')).rows[0].r).toBe(true);

    const preview = await action.preview(primary, params, ctx());
    expect(preview.refusal).toBeUndefined();
    expect(preview.change.join(' ')).toMatch(/promote/i);
    const ran = await action.execute(primary, params, preview.guard, ctx());
    expect(ran.ok).toBe(true);
    const verified = await action.verify(primary, params, ctx());
    expect(verified.ok).toBe(true);
    expect(ran.summary).toContain('promoted');
    // What must follow the promotion is spelled out.
    expect(verified.summary).toContain('accepts writes');
    expect(verified.summary).toContain(`point the applications' connection strings`);
    expect(verified.summary).toContain('must not come back as a primary');
    expect((await check.query('select pg_is_in_recovery() as r')).rows[0].r).toBe(false);
    await check.query('create table promoted_ok (x int); drop table promoted_ok');
    await check.end();
  }, 60_000);
});
