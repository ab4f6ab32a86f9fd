/** "Declare an incident" submitted: validated at once (errors go back on the fields), declared after the ack. */
import { openIncident } from '../../../app/open-incident.js';
import { openIncidentMetadata, OPEN_INCIDENT_CALLBACK, readOpenIncidentSubmission } from '../views/open-incident.js';
import { submission, type Submission } from './payloads.js';
import { safeJson } from './submission.js';
import type { ViewListener } from './types.js';

export const openIncidentSubmitted: ViewListener<Submission> = {
  kind: 'view',
  id: OPEN_INCIDENT_CALLBACK,
  read: submission,
  async handle({ ack }, ctx, submitted) {
    const log = ctx.logger.child({ view: OPEN_INCIDENT_CALLBACK, user: submitted.userId, viewId: submitted.viewId });
    const result = readOpenIncidentSubmission(submitted.values);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const parsed = openIncidentMetadata.safeParse(safeJson(submitted.metadata));
    if (!parsed.success) log.warn('modal metadata unreadable; answering in a direct message');
    const meta = parsed.success ? parsed.data : { channelId: submitted.userId };
    if (!submitted.teamId) {
      // Slack always says which workspace; without one there is no workspace to number the incident in.
      log.warn('a declaration without a workspace was ignored');
      await ack({ response_action: 'errors', errors: { title: 'Slack did not say which workspace this form belongs to; close it and run /incident open again.' } });
      return;
    }
    await ack();
    const teamId = submitted.teamId;
    ctx.inflight.run('declare incident', async () => {
      const { detectedAgoMs, ...declaration } = result.declaration;
      const declaredAt = ctx.clock.now();
      await openIncident(ctx, {
        ...declaration,
        teamId,
        reporterId: submitted.userId,
        declaredAt,
        detectedAt: detectedAgoMs === null ? null : new Date(declaredAt.getTime() - detectedAgoMs),
        // Slack gives a new hash to every version of a view: the same id and hash is the same submission.
        sourceKey: `view:${submitted.viewId}:${submitted.viewHash}`,
        replyChannel: meta.channelId,
      });
    });
  },
};
