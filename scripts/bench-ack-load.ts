/**
 * The load generator of `npm run bench:ack`, in a process of its own so that sending and timing
 * never share an event loop with the app under test or the Slack stand-in. It posts signed slash
 * commands to one app over keep-alive connections (undici) and prints one JSON line: the latency
 * of every command (null for a failure), what failed and why, and when the load started and
 * ended on the machine's monotonic clock (to cut a CPU profile of the app to the same window).
 *
 *   node --import tsx scripts/bench-ack-load.ts '<spec as JSON>'     (bench-ack.ts runs it)
 *
 * Open loop: commands go out on a fixed schedule (rate per second), whatever the answers, and a
 * command's latency runs from its scheduled instant to the end of the answer, so a stall of the
 * app (or of this process) counts in full for every command it delays.
 * Closed loop: `concurrency` senders, each sending its next command when the previous is answered;
 * latency runs from the send to the end of the answer.
 *
 * Every command is unique (trigger_id, response_url, and for `uniqueChannels` the channel), and
 * timestamped when it is sent, so a replay guard has nothing to drop and no signature is stale.
 */
import { Pool } from 'undici';
import { APP_ID, TEAM_ID } from '../src/adapters/local-slack/web-api.js';
import { postSignedCommand } from './bench-signed-post.js';

export interface LoadSpec {
  /** The app's origin, e.g. http://127.0.0.1:3000 */
  origin: string;
  signingSecret: string;
  mode: 'open' | 'closed';
  /** Open loop: commands per second, and for how long. */
  rate?: number;
  durationS?: number;
  /** Closed loop: how many commands, and how many in flight at once. */
  count?: number;
  concurrency?: number;
  command: string;
  text: string;
  /** Where each command's response_url points: this prefix plus the command's number. */
  responseUrlPrefix: string;
  /** The channel of every command; with uniqueChannels, a prefix (each command its own channel). */
  channel: string;
  uniqueChannels?: boolean;
  userId?: string;
}

export interface LoadResult {
  mode: LoadSpec['mode'];
  sent: number;
  /** Milliseconds per command, in sending order; null when the command failed. */
  latencies: Array<number | null>;
  /** Failures by cause: `status 401`, `ECONNRESET`, … */
  failures: Record<string, number>;
  /** From the first send to the last answer. */
  elapsedMs: number;
  /** Open loop: how late this process sent a command after its scheduled instant (its own lag). */
  maxSendLagMs: number;
  /** process.hrtime.bigint() at the first send and after the last answer, as decimal strings. */
  startedHr: string;
  endedHr: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

function bodyFor(spec: LoadSpec, i: number): string {
  const channel = spec.uniqueChannels ? `${spec.channel}${i.toString(36).toUpperCase()}` : spec.channel;
  const userId = spec.userId ?? 'U0BENCH';
  return new URLSearchParams({
    token: 'verification-token',
    team_id: TEAM_ID,
    team_domain: 'firebreak-bench',
    channel_id: channel,
    channel_name: 'bench',
    user_id: userId,
    user_name: 'bench',
    command: spec.command,
    text: spec.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: `${spec.responseUrlPrefix}${i}`,
    trigger_id: `${Date.now()}.${i}.${Math.random().toString(36).slice(2, 10)}`,
  }).toString();
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const connections = spec.mode === 'closed' ? (spec.concurrency ?? 20) : 64;
  const pool = new Pool(spec.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const failures: Record<string, number> = {};
  const fail = (why: string) => void (failures[why] = (failures[why] ?? 0) + 1);

  /** Sends command `i`; true when it was answered 200. */
  const send = async (i: number): Promise<boolean> => {
    try {
      const status = await postSignedCommand(pool, spec.signingSecret, bodyFor(spec, i), REQUEST_TIMEOUT_MS);
      if (status !== 200) {
        fail(`status ${status}`);
        return false;
      }
      return true;
    } catch (err) {
      fail((err as NodeJS.ErrnoException).code ?? (err as Error).name ?? 'error');
      return false;
    }
  };

  const latencies: Array<number | null> = [];
  let maxSendLagMs = 0;
  const startedHr = process.hrtime.bigint();
  const started = performance.now();

  if (spec.mode === 'open') {
    const rate = spec.rate ?? 100;
    const total = Math.round(rate * (spec.durationS ?? 60));
    const interval = 1000 / rate;
    const t0 = performance.now();
    const pending: Array<Promise<void>> = [];
    let next = 0;
    const fire = (i: number, scheduled: number) => {
      maxSendLagMs = Math.max(maxSendLagMs, performance.now() - scheduled);
      pending.push(send(i).then((ok) => void (latencies[i] = ok ? performance.now() - scheduled : null)));
    };
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        // Everything due by now goes out, however late this tick is: the schedule is the clock's.
        while (next < total && t0 + next * interval <= now) {
          fire(next, t0 + next * interval);
          next += 1;
        }
        if (next >= total) return resolve();
        setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
      };
      tick();
    });
    await Promise.all(pending);
  } else {
    const count = spec.count ?? 10_000;
    let issued = 0;
    const sender = async () => {
      while (issued < count) {
        const i = issued++;
        const t = performance.now();
        const ok = await send(i);
        latencies[i] = ok ? performance.now() - t : null;
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency ?? 20 }, sender));
  }

  const elapsedMs = performance.now() - started;
  const endedHr = process.hrtime.bigint();
  await pool.close();
  return {
    mode: spec.mode,
    sent: latencies.length,
    latencies: latencies.map((l) => (l === null || l === undefined ? null : Math.round(l * 1000) / 1000)),
    failures,
    elapsedMs,
    maxSendLagMs,
    startedHr: String(startedHr),
    endedHr: String(endedHr),
  };
}

const spec = process.argv[2];
if (spec) {
  runLoad(JSON.parse(spec) as LoadSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
      process.exit(1);
    },
  );
}
