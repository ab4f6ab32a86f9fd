/**
 * Every module of the core loads, and so do the other modules mutation testing changes
 * (stryker.config.json: the logger, Slack's request signature, the schedule store). Each import is
 * made inside its own test, so a module that throws while loading (a table built at load time from
 * a broken row, say) fails a test by name. Test files that import such a module statically collect
 * no test at all, and Stryker's vitest runner, which counts only failed tests, reports the change
 * as one nobody noticed. The imports are written out (not computed) so that vitest sees this file
 * as related to each module and runs it when that module changes.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE_MODULES: Record<string, () => Promise<Record<string, unknown>>> = {
  'approval/policy.ts': () => import('../../src/core/approval/policy.js'),
  'diagnostics/finding.ts': () => import('../../src/core/diagnostics/finding.js'),
  'diagnostics/probe.ts': () => import('../../src/core/diagnostics/probe.js'),
  'diagnostics/render.ts': () => import('../../src/core/diagnostics/render.js'),
  'duration.ts': () => import('../../src/core/duration.js'),
  'errors.ts': () => import('../../src/core/errors.js'),
  'found-value.ts': () => import('../../src/core/found-value.js'),
  'incident/announcement.ts': () => import('../../src/core/incident/announcement.js'),
  'incident/card.ts': () => import('../../src/core/incident/card.js'),
  'incident/change-schema.ts': () => import('../../src/core/incident/change-schema.js'),
  'incident/channel-name.ts': () => import('../../src/core/incident/channel-name.js'),
  'incident/event-format.ts': () => import('../../src/core/incident/event-format.js'),
  'incident/incident.ts': () => import('../../src/core/incident/incident.js'),
  'incident/labels.ts': () => import('../../src/core/incident/labels.js'),
  'incident/limits.ts': () => import('../../src/core/incident/limits.js'),
  'incident/messages.ts': () => import('../../src/core/incident/messages.js'),
  'incident/postmortem.ts': () => import('../../src/core/incident/postmortem.js'),
  'incident/severity-terms.ts': () => import('../../src/core/incident/severity-terms.js'),
  'incident/severity.ts': () => import('../../src/core/incident/severity.js'),
  'incident/stats.ts': () => import('../../src/core/incident/stats.js'),
  'incident/status.ts': () => import('../../src/core/incident/status.js'),
  'incident/timeline-event.ts': () => import('../../src/core/incident/timeline-event.js'),
  'incident/timeline.ts': () => import('../../src/core/incident/timeline.js'),
  'remediation/action.ts': () => import('../../src/core/remediation/action.js'),
  'remediation/request.ts': () => import('../../src/core/remediation/request.js'),
  'reminders/messages.ts': () => import('../../src/core/reminders/messages.js'),
  'reminders/plan.ts': () => import('../../src/core/reminders/plan.js'),
  'render/checklist.ts': () => import('../../src/core/render/checklist.js'),
  'render/message.ts': () => import('../../src/core/render/message.js'),
  'render/template.ts': () => import('../../src/core/render/template.js'),
  'render/templates-catalogue.ts': () => import('../../src/core/render/templates-catalogue.js'),
  'render/text.ts': () => import('../../src/core/render/text.js'),
  'runbook/catalogue-view.ts': () => import('../../src/core/runbook/catalogue-view.js'),
  'runbook/catalogue.ts': () => import('../../src/core/runbook/catalogue.js'),
  'runbook/model.ts': () => import('../../src/core/runbook/model.js'),
  'runbook/params.ts': () => import('../../src/core/runbook/params.js'),
  'runbook/run-record.ts': () => import('../../src/core/runbook/run-record.js'),
  'runbook/run-view.ts': () => import('../../src/core/runbook/run-view.js'),
  'runbook/suggest.ts': () => import('../../src/core/runbook/suggest.js'),
  'runbook/validate.ts': () => import('../../src/core/runbook/validate.js'),
  'secret-names.ts': () => import('../../src/core/secret-names.js'),
  'size.ts': () => import('../../src/core/size.js'),
};
const OTHERS: Record<string, () => Promise<Record<string, unknown>>> = {
  '../logger.ts': () => import('../../src/logger.js'),
  '../adapters/slack/request-signature.ts': () => import('../../src/adapters/slack/request-signature.js'),
  '../adapters/postgres/schedule-store.ts': () => import('../../src/adapters/postgres/schedule-store.js'),
};

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));

describe('the modules mutation testing changes', () => {
  it('are all listed here (a new core module is added to the list)', () => {
    const found = readdirSync(CORE, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => f.split(path.sep).join('/'))
      .sort();
    expect(Object.keys(CORE_MODULES)).toEqual(found);
  });

  it.each(Object.entries({ ...CORE_MODULES, ...OTHERS }))('%s loads', async (_file, load) => {
    expect(typeof (await load())).toBe('object');
  });
});
