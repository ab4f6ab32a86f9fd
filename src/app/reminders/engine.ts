/**
 * The reminder engine: two loops (Slack posts, PagerDuty calls) that sleep until the next due
 * time, claim what is due (atomically, so several replicas share the work and each item fires
 * once), and fire it. A claim dies with its process and is retaken when its lease ends.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Chat, ClaimedItem, ScheduleLane } from '../../ports.js';
import type { AppContext } from '../context.js';
import { fireChatItem, firePagerItem, type FireContext } from './fire.js';
import { syncSchedule } from './sync.js';

export interface EngineOptions {
  /** Posts reminders and escalations; should fail fast (retries happen here, durably). */
  chat: Chat;
  backoffMs(attempt: number): number;
  /** How long a claim is held before another replica may take it over. */
  leaseMs?: number;
  /** Items claimed per round. */
  batch?: number;
  /** Chat items fired at once (PagerDuty events go one at a time, in order). */
  concurrency?: number;
  /** The longest sleep, so changes made by other replicas are seen in time. */
  maxSleepMs?: number;
}

export interface Engine {
  owner: string;
  poke(): void;
  stop(): Promise<void>;
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(runners);
}

export function startEngine(ctx: AppContext, options: EngineOptions): Engine {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const batch = options.batch ?? 50;
  const concurrency = options.concurrency ?? 16;
  const maxSleepMs = options.maxSleepMs ?? 5_000;
  const log = ctx.logger.child({ component: 'scheduler', owner });
  const fire: FireContext = { ctx, chat: options.chat, owner, backoffMs: options.backoffMs };
  let running = true;
  const wakers = new Set<() => void>();
  // Bumped by every poke: a loop that saw an older value skips its next sleep, so a poke that
  // lands while it is busy (between claiming and sleeping) is not lost.
  let generation = 0;

  const sleep = (ms: number, seen = generation) =>
    new Promise<void>((resolve) => {
      if (seen !== generation || !running) return resolve();
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });

  async function handle(lane: ScheduleLane, item: ClaimedItem): Promise<void> {
    try {
      if (lane === 'pager') await firePagerItem(fire, item);
      else await fireChatItem(fire, item);
    } catch (err) {
      // The store itself failed (or a bug): leave the item to be retaken when the lease ends.
      log.error({ err, item: item.id, kind: item.kind }, 'could not process a scheduled item');
    }
  }

  async function loop(lane: ScheduleLane): Promise<void> {
    let failures = 0;
    while (running) {
      const seen = generation;
      try {
        const items = await ctx.store.schedule.claimDue({ now: ctx.clock.now(), owner, leaseMs, limit: batch, lane });
        failures = 0;
        if (items.length > 0) {
          await inParallel(items, lane === 'pager' ? 1 : concurrency, (item) => handle(lane, item));
          continue;
        }
        const wake = await ctx.store.schedule.nextWake(lane);
        const delay = wake ? wake.getTime() - ctx.clock.now().getTime() : maxSleepMs;
        const realDelay = ctx.clock.toRealMs ? ctx.clock.toRealMs(delay) : delay;
        await sleep(Math.max(0, Math.min(realDelay, maxSleepMs)), seen);
      } catch (err) {
        failures += 1;
        const pause = Math.min(30_000, 500 * 2 ** failures);
        log.warn({ err, lane, pauseMs: pause }, 'scheduler loop failed; retrying');
        await sleep(pause);
      }
    }
  }

  const loops = [loop('chat'), loop('pager')];
  // A clock whose speed changed: what the loops sleep for was computed at the old speed.
  const unsubscribe = ctx.clock.onSpeedChange?.(() => {
    generation += 1;
    for (const wake of [...wakers]) wake();
  });
  // Incidents declared before this version, or planned by a replica that died mid-way, get their plan.
  void (async () => {
    try {
      for (const id of await ctx.store.listOpenIncidentIds()) await syncSchedule(ctx, id);
    } catch (err) {
      log.warn({ err }, 'could not re-plan open incidents at start');
    }
  })();
  log.info('scheduler started');

  return {
    owner,
    poke() {
      generation += 1;
      for (const wake of [...wakers]) wake();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      for (const wake of [...wakers]) wake();
      await Promise.all(loops);
    },
  };
}
