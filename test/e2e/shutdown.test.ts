/** Graceful shutdown: stop taking requests, finish the declaration in flight, then close the store. */
import { describe, expect, it } from 'vitest';
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import { ACKNOWLEDGED_REQUEST } from '../../src/adapters/slack/screened-app.js';
import { declarationValues, INCIDENTS_CHANNEL, startAppUnderTest } from './app-under-test.js';

describe('graceful shutdown', () => {
  it('finishes a declaration acknowledged just before the stop, then refuses new requests', async () => {
    const t = await startAppUnderTest();
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: (await import('../services.js')).TEST_DATABASE_URL });
    await admin.connect();
    try {
      let stopped = false;
      try {
        // A slow Slack keeps the announcement in flight while stop() begins.
        t.standIn.delay('chat.postMessage', 400);
        const cmd = await t.driver.command({ command: '/incident', text: 'open' });
        const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
        const ack = await t.driver.viewSubmission({ view: viewFromCall(open), values: declarationValues({ title: 'Cache cold', severity: 'P2' }) });
        expect(ack.status).toBe(200);
        // The declaration is acknowledged, not yet stored and announced. In flight: the request
        // itself (its listener hands the work on once the replay check answers, after the ack), the
        // declaration, or both for a moment; which one depends on timing, never nothing.
        const running = t.running.inflightLabels();
        expect(running.length).toBeGreaterThan(0);
        expect(running.filter((l) => l !== ACKNOWLEDGED_REQUEST && l !== 'declare incident')).toEqual([]);
        await t.running.stop({ drainMs: 10_000 });
        stopped = true;
        const announcements = t.standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === INCIDENTS_CHANNEL);
        expect(announcements.map((c) => c.args.text)).toEqual([expect.stringContaining('INC-1: Cache cold')]);
        await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
      } finally {
        if (!stopped) await t.running.stop();
        await t.standIn.close();
      }
      // The store was closed by stop(); the harness drops the schema only on its own stop, which
      // this test does not call, so it reads the schema and drops it itself, whatever happened.
      expect((await admin.query(`select title from ${t.schema}.incidents`)).rows).toEqual([{ title: 'Cache cold' }]);
    } finally {
      await admin.query(`drop schema if exists ${t.schema} cascade`);
      await admin.end();
    }
  });
});
