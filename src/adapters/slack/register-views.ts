/** Modal submissions: validate at once (errors go back on the fields), then work after the ack. */
import type { App } from '@slack/bolt';
import type { AppContext } from '../../app/context.js';
import { openIncident } from '../../app/open-incident.js';
import { resolveIncident } from '../../app/incidents/resolve.js';
import { postUpdate } from '../../app/incidents/update.js';
import type { Outcome } from '../../app/incidents/outcome.js';
import { plain } from '../../core/render/message.js';
import { errorReply } from './reply-error.js';
import { incidentFormMetadata } from './views/fields.js';
import { openIncidentMetadata, OPEN_INCIDENT_CALLBACK, readOpenIncidentSubmission } from './views/open-incident.js';
import { readResolveSubmission, RESOLVE_CALLBACK } from './views/resolve-incident.js';
import { readUpdateSubmission, UPDATE_CALLBACK } from './views/update-incident.js';
import { DIAG_CALLBACK, diagFormMetadata, readDiagnosticsSubmission } from './views/diagnostics.js';
import { diagnose } from '../../app/diagnostics/diagnose.js';

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

  /** The forms about one existing incident share their plumbing: read, validate, ack, act, answer. */
  function incidentForm<F>(
    callbackId: string,
    read: (values: unknown) => { ok: true; value: F } | { ok: false; errors: Record<string, string> },
    act: (incidentId: string, userId: string, form: F) => Promise<Outcome | null>,
  ) {
    app.view(callbackId, async ({ ack, body, view }) => {
      const log = ctx.logger.child({ view: callbackId, user: body.user.id, viewId: view.id });
      const result = read(view.state.values);
      if (!result.ok) {
        await ack({ response_action: 'errors', errors: result.errors });
        return;
      }
      const meta = incidentFormMetadata.safeParse(safeJson(view.private_metadata));
      if (!meta.success) {
        const field = Object.keys(view.state.values)[0] ?? 'progress';
        await ack({ response_action: 'errors', errors: { [field]: 'This form lost track of its incident; close it and run the command again.' } });
        return;
      }
      await ack();
      ctx.inflight.run(callbackId, async () => {
        let outcome: Outcome | null;
        try {
          outcome = await act(meta.data.incidentId, body.user.id, result.value);
        } catch (err) {
          outcome = { ok: false, reply: errorReply(err, log, 'submit the form').text };
        }
        if (outcome) await ctx.chat.postEphemeral(meta.data.channelId, body.user.id, plain(outcome.reply)).catch((err: unknown) => log.warn({ err }, 'could not answer'));
      });
    });
  }

  const withIncident = async (id: string, fn: (i: NonNullable<Awaited<ReturnType<typeof ctx.store.getIncident>>>) => Promise<Outcome>) => {
    const incident = await ctx.store.getIncident(id);
    return incident ? fn(incident) : { ok: false, reply: ':warning: That incident no longer exists.' };
  };

  app.view(DIAG_CALLBACK, async ({ ack, body, view }) => {
    const result = readDiagnosticsSubmission(view.state.values);
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    const meta = diagFormMetadata.safeParse(safeJson(view.private_metadata));
    await ack();
    const channelId = meta.success ? meta.data.channelId : body.user.id;
    const teamId = body.team?.id ?? body.user.team_id ?? view.team_id;
    ctx.inflight.run('diagnostics', () =>
      diagnose(ctx, {
        teamId,
        channelId,
        userId: body.user.id,
        request: result.request,
        reply: (message) => ctx.chat.postEphemeral(channelId, body.user.id, message),
      }),
    );
  });

  incidentForm(
    UPDATE_CALLBACK,
    (values) => {
      const r = readUpdateSubmission(values);
      return r.ok ? { ok: true, value: r.form } : r;
    },
    (id, userId, form) => withIncident(id, (incident) => postUpdate(ctx, incident, { authorId: userId, form })),
  );
  incidentForm(
    RESOLVE_CALLBACK,
    (values) => {
      const r = readResolveSubmission(values);
      return r.ok ? { ok: true, value: r.resolution } : r;
    },
    (id, userId, resolution) => withIncident(id, (incident) => resolveIncident(ctx, incident, { actorId: userId, resolution })),
  );
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}
