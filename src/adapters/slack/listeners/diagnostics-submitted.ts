/** The /diag form submitted: the checks run after the ack and answer the submitter privately. */
import { diagnose } from '../../../app/diagnostics/diagnose.js';
import { DIAG_CALLBACK, diagFormMetadata, readDiagnosticsSubmission } from '../views/diagnostics.js';
import { safeJson, submittingTeam } from './submission.js';
import type { ViewListener } from './types.js';

export const diagnosticsSubmitted: ViewListener = {
  kind: 'view',
  id: DIAG_CALLBACK,
  async handle({ ack, body, view }, ctx) {
    const result = readDiagnosticsSubmission(view.state.values);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const meta = diagFormMetadata.safeParse(safeJson(view.private_metadata));
    await ack();
    // Without readable metadata the answer still reaches the person, in their direct messages.
    const channelId = meta.success ? meta.data.channelId : body.user.id;
    const teamId = submittingTeam({ body, view });
    ctx.inflight.run('diagnostics', () =>
      diagnose(ctx, {
        teamId,
        channelId,
        userId: body.user.id,
        request: result.request,
        reply: (message) => ctx.chat.postEphemeral(channelId, body.user.id, message),
      }),
    );
  },
};
