import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longParams, pgTerminateLongAction } from '../../../src/adapters/targets/postgres/actions/index.js';
import { actionContext, activity, endQuietly, session, sleep, throwawayDatabase, waitUntil, type TestSession } from './helpers.js';

// A database of its own: the action acts on every long query of its database.
let db: Awaited<ReturnType<typeof throwawayDatabase>>;
let admin: TestSession;
const opened: TestSession[] = [];

beforeAll(async () => {
  db = await throwawayDatabase();
  admin = await session(db.url, 'fb-remediation-admin');
});
afterAll(async () => {
  await endQuietly(...opened, admin);
  await db.drop();
});

/** A session running pg_sleep(60), once it is seen active. */
async function sleeper(): Promise<TestSession> {
  const s = await session(db.url, 'fb-long');
  opened.push(s);
  s.query('SELECT pg_sleep(60)').catch(() => {});
  await waitUntil('the query runs', async () => (await activity(admin, s.pid))?.state === 'active');
  return s;
}

describe('pg.terminate-long params', () => {
  it.each([['x'], ['0'], ['-1'], ['1441'], ['0.001'], ['1e3']])('refuses %s', (arg) => {
    expect(longParams.safeParse([arg]).error?.issues[0]?.message).toBe(`"${arg}" is not a number of minutes: expected 1 to 1440 (e.g. 5)`);
  });
  it('accepts whole minutes, and decimals down to 0.01', () => {
    expect(longParams.parse(['5'])).toEqual({ minutes: 5 });
    expect(longParams.parse(['0.02'])).toEqual({ minutes: 0.02 });
  });
});

describe('pg.terminate-long', () => {
  it('refuses when no query runs that long', async () => {
    const preview = await pgTerminateLongAction.preview({ name: 'rem', url: db.url }, { minutes: 1440 }, actionContext());
    expect(preview.refusal).toBe('no session has been running a query longer than 1440 min');
  });

  it('terminates the previewed long queries only: not one started after the preview, not one that finished', async () => {
    const target = { name: 'rem', url: db.url };
    const [a, b, c] = [await sleeper(), await sleeper(), await sleeper()];
    await sleep(1500); // older than 0.02 min (1.2 s)

    const preview = await pgTerminateLongAction.preview(target, { minutes: 0.02 }, actionContext());
    expect(preview.refusal).toBeUndefined();
    expect(preview.current).toHaveLength(3);
    for (const s of [a, b, c]) expect(preview.current.join('\n')).toMatch(new RegExp(`^pid ${s.pid} postgres \\(fb-long\\) for [\\d.]+ s: SELECT pg_sleep\\(60\\)$`, 'm'));
    expect(preview.guard.sessions).toHaveLength(3);

    const later = await sleeper(); // started after the preview…
    await admin.query('SELECT pg_cancel_backend($1)', [c.pid]); // …and c's long query ends
    await waitUntil('c is idle', async () => (await activity(admin, c.pid))?.state === 'idle');
    await sleep(1500); // `later` is now as old as the limit too

    const result = await pgTerminateLongAction.execute(target, { minutes: 0.02 }, preview.guard, actionContext());
    expect(result.ok).toBe(true);
    expect(result.summary).toBe('terminated 2 of 3 sessions; 1 had finished their query or ended since the preview (left alone)');
    expect(result.after).toMatchObject({ terminated: expect.arrayContaining([a.pid, b.pid]), skipped: [c.pid] });

    const verified = await pgTerminateLongAction.verify(target, { minutes: 0.02 }, actionContext());
    expect(verified).toMatchObject({ ok: true, summary: 'none of the 2 terminated sessions remains' });
    expect(await activity(admin, a.pid)).toBeUndefined();
    expect(await activity(admin, b.pid)).toBeUndefined();
    expect((await activity(admin, later.pid))?.state).toBe('active');
    expect((await activity(admin, c.pid))?.state).toBe('idle');

    // Another process's verify has no list: it checks the limit itself, and sees `later`.
    const elsewhere = await pgTerminateLongAction.verify(target, { minutes: 0.01 }, actionContext(800));
    expect(elsewhere.ok).toBe(false);
    expect(elsewhere.summary).toBe(`1 query still running longer than 600 ms: pids ${later.pid}`);
  }, 20_000);

  it('refuses a guard made for another number of minutes', async () => {
    const r = await pgTerminateLongAction.execute({ name: 'rem', url: db.url }, { minutes: 5 }, { minutes: 10, sessions: [] }, actionContext());
    expect(r).toMatchObject({ ok: false, summary: 'the approved preview was for 10 min, not 5 min; nothing done' });
  });
});
