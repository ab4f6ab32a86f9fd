/** The Store contract on the embedded PGlite database; plus persistence in a directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrations.js';
import { pgliteDb } from '../../src/adapters/postgres/db.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { migrationContract } from './migration-contract.js';
import { newIncident, newTeam, storeContract } from './store-contract.js';
import { replayContract } from './replay-contract.js';
import { alertContract, alertSqlContract } from './alert-contract.js';
import { runbookContract, runbookSqlContract } from './runbook-contract.js';

describe('PGlite store (in memory)', () => {
  storeContract(() => openStore({ dataDir: 'memory://' }));
});

describe('PGlite store: replays', () => replayContract(() => openStore({ dataDir: 'memory://' })));

describe('PGlite store: alert groups', () => {
  alertContract(() => openStore({ dataDir: 'memory://' }));
  alertSqlContract(() => openStore({ dataDir: 'memory://' }));
});

describe('PGlite store: runbook runs', () => {
  runbookContract(() => openStore({ dataDir: 'memory://' }));
  runbookSqlContract(() => openStore({ dataDir: 'memory://' }));
});

describe('migrate on PGlite', () => {
  migrationContract(() => pgliteDb({ dataDir: 'memory://' }));
});

describe('rows that do not match', () => {
  it('are a bug, reported with the column', async () => {
    const store = await openStore({ dataDir: 'memory://' });
    try {
      const { incident } = await store.openIncident(newIncident('T1'));
      await store.db.exec('ALTER TABLE incidents DROP CONSTRAINT incidents_severity_check');
      await store.db.query("UPDATE incidents SET severity = 'P9' WHERE id = $1", [incident.id]);
      await expect(store.getIncidentByNumber('T1', 1)).rejects.toThrow(/incidents: column severity/);
    } finally {
      await store.close();
    }
  });
});

describe('PGlite store (on disk)', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates its directory and keeps incidents across restarts', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'firebreak-pglite-'));
    const dataDir = path.join(dir, 'nested', 'db');
    const team = newTeam();
    const first = await openStore({ dataDir });
    expect(first.kind).toBe('pglite');
    const { incident } = await first.openIncident(newIncident(team));
    await first.close();

    const second = await openStore({ dataDir });
    try {
      expect(await migrate(second.db)).toEqual({ applied: [] });
      expect(await second.getIncidentByNumber(team, 1)).toStrictEqual(incident);
      expect((await second.openIncident(newIncident(team))).incident.number).toBe(2);
    } finally {
      await second.close();
    }
  });
});
