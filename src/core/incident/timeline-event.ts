/** The events of an incident's timeline: what happened, who did it, when. */

/** What can happen to an incident; each is recorded on its timeline with who and when. */
export const TIMELINE_KINDS = [
  'opened', 'acknowledged', 'role_changed', 'severity_changed', 'status_changed', 'update_posted',
  'note', 'pinned_message', 'diagnostic_run', 'action_requested', 'action_approved', 'action_executed',
  'reminder_sent', 'reminder_snoozed', 'escalation_sent', 'resolved', 'reopened', 'checklist_ticked', 'postmortem_generated',
  'side_step_failed', 'runbook_started', 'runbook_step', 'alert_received',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Event recorded on an incident's timeline. */
export interface TimelineEvent {
  incidentId: string;
  kind: TimelineKind;
  actorId: string | null;
  at: Date;
  /** Free-form details of the event, stored as JSON. */
  data: Record<string, unknown>;
  /**
   * Makes the event idempotent: a second event with the same key on the same incident is not
   * added (Slack redelivers events; a reaction must not be recorded twice).
   */
  dedupeKey?: string;
}
