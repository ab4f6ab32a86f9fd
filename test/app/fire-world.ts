/**
 * What the reminder engine hands fireChatItem and firePagerItem, without the engine's loop: a
 * context with escalation levels that notify and page, the engine's own chat, and claiming an
 * item of a kind the way the engine claims its lane.
 */
import type { FireContext } from '../../src/app/reminders/fire.js';
import { laneOf, type ClaimedItem, type ScheduledItem } from '../../src/ports.js';
import { fakeContext, type FakeContext, type FakeContextOptions } from '../fakes/context.js';
import { recordingChat, type RecordingChat } from '../fakes/recording-chat.js';
import { expectDefined } from './fixtures.js';

export const LEASE_MS = 60_000;
/** The engine's backoff, made simple: 10 s per attempt. */
export const backoffMs = (attempt: number): number => attempt * 10_000;

/** L2 pages and stops at acknowledgement; L3 only notifies, until resolved; the response deadline pages too. */
export const ESCALATION = {
  levels: [
    { name: 'L2', after: '15m', notify: ['U0ONCALL', 'S0SRE'], pagerduty: 'ROUTINGKEY2', until: 'acknowledged' },
    { name: 'L3', after: '45m', notify: ['U0MANAGER'], until: 'resolved' },
  ],
  responseDeadline: { notify: ['U0LEAD'], pagerduty: 'ROUTINGKEYR' },
};

export interface FireWorld {
  ctx: FakeContext;
  /** The chat the engine posts with (reminders, escalations); side-step reports go through ctx.chat. */
  engineChat: RecordingChat;
  f: FireContext;
  /** Claims what is due now in the lane of `kind`, as `owner`, and returns the item of that kind. */
  claim(incidentId: string, kind: string, owner?: string): Promise<ClaimedItem>;
  /** The stored item of that kind. */
  item(incidentId: string, kind: string): Promise<ScheduledItem>;
}

export function fireWorld(options: FakeContextOptions = {}): FireWorld {
  const ctx = fakeContext({ ...options, config: { escalation: ESCALATION, ...options.config } });
  const engineChat = recordingChat();
  const f: FireContext = { ctx, chat: engineChat, owner: 'w1', backoffMs };
  return {
    ctx, engineChat, f,
    async claim(incidentId, kind, owner = 'w1') {
      const claimed = await ctx.store.schedule.claimDue({ now: ctx.clock.now(), owner, leaseMs: LEASE_MS, limit: 100, lane: laneOf(kind) });
      return expectDefined(claimed.find((i) => i.incidentId === incidentId && i.kind === kind), `a claimed ${kind}`);
    },
    async item(incidentId, kind) {
      return expectDefined((await ctx.store.schedule.list(incidentId)).find((i) => i.kind === kind), `the ${kind} item`);
    },
  };
}
