/**
 * What the console's page may send (`POST /console/send`), read and checked before anything is
 * done: from the console's own page only, JSON, bounded, in the shapes of protocol.ts. A request
 * that is not gets one sentence saying what was wrong.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { readBody } from '../http/read-body.js';
import type { ConsoleRequest } from './console/protocol.js';

const MAX_BODY = 256 * 1024;

const userShape = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'a user id like U0ALICE');
const channelShape = z.string().regex(/^[CDGU][A-Z0-9]{2,20}$/, 'a channel id like C0INCIDENTS');
const tsShape = z.string().regex(/^\d{1,12}\.\d{1,8}$/, "a message ts like '1700000000.000100'");
const idShape = z.string().min(1).max(255);
const optionShape = z.object({ text: z.string().max(2000), value: z.string().max(2000) });
const actionShape = z.discriminatedUnion('type', [
  z.object({ type: z.literal('button'), action_id: idShape, block_id: idShape, value: z.string().max(2000).optional(), text: z.string().max(2000), style: z.enum(['primary', 'danger']).optional() }),
  z.object({ type: z.literal('static_select'), action_id: idShape, block_id: idShape, selected_option: optionShape }),
  z.object({ type: z.literal('users_select'), action_id: idShape, block_id: idShape, selected_user: userShape }),
  z.object({ type: z.literal('overflow'), action_id: idShape, block_id: idShape, selected_option: optionShape }),
  z.object({ type: z.literal('checkboxes'), action_id: idShape, block_id: idShape, selected_options: z.array(optionShape).max(10) }),
  z.object({ type: z.literal('datepicker'), action_id: idShape, block_id: idShape, selected_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
]);
// The element states are passed on as Slack would carry them; their shape is the bot's to check.
const valuesShape = z.record(z.string().max(255), z.record(z.string().max(255), z.object({ type: z.string().max(50) }).passthrough()));
const requestShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('command'), user: userShape, channel: channelShape, text: z.string().min(1).max(4000) }),
  z.object({ kind: z.literal('message'), user: userShape, channel: channelShape, text: z.string().min(1).max(40_000), threadTs: tsShape.optional() }),
  z.object({ kind: z.literal('action'), user: userShape, action: actionShape, channel: channelShape.optional(), messageTs: tsShape.optional(), viewId: idShape.optional(), values: valuesShape.optional() }),
  z.object({ kind: z.literal('submit'), user: userShape, viewId: idShape, values: valuesShape }),
  z.object({ kind: z.literal('close'), user: userShape, viewId: idShape }),
  z.object({ kind: z.literal('reaction'), user: userShape, channel: channelShape, ts: tsShape, name: z.string().regex(/^[a-z0-9_+'-]{1,100}$/, 'an emoji name like pushpin') }),
  z.object({ kind: z.literal('clock'), factor: z.number() }),
]);

/**
 * A page elsewhere must not drive the console (it can approve remediations on this machine's
 * databases): the Host must be this loopback address (no DNS rebinding), a POST must be JSON (a
 * cross-site form cannot send that without a CORS preflight, which is never granted) and come from
 * the console's own origin when the browser says where it comes from.
 */
export function crossSiteProblem(req: IncomingMessage, port: number): string | undefined {
  const host = req.headers.host ?? '';
  const own = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!own.includes(host)) return `the console answers only at http://127.0.0.1:${port}/ (this request was for "${host}")`;
  if (req.method === 'POST') {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return 'the console takes JSON requests only (Content-Type: application/json)';
    const origin = req.headers.origin;
    if (origin !== undefined && !own.some((h) => origin === `http://${h}`)) return `requests from ${origin} are refused: only the console's own page may send them`;
  }
  return undefined;
}

const refused = (why: string) => ({ ok: false as const, error: `The console sent a request the server does not take: ${why}.` });

/** The request a POST carries, or the sentence that says why it is not one. */
export async function readConsoleRequest(req: IncomingMessage): Promise<{ ok: true; request: ConsoleRequest } | { ok: false; error: string }> {
  const body = await readBody(req, MAX_BODY);
  if (body === 'too-large') return refused(`the request is larger than ${MAX_BODY / 1024} KB`);
  if (body === 'aborted') return refused('the request was cut off');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return refused('the request is not JSON');
  }
  const parsed = requestShape.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refused(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, request: parsed.data as ConsoleRequest };
}
