/**
 * A remediation setup for the flow tests: approvers and an allow-list in the configuration, fake
 * actions over fake systems in the catalogue, and `ask` to make a request the way /remediate does.
 */
import { requestRemediation, type AskInput } from '../../src/app/remediation/flow.js';
import type { Outcome } from '../../src/app/incidents/outcome.js';
import type { RemediationRequest } from '../../src/core/remediation/request.js';
import { fakeContext, type FakeContext } from '../fakes/context.js';
import { fakeAction, fakeCatalogue, fakeSystem, type FakeAction, type FakeActionOptions, type FakeSystem } from '../fakes/remediation.js';
import { TEAM } from './fixtures.js';

export const REQUESTER = 'U0REQUESTER';
export const APPROVER = 'U0APPROVER';
export const OTHER_APPROVER = 'U0OTHERAPPROVER';
export const OUTSIDER = 'U0OUTSIDER';
/** Where requests are asked (not an incident's channel). */
export const OPS = 'C0OPS';
export const EXPIRES_AFTER_MS = 10 * 60_000;

export interface World {
  ctx: FakeContext;
  /** The allowed PostgreSQL target (the first configured). */
  orders: FakeSystem;
  /** A configured PostgreSQL target that is not in the allow-list. */
  analytics: FakeSystem;
  /** `fake.restart`: high risk, on PostgreSQL targets. */
  restart: FakeAction;
  /** `fake.failover`: critical, on PostgreSQL targets. */
  failover: FakeAction;
  /** `fake.rollout <ns>/<deployment>`: high risk, on Kubernetes, namespaced. */
  rollout: FakeAction;
  /** Asks as /remediate would (REQUESTER, in OPS, `fake.restart payments-api`, unless told otherwise). */
  ask(input?: Partial<AskInput>): Promise<{ outcome: Outcome; request: RemediationRequest | null }>;
}

export interface WorldOptions {
  /** Replaces parts of `fake.restart` (its steps, to script a failure). */
  restart?: FakeActionOptions;
  approvers?: string[];
  dryRun?: boolean;
}

export function remediationWorld(options: WorldOptions = {}): World {
  const orders = fakeSystem();
  const analytics = fakeSystem();
  const restart = fakeAction({ id: 'fake.restart', ...options.restart });
  const failover = fakeAction({ id: 'fake.failover', risk: 'critical' });
  const rollout = fakeAction({ id: 'fake.rollout', targetKind: 'kubernetes', namespaced: true, usage: '<ns>/<deployment>' });
  const catalogue = fakeCatalogue([restart, failover, rollout], {
    postgres: { 'orders-db': orders, 'analytics-db': analytics },
    kubernetes: { 'prod-cluster': fakeSystem() },
  });
  const ctx = fakeContext({
    config: {
      approvals: { approvers: options.approvers ?? [APPROVER, OTHER_APPROVER], expiresAfter: '10m', dryRun: options.dryRun ?? false },
      remediation: { allow: { postgres: ['orders-db'], kubernetes: { namespaces: ['payments'] } } },
    },
    remediation: catalogue,
  });

  return {
    ctx, orders, analytics, restart, failover, rollout,
    async ask(input = {}) {
      const before = new Set(ctx.chat.posts().map((p) => p.ref.ts));
      const outcome = await requestRemediation(ctx, catalogue, {
        teamId: TEAM, channelId: OPS, actorId: REQUESTER, actionId: 'fake.restart', args: ['payments-api'], ...input,
      });
      // The request is the one whose approval message this call posted.
      const posted = ctx.chat.posts().find((p) => !before.has(p.ref.ts) && p.message.blocks.some((b) => b.type === 'actions'));
      const button = posted?.message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []))[0];
      return { outcome, request: button ? await ctx.store.remediation.get(button.value) : null };
    },
  };
}
