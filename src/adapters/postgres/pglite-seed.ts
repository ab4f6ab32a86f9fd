/**
 * A new embedded database started from an archive instead of initdb. PGlite makes a new data
 * directory by running initdb in a second, temporary PGlite and copying what it made into the
 * directory: most of a first start's time, and a peak of resident memory (two PostgreSQL heaps in
 * one process) that stays. `npm run build` runs initdb once and keeps the new cluster, as PGlite
 * archives it (`dumpDataDir`), beside this module (dist/src/adapters/postgres/); a directory that
 * holds no database yet gets the archive's files written into it before PGlite opens it, which
 * then finds a database, as on any later start. The files are written here rather than by PGlite
 * (its `loadDataDir`), which unpacks through its WebAssembly file system and leaves the process
 * about 100 MB larger for good. Migrations run afterwards as on any start: the archive holds an
 * empty cluster, never a schema.
 *
 * PG_VERSION, by which PGlite tells a directory that holds a database, is written last: a start cut
 * short while writing leaves a directory that the next start fills again.
 *
 * The archive is named after the PGlite version that made it, and used only by that version: an
 * upgraded dependency without a rebuild, or the sources run through tsx (no archive beside them),
 * fall back to PGlite's own initdb.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
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
 * Whether `dataDir` should be filled from `archive`: a directory that holds no database yet
 * (no PG_VERSION), and an archive made by this PGlite version is there. memory:// never is.
 */
export function wantsSeed(dataDir: string, archive: string = seedArchivePath()): boolean {
  return !dataDir.startsWith('memory://') && !existsSync(path.join(dataDir, PG_VERSION)) && existsSync(archive);
}

const PG_VERSION = 'PG_VERSION';

/**
 * Writes the archive's files into `dataDir` when it wants them (see wantsSeed); says whether it did.
 * The archive is a gzipped tar of directories and regular files (what PGlite's dumpDataDir writes),
 * read with tar-stream; anything else in it, or a name that leads outside the directory, is refused.
 */
export async function fillFromSeed(dataDir: string, archive: string = seedArchivePath()): Promise<boolean> {
  if (!wantsSeed(dataDir, archive)) return false;
  const extract = tarStream.extract();
  const reading = (async () => {
    let last: { file: string; data: Buffer; mode: number } | undefined;
    for await (const entry of extract) {
      const { name, type, mode = 0 } = entry.header;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const relative = path.normalize(name.replace(/^\/+/, ''));
      if (relative === '.' || relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`the PGlite archive ${archive} names an entry outside its directory: ${JSON.stringify(name)}`);
      const file = path.join(dataDir, relative);
      const data = Buffer.concat(chunks);
      if (type === 'directory') mkdirSync(file, { recursive: true, mode: mode & 0o777 || 0o700 });
      else if (type === 'file') {
        if (relative === PG_VERSION) last = { file, data, mode: mode & 0o777 };
        else {
          mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
          writeFileSync(file, data, { mode: mode & 0o777 || 0o600 });
        }
      } else throw new Error(`the PGlite archive ${archive} holds an entry of a kind it should not (${String(type)}): ${name}`);
    }
    return last;
  })();
  extract.end(gunzipSync(readFileSync(archive)));
  const last = await reading;
  if (!last) throw new Error(`the PGlite archive ${archive} holds no ${PG_VERSION}: it is not a data directory`);
  writeFileSync(last.file, last.data, { mode: last.mode || 0o600 });
  return true;
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
