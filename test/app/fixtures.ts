/** Helpers shared by the use-case tests: incidents in a known state, and reading what was posted. */
import { randomUUID } from 'node:crypto';
import type { Incident } from '../../src/core/incident/incident.js';
import type { SeverityLevel } from '../../src/core/incident/severity.js';
import type { Message } from '../../src/core/render/message.js';
import type { AuditEntry } from '../../src/core/remediation/request.js';
import { INCIDENTS_CHANNEL, type FakeContext } from '../fakes/context.js';

export const TEAM = 'T0TEAM';
export const REPORTER = 'U0REPORTER';
export const COMMANDER = 'U0COMMANDER';
/** The announcement of every incident made by givenIncident, in the incidents channel. */
export const ANNOUNCEMENT = { channel: INCIDENTS_CHANNEL, ts: '1600000000.000100' };
/** The dedicated channel (and its pinned card) of an incident made with `home: 'channel'`. */
export const WAR_ROOM = 'C0WARROOM';
export const CARD = { channel: WAR_ROOM, ts: '1600000000.000200' };

export interface GivenIncident {
  severity?: SeverityLevel;
  commanderId?: string | null;
  /** Where its messages go: the announcement's thread (default), or a channel of its own. */
  home?: 'thread' | 'channel';
  title?: string;
}

/** An incident declared now (by the context's clock), announced, and stored. */
export async function givenIncident(ctx: FakeContext, options: GivenIncident = {}): Promise<Incident> {
  const { incident } = await ctx.store.openIncident({
    teamId: TEAM, title: options.title ?? 'Checkout returns 502', severity: options.severity ?? 'P1', impact: 'EU customers cannot pay',
    symptoms: null, actions: null, eta: null, reporterId: REPORTER, commanderId: options.commanderId === undefined ? COMMANDER : options.commanderId,
    declaredAt: ctx.clock.now(), sourceKey: randomUUID(),
  });
  await ctx.store.setAnnouncement(incident.id, ANNOUNCEMENT);
  if (options.home === 'channel') await ctx.store.updateIncident({ id: incident.id, set: { channelId: WAR_ROOM, card: CARD } });
  return expectDefined(await ctx.store.getIncident(incident.id), 'incident');
}

/** Everything a person reads in a message: its notification text and every block's text. */
export function readable(message: Message): string {
  const parts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'text' || block.type === 'header') parts.push(block.text);
    if (block.type === 'context') parts.push(...block.items);
    if (block.type === 'fields') parts.push(...block.fields.map((f) => `${f.label}: ${f.value}`));
    if (block.type === 'checklist') parts.push(...block.items.map((i) => i.text));
    if (block.type === 'actions') parts.push(...block.buttons.map((b) => `[${b.label}]`));
  }
  return parts.join('\n');
}

/** The audit trail, oldest first (listAudit gives newest first). */
export async function auditTrail(ctx: FakeContext): Promise<AuditEntry[]> {
  return (await ctx.store.remediation.listAudit(500)).reverse();
}

/** `value`, or a failure naming what was missing. */
export function expectDefined<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be there`);
  return value;
}
