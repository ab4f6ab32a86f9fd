/**
 * The forms about one existing incident (update, resolve) share their plumbing: read, validate
 * (errors go back on the fields, in the ack), ack, act in the background, answer the submitter.
 */
import type { AppContext } from '../../../app/context.js';
import type { Outcome } from '../../../app/incidents/outcome.js';
import type { Incident } from '../../../core/incident/incident.js';
import { plain } from '../../../core/render/message.js';
import { errorReply } from '../reply-error.js';
import { incidentFormMetadata } from '../views/fields.js';
import { submission, type Submission } from './payloads.js';
import { safeJson } from './submission.js';
import type { ViewListener } from './types.js';

export type FormRead<F> = (values: unknown) => { ok: true; value: F } | { ok: false; errors: Record<string, string> };

export function incidentForm<F>(callbackId: string, read: FormRead<F>, act: (ctx: AppContext, incidentId: string, userId: string, form: F) => Promise<Outcome | null>): ViewListener<Submission> {
  return {
    kind: 'view',
    id: callbackId,
    read: submission,
    async handle({ ack }, ctx, submitted) {
      const log = ctx.logger.child({ view: callbackId, user: submitted.userId, viewId: submitted.viewId });
      const result = read(submitted.values);
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: result.errors });
        return;
      }
      const meta = incidentFormMetadata.safeParse(safeJson(submitted.metadata));
      if (!meta.success) {
        const values = submitted.values;
        const field = (typeof values === 'object' && values !== null ? Object.keys(values)[0] : undefined) ?? 'progress';
        await ack({ response_action: 'errors', errors: { [field]: 'This form lost track of its incident; close it and run the command again.' } });
        return;
      }
      await ack();
      const { userId } = submitted;
      ctx.inflight.run(callbackId, async () => {
        let outcome: Outcome | null;
        try {
          outcome = await act(ctx, meta.data.incidentId, userId, result.value);
        } catch (err) {
          outcome = { ok: false, reply: errorReply(err, log, 'submit the form').text };
        }
        if (outcome) await ctx.chat.postEphemeral(meta.data.channelId, userId, plain(outcome.reply)).catch((err: unknown) => log.warn({ err }, 'could not answer'));
      });
    },
  };
}

/** Runs `fn` on the incident, unless it was deleted while the form was open. */
export async function withIncident(ctx: AppContext, id: string, fn: (incident: Incident) => Promise<Outcome>): Promise<Outcome> {
  const incident = await ctx.store.getIncident(id);
  return incident ? fn(incident) : { ok: false, reply: ':warning: That incident no longer exists.' };
}
