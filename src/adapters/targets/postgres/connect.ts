/**
 * The probe's connections: a small pg.Pool whose sessions cannot write (default_transaction_read_only),
 * whose statements and lock waits end by the deadline (statement_timeout, lock_timeout), and whose
 * sockets are all known so they can be destroyed whatever the server does.
 */
import net from 'node:net';
import pg from 'pg';

export const APPLICATION_NAME = 'firebreak';

/** URL parameters that would override what the probe sets (pg lets the URL win over the config). */
const OVERRIDDEN = ['application_name', 'fallback_application_name', 'options', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'query_timeout'];

export interface ProbePool {
  readonly pool: pg.Pool;
  /** Ends the pool: waits up to `graceMs` for a clean goodbye, then destroys every socket left. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Server-side timeouts end a little before the deadline so that their error (not the deadline)
 * explains a slow check, lock waits first so that a check stuck behind a lock says so.
 */
export function serverTimeouts(budgetMs: number): { statementMs: number; lockMs: number } {
  const statementMs = Math.max(1, Math.floor(budgetMs) - 100);
  return { statementMs, lockMs: Math.max(1, statementMs - 50) };
}

export function openProbePool(url: string, budgetMs: number, max = 4): ProbePool {
  const sockets = new Set<net.Socket>();
  const { statementMs, lockMs } = serverTimeouts(budgetMs);
  const pool = new pg.Pool({
    connectionString: cleanUrl(url),
    max,
    application_name: APPLICATION_NAME,
    options: `-c default_transaction_read_only=on -c statement_timeout=${statementMs} -c lock_timeout=${lockMs}`,
    connectionTimeoutMillis: Math.max(1, Math.floor(budgetMs)),
    idleTimeoutMillis: 0,
    allowExitOnIdle: true,
    stream: () => {
      const socket = new net.Socket();
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return socket;
    },
  });
  const ignore = (): void => {};
  // A server that drops an idle connection makes the pool (or a checked-out client) emit 'error'.
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));

  let closing: Promise<void> | null = null;
  const close = (graceMs = 250): Promise<void> => {
    closing ??= (async () => {
      const ended = pool.end().catch(ignore);
      if (graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([ended, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
      }
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    })();
    return closing;
  };
  return { pool, close };
}

function cleanUrl(url: string): string {
  try {
    const u = new URL(url);
    const present = OVERRIDDEN.filter((key) => u.searchParams.has(key));
    if (present.length === 0) return url;
    for (const key of present) u.searchParams.delete(key);
    return u.toString();
  } catch {
    return url;
  }
}

/** "host:port" of a URL, without credentials. */
export function endpoint(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || '5432'}`;
  } catch {
    return 'the configured address';
  }
}

/** Removes the URL's password (raw and decoded) and the URL itself from a text. */
export function redact(text: string, url: string): string {
  const secrets = new Set<string>([url]);
  try {
    const u = new URL(url);
    if (u.password) {
      secrets.add(u.password);
      secrets.add(safeDecode(u.password));
    }
    const p = u.searchParams.get('password');
    if (p) secrets.add(p);
  } catch {
    const m = /:\/\/[^:/@]*:([^@]*)@/.exec(url);
    if (m?.[1]) secrets.add(m[1]);
  }
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface ErrorLike {
  message?: string;
  code?: string;
  errors?: unknown[];
}

export function errorText(err: unknown): { code: string; message: string } {
  const e = (err ?? {}) as ErrorLike;
  const inner = Array.isArray(e.errors) ? (e.errors[0] as ErrorLike | undefined) : undefined;
  const message = e.message || inner?.message || String(err);
  return { code: e.code ?? inner?.code ?? '', message };
}

/** Why a connection failed, for people. */
export function connectFailure(err: unknown, url: string, budgetMs: number): { why: string; recommendation?: string } {
  const { code, message } = errorText(err);
  const where = endpoint(url);
  const why = ((): string => {
    if (code === 'ECONNREFUSED') return `connection refused by ${where}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host of ${where} not found (DNS)`;
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') return `${where} not reachable (${code})`;
    if (code === 'ECONNRESET') return `${where} closed the connection`;
    if (code.startsWith('28')) return `authentication failed: ${message}`;
    if (code === '3D000') return message;
    if (code === '53300') return `the server has no free connection slot: ${message}`;
    if (code === '57P03') return `the server does not accept connections now: ${message}`;
    if (/timeout|timed out/i.test(message)) return `no answer from ${where} within ${Math.round(budgetMs)} ms`;
    return `${where}: ${message}${code ? ` (${code})` : ''}`;
  })();
  const recommendation =
    code === '53300'
      ? 'Every connection slot is taken: connect as a superuser (reserved slots) and look at pg_stat_activity for idle or leaked sessions; check the applications’ pool sizes.'
      : code.startsWith('28')
        ? 'Check the user and password Firebreak uses for this target, and pg_hba.conf on the server.'
        : undefined;
  return { why: redact(why, url), ...(recommendation ? { recommendation } : {}) };
}
