/** PostgreSQL targets: read-only diagnostics (`/diag db`) and the pg.* remediation actions. */
import { defineTargetKind, urlPassword } from '../kind.js';
import { postgresActions } from './actions/index.js';
import { postgresProbe } from './probe/index.js';
import { sqlCheckProbe } from './probe/sql-check.js';
import { postgresTargetSchema } from './target.js';

export const postgresKind = defineTargetKind({
  key: 'postgres',
  label: 'PostgreSQL',
  schema: postgresTargetSchema,
  diagnostics: [{ word: 'db', probe: (target) => postgresProbe(target), inAll: true }],
  custom: { check: 'sql', probe: sqlCheckProbe },
  actions: ({ targets }) => postgresActions((name) => targets.find((t) => t.name === name)),
  secrets: (target) => urlPassword(target.url),
});
