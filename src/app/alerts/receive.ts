/**
 * An Alertmanager notification, received: the group (by `groupKey`) opens one incident while that
 * incident is open, through openIncident like a declaration typed in Slack; notifications of the
 * group after that add to the incident's timeline and say so in its home; "resolved" says so and
 * never resolves the incident (people do). Once the incident is resolved, the store moves the group
 * to a new generation and the group firing again opens a new incident.
 *
 * Concurrent notifications of one group open one incident: the store gives them the same
 * generation, and openIncident is idempotent on the source key built from it.
 *
 * Coalescing: every notification is recorded (AlertGroupStore.record) and may add one
 * `alert_received` event to the timeline, keyed by the group, its generation, the status, the
 * firing count and the minute it arrived; only a notification whose event was new posts a message.
 * So a storm of identical notifications posts at most one message per group and minute (two
 * across a minute's boundary), and a change of status or firing count is still told at once.
 */
import { createHash } from 'node:crypto';
import { humanId, incidentHome, isOpen, type Incident } from '../../core/incident/incident.js';
import { plain } from '../../core/render/message.js';
import type { AppContext } from '../context.js';
import { postHome } from '../incidents/home.js';
import { openIncident } from '../open-incident.js';
import { alertnames, firingAgainMessage, groupName, incidentSymptoms, incidentTitle, resolvedMessage, runbookHints } from './describe.js';
import { alertCounts, firstFiringAt, type AlertNotification } from './notification.js';
import { severityOf } from './severity.js';

/** Notifications of one group are coalesced within this window. */
export const COALESCE_MS = 60_000;

/** Who is behind the notification in Slack's terms. */
export interface AlertSource {
  /** The workspace the bot is installed in. */
  teamId: string;
  /** Reports the incidents: the bot's own user id, so it renders as a mention of Firebreak. */
  reporterId: string;
}

export type ReceiveOutcome =
  | { outcome: 'opened'; incident: Incident }
  /** Told on the timeline of the group's open incident; `posted` when a message went to its home too. */
  | { outcome: 'noted'; incident: Incident; posted: boolean }
  | { outcome: 'ignored'; why: string }
  | { outcome: 'not-recorded'; message: string };

/** The group key as it goes into keys and logs: its SHA-256 in hex (group keys hold label values of any length). */
export const groupKeyHash = (groupKey: string): string => createHash('sha256').update(groupKey, 'utf8').digest('hex');

/** What openIncident is keyed on: one incident per group and generation. */
export const alertSourceKey = (groupKey: string, generation: number): string => `alertmanager:${groupKeyHash(groupKey)}:${generation}`;

export async function receiveAlertNotification(ctx: AppContext, source: AlertSource, notification: AlertNotification): Promise<ReceiveOutcome> {
  const at = ctx.clock.now();
  const hash = groupKeyHash(notification.groupKey);
  const log = ctx.logger.child({ component: 'alertmanager', group: hash.slice(0, 12), alertname: groupName(notification) });
  const counts = alertCounts(notification);
  const { teamId } = source;

  const receive = async (attempt: number): Promise<ReceiveOutcome> => {
    const current = await ctx.store.alerts.current(teamId, notification.groupKey, at);
    if (current.incidentId !== null) {
      const incident = await ctx.store.getIncident(current.incidentId);
      if (incident && isOpen(incident)) return note(incident, current.generation);
      // The store moves the group on once its incident is resolved; until it has, nothing to add to.
      log.warn({ incident: current.incidentId, generation: current.generation }, 'the group is linked to an incident that is gone or resolved');
      return { outcome: 'ignored', why: 'the group’s incident is resolved' };
    }
    if (notification.status !== 'firing') return { outcome: 'ignored', why: 'resolved, and no incident is open for the group' };

    const opened = await openIncident(ctx, {
      teamId,
      title: incidentTitle(notification),
      severity: severityOf(notification, ctx.config.alertmanager),
      impact: null,
      symptoms: incidentSymptoms(notification),
      actions: null,
      eta: null,
      reporterId: source.reporterId,
      commanderId: null,
      declaredAt: at,
      // MTTD runs from the first alert of the group (never later than the declaration).
      detectedAt: firstFiringAt(notification),
      sourceKey: alertSourceKey(notification.groupKey, current.generation),
      // Nobody typed anything: the announcement (or the side-step reports) is what people see.
      replyChannel: null,
      runbookHints: runbookHints(notification),
    });
    if (opened.outcome === 'not-recorded') {
      log.error({ generation: current.generation }, 'the alert group’s incident could not be recorded; Alertmanager sends the group again at its next interval');
      return opened;
    }
    const { incident } = opened;
    if (opened.outcome === 'duplicate' && !isOpen(incident)) {
      // Opened for this generation, then resolved before anyone linked it: linking lets the store
      // move the group on, and the notification opens the next generation's incident.
      await ctx.store.alerts.link(teamId, notification.groupKey, current.generation, incident.id);
      if (attempt === 0) return receive(1);
      return { outcome: 'ignored', why: 'the group’s incident is resolved' };
    }
    // The event goes first: a notification that finds the link then coalesces with this one
    // instead of posting "now firing" under an announcement that says the same.
    await addEvent(incident, current.generation);
    await ctx.store.alerts.link(teamId, notification.groupKey, current.generation, incident.id);
    if (opened.outcome === 'opened') {
      log.info({ incident: humanId(incident), severity: incident.severity, firing: counts.firing }, 'incident opened from an Alertmanager group');
      return { outcome: 'opened', incident };
    }
    return { outcome: 'noted', incident, posted: false };
  };

  /** Adds the notification to the timeline; false when one like it (status, firing count) came this minute. */
  const addEvent = (incident: Incident, generation: number): Promise<boolean> =>
    ctx.store.addTimelineEvent({
      incidentId: incident.id,
      kind: 'alert_received',
      actorId: source.reporterId,
      at,
      data: {
        alertname: groupName(notification),
        alertnames: alertnames(notification).slice(0, 20),
        status: notification.status,
        firing: counts.firing,
        resolved: counts.resolved,
        truncated: notification.truncatedAlerts,
        group: hash.slice(0, 16),
      },
      dedupeKey: `alertmanager:${hash}:${generation}:${notification.status}:${counts.firing}:${Math.floor(at.getTime() / COALESCE_MS)}`,
    });

  const note = async (incident: Incident, generation: number): Promise<ReceiveOutcome> => {
    const added = await addEvent(incident, generation);
    if (!added || incidentHome(incident) === null) return { outcome: 'noted', incident, posted: false };
    const locale = ctx.config.incidents.locale;
    const text = notification.status === 'resolved' ? resolvedMessage(notification, locale) : firingAgainMessage(notification, locale);
    try {
      await postHome(ctx, incident, plain(text));
    } catch (err) {
      log.warn({ err, incident: humanId(incident) }, 'could not post the alert group’s news in the incident’s home (it is on the timeline)');
      return { outcome: 'noted', incident, posted: false };
    }
    log.info({ incident: humanId(incident), status: notification.status, firing: counts.firing }, 'alert group noted on its incident');
    return { outcome: 'noted', incident, posted: true };
  };

  const outcome = await receive(0);
  await ctx.store.alerts.record(teamId, notification.groupKey, { at, firing: counts.firing, resolved: counts.resolved, status: notification.status });
  return outcome;
}
