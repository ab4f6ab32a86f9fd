/** Modal submissions: validate at once (errors go back on the fields), then work after the ack. */
import type { App } from '@slack/bolt';
import type { AppContext } from '../../app/context.js';
import { openIncident } from '../../app/open-incident.js';
import { openIncidentMetadata, OPEN_INCIDENT_CALLBACK, readOpenIncidentSubmission } from './views/open-incident.js';

export function registerViews(app: App, ctx: AppContext): void {
  app.view(OPEN_INCIDENT_CALLBACK, async ({ ack, body, view }) => {
    const log = ctx.logger.child({ view: OPEN_INCIDENT_CALLBACK, user: body.user.id, viewId: view.id });
    const result = readOpenIncidentSubmission(view.state.values);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    let meta;
    try {
      meta = openIncidentMetadata.parse(JSON.parse(view.private_metadata || '{}'));
    } catch {
      log.warn('modal metadata unreadable; answering in a direct message');
      meta = { channelId: body.user.id };
    }
    await ack();
    const teamId = body.team?.id ?? body.user.team_id ?? view.team_id;
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
  });
}
