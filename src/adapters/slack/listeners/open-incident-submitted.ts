/** "Declare an incident" submitted: validated at once (errors go back on the fields), declared after the ack. */
import { openIncident } from '../../../app/open-incident.js';
import { openIncidentMetadata, OPEN_INCIDENT_CALLBACK, readOpenIncidentSubmission } from '../views/open-incident.js';
import { safeJson, submittingTeam } from './submission.js';
import type { ViewListener } from './types.js';

export const openIncidentSubmitted: ViewListener = {
  kind: 'view',
  id: OPEN_INCIDENT_CALLBACK,
  async handle({ ack, body, view }, ctx) {
    const log = ctx.logger.child({ view: OPEN_INCIDENT_CALLBACK, user: body.user.id, viewId: view.id });
    const result = readOpenIncidentSubmission(view.state.values);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const parsed = openIncidentMetadata.safeParse(safeJson(view.private_metadata));
    if (!parsed.success) log.warn('modal metadata unreadable; answering in a direct message');
    const meta = parsed.success ? parsed.data : { channelId: body.user.id };
    await ack();
    const teamId = submittingTeam({ body, view });
    ctx.inflight.run('declare incident', async () => {
      await openIncident(ctx, {
        ...result.declaration,
        teamId,
        reporterId: body.user.id,
        declaredAt: ctx.clock.now(),
        // Slack gives a new hash to every version of a view: the same id and hash is the same submission.
        sourceKey: `view:${view.id}:${view.hash}`,
        replyChannel: meta.channelId,
      });
    });
  },
};
