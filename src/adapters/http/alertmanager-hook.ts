/**
 * POST /hooks/alertmanager: Alertmanager's webhook receiver (payload version 4). Everything that
 * can refuse a notification is decided before the answer: the hook is on (a token is configured,
 * else 404), the method (405), the bearer token (401, compared in constant time), the content type
 * (415), the size (413), the JSON and its shape (400, saying which field and what was expected),
 * and whether Firebreak knows its workspace yet (503 with Retry-After: Alertmanager retries 5xx).
 * Then it answers 200 at once, well within Alertmanager's timeout, and the use case
 * (app/alerts/receive.ts) runs in the background work the shutdown waits for. Nothing of a refused
 * notification is stored, and the token is never logged.
 *
 * No Slack here: the route is a plain Node handler that the Bolt receiver (HTTP mode) and the
 * /healthz server (Socket Mode) both serve.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import type { AlertNotification } from '../../app/alerts/notification.js';
import { groupKeyHash, receiveAlertNotification, type AlertSource } from '../../app/alerts/receive.js';
import { shown } from '../../core/found-value.js';
import { describeCause } from '../../core/errors.js';
import { readBody } from './read-body.js';

export const ALERTMANAGER_PATH = '/hooks/alertmanager';
/** Alertmanager's payloads are small; a group of thousands of alerts still fits. */
export const ALERTMANAGER_BODY_LIMIT = 1024 * 1024;
/** Seconds Alertmanager is asked to wait before retrying while the workspace is not known yet. */
const RETRY_AFTER_SECONDS = 10;
/** Issues listed in a 400 answer; the rest are counted. */
const ISSUES_SHOWN = 5;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const labelSet = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

/**
 * The webhook payload, version 4 (Alertmanager's `notify/webhook`). What Firebreak needs is
 * required; the rest (receiver, externalURL, the alerts' links) may be missing; fields it does not
 * know are ignored, so a newer Alertmanager adding some is still understood.
 */
export const alertmanagerPayloadSchema = z
  .object({
    version: z.literal('4'),
    groupKey: z.string().min(1).max(8192),
    truncatedAlerts: z.number().int().min(0).default(0),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().default(''),
    groupLabels: labelSet.default({}),
    commonLabels: labelSet.default({}),
    commonAnnotations: labelSet.default({}),
    externalURL: z.string().optional(),
    alerts: z.array(alertSchema).min(1).max(10_000),
  })
  .transform(
    (p): AlertNotification => ({
      groupKey: p.groupKey,
      status: p.status,
      receiver: p.receiver,
      groupLabels: p.groupLabels,
      commonLabels: p.commonLabels,
      commonAnnotations: p.commonAnnotations,
      externalURL: p.externalURL || null,
      truncatedAlerts: p.truncatedAlerts,
      alerts: p.alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: dateOf(a.startsAt),
        fingerprint: a.fingerprint || null,
        generatorURL: a.generatorURL || null,
      })),
    }),
  );

/** Alertmanager writes RFC 3339; its "zero time" (year 1) means no date. */
function dateOf(text: string | undefined): Date | null {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) && new Date(ms).getUTCFullYear() > 1 ? new Date(ms) : null;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  object: 'an object',
  record: 'an object of text values',
  array: 'an array',
};

/** A field's path as people write it: alerts[0].labels.severity. */
function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || 'the payload';
}

/** Words for the checks above (the error map of the parse): what was expected, and what came. */
function payloadErrorMap(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const words = TYPE_WORDS[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `is missing: expected ${words}` : `expected ${words}, got ${shown(issue.input)}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${shown(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} alert`;
      if (issue.origin === 'string') return 'expected non-empty text';
      return `expected ${String(issue.minimum)} or more`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${String(issue.maximum)} alerts`;
      if (issue.origin === 'string') return `expected at most ${String(issue.maximum)} characters`;
      return `expected ${String(issue.maximum)} or less`;
    default:
      return undefined;
  }
}

export type PayloadCheck = { ok: true; notification: AlertNotification } | { ok: false; problem: string };

/** Checks a parsed JSON value; the problem names each wrong field and what it should be. */
export function checkAlertmanagerPayload(value: unknown): PayloadCheck {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: `expected a JSON object (Alertmanager's webhook payload), got ${shown(value)}` };
  }
  const result = alertmanagerPayloadSchema.safeParse(value, { reportInput: true, error: payloadErrorMap });
  if (result.success) return { ok: true, notification: result.data };
  const { issues } = result.error;
  const listed = issues.slice(0, ISSUES_SHOWN).map((i) => `${pathOf(i.path)}: ${i.message}`);
  const more = issues.length > ISSUES_SHOWN ? ` (and ${issues.length - ISSUES_SHOWN} more)` : '';
  const version = (value as { version?: unknown }).version;
  const hint = version !== undefined && version !== '4' ? ' Firebreak understands webhook payloads of version "4" (Alertmanager 0.x since 2017).' : '';
  return { ok: false, problem: `${listed.join('; ')}${more}.${hint}` };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Whether the Authorization header carries the token, compared in constant time (on digests, so the length does not show either). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}

/** application/json, with parameters (charset) or not. */
const isJson = (contentType: string | undefined) => /^application\/json\s*(?:;|$)/i.test(contentType ?? '');

function send(res: ServerResponse, code: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** How long the hook waits for the database to answer before it asks Alertmanager to retry. */
const STORE_PING_MS = 2000;

/** Why the database cannot be reached now, or null when it answers within STORE_PING_MS. */
async function storeUnreachable(ctx: AppContext): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${STORE_PING_MS} ms`), STORE_PING_MS);
  });
  try {
    return await Promise.race([ctx.store.ping().then(() => null, (err: unknown) => describeCause(err)), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface AlertmanagerHookOptions {
  ctx: AppContext;
  /** The workspace the bot is installed in (auth.test's team_id); undefined until Slack said it. */
  teamId: () => string | undefined;
  /** The bot's own user id, the incidents' reporter; undefined until Slack said it. */
  reporterId: () => string | undefined;
  bodyLimitBytes?: number;
}

/** A route as both servers take it: a path, the methods, and a Node handler. */
export interface HookRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export function alertmanagerRoute(options: AlertmanagerHookOptions): HookRoute {
  const { ctx } = options;
  const token = ctx.config.alertmanager.token;
  const limit = options.bodyLimitBytes ?? ALERTMANAGER_BODY_LIMIT;
  const log = ctx.logger.child({ component: 'alertmanager-hook' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refuse = (code: number, error: string, headers: Record<string, string> = {}) => {
      req.resume();
      send(res, code, { error }, headers);
    };
    if (token === undefined) return refuse(404, 'The Alertmanager hook is off: set alertmanager.token in firebreak.yml to turn it on.');
    if (req.method !== 'POST') return refuse(405, `${ALERTMANAGER_PATH} takes POST only (Alertmanager's webhook).`, { allow: 'POST' });
    if (!bearerMatches(req.headers.authorization, token)) {
      log.warn({ remote: req.socket.remoteAddress, authorization: req.headers.authorization ? 'wrong' : 'missing' }, 'refused an Alertmanager notification: bearer token missing or wrong');
      return refuse(401, 'A bearer token is required: the one in alertmanager.token (http_config.authorization in alertmanager.yml).', { 'www-authenticate': 'Bearer' });
    }
    if (!isJson(req.headers['content-type'])) {
      return refuse(415, `Expected a JSON body (content-type: application/json), got ${req.headers['content-type'] ? shown(req.headers['content-type']) : 'no content type'}.`);
    }
    const body = await readBody(req, limit);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      log.warn({ limitBytes: limit }, 'refused an Alertmanager notification larger than the limit');
      return refuse(413, `The body is larger than ${limit} bytes: lower max_alerts in the webhook's configuration in alertmanager.yml.`);
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return refuse(400, `The body is not JSON: ${describeCause(err)}.`);
    }
    const checked = checkAlertmanagerPayload(value);
    if (!checked.ok) {
      log.warn({ problem: checked.problem }, 'refused an Alertmanager notification that is not a version 4 webhook payload');
      return refuse(400, `Not an Alertmanager webhook payload: ${checked.problem}`);
    }
    const teamId = options.teamId();
    const reporterId = options.reporterId();
    if (!teamId || !reporterId) {
      log.warn('an Alertmanager notification came before Slack said which workspace Firebreak is in; asked to retry');
      return refuse(503, 'Firebreak has not reached Slack yet and does not know its workspace: try again shortly.', { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
    // A 200 means Alertmanager will not send the group again before its repeat interval (hours):
    // while Firebreak's database cannot be reached, it is told to retry instead.
    const unreachable = await storeUnreachable(ctx);
    if (unreachable) {
      log.error({ why: unreachable }, 'an Alertmanager notification came while the database is unreachable; asked to retry');
      return refuse(503, 'Firebreak cannot reach its database to record the alert: try again shortly.', { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
    const { notification } = checked;
    const source: AlertSource = { teamId, reporterId };
    const group = groupKeyHash(notification.groupKey).slice(0, 12);
    send(res, 200, { status: 'accepted' });
    ctx.inflight.run(`alertmanager notification ${group}`, async () => {
      const outcome = await receiveAlertNotification(ctx, source, notification);
      log.debug({ group, outcome: outcome.outcome }, 'Alertmanager notification handled');
    });
  };

  return {
    path: ALERTMANAGER_PATH,
    method: METHODS,
    handler: (req, res) => {
      handle(req, res).catch((err: unknown) => {
        log.error({ err }, 'the Alertmanager hook failed');
        if (!res.headersSent) send(res, 500, { error: 'Firebreak could not take the notification; Alertmanager will send it again.' });
        else res.destroy();
      });
    },
  };
}
