/**
 * The steady load of `npm run bench:soak`, in a process of its own so that sending and timing
 * never share an event loop with Firebreak or the Slack stand-in. It posts signed slash commands
 * of several kinds in turn, on a fixed schedule (an open loop: `rate` commands a second whatever
 * the answers), over keep-alive connections (undici).
 *
 *   node --import tsx scripts/bench-soak-load.ts '<spec as JSON>'     (bench-soak.ts runs it)
 *
 * Command i is of kind i mod (number of kinds); the k-th command of a kind comes from the kind's
 * channel k mod (its channels) and carries the response_url `responseUrlPrefix` + k, so that the
 * answers can be matched to the commands on Slack's side. Every trigger_id is unique and every
 * command signed when it is sent, so the replay guard has nothing to drop and no signature is stale.
 *
 * Output, one JSON object a line: `{"type":"progress",…}` every `progressEveryS` seconds, then
 * `{"type":"result",…}`. A command counts as acknowledged only when answered 200 within 30 s; any
 * other status, a connection error or a timeout counts as failed (with its cause), never as fast.
 * It stops early, with its result so far, on SIGTERM, and exits when its parent is gone.
 */
import { Pool } from 'undici';
import { APP_ID, TEAM_ID } from '../src/adapters/local-slack/web-api.js';
import { postSignedCommand } from './bench-signed-post.js';

export interface SoakKind {
  key: string;
  command: string;
  text: string;
  responseUrlPrefix: string;
  channels: string[];
}

export interface SoakLoadSpec {
  origin: string;
  signingSecret: string;
  rate: number;
  durationS: number;
  kinds: SoakKind[];
  progressEveryS: number;
}

export interface KindTotals {
  sent: number;
  acked: number;
  failed: number;
  /** Failures by cause: `status 401`, `ECONNRESET`, `timeout`… */
  failures: Record<string, number>;
  /** Ack latency (scheduled instant to the end of the answer), failures counting as slower than any answer. */
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface SoakProgress {
  type: 'progress';
  elapsedS: number;
  sent: number;
  acked: number;
  failed: number;
}

export interface SoakLoadResult {
  type: 'result';
  elapsedS: number;
  /** True when it stopped before the end of its schedule (SIGTERM). */
  stoppedEarly: boolean;
  /** How late this process sent a command after its scheduled instant (its own lag). */
  maxSendLagMs: number;
  kinds: Record<string, KindTotals>;
}

const REQUEST_TIMEOUT_MS = 30_000;

function bodyFor(kind: SoakKind, k: number): string {
  return new URLSearchParams({
    token: 'verification-token',
    team_id: TEAM_ID,
    team_domain: 'firebreak-soak',
    channel_id: kind.channels[k % kind.channels.length] as string,
    channel_name: 'soak',
    user_id: 'U0SOAK',
    user_name: 'soak',
    command: kind.command,
    text: kind.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: `${kind.responseUrlPrefix}${k}`,
    trigger_id: `${Date.now()}.${k}.${Math.random().toString(36).slice(2, 10)}`,
  }).toString();
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const x = sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null;
}

export async function runSoakLoad(spec: SoakLoadSpec, emit: (line: SoakProgress | SoakLoadResult) => void, stop: { requested: boolean }): Promise<SoakLoadResult> {
  if (spec.kinds.length === 0 || spec.kinds.some((k) => k.channels.length === 0)) throw new Error('every kind needs a channel, and there must be a kind');
  const pool = new Pool(spec.origin, { connections: 32, pipelining: 1, keepAliveTimeout: 30_000 });
  const totals = new Map(spec.kinds.map((k) => [k.key, { sent: 0, acked: 0, failed: 0, failures: {} as Record<string, number>, latencies: [] as number[] }]));

  const send = async (kind: SoakKind, k: number, scheduled: number): Promise<void> => {
    const t = totals.get(kind.key)!;
    const fail = (why: string) => {
      t.failed += 1;
      t.failures[why] = (t.failures[why] ?? 0) + 1;
      t.latencies.push(Infinity);
    };
    t.sent += 1;
    try {
      const status = await postSignedCommand(pool, spec.signingSecret, bodyFor(kind, k), REQUEST_TIMEOUT_MS);
      if (status !== 200) return fail(`status ${status}`);
      t.acked += 1;
      t.latencies.push(performance.now() - scheduled);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      fail(e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : (e.code ?? e.name ?? 'error'));
    }
  };

  const total = Math.round(spec.rate * spec.durationS);
  const interval = 1000 / spec.rate;
  const t0 = performance.now();
  const pending = new Set<Promise<void>>();
  let next = 0;
  let maxSendLagMs = 0;
  const sum = () => {
    let sent = 0, acked = 0, failed = 0;
    for (const t of totals.values()) {
      sent += t.sent;
      acked += t.acked;
      failed += t.failed;
    }
    return { sent, acked, failed };
  };
  const progress = setInterval(() => emit({ type: 'progress', elapsedS: (performance.now() - t0) / 1000, ...sum() }), spec.progressEveryS * 1000);
  const parent = process.ppid;

  await new Promise<void>((resolve) => {
    const tick = () => {
      if (stop.requested || process.ppid !== parent) return resolve();
      const now = performance.now();
      // Everything due by now goes out, however late this tick is: the schedule is the clock's.
      while (next < total && t0 + next * interval <= now) {
        const scheduled = t0 + next * interval;
        maxSendLagMs = Math.max(maxSendLagMs, now - scheduled);
        const kind = spec.kinds[next % spec.kinds.length] as SoakKind;
        const p = send(kind, Math.floor(next / spec.kinds.length), scheduled);
        pending.add(p);
        void p.finally(() => pending.delete(p));
        next += 1;
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  clearInterval(progress);
  await pool.close();

  const kinds: Record<string, KindTotals> = {};
  for (const [key, t] of totals) {
    const sorted = [...t.latencies].sort((a, b) => a - b);
    const last = sorted.at(-1);
    kinds[key] = { sent: t.sent, acked: t.acked, failed: t.failed, failures: t.failures, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: last !== undefined && Number.isFinite(last) ? Math.round(last * 1000) / 1000 : null };
  }
  return { type: 'result', elapsedS: (performance.now() - t0) / 1000, stoppedEarly: next < total, maxSendLagMs, kinds };
}

const arg = process.argv[2];
if (arg) {
  const stop = { requested: false };
  process.on('SIGTERM', () => void (stop.requested = true));
  process.on('SIGINT', () => void (stop.requested = true));
  const emit = (line: SoakProgress | SoakLoadResult) => void process.stdout.write(`${JSON.stringify(line)}\n`);
  runSoakLoad(JSON.parse(arg) as SoakLoadSpec, emit, stop).then(
    (result) => {
      emit(result);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
      process.exit(1);
    },
  );
}
