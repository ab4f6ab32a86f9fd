/**
 * Text PostgreSQL refuses (NUL, in `text` and as \u0000 in `jsonb`; lone surrogates) typed into
 * notes, incident fields, remediation arguments and audit details: stored with U+FFFD in their
 * place, read back the same way every time, on the real PostgreSQL server and on PGlite. The
 * attempt that carries such text is audited like any other.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDb } from '../../src/adapters/postgres/db.js';
import { openStore } from '../../src/adapters/postgres/open-store.js';
import { addNote } from '../../src/app/incidents/notes.js';
import { requestRemediation } from '../../src/app/remediation/flow.js';
import type { AppContext } from '../../src/app/context.js';
import type { NewIncident } from '../../src/core/incident/incident.js';
import { fakeContext } from '../fakes/context.js';
import { manualClock } from '../fakes/manual-clock.js';
import { fakeAction, fakeCatalogue, fakeSystem } from '../fakes/remediation.js';
import { TEST_DATABASE_URL } from '../services.js';
import type { OpenedStore } from '../store/fixtures.js';

const R = '\uFFFD';
const NUL = '\u0000';
/** Every C0 control but NUL, and DEL: PostgreSQL stores them, so they must come back unchanged. */
const CONTROLS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('') + '\u007F';
/** A high surrogate with no low one after it, and a low one with no high one before it. */
const LONE = 'a\uD800b\uDC00c';
const LONE_STORED = `a${R}b${R}c`;
/** A valid pair (an emoji) and the six characters backslash-u-0-0-0-0 typed as such: both kept. */
const KEPT = '🔥 \\u0000 typed';
/** About 100 kB, a NUL every 10 kB. */
const BIG = Array.from({ length: 10 }, (_, i) => `${'x'.repeat(10_000)}${NUL}${i}`).join('');
const BIG_STORED = BIG.replaceAll(NUL, R);

const schema = `fb_nul_${randomBytes(6).toString('hex')}`;
const backends: Array<[string, () => Promise<OpenedStore>]> = [
  ['PostgreSQL', () => openStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: 'unused', max: 3 })],
  ['PGlite', () => openStore({ dataDir: 'memory://' })],
];

afterAll(async () => {
  const admin = pgDb({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.close();
  }
});

const declaration = (teamId: string, text: (field: string) => string): NewIncident => ({
  teamId, title: text('title'), severity: 'P2', impact: text('impact'), symptoms: text('symptoms'), actions: text('actions'), eta: text('eta'),
  reporterId: 'U0REPORTER', commanderId: null, declaredAt: new Date('2025-05-06T07:08:09.000Z'), sourceKey: randomUUID(),
});

describe.each(backends)('unstorable text on %s', (_name, open) => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });
  const team = () => `T${randomBytes(5).toString('hex')}`;

  it('stores incident fields with NUL, controls, lone surrogates and 100 kB of text, and reads them back the same', async () => {
    const teamId = team();
    const typed = declaration(teamId, (f) => ({ title: `502${NUL}checkout`, impact: CONTROLS, symptoms: LONE, actions: BIG, eta: KEPT })[f] ?? f);
    const { incident, created } = await store.openIncident(typed);
    expect(created).toBe(true);
    const expected = { title: `502${R}checkout`, impact: CONTROLS, symptoms: LONE_STORED, actions: BIG_STORED, eta: KEPT };
    expect(incident).toMatchObject(expected);
    expect(await store.getIncident(incident.id)).toMatchObject(expected);
    expect(await store.getIncidentByNumber(teamId, incident.number)).toMatchObject(expected);
    // The same declaration again (a redelivered submission) finds it, NUL and all.
    expect((await store.openIncident(typed)).created).toBe(false);

    const resolution = { rootCause: `bad${NUL}deploy`, fixApplied: LONE, finalImpact: CONTROLS, postmortemDate: null };
    const { incident: updated } = await store.updateIncident({ id: incident.id, set: { title: `${NUL}renamed`, resolution } });
    expect(updated).toMatchObject({ title: `${R}renamed`, resolution: { rootCause: `bad${R}deploy`, fixApplied: LONE_STORED, finalImpact: CONTROLS, postmortemDate: null } });
    expect(await store.getIncident(incident.id)).toStrictEqual(updated);
  });

  it('puts a note with NUL on the timeline through the use case, and shows it the same on every read', async () => {
    const { incident } = await store.openIncident(declaration(team(), (f) => f));
    const ctx: AppContext = { ...fakeContext(), store };
    const outcome = await addNote(ctx, incident, { actorId: 'U0ALICE', text: `rollback${NUL}done ${LONE} ${KEPT}` });
    expect(outcome.ok).toBe(true);
    await store.addTimelineEvent({ incidentId: incident.id, kind: 'note', actorId: 'U0BOB', at: new Date(), data: { text: BIG, [`key${NUL}`]: [NUL, CONTROLS] } });
    const notes = async () => (await store.listTimeline(incident.id)).filter((e) => e.kind === 'note').map((e) => e.data);
    const expected = [{ text: `rollback${R}done ${LONE_STORED} ${KEPT}` }, { text: BIG_STORED, [`key${R}`]: [R, CONTROLS] }];
    expect(await notes()).toStrictEqual(expected);
    expect(await notes()).toStrictEqual(expected);
  });

  it('stores a remediation request, its transitions and its audit entries with such text', async () => {
    const request = await store.remediation.create({
      teamId: team(), actionId: 'pg.terminate', targetName: `main${NUL}`, args: [`42${NUL}`, LONE, CONTROLS, BIG], risk: 'high',
      requesterId: 'U0DAVE', createdAt: new Date('2025-05-06T07:08:09.000Z'), expiresAt: new Date('2025-05-06T07:18:09.000Z'),
      guard: { [`pid${NUL}`]: `x${NUL}`, list: [LONE] }, preview: { current: [`query ${NUL} running`], change: [KEPT] }, incidentId: null,
    });
    expect(request).toMatchObject({
      targetName: `main${R}`, args: [`42${R}`, LONE_STORED, CONTROLS, BIG_STORED],
      guard: { [`pid${R}`]: `x${R}`, list: [LONE_STORED] }, preview: { current: [`query ${R} running`], change: [KEPT] },
    });
    const { request: closed, applied } = await store.remediation.transition({
      id: request.id, from: ['requested'], to: 'failed', approval: { userId: `U0${NUL}`, at: request.createdAt },
      set: { outcome: `failed${NUL}`, before: { q: NUL }, after: { q: LONE } },
    });
    expect(applied).toBe(true);
    expect(closed).toMatchObject({ outcome: `failed${R}`, before: { q: R }, after: { q: LONE_STORED }, approvals: [{ userId: `U0${R}` }] });
    expect(await store.remediation.get(request.id)).toStrictEqual(closed);

    const at = new Date('2030-01-01T00:00:00.000Z');
    await store.remediation.audit({
      at, actorId: `U0${NUL}EVE`, event: 'refused', actionId: `pg.${NUL}`, targetName: LONE, args: [NUL, BIG], requestId: request.id,
      detail: `refused${NUL}${CONTROLS}`, approvers: [NUL], before: { [NUL]: NUL }, after: null, permalink: `https://x/${NUL}`,
    });
    const [entry] = await store.remediation.listAudit(1);
    expect(entry).toStrictEqual({
      at, actorId: `U0${R}EVE`, event: 'refused', actionId: `pg.${R}`, targetName: LONE_STORED, args: [R, BIG_STORED], requestId: request.id,
      detail: `refused${R}${CONTROLS}`, approvers: [R], before: { [R]: R }, after: null, permalink: `https://x/${R}`,
    });
  });

  it('audits a remediation attempt refused for its arguments, whatever they contain', async () => {
    const restart = fakeAction({ id: 'fake.restart' });
    const catalogue = fakeCatalogue([restart], { postgres: { main: fakeSystem() } });
    // Later than every entry written before, so the newest entries are this test's.
    const ctx: AppContext = { ...fakeContext({ remediation: catalogue, clock: manualClock(new Date('2031-01-01T00:00:00.000Z')) }), store };
    for (const args of [[`api${NUL}`], [LONE], [BIG]]) {
      const outcome = await requestRemediation(ctx, ctx.remediation, { teamId: 'T0', channelId: 'C0OPS', actorId: 'U0DAVE', actionId: 'fake.restart', args });
      expect(outcome.ok).toBe(false);
    }
    const trail = (await store.remediation.listAudit(3)).reverse();
    expect(trail.map((e) => [e.event, e.args])).toStrictEqual([
      ['refused', [`api${R}`]],
      ['refused', [LONE_STORED]],
      ['refused', [BIG_STORED]],
    ]);
    expect(trail.every((e) => e.detail?.includes('fake.restart'))).toBe(true);
  });

  it('keeps schedule payloads and errors with such text', async () => {
    const { incident } = await store.openIncident(declaration(team(), (f) => f));
    const at = new Date('2025-05-06T08:00:00.000Z');
    await store.schedule.enqueue(incident.id, 'pager:L2', at, { note: `x${NUL}`, list: [LONE] });
    const [claimed] = await store.schedule.claimDue({ lane: 'pager', now: at, owner: `w${NUL}`, leaseMs: 60_000, limit: 10 });
    expect(claimed?.payload).toStrictEqual({ note: `x${R}`, list: [LONE_STORED] });
    await store.schedule.fail({ id: claimed!.id, owner: `w${NUL}`, retryAt: at, error: `HTTP 500${NUL}${CONTROLS}` });
    const [item] = await store.schedule.list(incident.id);
    expect(item).toMatchObject({ attempts: 1, lastError: `HTTP 500${R}${CONTROLS}` });
  });
});
