/**
 * Versioned schema migrations, kept in code. `migrate` applies the missing ones in order, each in
 * its own transaction, under a session-level advisory lock so replicas starting together queue
 * up instead of racing. Never edit a migration that has shipped: add the next version.
 */
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'incidents',
    sql: `
      CREATE TABLE workspace_counters (
        team_id text PRIMARY KEY,
        last_number int NOT NULL
      );

      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id text NOT NULL,
        number int NOT NULL,
        title text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
        status text NOT NULL DEFAULT 'investigating'
          CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
        impact text,
        symptoms text,
        actions text,
        eta text,
        reporter_id text NOT NULL,
        commander_id text,
        declared_at timestamptz NOT NULL,
        announcement_channel text,
        announcement_ts text,
        source_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (team_id, number),
        UNIQUE (team_id, source_key)
      );

      CREATE TABLE incident_events (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        kind text NOT NULL,
        actor_id text,
        at timestamptz NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      );

      CREATE INDEX incident_events_timeline ON incident_events (incident_id, at, id);
    `,
  },
  {
    version: 2,
    name: 'incident lifecycle',
    sql: `
      ALTER TABLE incidents
        ADD COLUMN comms_lead_id text,
        ADD COLUMN acknowledged_at timestamptz,
        ADD COLUMN acknowledged_by text,
        ADD COLUMN resolved_at timestamptz,
        ADD COLUMN last_update_at timestamptz,
        ADD COLUMN channel_id text,
        ADD COLUMN card_channel text,
        ADD COLUMN card_ts text,
        ADD COLUMN resolution jsonb
          CHECK (resolution IS NULL OR jsonb_typeof(resolution) = 'object'),
        ADD COLUMN checklist jsonb NOT NULL DEFAULT '[]'
          CHECK (jsonb_typeof(checklist) = 'array'),
        ADD CONSTRAINT incidents_card_complete CHECK ((card_channel IS NULL) = (card_ts IS NULL));

      -- Until the first update is posted, the reminder clock runs from the declaration.
      UPDATE incidents SET last_update_at = declared_at;
      ALTER TABLE incidents ALTER COLUMN last_update_at SET NOT NULL;

      CREATE UNIQUE INDEX incidents_channel ON incidents (team_id, channel_id) WHERE channel_id IS NOT NULL;
      CREATE INDEX incidents_open ON incidents (team_id) WHERE status <> 'resolved';
      CREATE INDEX incidents_declared ON incidents (team_id, declared_at);

      ALTER TABLE incident_events ADD COLUMN dedupe_key text;
      -- The arbiter of INSERT … ON CONFLICT (incident_id, dedupe_key) WHERE dedupe_key IS NOT NULL.
      CREATE UNIQUE INDEX incident_events_dedupe ON incident_events (incident_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'scheduled items',
    sql: `
      ALTER TABLE incidents ADD COLUMN reminder_snoozed_until timestamptz;

      -- What is due when, per incident and kind; claimed_by/claimed_until is the lease of the worker
      -- handling it (see ScheduleStore).
      CREATE TABLE scheduled_items (
        id bigserial PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind <> ''),
        due_at timestamptz,
        one_shot boolean NOT NULL DEFAULT false,
        attempts int NOT NULL DEFAULT 0,
        fired_count int NOT NULL DEFAULT 0,
        last_fired_at timestamptz,
        last_error text,
        payload jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
        claimed_by text,
        claimed_until timestamptz,
        UNIQUE (incident_id, kind)
      );

      -- The claim query: due items in due order.
      CREATE INDEX scheduled_items_due ON scheduled_items (due_at, id) WHERE due_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'remediation',
    sql: `
      -- Remediation requests: a state machine changed only by conditional updates (see RemediationStore).
      CREATE TABLE remediation_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id text NOT NULL,
        action_id text NOT NULL,
        target_name text NOT NULL,
        args jsonb NOT NULL CHECK (jsonb_typeof(args) = 'array'),
        risk text NOT NULL CHECK (risk IN ('high', 'critical')),
        requester_id text NOT NULL,
        status text NOT NULL
          CHECK (status IN ('requested', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        approvals jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(approvals) = 'array'),
        decided_by text,
        guard jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(guard) = 'object'),
        preview jsonb NOT NULL CHECK (jsonb_typeof(preview) = 'object'),
        before jsonb CHECK (before IS NULL OR jsonb_typeof(before) = 'object'),
        after jsonb CHECK (after IS NULL OR jsonb_typeof(after) = 'object'),
        outcome text,
        message_channel text,
        message_ts text,
        incident_id uuid REFERENCES incidents (id) ON DELETE SET NULL,
        CONSTRAINT remediation_requests_message_complete CHECK ((message_channel IS NULL) = (message_ts IS NULL))
      );

      -- The expiry sweep: requests still "requested" past their expiry.
      CREATE INDEX remediation_requests_expiry ON remediation_requests (status, expires_at);

      -- Every attempt, refused ones included. Append-only: see the triggers below.
      CREATE TABLE remediation_audit (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id text NOT NULL,
        event text NOT NULL
          CHECK (event IN ('requested', 'refused', 'approved', 'rejected', 'expired', 'started', 'succeeded', 'failed')),
        action_id text NOT NULL,
        target_name text NOT NULL,
        args jsonb NOT NULL CHECK (jsonb_typeof(args) = 'array'),
        request_id uuid,
        detail text,
        approvers jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(approvers) = 'array'),
        before jsonb CHECK (before IS NULL OR jsonb_typeof(before) = 'object'),
        after jsonb CHECK (after IS NULL OR jsonb_typeof(after) = 'object'),
        permalink text
      );

      CREATE INDEX remediation_audit_latest ON remediation_audit (at DESC, id DESC);

      CREATE FUNCTION remediation_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the remediation audit trail is append-only: % on remediation_audit is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$;

      -- Statement-level (TRUNCATE has no rows), so even an UPDATE or DELETE matching no row is refused.
      CREATE TRIGGER remediation_audit_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON remediation_audit
        FOR EACH STATEMENT EXECUTE FUNCTION remediation_audit_append_only();
    `,
  },
  {
    version: 5,
    name: 'seen requests',
    sql: `
      -- Signatures of the Slack requests received within Slack's replay window, so a request
      -- replayed to any replica is recognised (see ReplayStore); expired rows are pruned.
      CREATE TABLE seen_requests (
        signature text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      );

      CREATE INDEX seen_requests_expiry ON seen_requests (expires_at);
    `,
  },
  {
    version: 6,
    name: 'runbook runs',
    sql: `
      -- A runbook followed from Slack: its params, where its message is, and one row per step that
      -- has been touched (a step with no row is pending). Claims on a step are leases.
      CREATE TABLE runbook_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id text NOT NULL,
        runbook_id text NOT NULL,
        incident_id uuid REFERENCES incidents (id) ON DELETE CASCADE,
        channel_id text NOT NULL,
        message_channel text,
        message_ts text,
        params jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
        started_by text NOT NULL,
        started_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'abandoned')),
        CONSTRAINT runbook_runs_message_complete CHECK ((message_channel IS NULL) = (message_ts IS NULL))
      );

      CREATE INDEX runbook_runs_incident ON runbook_runs (incident_id, started_at);

      CREATE TABLE runbook_steps (
        run_id uuid NOT NULL REFERENCES runbook_runs (id) ON DELETE CASCADE,
        step_id text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'requested', 'skipped')),
        status text CHECK (status IN ('critical', 'warning', 'unknown', 'ok')),
        summary text,
        findings jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(findings) = 'array'),
        request_id uuid,
        actor_id text,
        updated_at timestamptz,
        claimed_until timestamptz,
        PRIMARY KEY (run_id, step_id)
      );

      CREATE INDEX runbook_steps_request ON runbook_steps (request_id) WHERE request_id IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'alert groups',
    sql: `
      -- Alertmanager groups (groupKey) and the incident each generation opened: a group opens one
      -- incident while it is open; the generation goes up once that incident is resolved.
      -- A group key is any text Alertmanager sends, of any length: rows are keyed by its SHA-256
      -- (hex, of its UTF-16 code units, computed before NUL is replaced for storage), since a long
      -- key does not fit in a btree entry; group_key keeps the text for people.
      CREATE TABLE alert_groups (
        team_id text NOT NULL,
        key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        group_key text NOT NULL,
        generation int NOT NULL DEFAULT 1,
        incident_id uuid REFERENCES incidents (id) ON DELETE SET NULL,
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        notifications int NOT NULL DEFAULT 0,
        firing int NOT NULL DEFAULT 0,
        resolved int NOT NULL DEFAULT 0,
        last_status text CHECK (last_status IN ('firing', 'resolved')),
        PRIMARY KEY (team_id, key_hash)
      );
    `,
  },
  {
    version: 8,
    name: 'detection time',
    sql: `
      -- When the problem was first noticed (an alert's startsAt, or what the reporter said), for MTTD.
      ALTER TABLE incidents ADD COLUMN detected_at timestamptz CHECK (detected_at IS NULL OR detected_at <= declared_at);
    `,
  },
  {
    version: 9,
    name: 'incident drawing',
    sql: `
      -- Every change to an incident moves its revision on. Its messages (card, announcement, checklist)
      -- are drawn by one replica at a time: drawing_by holds a lease until drawing_until, and lets go
      -- only once what it drew is the latest revision (drawn_revision, drawn_by: the last full drawing).
      -- checklist_channel/ts: the post-incident checklist message last ticked, redrawn with the card.
      ALTER TABLE incidents
        ADD COLUMN revision bigint NOT NULL DEFAULT 1,
        ADD COLUMN drawn_revision bigint NOT NULL DEFAULT 0,
        ADD COLUMN drawn_by text,
        ADD COLUMN drawing_by text,
        ADD COLUMN drawing_until timestamptz,
        ADD COLUMN checklist_channel text,
        ADD COLUMN checklist_ts text,
        ADD CONSTRAINT incidents_drawing_complete CHECK ((drawing_by IS NULL) = (drawing_until IS NULL)),
        ADD CONSTRAINT incidents_checklist_message_complete CHECK ((checklist_channel IS NULL) = (checklist_ts IS NULL));

      -- The sweep of drawings whose replica stopped before it finished.
      CREATE INDEX incidents_drawing ON incidents (drawing_until) WHERE drawing_until IS NOT NULL;
    `,
  },
  {
    version: 10,
    name: 'remediation execution lease',
    sql: `
      -- A running request holds a lease (running_until) its runner renews while the action runs; once
      -- it has ended, the runner is gone and the request is marked interrupted (a final status).
      ALTER TABLE remediation_requests ADD COLUMN running_until timestamptz;
      -- Requests already running were started by a version that kept no lease: they get one long
      -- enough for any action of that version to finish (three minutes at most), then are swept.
      UPDATE remediation_requests SET running_until = now() + interval '15 minutes' WHERE status = 'running';

      ALTER TABLE remediation_requests DROP CONSTRAINT remediation_requests_status_check;
      ALTER TABLE remediation_requests ADD CONSTRAINT remediation_requests_status_check
        CHECK (status IN ('requested', 'approved', 'running', 'succeeded', 'failed', 'rejected', 'expired', 'interrupted'));
      ALTER TABLE remediation_audit DROP CONSTRAINT remediation_audit_event_check;
      ALTER TABLE remediation_audit ADD CONSTRAINT remediation_audit_event_check
        CHECK (event IN ('requested', 'refused', 'approved', 'rejected', 'expired', 'started', 'succeeded', 'failed', 'interrupted'));

      -- The sweep: running requests whose lease has ended.
      CREATE INDEX remediation_requests_running ON remediation_requests (running_until) WHERE status = 'running';
    `,
  },
];

/** Key of the advisory lock that serialises migration runs (any fixed bigint; "firebrk1" in ASCII). */
export const MIGRATION_LOCK_KEY = '7379555244192197425';

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (!Number.isInteger(m.version) || m.version < 1 || (previous && m.version <= previous.version)) {
      throw new Error(`Migrations must have increasing positive integer versions (at ${m.version} ${m.name})`);
    }
  });
}

/** Applies the migrations the database does not have yet; returns their versions. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: number[] }> {
  checkOrder(migrations);
  // PGlite supports advisory locks too (it is one process with one session, so it never waits).
  return db.withSession(async (session) => {
    // Waiting behind another replica's migrations, or a long migration, must not hit statement_timeout.
    await session.exec('SET statement_timeout = 0');
    await session.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    let failed = false;
    try {
      return await applyMissing(session, migrations);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      try {
        await session.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
        await session.exec('RESET statement_timeout');
      } catch (err) {
        // Keep the first error; a broken session is discarded, which releases the lock anyway.
        if (!failed) throw err;
      }
    }
  });
}

async function applyMissing(session: Db, migrations: readonly Migration[]): Promise<{ applied: number[] }> {
  // The name is checked by pgDb to be a plain lower-case identifier.
  if (session.schema !== null) await session.exec(`CREATE SCHEMA IF NOT EXISTS ${session.schema}`);
  await session.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const rows = await session.query<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    await session.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return { applied };
}
