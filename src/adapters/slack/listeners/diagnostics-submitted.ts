/** The /diag form submitted: the checks run after the ack and answer the submitter privately. */
import { diagnose } from '../../../app/diagnostics/diagnose.js';
import { DIAG_CALLBACK, diagFormMetadata, readDiagnosticsSubmission } from '../views/diagnostics.js';
import { submission, type Submission } from './payloads.js';
import { safeJson } from './submission.js';
import type { ViewListener } from './types.js';

export const diagnosticsSubmitted: ViewListener<Submission> = {
  kind: 'view',
  id: DIAG_CALLBACK,
  read: submission,
  async handle({ ack }, ctx, submitted) {
    const result = readDiagnosticsSubmission(submitted.values);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const meta = diagFormMetadata.safeParse(safeJson(submitted.metadata));
    await ack();
    // Without readable metadata the answer still reaches the person, in their direct messages.
    const channelId = meta.success ? meta.data.channelId : submitted.userId;
    const userId = submitted.userId;
    ctx.inflight.run('diagnostics', () =>
      diagnose(ctx, {
        teamId: submitted.teamId ?? '',
        channelId,
        userId,
        request: result.request,
        reply: (message) => ctx.chat.postEphemeral(channelId, userId, message),
      }),
    );
  },
};
