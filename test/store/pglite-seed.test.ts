/**
 * A new embedded database started from an archive (pglite-seed.ts) instead of initdb: which
 * directories take the archive, that the database really comes from it, that the store made from
 * it keeps its incidents on disk across restarts, and the buffer pool PGlite runs with.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteDb, PGLITE_SHARED_BUFFERS } from '../../src/adapters/postgres/db.js';
import { MIGRATIONS, migrate } from '../../src/adapters/postgres/migrations.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { installedPgliteVersion, seedArchivePath, seedFor, writeSeedArchive } from '../../src/adapters/postgres/pglite-seed.js';
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

describe('which directories start from the archive', () => {
  it('one that does not exist yet, or exists empty (the lock file only)', () => {
    expect(seedFor(dirIn('absent'), archive)).toBeInstanceOf(Blob);
    mkdirSync(dirIn('empty'));
    writeFileSync(path.join(dirIn('empty'), 'firebreak.lock'), '{}');
    expect(seedFor(dirIn('empty'), archive)?.size).toBeGreaterThan(100_000);
  });

  it('not one that holds a database, nor memory://, nor when the archive is missing', () => {
    mkdirSync(dirIn('holds-one'));
    writeFileSync(path.join(dirIn('holds-one'), 'PG_VERSION'), '18\n');
    expect(seedFor(dirIn('holds-one'), archive)).toBeUndefined();
    expect(seedFor('memory://', archive)).toBeUndefined();
    expect(seedFor(dirIn('absent'), path.join(root, 'no-such.tar.gz'))).toBeUndefined();
  });

  it('the archive of this PGlite version only, named after it', () => {
    expect(installedPgliteVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(path.basename(seedArchivePath('/x'))).toBe(`pglite-seed-${installedPgliteVersion()}.tar.gz`);
    expect(seedArchivePath('/x', '0.0.1')).toBe(path.join('/x', 'pglite-seed-0.0.1.tar.gz'));
  });
});

describe('a database started from an archive', () => {
  it('is the archive’s (its table is there), in the directory', async () => {
    const dataDir = dirIn('marked');
    const db = await pgliteDb({ dataDir, seed: seedFor(dataDir, marked)! });
    try {
      expect(await db.query('SELECT note FROM seed_marker')).toEqual([{ note: 'from the archive' }]);
    } finally {
      await db.close();
    }
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
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

    // The second open finds a database: the archive is not used again (it would refuse to load over one).
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
