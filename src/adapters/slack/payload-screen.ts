/**
 * The first look at every payload, over HTTP or Socket Mode, before Bolt's own dispatch: Bolt
 * reads `body.user.id`, `body.view.app_installed_team_id`, `event.channel.creator`… without
 * checking, so a payload it cannot read must not reach it. A payload is handled only when it has
 * the shape Slack sends, its ids are Slack ids, and a Firebreak listener answers it; anything else
 * is acknowledged at once (so Slack shows no error and does not retry) and ignored.
 */
import { z } from 'zod';
import { channelId, teamId, userId } from './ids.js';

/** What Firebreak listens to: a payload matching none of these is not handed to Bolt. */
export interface Routes {
  commands: readonly string[];
  actions: ReadonlyArray<string | RegExp>;
  views: ReadonlyArray<string | RegExp>;
  events: readonly string[];
}

export type Verdict =
  | { handle: true; kind: PayloadKind }
  | { handle: false; kind: PayloadKind | 'unknown'; why: string; /** The ack's body, when Slack expects one. */ reply?: Record<string, unknown> };

export type PayloadKind = 'command' | 'action' | 'view' | 'event' | 'options' | 'shortcut';

const user = z.object({ id: userId, team_id: teamId.optional() });
// Null on org-wide installs.
const team = z.object({ id: teamId }).nullish();
const short = (max: number) => z.string().max(max);

const command = z.object({
  command: short(32),
  text: z.string().optional(),
  user_id: userId,
  channel_id: channelId,
  team_id: teamId,
  trigger_id: short(255).optional(),
  response_url: short(3000).optional(),
});

const blockActions = z.object({
  type: z.literal('block_actions'),
  user,
  team,
  channel: z.object({ id: channelId }).optional(),
  actions: z.array(z.object({ action_id: short(255), block_id: short(255).optional(), type: short(64) })).min(1).max(25),
  trigger_id: short(255).optional(),
  response_url: short(3000).optional(),
  container: z.object({}).optional(),
  message: z.object({}).optional(),
  view: z.object({}).optional(),
});

const viewAction = z.object({
  type: z.enum(['view_submission', 'view_closed']),
  user,
  team,
  view: z.object({ id: short(255), callback_id: short(255), app_installed_team_id: z.union([teamId, z.literal('')]).optional() }),
  response_urls: z.array(z.object({ response_url: short(3000) })).optional(),
});

const eventCallback = z.object({
  type: z.literal('event_callback'),
  team_id: teamId,
  event: z.object({ type: short(100) }),
  authorizations: z.array(z.object({ team_id: teamId.nullish() })).optional(),
});

/** The fields of an event Bolt reads before any listener (its conversation and its author). */
const eventFields = z.object({
  user: userId.optional(),
  channel: channelId.optional(),
  channel_id: channelId.optional(),
  item: z.object({ channel: channelId.optional() }).optional(),
  subteam: z.never().optional(),
});

const matches = (ids: ReadonlyArray<string | RegExp>, value: string): boolean => ids.some((id) => (typeof id === 'string' ? id === value : id.test(value)));

const problem = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unreadable';
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Which kind of payload this is, in the order Bolt itself decides it. */
function kindOf(body: Record<string, unknown>): PayloadKind | 'unknown' {
  if (body.event !== undefined) return 'event';
  if (body.command !== undefined) return 'command';
  if (body.name !== undefined || body.type === 'block_suggestion') return 'options';
  if (body.actions !== undefined || body.type === 'dialog_submission') return 'action';
  if (body.type === 'shortcut' || body.type === 'message_action') return 'shortcut';
  if (body.type === 'view_submission' || body.type === 'view_closed') return 'view';
  return 'unknown';
}

export function screenPayload(body: unknown, routes: Routes): Verdict {
  if (!isObject(body)) return { handle: false, kind: 'unknown', why: 'the payload is not an object' };
  const kind = kindOf(body);
  const refuse = (why: string, reply?: Record<string, unknown>): Verdict => ({ handle: false, kind, why, ...(reply ? { reply } : {}) });
  switch (kind) {
    case 'unknown':
      return refuse(`no payload type Firebreak handles (type ${JSON.stringify(String(body.type)).slice(0, 60)})`);
    case 'options':
      // Firebreak's forms have no external selects: an empty list is the answer Slack expects.
      return refuse('Firebreak offers no external options', { options: [] });
    case 'shortcut':
      return refuse('Firebreak declares no shortcuts');
    case 'command': {
      const parsed = command.safeParse(body);
      if (!parsed.success) return refuse(`unreadable slash command (${problem(parsed.error)})`);
      if (!routes.commands.includes(parsed.data.command)) return refuse(`no such command ${parsed.data.command}`);
      return { handle: true, kind };
    }
    case 'action': {
      const parsed = blockActions.safeParse(body);
      if (!parsed.success) return refuse(`unreadable click (${problem(parsed.error)})`);
      const actionId = parsed.data.actions[0]!.action_id;
      if (!matches(routes.actions, actionId)) return refuse(`no listener for action ${JSON.stringify(actionId.slice(0, 80))}`);
      return { handle: true, kind };
    }
    case 'view': {
      const parsed = viewAction.safeParse(body);
      if (!parsed.success) return refuse(`unreadable form payload (${problem(parsed.error)})`);
      const { type, view } = parsed.data;
      if (type !== 'view_submission' || !matches(routes.views, view.callback_id)) return refuse(`no listener for ${type} of ${JSON.stringify(view.callback_id.slice(0, 80))}`);
      return { handle: true, kind };
    }
    case 'event': {
      const parsed = eventCallback.safeParse(body);
      if (!parsed.success) return refuse(`unreadable event (${problem(parsed.error)})`);
      const { type } = parsed.data.event;
      if (!routes.events.includes(type)) return refuse(`no listener for event ${JSON.stringify(type.slice(0, 80))}`);
      const fields = eventFields.safeParse(body.event);
      if (!fields.success) return refuse(`unreadable ${type} event (${problem(fields.error)})`);
      return { handle: true, kind };
    }
  }
}
