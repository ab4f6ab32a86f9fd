/** Steps a person takes in Slack, played through the driver, for the lifecycle tests. */
import { viewFromCall } from '../../src/adapters/local-slack/driver.js';
import type { ApiCall } from '../../src/adapters/local-slack/web-api.js';
import { declarationValues, type AppUnderTest } from './app-under-test.js';

export const text = (v: string | undefined) => ({ type: 'plain_text_input', value: v ?? null });
export const select = (v: string) => ({ type: 'static_select', selected_option: { value: v, text: { type: 'plain_text', text: v } } });
export const date = (v: string | null) => ({ type: 'datepicker', selected_date: v });

export interface Declared {
  number: number;
  id: string;
  incidentId: string;
  channelId: string | null;
  announcement: ApiCall;
}

/** Types /incident open, fills the modal and waits until the reporter is told it is done. */
export async function declareIncident(t: AppUnderTest, values: Parameters<typeof declarationValues>[0], userId = 'U0ALICE'): Promise<Declared> {
  const since = t.standIn.calls.length;
  const cmd = await t.driver.command({ command: '/incident', text: 'open', userId, channelId: 'C0GENERAL' });
  const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === cmd.triggerId);
  await t.driver.viewSubmission({ view: viewFromCall(open), values: declarationValues(values), userId });
  await t.standIn.waitFor('chat.postEphemeral', (c) => t.standIn.calls.indexOf(c) >= since && String(c.args.text).includes('declared and announced'), 10_000);
  const rows = await t.incidentRows();
  const row = rows.find((r) => r.title === values.title)!;
  // The announcement is the message whose ts Firebreak stored.
  const announcement = t.standIn.calls.find((c) => c.method === 'chat.postMessage' && (c.result as { ts?: string }).ts === row.announcement_ts)!;
  return { number: row.number as number, id: `INC-${row.number}`, incidentId: row.id as string, channelId: (row.channel_id as string | null) ?? null, announcement };
}

/** Runs a slash command and, if it opened a modal, returns that call. */
export async function command(t: AppUnderTest, commandText: string, options: { channelId?: string; userId?: string } = {}) {
  return t.driver.command({ command: '/incident', text: commandText, channelId: options.channelId ?? 'C0GENERAL', userId: options.userId ?? 'U0ALICE' });
}

export async function submitModal(t: AppUnderTest, triggerId: string, values: Record<string, Record<string, unknown>>, userId = 'U0ALICE') {
  const open = await t.standIn.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  return t.driver.viewSubmission({ view: viewFromCall(open), values, userId });
}

/** The ephemeral answer sent to a response_url after `since` (index in t.standIn.responses). */
export async function responseAfter(t: AppUnderTest, since: number, timeoutMs = 5000): Promise<string> {
  const r = await t.standIn.waitForResponse((p) => t.standIn.responses.indexOf(p) >= since, timeoutMs);
  return JSON.stringify(r.body);
}

export const updateValues = (status: string, progress: string, extra: { blockers?: string; nextSteps?: string; eta?: string } = {}) => ({
  status: { status: select(status) },
  progress: { progress: text(progress) },
  blockers: { blockers: text(extra.blockers) },
  next_steps: { next_steps: text(extra.nextSteps) },
  eta: { eta: text(extra.eta) },
});

export const resolveValues = (rootCause: string, fix: string, impact?: string, postmortem: string | null = null) => ({
  root_cause: { root_cause: text(rootCause) },
  fix_applied: { fix_applied: text(fix) },
  final_impact: { final_impact: text(impact) },
  postmortem_date: { postmortem_date: date(postmortem) },
});

/** Every mrkdwn and plain text of a recorded message, joined: what a reader would see. */
export function visible(call: ApiCall): string {
  const out: string[] = [String(call.args.text ?? '')];
  JSON.stringify(call.args.blocks ?? [], (_k, v: unknown) => {
    const o = v as { type?: string; text?: unknown };
    if (o && (o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
    return v;
  });
  return out.join('\n');
}
