/**
 * A new embedded database started from an archive (pglite-seed.ts) instead of initdb: which
 * directories are filled from it, what is refused, that the database really comes from it (and
 * again after a start cut short), that the store made from it keeps its incidents on disk across
 * restarts, and the buffer pool PGlite runs with.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tarStream from 'tar-stream';
import { pgliteDb, PGLITE_SHARED_BUFFERS } from '../../src/adapters/postgres/db.js';
import { MIGRATIONS, migrate } from '../../src/adapters/postgres/migrations.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { fillFromSeed, installedPgliteVersion, seedArchivePath, wantsSeed, writeSeedArchive } from '../../src/adapters/postgres/pglite-seed.js';
import { newIncident, newTeam } from './fixtures.js';

let root: string;
/** What `npm run build` writes: an empty cluster. */
let archive: string;
/** An archive with a table of its own, to tell a database made from it from one made by initdb. */
let marked: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'firebreak-seed-'));
  archive = await writeSeedArchive(path.join(root, 'seed.tar.gz'));
  const lite = await PGlite.create('memory://');
  try {
    await lite.exec("CREATE TABLE seed_marker (note text); INSERT INTO seed_marker VALUES ('from the archive')");
    marked = path.join(root, 'marked.tar.gz');
    writeFileSync(marked, Buffer.from(await (await lite.dumpDataDir('gzip')).arrayBuffer()));
  } finally {
    await lite.close();
  }
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const dirIn = (name: string) => path.join(root, name);

/** A gzipped tar of one entry (a regular file unless said otherwise), made with tar-stream's packer. */
async function oneFileArchive(name: string, type: 'file' | 'symlink' = 'file'): Promise<string> {
  const pack = tarStream.pack();
  if (type === 'file') pack.entry({ name, mode: 0o600 }, 'x\n');
  else pack.entry({ name, type, linkname: '/etc/passwd' });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const file = path.join(root, `crafted-${seq++}.tar.gz`);
  writeFileSync(file, gzipSync(Buffer.concat(chunks)));
  return file;
}
let seq = 0;

describe('which directories are filled from the archive', () => {
  it('one that does not exist yet, or exists empty (the lock file only)', () => {
    expect(wantsSeed(dirIn('absent'), archive)).toBe(true);
    mkdirSync(dirIn('empty'));
    writeFileSync(path.join(dirIn('empty'), 'firebreak.lock'), '{}');
    expect(wantsSeed(dirIn('empty'), archive)).toBe(true);
  });

  it('not one that holds a database, nor memory://, nor when the archive is missing', async () => {
    mkdirSync(dirIn('holds-one'));
    writeFileSync(path.join(dirIn('holds-one'), 'PG_VERSION'), '18\n');
    expect(wantsSeed(dirIn('holds-one'), archive)).toBe(false);
    expect(await fillFromSeed(dirIn('holds-one'), archive)).toBe(false);
    expect(readdirSync(dirIn('holds-one'))).toEqual(['PG_VERSION']);
    expect(wantsSeed('memory://', archive)).toBe(false);
    expect(wantsSeed(dirIn('absent'), path.join(root, 'no-such.tar.gz'))).toBe(false);
  });

  it('the archive of this PGlite version only, named after it', () => {
    expect(installedPgliteVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(path.basename(seedArchivePath('/x'))).toBe(`pglite-seed-${installedPgliteVersion()}.tar.gz`);
    expect(seedArchivePath('/x', '0.0.1')).toBe(path.join('/x', 'pglite-seed-0.0.1.tar.gz'));
  });

  it('refuses an archive with an entry outside the directory, a link, or without PG_VERSION, writing nothing outside', async () => {
    await expect(fillFromSeed(dirIn('escape/data'), await oneFileArchive('/../outside'))).rejects.toThrow(/outside its directory/);
    await expect(fillFromSeed(dirIn('escape/data'), await oneFileArchive('../../outside'))).rejects.toThrow(/outside its directory/);
    expect(existsSync(dirIn('escape/outside'))).toBe(false);
    expect(existsSync(path.join(root, 'outside'))).toBe(false);
    await expect(fillFromSeed(dirIn('link'), await oneFileArchive('base/1', 'symlink'))).rejects.toThrow(/an entry of a kind it should not \(symlink\)/);
    await expect(fillFromSeed(dirIn('no-version'), await oneFileArchive('/base/1'))).rejects.toThrow(/no PG_VERSION/);
    expect(existsSync(dirIn('no-version/PG_VERSION'))).toBe(false);
  });

  it('refuses an archive that is not a tar', async () => {
    const file = path.join(root, 'not-a-tar.tar.gz');
    writeFileSync(file, gzipSync(Buffer.from('this is not a tar archive, only text that is long enough to fill a header block or not')));
    await expect(fillFromSeed(dirIn('not-a-tar'), file)).rejects.toThrow();
    expect(existsSync(dirIn('not-a-tar/PG_VERSION'))).toBe(false);
  });
});

describe('a database started from an archive', () => {
  it('is the archive’s (its table is there), in the directory, through openStore', async () => {
    const dataDir = dirIn('marked');
    const store = await openStore({ dataDir, seedArchive: marked });
    try {
      expect(await store.db.query('SELECT note FROM seed_marker')).toEqual([{ note: 'from the archive' }]);
    } finally {
      await store.close();
    }
    expect(readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8')).toMatch(/^\d+\n$/);
  });

  it('is filled again when a start was cut short before PG_VERSION was written', async () => {
    const dataDir = dirIn('cut-short');
    expect(await fillFromSeed(dataDir, marked)).toBe(true);
    rmSync(path.join(dataDir, 'PG_VERSION'));
    writeFileSync(path.join(dataDir, 'global', 'pg_control'), 'half written');
    expect(await fillFromSeed(dataDir, marked)).toBe(true);
    const db = await pgliteDb({ dataDir });
    try {
      expect(await db.query('SELECT note FROM seed_marker')).toEqual([{ note: 'from the archive' }]);
    } finally {
      await db.close();
    }
  });

  it('from the build’s archive: an empty cluster, migrated on open, keeping incidents across restarts', async () => {
    const dataDir = dirIn('store');
    const team = newTeam();
    const first = await openStore({ dataDir, seedArchive: archive });
    const { incident } = await first.openIncident(newIncident(team));
    expect((await first.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version))).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
    await first.close();

    // The second open finds a database: the archive is not written over it.
    expect(wantsSeed(dataDir, archive)).toBe(false);
    const second = await openStore({ dataDir, seedArchive: archive });
    try {
      expect(await migrate(second.db)).toEqual({ applied: [] });
      expect(await second.getIncidentByNumber(team, 1)).toStrictEqual(incident);
    } finally {
      await second.close();
    }
  });
});

describe("PGlite's buffer pool", () => {
  it(`is ${PGLITE_SHARED_BUFFERS}, not PostgreSQL's 128MB`, async () => {
    const db = await pgliteDb({ dataDir: 'memory://' });
    try {
      expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: PGLITE_SHARED_BUFFERS }]);
    } finally {
      await db.close();
    }
  });
});
