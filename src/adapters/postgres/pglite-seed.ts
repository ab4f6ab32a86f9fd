/**
 * A new embedded database started from an archive instead of initdb. PGlite makes a new data
 * directory by running initdb in a second, temporary PGlite and copying what it made into the
 * directory as a tar: most of a first start's time, and a peak of resident memory (two PostgreSQL
 * heaps in one process) that stays until the temporary one is collected. `npm run build` runs
 * initdb once and keeps the result beside this module (dist/src/adapters/postgres/); a directory
 * that holds no database yet is filled from it, the way PGlite itself fills it (its `loadDataDir`).
 * Migrations run afterwards as on any start: the archive holds an empty cluster, never a schema.
 *
 * The archive is named after the PGlite version that made it, and used only by that version: an
 * upgraded dependency without a rebuild, or the sources run through tsx (no archive beside them),
 * fall back to PGlite's own initdb.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgliteStartParams } from './db.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The version of @electric-sql/pglite this process loads. */
export function installedPgliteVersion(): string {
  // Its package.json is not exported: found from the entry point, one folder up at a time.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error('the package.json of @electric-sql/pglite was not found');
    dir = path.dirname(dir);
  }
}

/** Where the archive for this PGlite version is (or would be) kept. */
export function seedArchivePath(folder: string = HERE, version: string = installedPgliteVersion()): string {
  return path.join(folder, `pglite-seed-${version}.tar.gz`);
}

/**
 * The archive to start `dataDir` from: only when it is a directory that holds no database yet
 * (PostgreSQL's PG_VERSION is the first thing a data directory has) and an archive made by this
 * PGlite version is there. Anything else: undefined, and PGlite does as it always did.
 */
export function seedFor(dataDir: string, archive: string = seedArchivePath()): Blob | undefined {
  if (dataDir.startsWith('memory://') || existsSync(path.join(dataDir, 'PG_VERSION'))) return undefined;
  if (!existsSync(archive)) return undefined;
  return new Blob([readFileSync(archive)]);
}

/** Runs initdb (in memory) and writes the new cluster's archive; returns its path. */
export async function writeSeedArchive(file: string = seedArchivePath()): Promise<string> {
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = await PGlite.create({ dataDir: 'memory://', startParams: pgliteStartParams(PGlite.defaultStartParams) });
  try {
    // Written to the data files, so that a database started from the archive has no WAL to replay.
    await lite.exec('CHECKPOINT');
    const archive = await lite.dumpDataDir('gzip');
    writeFileSync(file, Buffer.from(await archive.arrayBuffer()));
  } finally {
    await lite.close();
  }
  return file;
}

// `node dist/src/adapters/postgres/pglite-seed.js` (the last step of `npm run build`) writes it.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await writeSeedArchive();
  process.stdout.write(`wrote ${path.relative(process.cwd(), written)}\n`);
}
