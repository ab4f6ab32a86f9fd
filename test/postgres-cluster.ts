/**
 * A throwaway PostgreSQL cluster of the test's own (initdb in a temp directory, a free loopback
 * port), for what the shared server cannot be made to do: server settings such as
 * shared_preload_libraries, restarts, standby mode. Removed, directory and all, by stop().
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = (() => {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  return path.join('/usr/lib/postgresql', versions.at(-1) as string, 'bin');
})();

/** PostgreSQL refuses to run as root: as root, the cluster runs as the postgres user. */
const run = (args: string[]) =>
  process.getuid?.() === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'pipe', timeout: 60_000 })
    : execFileSync(args[0] as string, args.slice(1), { stdio: 'pipe', timeout: 60_000 });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

export interface OwnCluster {
  port: number;
  /** A connection URL as the postgres superuser (trust auth) to `database`. */
  url(database?: string): string;
  /** Restarts with these server settings (`-c name=value` each), replacing the previous ones. */
  restart(settings: Record<string, string>): void;
  stop(): void;
}

export async function startCluster(settings: Record<string, string> = {}): Promise<OwnCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-pgcluster-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const options = (s: Record<string, string>) => [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', ...Object.entries(s).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const ctl = (verb: string, s: Record<string, string>) => run([path.join(bin, 'pg_ctl'), '-D', data, '-l', path.join(dir, 'log'), '-w', '-o', options(s), verb]);
  try {
    run([path.join(bin, 'initdb'), '-D', data, '--auth=trust', '-U', 'postgres']);
    ctl('start', settings);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    restart: (next) => ctl('restart', next),
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run([path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
