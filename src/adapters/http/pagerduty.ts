/**
 * PagerDuty Events API v2: trigger, acknowledge and resolve alerts keyed by a dedup key.
 * `send` never throws; failures say whether a later retry can help (429, 5xx, network, timeout)
 * or not (bad input, 400 invalid event, other 4xx). The routing key is a secret: it never
 * appears in an error string.
 */
import axios, { type AxiosResponse } from 'axios';
import { z } from 'zod';
import type { Pager, PagerEvent, PagerResult } from '../../ports.js';
import { truncatePlain } from '../../core/render/text.js';

export type { Pager, PagerEvent, PagerResult } from '../../ports.js';
export type PagerSeverity = NonNullable<PagerEvent['severity']>;

export const SUMMARY_MAX = 1024;
/** PagerDuty refuses events larger than 512 KB. */
export const EVENT_MAX_BYTES = 512 * 1024;


const eventSchema = z
  .object({
    action: z.enum(['trigger', 'acknowledge', 'resolve']),
    routingKey: z.string().trim().min(1, 'routing key is empty'),
    dedupKey: z.string().trim().min(1, 'dedup key is empty').max(255, 'dedup key is longer than 255 characters'),
    summary: z.string().trim().min(1, 'summary is empty').transform((s) => truncatePlain(s, SUMMARY_MAX)).optional(),
    severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
    source: z.string().trim().min(1, 'source is empty').optional(),
    timestamp: z.date().optional(),
    customDetails: z.record(z.string(), z.unknown()).optional(),
    links: z.array(z.object({ href: z.url(), text: z.string() })).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.action !== 'trigger') return;
    for (const field of ['summary', 'source', 'severity'] as const) {
      if (e[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `a trigger needs a ${field}` });
    }
  });

type ValidEvent = z.output<typeof eventSchema>;

function body(e: ValidEvent): Record<string, unknown> {
  const base = { routing_key: e.routingKey, event_action: e.action, dedup_key: e.dedupKey };
  if (e.action !== 'trigger') return base;
  const payload: Record<string, unknown> = { summary: e.summary, source: e.source, severity: e.severity };
  if (e.timestamp) payload.timestamp = e.timestamp.toISOString();
  if (e.customDetails) payload.custom_details = e.customDetails;
  return { ...base, payload, ...(e.links?.length ? { links: e.links } : {}) };
}

function fail(retryable: boolean, error: string): PagerResult {
  return { ok: false, retryable, error };
}

/** PagerDuty's own words from an error body, when it has any. */
function describeBody(data: unknown): string {
  if (typeof data === 'string') return data.trim().slice(0, 300);
  if (!data || typeof data !== 'object') return '';
  const { message, errors } = data as { message?: unknown; errors?: unknown };
  const parts = [typeof message === 'string' ? message : ''];
  if (Array.isArray(errors)) parts.push(errors.map(String).join('; '));
  return parts.filter(Boolean).join(': ');
}

function classifyResponse(res: AxiosResponse): PagerResult {
  const { status } = res;
  if (status === 200 || status === 202) return { ok: true };
  const detail = describeBody(res.data);
  const text = `PagerDuty answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 400) return fail(false, `invalid event: ${detail || 'no detail given'}`);
  if (status === 429) return fail(true, `throttled by PagerDuty (429)${detail ? `: ${detail}` : ''}`);
  return fail(status >= 500 || status === 408, text);
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | null;
  for (const c of [e?.code, e?.cause?.code, e?.errors?.[0]?.code]) if (typeof c === 'string') return c;
  return undefined;
}

function classifyError(err: unknown, target: string, timeoutMs: number, deadlineHit: boolean): PagerResult {
  const code = errorCode(err);
  if (deadlineHit || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
    return fail(true, `timed out after ${timeoutMs} ms`);
  }
  switch (code) {
    case 'ECONNREFUSED': return fail(true, `connection refused (${target})`);
    case 'ENOTFOUND': case 'EAI_AGAIN': return fail(true, `host not found (${target})`);
    case 'ECONNRESET': case 'EPIPE': return fail(true, `connection reset (${target})`);
    case 'EHOSTUNREACH': case 'ENETUNREACH': return fail(true, `host unreachable (${target})`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return fail(true, `request failed (${target})${code ? ` ${code}` : ''}: ${message.slice(0, 200)}`);
}

/** Removes every occurrence of the secret, in case some layer echoes it. */
function redact(result: PagerResult, secret: string): PagerResult {
  if (result.ok || secret.length === 0 || !result.error.includes(secret)) return result;
  return { ...result, error: result.error.split(secret).join('[redacted]') };
}

export function pagerDutyClient(options: { url: string; timeoutMs: number; userAgent?: string }): Pager {
  const { url, timeoutMs } = options;
  const parsed = new URL(url);
  const target = `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? 443 : 80)}`;
  const http = axios.create({
    timeout: timeoutMs,
    validateStatus: () => true,
    maxRedirects: 0, // a redirect must not carry the routing key elsewhere
    headers: { 'Content-Type': 'application/json', 'User-Agent': options.userAgent ?? 'firebreak' },
  });

  return {
    async send(event) {
      const parsedEvent = eventSchema.safeParse(event);
      if (!parsedEvent.success) {
        const issues = parsedEvent.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`);
        return redact(fail(false, `bad event: ${issues.join('; ')}`), String(event?.routingKey ?? ''));
      }
      const valid = parsedEvent.data;
      let json: string;
      try {
        json = JSON.stringify(body(valid));
      } catch {
        return fail(false, 'bad event: custom details cannot be serialized as JSON');
      }
      if (Buffer.byteLength(json) > EVENT_MAX_BYTES) {
        return fail(false, `bad event: larger than PagerDuty's limit of ${EVENT_MAX_BYTES} bytes`);
      }
      // axios's timeout covers a server that never sends headers, but not one that sends headers
      // and then trickles the body; this deadline bounds the whole exchange.
      const controller = new AbortController();
      let deadlineHit = false;
      const timer = setTimeout(() => {
        deadlineHit = true;
        controller.abort();
      }, timeoutMs);
      try {
        const res = await http.post(url, json, {
          signal: controller.signal,
          transformRequest: [(data: string) => data], // already JSON
        });
        return redact(classifyResponse(res), valid.routingKey);
      } catch (err) {
        return redact(classifyError(err, target, timeoutMs, deadlineHit), valid.routingKey);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxMs, baseMs·2^(attempt−1))).
 * `attempt` counts from 1; deterministic when `random` is given.
 */
export function backoffMs(
  attempt: number,
  options: { baseMs?: number; maxMs?: number; random?: () => number } = {},
): number {
  const baseMs = options.baseMs ?? 1000;
  const maxMs = options.maxMs ?? 5 * 60_000;
  const random = options.random ?? Math.random;
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const cap = Math.min(maxMs, baseMs * 2 ** (n - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * cap);
}
