/**
 * Plays Slack's side towards the app under test: builds slash-command and interactivity payloads
 * shaped like the real ones (slack-platform.md §8), signs them (§1) and POSTs them over HTTP.
 */
import { createHmac } from 'node:crypto';
import { APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, newTriggerId, userNameFor, type ApiCall, type SlackStandIn } from './web-api.js';

export const DEFAULT_USER_ID = 'U0ALICE';
export const DEFAULT_CHANNEL_ID = 'C0GENERAL';
const TEAM_DOMAIN = 'firebreak-test';
const VERIFICATION_TOKEN = 'verification-token';

export interface DriverResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown | undefined;
}

/** What a command or interaction sent, so a test can follow up (views.open, respond()). */
export interface SentInteraction extends DriverResponse {
  triggerId: string;
  responseUrl: string;
}

export interface CommandInput {
  command: string;
  text?: string;
  userId?: string;
  channelId?: string;
  teamId?: string;
  userName?: string;
  channelName?: string;
  /** Defaults: a fresh trigger id, and a fresh response_url of the stand-in. */
  triggerId?: string;
  responseUrl?: string;
}

export interface BlockActionInput {
  actionId: string;
  value?: string;
  blockId?: string;
  userId?: string;
  channelId?: string;
  teamId?: string;
  message?: { ts: string; text?: string; blocks?: unknown[] };
  /** Set for a button inside a modal: the container becomes the view instead of a message. */
  viewId?: string;
  /** Makes it a checkboxes action with these option values ticked (the element's whole state). */
  selectedOptions?: string[];
}

export interface SubmittableView {
  id: string;
  hash: string;
  callback_id: string;
  private_metadata?: string;
  blocks?: unknown[];
}

export interface ViewSubmissionInput {
  view: SubmittableView;
  /** `state.values`: block_id → action_id → element state, e.g. `{ type: 'plain_text_input', value: 'x' }`. */
  values: Record<string, Record<string, unknown>>;
  userId?: string;
  teamId?: string;
}

export interface SlackDriver {
  sign(body: string, timestamp?: number): Record<string, string>;
  post(body: string, headers?: Record<string, string>): Promise<DriverResponse>;
  command(input: CommandInput): Promise<SentInteraction>;
  blockAction(input: BlockActionInput): Promise<SentInteraction>;
  viewSubmission(input: ViewSubmissionInput): Promise<SentInteraction>;
  /** Any interactivity payload (block_actions, view_submission, view_closed…) built by the caller, signed and posted. */
  interaction(payload: Record<string, unknown>): Promise<DriverResponse>;
  /** An Events API delivery (`event_callback`, JSON), signed; `retryNum` adds Slack's retry headers. */
  event(event: Record<string, unknown>, options?: { teamId?: string; retryNum?: number; eventId?: string }): Promise<DriverResponse>;
}

/** Slack's request signature: `v0=` + hex HMAC-SHA256(secret, `v0:<ts>:<raw body>`). */
export function signatureFor(signingSecret: string, timestamp: number, body: string): string {
  return 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
}

/**
 * Turns a recorded views.open / views.push / views.update call into the view a user would submit:
 * the id and hash come from the stand-in's answer, the rest from what the app sent.
 */
export function viewFromCall(call: ApiCall): SubmittableView {
  const result = call.result as { ok?: boolean; error?: string; view?: Record<string, unknown> } | undefined;
  const answered = result?.view;
  if (!result?.ok || !answered || typeof answered.id !== 'string' || typeof answered.hash !== 'string') {
    throw new Error(`viewFromCall: ${call.method} did not return a view (answer: ${JSON.stringify(result)})`);
  }
  const sent = (typeof call.args.view === 'object' && call.args.view !== null ? call.args.view : {}) as Record<string, unknown>;
  const pick = (key: string): unknown => sent[key] ?? answered[key];
  const view: SubmittableView = { id: answered.id, hash: answered.hash, callback_id: String(pick('callback_id') ?? '') };
  const metadata = pick('private_metadata');
  if (typeof metadata === 'string') view.private_metadata = metadata;
  const blocks = pick('blocks');
  if (Array.isArray(blocks)) view.blocks = blocks;
  return view;
}

function user(userId: string, teamId: string) {
  const name = userNameFor(userId);
  return { id: userId, username: name, name, team_id: teamId };
}

export function createSlackDriver(options: {
  appUrl: string;
  signingSecret: string;
  standIn: SlackStandIn;
  path?: string;
}): SlackDriver {
  const { signingSecret, standIn } = options;
  const endpoint = new URL(options.path ?? '/slack/events', options.appUrl).toString();
  let actionTsSeq = 0;

  const sign = (body: string, timestamp: number = Math.floor(Date.now() / 1000)): Record<string, string> => ({
    // Exactly this value: Bolt compares the content type with ===, and a charset suffix gets a 400.
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signatureFor(signingSecret, timestamp, body),
  });

  const post = async (body: string, headers: Record<string, string> = sign(body)): Promise<DriverResponse> => {
    const res = await fetch(endpoint, { method: 'POST', headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  };

  /** Interactivity payloads travel as a single form field holding JSON. */
  const postPayload = async (payload: Record<string, unknown>, triggerId: string, responseUrl: string) => {
    const res = await post('payload=' + encodeURIComponent(JSON.stringify(payload)));
    return { ...res, triggerId, responseUrl };
  };

  // Not a real ts of any message: just unique, in Slack's format.
  const actionTs = () => `${Math.floor(Date.now() / 1000)}.${String(++actionTsSeq).padStart(6, '0')}`;

  return {
    sign,
    post,
    interaction: (payload) => post('payload=' + encodeURIComponent(JSON.stringify(payload))),

    async command(input) {
      const teamId = input.teamId ?? TEAM_ID;
      const userId = input.userId ?? DEFAULT_USER_ID;
      const triggerId = input.triggerId ?? newTriggerId();
      const responseUrl = input.responseUrl ?? standIn.responseUrl();
      // Field order follows Slack's documented example (§8.1).
      const body = new URLSearchParams({
        token: VERIFICATION_TOKEN,
        team_id: teamId,
        team_domain: TEAM_DOMAIN,
        channel_id: input.channelId ?? DEFAULT_CHANNEL_ID,
        channel_name: input.channelName ?? 'general',
        user_id: userId,
        user_name: input.userName ?? userNameFor(userId),
        command: input.command,
        text: input.text ?? '',
        api_app_id: APP_ID,
        is_enterprise_install: 'false',
        response_url: responseUrl,
        trigger_id: triggerId,
      }).toString();
      return { ...(await post(body)), triggerId, responseUrl };
    },

    async blockAction(input) {
      const teamId = input.teamId ?? TEAM_ID;
      const channelId = input.channelId ?? DEFAULT_CHANNEL_ID;
      const triggerId = newTriggerId();
      const responseUrl = standIn.responseUrl();
      const action: Record<string, unknown> = input.selectedOptions
        ? {
            action_id: input.actionId,
            block_id: input.blockId ?? 'actions',
            type: 'checkboxes',
            selected_options: input.selectedOptions.map((value) => ({ text: { type: 'mrkdwn', text: value, verbatim: false }, value })),
            action_ts: actionTs(),
          }
        : {
            action_id: input.actionId,
            block_id: input.blockId ?? 'actions',
            value: input.value ?? '',
            type: 'button',
            text: { type: 'plain_text', text: 'Button', emoji: true },
            action_ts: actionTs(),
          };
      const payload: Record<string, unknown> = {
        type: 'block_actions',
        user: user(input.userId ?? DEFAULT_USER_ID, teamId),
        api_app_id: APP_ID,
        token: VERIFICATION_TOKEN,
        trigger_id: triggerId,
        team: { id: teamId, domain: TEAM_DOMAIN },
        enterprise: null,
        is_enterprise_install: false,
        state: { values: {} },
        response_url: responseUrl,
        actions: [action],
      };
      if (input.viewId !== undefined) {
        payload.container = { type: 'view', view_id: input.viewId };
        payload.view = { id: input.viewId, team_id: teamId, type: 'modal', blocks: [], state: { values: {} }, app_id: APP_ID };
      } else {
        const ts = input.message?.ts ?? actionTs();
        payload.container = { type: 'message', message_ts: ts, channel_id: channelId, is_ephemeral: false };
        payload.channel = { id: channelId, name: 'general' };
        payload.message = {
          type: 'message',
          bot_id: BOT_ID,
          user: BOT_USER_ID,
          app_id: APP_ID,
          team: teamId,
          ts,
          text: input.message?.text ?? '',
          blocks: input.message?.blocks ?? [],
        };
      }
      return postPayload(payload, triggerId, responseUrl);
    },

    async event(event, options = {}) {
      const teamId = options.teamId ?? TEAM_ID;
      const body = JSON.stringify({
        token: VERIFICATION_TOKEN,
        team_id: teamId,
        api_app_id: APP_ID,
        event: { ...event, event_ts: event.event_ts ?? actionTs() },
        type: 'event_callback',
        event_id: options.eventId ?? `Ev${Date.now().toString(36).toUpperCase()}${++actionTsSeq}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: teamId, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      });
      const headers: Record<string, string> = { ...sign(body), 'content-type': 'application/json' };
      if (options.retryNum) Object.assign(headers, { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' });
      return post(body, headers);
    },

    async viewSubmission(input) {
      const teamId = input.teamId ?? TEAM_ID;
      const triggerId = newTriggerId();
      const { view } = input;
      const payload = {
        type: 'view_submission',
        team: { id: teamId, domain: TEAM_DOMAIN },
        user: user(input.userId ?? DEFAULT_USER_ID, teamId),
        api_app_id: APP_ID,
        token: VERIFICATION_TOKEN,
        trigger_id: triggerId,
        view: {
          id: view.id,
          team_id: teamId,
          type: 'modal',
          blocks: view.blocks ?? [],
          private_metadata: view.private_metadata ?? '',
          callback_id: view.callback_id,
          state: { values: input.values },
          hash: view.hash,
          title: { type: 'plain_text', text: 'Firebreak' },
          clear_on_close: false,
          notify_on_close: false,
          previous_view_id: null,
          root_view_id: view.id,
          app_id: APP_ID,
          external_id: '',
          app_installed_team_id: teamId,
          bot_id: BOT_ID,
        },
        response_urls: [],
        is_enterprise_install: false,
      };
      // view_submission carries no response_url; '' keeps the return shape uniform.
      return postPayload(payload, triggerId, '');
    },
  };
}
