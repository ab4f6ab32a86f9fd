/**
 * The last lines of a container's log (GET /containers/{id}/logs with stdout, stderr, tail and
 * timestamps) and what they say: the same analysis as `/diag logs` (errors by kind, the most
 * repeated messages once what varies is normalised) and the last lines before it failed.
 *
 * Without a TTY the daemon multiplexes stdout and stderr: each frame is an 8-byte header (the
 * stream, 1 stdout or 2 stderr, three zero bytes, the payload's length as a big-endian 32-bit
 * number) and its payload. With a TTY the stream is the raw terminal output.
 */
import type { Finding } from '../../../../core/diagnostics/finding.js';
import { analyseLines, gradeLogAnalysis, LOG_CATEGORIES, logThresholdText, type LogCategory } from '../../shared/log-analysis.js';
import type { Deadline, Engine, EngineError } from '../client.js';
import type { DockerThresholds } from '../target.js';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The daemon's timestamp (timestamps=1), if the line had one. */
  time?: string;
  text: string;
}

/** What was read of a stream: its lines, and whether it ended in the middle of a frame. */
export interface Demuxed {
  lines: LogLine[];
  truncated: boolean;
}

const STREAMS: Record<number, LogLine['stream'] | undefined> = { 1: 'stdout', 2: 'stderr' };
/** RFC 3339 with nanoseconds, as the daemon prefixes each line with timestamps=1. */
const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

function toLine(stream: LogLine['stream'], raw: string): LogLine {
  const text = raw.replace(/\r$/, '');
  const m = STAMP.exec(text);
  return m ? { stream, time: m[1] as string, text: text.slice(m[0].length) } : { stream, text };
}

/**
 * Adds a frame's bytes to its stream and takes out the lines it completes. Bytes, not text, wait
 * for the next frame: a character cut between two frames stays whole.
 */
function split(stream: LogLine['stream'], pending: Buffer, bytes: Buffer, out: LogLine[]): Buffer {
  let rest = pending.length ? Buffer.concat([pending, bytes]) : bytes;
  for (let nl = rest.indexOf(0x0a); nl >= 0; nl = rest.indexOf(0x0a)) {
    out.push(toLine(stream, rest.subarray(0, nl).toString('utf8')));
    rest = rest.subarray(nl + 1);
  }
  return rest;
}

/**
 * The lines of a multiplexed log stream. A frame header with an unknown stream (stdin, or bytes
 * that are not a header at all) or a frame cut short ends the reading, with what came before it.
 */
export function demultiplex(body: Buffer): Demuxed {
  const lines: LogLine[] = [];
  const pending: Record<LogLine['stream'], Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  let at = 0;
  let truncated = false;
  while (at < body.length) {
    if (body.length - at < 8) {
      truncated = true;
      break;
    }
    const stream = STREAMS[body[at] as number];
    const size = body.readUInt32BE(at + 4);
    if (!stream || body[at + 1] !== 0 || body[at + 2] !== 0 || body[at + 3] !== 0 || at + 8 + size > body.length) {
      truncated = true;
      break;
    }
    pending[stream] = split(stream, pending[stream], body.subarray(at + 8, at + 8 + size), lines);
    at += 8 + size;
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream].length) lines.push(toLine(stream, pending[stream].toString('utf8')));
  return { lines, truncated };
}

/** The lines of a TTY container's raw stream (stdout and stderr are one terminal). */
export function rawLines(body: Buffer): LogLine[] {
  const lines: LogLine[] = [];
  const rest = split('stdout', Buffer.alloc(0), body, lines);
  if (rest.length) lines.push(toLine('stdout', rest.toString('utf8')));
  return lines;
}

/** At most this much of one container's log is read. */
const MAX_LOG_BYTES = 2 * 1024 * 1024;

export type LogRead = { ok: true; lines: LogLine[]; truncated: boolean } | { ok: false; error: EngineError };

/** The last `tail` lines of both streams with their timestamps. */
export async function readLogs(engine: Engine, ctx: Deadline, id: string, tty: boolean, tail: number): Promise<LogRead> {
  const r = await engine.bytes(ctx, `/containers/${encodeURIComponent(id)}/logs`, { stdout: '1', stderr: '1', tail: String(tail), timestamps: '1' }, MAX_LOG_BYTES);
  if (!r.ok) return r;
  const type = r.headers['content-type'] ?? '';
  // Before API 1.42 the daemon says raw-stream either way: without a TTY the stream is multiplexed all the same.
  const multiplexed = type.includes('multiplexed') || !tty;
  if (!multiplexed) return { ok: true, lines: rawLines(r.value), truncated: false };
  return { ok: true, ...demultiplex(r.value) };
}

const ADVICE: Record<LogCategory, string> = {
  database: 'Database errors: check that the database container or server is up and accepts connections, the pool size against max_connections, slow queries and locks.',
  timeout: 'Timeouts: find the slow dependency (database, upstream service) and its latency; check the timeouts and retries configured.',
  memory: 'Memory errors: compare its memory with its limit (`docker stats`), look for OOMKilled and for leaks.',
  connection: 'Connection errors: check that what it connects to is up and reachable from its network (the compose network, the service name it resolves, the port).',
  other: 'Read the full error lines: `docker logs --tail 200 <container>`.',
};


/** "10:04:31 " from the daemon's timestamp, for the evidence. */
const clock = (time: string | undefined) => (time ? `${time.slice(11, 19)} ` : '');

/**
 * One finding on a failing container's log: the errors by kind and the most repeated messages,
 * and its last lines (what it said before it stopped). At least a warning: it is there because
 * the container fails, and its last lines are what says why.
 */
export function logFinding(component: string, read: LogRead, th: DockerThresholds): Finding {
  if (!read.ok) return { check: 'logs', component, status: 'unknown', value: `could not read its log: ${read.error.message}` };
  const a = analyseLines(read.lines.map((l) => l.text));
  const graded = gradeLogAnalysis(a, th);
  const last = read.lines.filter((l) => l.text.trim() !== '').slice(-5).map((l) => `${clock(l.time)}${l.stream === 'stderr' ? '[stderr] ' : ''}${l.text}`.slice(0, 300));
  const counts = LOG_CATEGORIES.filter((c) => a.byCategory[c] > 0).map((c) => `${c} ${a.byCategory[c]}`);
  const top = [...LOG_CATEGORIES].sort((x, y) => a.byCategory[y] - a.byCategory[x])[0] ?? 'other';
  const rate = a.lines ? Math.round((a.errors / a.lines) * 100) : 0;
  const cut = read.truncated ? ' (the stream was cut short)' : '';
  return {
    check: 'logs',
    component,
    status: graded === 'ok' ? 'warning' : graded,
    value: a.errors
      ? `${a.errors} error lines of the last ${a.lines} (${rate} %)${a.fatal ? `, ${a.fatal} fatal` : ''}: ${counts.join(', ')}${cut}`
      : `no error line in its last ${a.lines} lines${cut}`,
    threshold: logThresholdText(th),
    recommendation: a.errors ? ADVICE[top] : 'Its last lines (below) usually say why it stopped.',
    evidence: [
      ...a.groups.slice(0, 3).map((g) => `${g.count}× [${g.category}] ${g.message}`),
      ...(last.length ? ['last lines:', ...last] : ['(its log is empty)']),
    ],
  };
}
