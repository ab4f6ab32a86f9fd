/** The approval message of a remediation request, as it changes: asked, decided, ran. */
import type { Message } from '../../core/render/message.js';
import type { RemediationRequest } from '../../core/remediation/request.js';
import { dateToken, escapeMrkdwn, truncate, userRef } from '../../core/render/text.js';

export const REMEDIATION_ACTIONS = { approve: 'remediation_approve', reject: 'remediation_reject' } as const;

const STATUS_LINE: Record<RemediationRequest['status'], string> = {
  requested: ':hourglass_flowing_sand: Waiting for approval',
  approved: ':white_check_mark: Approved, starting',
  running: ':gear: Running',
  succeeded: ':white_check_mark: Done',
  failed: ':x: Failed',
  rejected: ':no_entry_sign: Rejected',
  expired: ':alarm_clock: Expired, nothing ran',
  // Whatever the action got to do before it stopped is unknown: it is never run again by itself.
  interrupted: ':warning: Interrupted: Firebreak stopped while it ran; check the target before asking again',
};

const lines = (items: string[]) => items.map((l) => `• ${escapeMrkdwn(truncate(l, 300))}`).join('\n') || '—';

export function approvalMessage(request: RemediationRequest, options: { dryRun: boolean; source?: string | null | undefined }): Message {
  const who = (id: string | null) => userRef(id);
  const command = `${request.actionId} ${request.args.join(' ')}`.trim();
  const risk = request.risk === 'critical' ? ':red_circle: critical: needs an approver other than the requester' : ':large_orange_circle: high: one approver';
  const blocks: Message['blocks'] = [
    { type: 'text', text: `*Remediation:* \`${escapeMrkdwn(truncate(command, 200))}\` on *${escapeMrkdwn(request.targetName)}*\n${STATUS_LINE[request.status]}${options.source ? `\n:books: Asked from ${escapeMrkdwn(truncate(options.source, 200))}` : ''}` },
    {
      type: 'fields',
      fields: [
        { label: 'Risk', value: risk },
        { label: 'Requested by', value: `${who(request.requesterId)} ${dateToken(request.createdAt, '{time}')}` },
        ...(request.approvals.length ? [{ label: 'Approved by', value: request.approvals.map((a) => who(a.userId)).join(', ') }] : []),
        ...(request.decidedBy ? [{ label: 'Rejected by', value: who(request.decidedBy) }] : []),
        // The approval window matters while the request waits, and when it ran out; once decided it says nothing.
        ...(request.status === 'requested' || request.status === 'expired'
          ? [{ label: request.status === 'requested' ? 'Expires' : 'Expired at', value: dateToken(request.expiresAt, '{time}') }]
          : []),
      ],
    },
    { type: 'text', text: `*Now:*\n${truncate(lines(request.preview.current), 1400)}\n*Change:*\n${truncate(lines(request.preview.change), 1400)}` },
  ];
  if (request.outcome) blocks.push({ type: 'text', text: `*Outcome:* ${escapeMrkdwn(truncate(request.outcome, 2000))}` });
  if (request.status === 'requested') {
    blocks.push({
      type: 'actions',
      buttons: [
        {
          action: REMEDIATION_ACTIONS.approve,
          label: options.dryRun ? 'Approve (dry run)' : 'Approve',
          value: request.id,
          style: 'danger',
          confirm: { title: 'Run this change?', text: truncate(`${command} on ${request.targetName}: ${request.preview.change.join('; ')}`, 300), confirm: 'Approve', deny: 'Cancel' },
        },
        { action: REMEDIATION_ACTIONS.reject, label: 'Reject', value: request.id },
      ],
    });
  }
  // The notification text is mrkdwn too: what was typed must not ping from there either.
  return { text: `Remediation ${escapeMrkdwn(truncate(command, 200))} on ${escapeMrkdwn(request.targetName)}: ${STATUS_LINE[request.status].replace(/^:[a-z_]+: /, '')}`, blocks };
}
