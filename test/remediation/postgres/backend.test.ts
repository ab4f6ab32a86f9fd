import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgCancelAction, pgTerminateAction, pidParams } from '../../../src/adapters/targets/postgres/actions/index.js';
import { TEST_DATABASE_URL, actionContext, activity, endQuietly, session, uniqueName, waitUntil, type TestSession } from './helpers.js';

const target = { name: 'main', url: TEST_DATABASE_URL };
let admin: TestSession;
const opened: pg.Client[] = [];
const open = async (app?: string) => {
  const s = await session(TEST_DATABASE_URL, app);
  opened.push(s);
  return s;
};

beforeAll(async () => {
  admin = await session(TEST_DATABASE_URL, 'fb-remediation-admin');
});
afterAll(async () => {
  await endQuietly(...opened, admin);
});

describe('pg.cancel / pg.terminate params', () => {
  it.each([['abc'], ['-1'], ['0'], ['1.5'], ['99999999999']])('refuses %s with a clear message', (arg) => {
    const r = pidParams.safeParse([arg]);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain(`"${arg}" is not a pid: expected a positive whole number`);
  });
  it('accepts a positive pid and says the usage when it is missing', () => {
    expect(pidParams.parse(['4242'])).toEqual({ pid: 4242 });
    expect(pidParams.safeParse([]).error?.issues[0]?.message).toBe('usage: <pid>');
  });
});

describe('pg.terminate', () => {
  it('ends a blocking session: preview → execute(guard) → verify, and the blocked one proceeds', async () => {
    const table = uniqueName('fb_rem_lock');
    await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v int); INSERT INTO ${table} VALUES (1, 0)`);
    try {
      const a = await open('fb-blocker');
      const b = await open('fb-blocked');
      await a.query('BEGIN');
      await a.query(`UPDATE ${table} SET v = 1 WHERE id = 1`);
      const blocked = b.query(`UPDATE ${table} SET v = 2 WHERE id = 1`);
      await waitUntil('B waits on A', async () => (await activity(admin, b.pid))?.wait_event_type === 'Lock');

      const preview = await pgTerminateAction.preview(target, { pid: a.pid }, actionContext());
      expect(preview.refusal).toBeUndefined();
      expect(preview.current[0]).toContain(`pid ${a.pid} (user postgres, app "fb-blocker", db test) idle in transaction`);
      expect(preview.change[0]).toContain(`terminate backend ${a.pid}`);
      expect(preview.guard).toMatchObject({ pid: a.pid, backendStart: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });

      const result = await pgTerminateAction.execute(target, { pid: a.pid }, preview.guard, actionContext());
      expect(result).toMatchObject({ ok: true, summary: `termination signal sent to backend ${a.pid} (pg_terminate_backend returned true)` });
      const verified = await pgTerminateAction.verify(target, { pid: a.pid }, actionContext());
      expect(verified).toMatchObject({ ok: true, summary: `backend ${a.pid} is gone` });
      expect(await activity(admin, a.pid)).toBeUndefined();
      await expect(blocked).resolves.toMatchObject({ rowCount: 1 });
    } finally {
      await admin.query(`DROP TABLE ${table}`);
    }
  });

  it('refuses when the session behind the pid changed since the preview', async () => {
    const c = await open();
    const preview = await pgTerminateAction.preview(target, { pid: c.pid }, actionContext());
    const forged = { ...preview.guard, backendStart: '2001-01-01T00:00:00.000000Z' };
    const changed = await pgTerminateAction.execute(target, { pid: c.pid }, forged, actionContext());
    expect(changed.ok).toBe(false);
    expect(changed.summary).toBe(`pid ${c.pid} is now a different session (started at ${String(preview.guard.backendStart)}, not 2001-01-01T00:00:00.000000Z); nothing done`);
    expect(await activity(admin, c.pid)).toBeDefined();

    await admin.query('SELECT pg_terminate_backend($1, 5000)', [c.pid]);
    const gone = await pgTerminateAction.execute(target, { pid: c.pid }, preview.guard, actionContext());
    expect(gone).toMatchObject({ ok: false, summary: `pid ${c.pid} is gone: the session ended since the preview; nothing done` });
  });

  it('refuses a pid that does not exist, Firebreak\u2019s own session and background processes', async () => {
    const none = await pgTerminateAction.preview(target, { pid: 2_147_483_647 }, actionContext());
    expect(none.refusal).toBe('pid 2147483647 is not a PostgreSQL session on this server (pg_stat_activity has no such pid)');
    const own = await open('firebreak');
    expect((await pgTerminateAction.preview(target, { pid: own.pid }, actionContext())).refusal).toBe(`pid ${own.pid} is Firebreak's own session`);
    const worker = (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`)).rows[0]!.pid;
    expect((await pgTerminateAction.preview(target, { pid: worker }, actionContext())).refusal).toContain(`pid ${worker} is a checkpointer process, not a client session`);
    const refused = await pgTerminateAction.execute(target, { pid: worker }, { pid: worker, backendStart: 'x' }, actionContext());
    expect(refused.ok).toBe(false);
  });
});

describe('pg.cancel', () => {
  it('cancels the running query and verifies the session is no longer running it', async () => {
    const d = await open('fb-sleeper');
    const sleeping = d.query('SELECT pg_sleep(30)');
    sleeping.catch(() => {});
    await waitUntil('the query runs', async () => (await activity(admin, d.pid))?.state === 'active');

    const preview = await pgCancelAction.preview(target, { pid: d.pid }, actionContext());
    expect(preview.refusal).toBeUndefined();
    expect(preview.current[0]).toMatch(new RegExp(`^pid ${d.pid} .*active for .*: SELECT pg_sleep\\(30\\)$`));
    const result = await pgCancelAction.execute(target, { pid: d.pid }, preview.guard, actionContext());
    expect(result).toMatchObject({ ok: true, summary: `cancel request sent to backend ${d.pid} (pg_cancel_backend returned true)` });
    await expect(sleeping).rejects.toMatchObject({ code: '57014' });
    const verified = await pgCancelAction.verify(target, { pid: d.pid }, actionContext());
    expect(verified).toMatchObject({ ok: true, summary: `backend ${d.pid}'s query was cancelled: it is now idle` });
    expect((await d.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 }); // the session itself stays
  });

  it('reports a query still running as not verified', async () => {
    const e = await open('fb-sleeper');
    e.query('SELECT pg_sleep(5)').catch(() => {});
    await waitUntil('the query runs', async () => (await activity(admin, e.pid))?.state === 'active');
    const verified = await pgCancelAction.verify(target, { pid: e.pid }, actionContext(1000));
    expect(verified.ok).toBe(false);
    expect(verified.summary).toContain(`backend ${e.pid} is still running the same query`);
    await admin.query('SELECT pg_terminate_backend($1)', [e.pid]);
  });
});
