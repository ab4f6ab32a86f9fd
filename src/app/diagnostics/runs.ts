/**
 * How many diagnoses run at once in this process, and who shares which.
 *
 * During an incident many people ask for the same diagnosis within seconds of each other. Each
 * used to start its own run: its own connections to a target that may already be short of them,
 * its own CPU on the event loop that acknowledges Slack. Here a request whose probes are those of
 * a run still in flight joins it (everyone gets the report of a run that ended after they asked,
 * so nothing is stale), at most `concurrency` distinct runs go at once, the others wait their turn
 * (their deadline counts from when they start), and past `maxWaiting` a request is refused with
 * the numbers rather than queued without end. Nothing is kept once a run ends.
 *
 * The limiter is p-limit's: it counts running and waiting work, which the refusal and the
 * "waiting" message say.
 */
import pLimit from 'p-limit';
import type { Report } from '../../core/diagnostics/finding.js';

export interface DiagnosisRunsOptions {
  /** Distinct runs at once. */
  concurrency: number;
  /** Runs waiting for a turn before new ones are refused. */
  maxWaiting: number;
  /** Real milliseconds (how long ago a joined run started). */
  now?: () => number;
}

export type Admission =
  /** A new run: at once, or (`waiting`) when a turn comes, after `ahead` runs already waiting. */
  | { kind: 'started'; waiting: boolean; ahead: number; reports: Promise<Report[]> }
  /** The same probes were already running (or waiting): `by` asked for them `sinceMs` ago. */
  | { kind: 'joined'; by: string; sinceMs: number; waiting: boolean; reports: Promise<Report[]> }
  /** Too much already: nothing was started. */
  | { kind: 'refused'; running: number; waiting: number };

export interface DiagnosisRuns {
  /**
   * The run for `key` (the probes and their parameters): joined when one is in flight, else
   * queued. `run` is called only for a new run, when its turn comes.
   */
  admit(key: string, by: string, run: () => Promise<Report[]>): Admission;
  readonly running: number;
  readonly waiting: number;
  /** What is running and waiting now, and how many requests joined a run or were refused since the start. */
  counts(): DiagnosisCounts;
}

export interface DiagnosisCounts {
  running: number;
  waiting: number;
  joined: number;
  refused: number;
}

interface Shared {
  by: string;
  askedAt: number;
  started: boolean;
  reports: Promise<Report[]>;
}

export function createDiagnosisRuns(options: DiagnosisRunsOptions): DiagnosisRuns {
  const now = options.now ?? Date.now;
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const limit = pLimit(concurrency);
  const inFlight = new Map<string, Shared>();
  // Started or queued and not finished: p-limit counts a run active as soon as it has its turn.
  const admitted = () => limit.activeCount + limit.pendingCount;
  const running = () => Math.min(admitted(), concurrency);
  const waiting = () => Math.max(0, admitted() - concurrency);
  let joined = 0;
  let refused = 0;

  return {
    admit(key, by, run) {
      const current = inFlight.get(key);
      if (current) {
        joined += 1;
        return { kind: 'joined', by: current.by, sinceMs: Math.max(0, now() - current.askedAt), waiting: !current.started, reports: current.reports };
      }
      const total = admitted();
      if (total >= concurrency + options.maxWaiting) {
        refused += 1;
        return { kind: 'refused', running: running(), waiting: waiting() };
      }
      const ahead = Math.max(0, total - concurrency);
      const shared: Shared = { by, askedAt: now(), started: false, reports: Promise.resolve([]) };
      shared.reports = limit(() => {
        shared.started = true;
        return run();
      }).finally(() => {
        if (inFlight.get(key) === shared) inFlight.delete(key);
      });
      inFlight.set(key, shared);
      return { kind: 'started', waiting: total >= concurrency, ahead, reports: shared.reports };
    },
    get running() {
      return running();
    },
    get waiting() {
      return waiting();
    },
    counts: () => ({ running: running(), waiting: waiting(), joined, refused }),
  };
}
