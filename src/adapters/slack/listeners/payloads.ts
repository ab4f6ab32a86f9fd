/**
 * What the listeners read of Slack's payloads, as zod schemas: each listener declares its own
 * (`read`), and index.ts checks it before the listener runs, so a listener only ever sees fields
 * that are there, of the right type, with Slack ids where ids are expected.
 */
import { z } from 'zod';
import { channelId, messageTs, teamId, userId } from '../ids.js';

const person = z.object({ id: userId, team_id: teamId.optional() });
// Null on org-wide installs.
const team = z.object({ id: teamId }).nullish();

const clickBody = z.object({
  user: person,
  team,
  channel: z.object({ id: channelId }).optional(),
  message: z.object({ ts: messageTs }).optional(),
  container: z.object({ message_ts: messageTs.optional() }).optional(),
  trigger_id: z.string().max(255).optional(),
});

/** Who clicked where, and the element clicked (`action`). */
export interface Clicked<A> {
  userId: string;
  teamId: string | undefined;
  /** The conversation of the clicked message; none for a button in a modal. */
  channelId: string | undefined;
  /** The clicked message, to redraw it. */
  messageTs: string | undefined;
  triggerId: string | undefined;
  action: A;
}

/** A click on an element whose action `action` describes. */
export function click<A extends z.ZodType>(action: A): z.ZodType<Clicked<z.output<A>>> {
  return z.object({ body: clickBody, action }).transform((clicked) => {
    const { body } = clicked;
    return {
      userId: body.user.id,
      teamId: body.team?.id ?? body.user.team_id,
      channelId: body.channel?.id,
      messageTs: body.message?.ts ?? body.container?.message_ts,
      triggerId: body.trigger_id,
      action: (clicked as { action: z.output<A> }).action,
    };
  });
}

/** A button: Firebreak's buttons carry at most 2,000 characters of value. */
export const button = z.object({ value: z.string().max(2000).optional() });

/** A modal submitted: who, the view's identity, its metadata and its state (read by the form's own reader). */
export const submission = z
  .object({
    body: z.object({ user: person, team }),
    view: z.object({
      id: z.string().min(1).max(255),
      hash: z.string().max(255).optional(),
      team_id: teamId.optional(),
      private_metadata: z.string().max(3000).optional(),
      // Absent in a broken payload: the form's reader then says the form arrived incomplete.
      state: z.object({ values: z.unknown() }).optional(),
    }),
  })
  .transform(({ body, view }) => ({
    userId: body.user.id,
    teamId: body.team?.id ?? body.user.team_id ?? view.team_id,
    viewId: view.id,
    viewHash: view.hash ?? '',
    metadata: view.private_metadata,
    values: view.state?.values,
  }));

export type Submission = z.output<typeof submission>;
