/**
 * One read-only GET for the diagnostic probes (HTTP health checks, Prometheus, Alertmanager).
 *
 * - The URL is the configured one and nothing else: redirects are never followed (`maxRedirects: 0`),
 *   no proxy from the environment is used, and any status is an answer (`validateStatus`).
 * - Everything is bound to the probe's deadline: the axios timeout, an AbortController fired at the
 *   deadline (or when the probe's own signal aborts), and a last-resort race a little after it, so
 *   a host that accepts the connection and never answers still gives an answer in time.
 * - A fresh agent per call, without keep-alive, destroyed afterwards: no socket outlives the probe.
 *   Over https the agent does not verify the certificate (the probe reports trust separately) and
 *   records the peer certificate when the TLS handshake completes.
 * - It never throws: it returns the answer, or why there was none.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import type { ProbeContext } from '../../../core/diagnostics/probe.js';

/** What the TLS handshake showed about the server's certificate. */
export interface PeerCertificateInfo {
  subject: string;
  issuer: string;
  subjectAltName?: string;
  validFrom: Date;
  validTo: Date;
  /** Whether the chain and the host name verify against the default CAs. */
  authorized: boolean;
  /** Why not, as Node reports it: "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID". */
  authorizationError?: string;
}

export interface GetAnswer {
  ok: true;
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** From sending the request to having the whole body. */
  elapsedMs: number;
  /** Over https, the server's certificate. */
  peer?: PeerCertificateInfo;
}

export interface GetFailure {
  ok: false;
  /** True when the target did not answer at all (refused, DNS, reset, TLS failure, no answer in time). */
  unreachable: boolean;
  why: string;
}

export type GetResult = GetAnswer | GetFailure;

export interface GetOptions {
  /** Larger answers are refused (an "unknown", not "unreachable"). */
  maxBytes: number;
  accept: string;
  /** A runbook's HTTP check: another method, headers over Accept and User-Agent, a body sent as given. */
  request?: { method: string; headers: Record<string, string>; body?: string | undefined };
}

/** After the deadline, how long the request may still take to wind down before it is given up. */
export const GIVE_UP_AFTER_DEADLINE_MS = 250;

const USER_AGENT = 'firebreak-diagnostics';

/** The URL as it may be shown: no user name, password, query or fragment (they can hold secrets). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Throws when the configured URL is not an absolute http(s) URL; returns it normalised. */
export function checkHttpUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${what}: not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`${what}: only http and https URLs are supported, not ${parsed.protocol}`);
  return parsed.href;
}

function describePeer(socket: tls.TLSSocket): PeerCertificateInfo | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || typeof cert.valid_to !== 'string') return undefined;
  const name = (n: tls.Certificate | undefined): string =>
    n ? Object.entries(n).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`).join(', ') : '';
  const info: PeerCertificateInfo = {
    subject: name(cert.subject),
    issuer: name(cert.issuer),
    validFrom: new Date(cert.valid_from),
    validTo: new Date(cert.valid_to),
    authorized: socket.authorized,
  };
  if (cert.subjectaltname) info.subjectAltName = cert.subjectaltname;
  // Typed as an Error, but Node sets it to the OpenSSL or Node error code (a string).
  const reason: unknown = socket.authorizationError;
  if (!socket.authorized && reason) info.authorizationError = reason instanceof Error ? reason.message : String(reason);
  return info;
}

/** An https agent that does not verify certificates and records the one each connection sees. */
class CertificateRecordingAgent extends https.Agent {
  peer: PeerCertificateInfo | undefined;

  constructor() {
    super({ keepAlive: false, rejectUnauthorized: false, maxCachedSessions: 0 });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    if (socket instanceof tls.TLSSocket) {
      socket.once('secureConnect', () => {
        this.peer = describePeer(socket);
      });
    }
    return socket;
  }
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code !== 'ERR_BAD_REQUEST' && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_NETWORK') return code;
  return errnoCode((err as { cause?: unknown }).cause);
}

function describeFailure(err: unknown, where: string, budgetMs: number, timedOut: boolean, maxBytes: number): GetFailure {
  const code = errnoCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut || code === 'ERR_CANCELED' || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return { ok: false, unreachable: true, why: `no answer from ${where} within ${budgetMs} ms` };
  }
  if (/maxContentLength/i.test(message) || code === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
    return { ok: false, unreachable: false, why: `the answer from ${where} is larger than ${maxBytes} bytes` };
  }
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'DNS lookup failed (temporary)',
    ECONNRESET: 'connection reset',
    EPIPE: 'connection closed while sending',
    EHOSTUNREACH: 'no route to host',
    ENETUNREACH: 'network unreachable',
    EPROTO: 'TLS handshake failed',
  };
  const what = (code && known[code]) ?? (code ? `${code}: ${message}` : message);
  return { ok: false, unreachable: true, why: `${what} (${where})` };
}

function flattenHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  }
  return out;
}

/** One GET of `url`, answered (any status) or given up by the deadline. Never throws. */
export async function boundedGet(url: string, ctx: ProbeContext, options: GetOptions): Promise<GetResult> {
  const where = (() => {
    try {
      return new URL(url).host;
    } catch {
      return displayUrl(url);
    }
  })();
  const budgetMs = Math.floor(ctx.deadline - Date.now());
  if (budgetMs <= 0 || ctx.signal.aborted) return { ok: false, unreachable: true, why: `no time left before the deadline to ask ${where}` };

  const controller = new AbortController();
  let timedOut = false;
  const stop = () => {
    timedOut = true;
    controller.abort();
  };
  const abortTimer = setTimeout(stop, budgetMs);
  ctx.signal.addEventListener('abort', stop, { once: true });
  let giveUpTimer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<'gave up'>((resolve) => {
    giveUpTimer = setTimeout(() => resolve('gave up'), budgetMs + GIVE_UP_AFTER_DEADLINE_MS);
  });

  const isHttps = url.startsWith('https:');
  const certAgent = isHttps ? new CertificateRecordingAgent() : undefined;
  const plainAgent = isHttps ? undefined : new http.Agent({ keepAlive: false });
  const started = performance.now();
  try {
    const request = axios.request<unknown>({
      url,
      method: options.request?.method ?? 'GET',
      data: options.request?.body,
      transformRequest: [(data: unknown) => data],
      adapter: 'http',
      proxy: false,
      maxRedirects: 0,
      validateStatus: () => true,
      timeout: budgetMs,
      signal: controller.signal,
      responseType: 'text',
      responseEncoding: 'utf8',
      transformResponse: [(data: unknown) => data],
      maxContentLength: options.maxBytes,
      httpAgent: plainAgent,
      httpsAgent: certAgent,
      headers: { Accept: options.accept, 'User-Agent': USER_AGENT, ...options.request?.headers },
    });
    const res = await Promise.race([request, giveUp]);
    if (res === 'gave up') return { ok: false, unreachable: true, why: `no answer from ${where} within ${budgetMs} ms` };
    const elapsedMs = performance.now() - started;
    const body = typeof res.data === 'string' ? res.data : res.data === undefined || res.data === null ? '' : String(res.data);
    const answer: GetAnswer = { ok: true, status: res.status, headers: flattenHeaders(res.headers), body, elapsedMs };
    if (certAgent?.peer) answer.peer = certAgent.peer;
    return answer;
  } catch (err) {
    return describeFailure(err, where, budgetMs, timedOut, options.maxBytes);
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(giveUpTimer);
    ctx.signal.removeEventListener('abort', stop);
    controller.abort();
    certAgent?.destroy();
    plainAgent?.destroy();
  }
}

/** Cuts text for evidence, on one line-ish, ending in "…" when cut. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  let end = max - 1;
  const last = flat.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${flat.slice(0, end)}…`;
}
