/** One line per timeline event, in Slack mrkdwn (the timeline command) or plain Markdown (the postmortem). */
import { formatDuration } from '../duration.js';
import type { Locale } from '../render/templates-catalogue.js';
import { dateToken, truncate } from '../render/text.js';
import type { TimelineEvent } from './timeline-event.js';
import { field, markdownFormat, numberField, slackFormat, type Format } from './event-format.js';
import { INCIDENT_STATUSES, type IncidentStatus } from './incident.js';
import { DEFAULT_SEVERITIES, isSeverityLevel, localizeSeverity, type Severity, type SeverityLevel } from './severity.js';
import { roleLabel, statusLabel } from './labels.js';

type Severities = Readonly<Record<SeverityLevel, Severity>>;
const DASH = '—';

/** Longest user text kept per field in a line. */
const MAX = { title: 200, long: 300, short: 120 } as const;

function describe(event: TimelineEvent, locale: Locale, f: Format, severities: Severities): string {
  const fr = locale === 'fr';
  const t = (en: string, frText: string) => (fr ? frText : en);
  const data = event.data ?? {};
  const text = (key: string, max: number = MAX.short): string | null => {
    const v = field(data, key);
    return v === null ? null : truncate(f.text(v), max);
  };
  const colon = fr ? ' : ' : ': ';
  const actor = f.user(event.actorId);
  const by = actor ? t(` by ${actor}`, ` par ${actor}`) : '';
  const sev = (key: string): string | null => {
    const v = data[key];
    if (!isSeverityLevel(v)) return text(key, 20);
    const s = localizeSeverity(severities[v], locale);
    return `${s.level} ${f.text(s.name)}`;
  };
  const status = (key: string): string | null => {
    const v = data[key];
    return typeof v === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(v)
      ? statusLabel(v as IncidentStatus, locale)
      : text(key, 40);
  };
  // French avoids "de Investigation" / "à Identifié" agreement issues with an arrow.
  const change = (from: string | null, to: string | null) =>
    from ? t(` from ${from} to ${to ?? DASH}`, `${colon}${from} → ${to ?? DASH}`) : t(` to ${to ?? DASH}`, `${colon}${to ?? DASH}`);
  const suffix = (label: string | null, value: string | null) => (value ? `${label ? `${label}${colon}` : ''}${value}` : '');
  const join = (head: string, ...parts: string[]) => [head, ...parts.filter((p) => p)].join(' · ');
  const action = text('action') ?? DASH;

  switch (event.kind) {
    case 'opened': {
      const s = sev('severity');
      const head = s ? t(`Declared as ${s}${by}`, `Déclaré en ${s}${by}`) : t(`Declared${by}`, `Déclaré${by}`);
      const title = text('title', MAX.title);
      return title ? `${head}${colon}${title}` : head;
    }
    case 'acknowledged':
      return t(`Acknowledged${by}`, `Pris en compte${by}`);
    case 'role_changed': {
      const role = roleLabel(data.role === 'comms' ? 'comms' : 'commander', locale);
      const who = f.user(data.userId) ?? t('unassigned', 'non attribué');
      const prev = f.user(data.previous);
      const was = prev ? t(` (was ${prev})`, ` (auparavant ${prev})`) : '';
      return `${role}${colon}${who}${was}${by ? t(`, set${by}`, `, désigné${by}`) : ''}`;
    }
    case 'severity_changed':
      return t(`Severity changed${change(sev('from'), sev('to'))}${by}`, `Sévérité modifiée${change(sev('from'), sev('to'))}${by}`);
    case 'status_changed':
      return t(`Status changed${change(status('from'), status('to'))}${by}`, `Statut modifié${change(status('from'), status('to'))}${by}`);
    case 'update_posted': {
      const st = status('status');
      const head = `${t(`Update posted${by}`, `Mise à jour publiée${by}`)}${st ? ` [${st}]` : ''}`;
      return join(
        `${head}${colon}${text('progress', MAX.long) ?? DASH}`,
        suffix(t('Blockers', 'Blocages'), text('blockers')),
        suffix(t('Next steps', 'Prochaines étapes'), text('nextSteps')),
        suffix('ETA', text('eta', 60)),
      );
    }
    case 'note':
      return `${t(`Note${by}`, `Note${by}`)}${colon}${text('text', MAX.long) ?? DASH}`;
    case 'pinned_message': {
      const body = text('text', MAX.long) ?? t('message', 'message');
      return `${t(`Message pinned${by}`, `Message épinglé${by}`)}${colon}${f.link(data.permalink, body)}`;
    }
    case 'diagnostic_run': {
      const name = text('name') ?? text('diagnostic') ?? text('check');
      const head = t(`Diagnostic${name ? ` ${name}` : ''} run${by}`, `Diagnostic${name ? ` ${name}` : ''} lancé${by}`);
      return join(head, suffix(null, text('summary', MAX.long) ?? text('outcome', MAX.long)));
    }
    case 'action_requested':
      return join(`${t(`Action requested${by}`, `Action demandée${by}`)}${colon}${action}`, suffix(t('Reason', 'Motif'), text('reason')));
    case 'action_approved':
      return `${t(`Action approved${by}`, `Action approuvée${by}`)}${colon}${action}`;
    case 'action_executed':
      return join(`${t(`Action executed${by}`, `Action exécutée${by}`)}${colon}${action}`, suffix(t('Outcome', 'Résultat'), text('outcome', MAX.long)));
    case 'reminder_sent': {
      const to = f.user(data.userId);
      const overdue = numberField(data, 'overdueMs');
      return join(
        t(`Update reminder sent${to ? ` to ${to}` : ''}`, `Rappel de mise à jour envoyé${to ? ` à ${to}` : ''}`),
        overdue !== null ? t(`no update for ${formatDuration(overdue)}`, `pas de mise à jour depuis ${formatDuration(overdue)}`) : '',
      );
    }
    case 'reminder_snoozed': {
      const until = data.until instanceof Date ? data.until : typeof data.until === 'string' ? new Date(data.until) : null;
      const when = until && !Number.isNaN(until.getTime()) ? f.time(until) : null;
      return t(`Update reminders snoozed${by}${when ? ` until ${when}` : ''}`, `Rappels de mise à jour reportés${by}${when ? ` jusqu’à ${when}` : ''}`);
    }
    case 'escalation_sent': {
      const level = text('level', 40);
      const list = Array.isArray(data.notified) ? data.notified : data.notified === undefined ? [] : [data.notified];
      const who = list
        .map((n) => f.user(n) ?? (typeof n === 'string' && n.trim() ? truncate(f.text(n), 60) : null))
        .filter((n): n is string => n !== null);
      const head = level ? t(`Escalated to ${level}`, `Escalade au niveau ${level}`) : t('Escalated', 'Escalade');
      return `${head}${by}${who.length ? `${colon}${t('notified', 'notifiés')} ${who.join(', ')}` : ''}`;
    }
    case 'resolved': {
      const ms = numberField(data, 'durationMs');
      const after = ms !== null ? t(` after ${formatDuration(ms)}`, ` après ${formatDuration(ms)}`) : '';
      return join(`${t(`Resolved${by}`, `Résolu${by}`)}${after}`, suffix(t('Root cause', 'Cause racine'), text('rootCause', MAX.long)));
    }
    case 'reopened':
      return join(t(`Reopened${by}`, `Rouvert${by}`), suffix(t('Reason', 'Motif'), text('reason')));
    case 'checklist_ticked': {
      const item = text('text', MAX.title) ?? text('item', MAX.title) ?? DASH;
      return data.checked === false
        ? `${t(`Checklist item unticked${by}`, `Point de la check-list décoché${by}`)}${colon}${item}`
        : `${t(`Checklist item ticked${by}`, `Point de la check-list coché${by}`)}${colon}${item}`;
    }
    case 'postmortem_generated':
      return f.link(data.permalink, t(`Postmortem generated${by}`, `Post-mortem généré${by}`));
    case 'side_step_failed':
    {
      const error = text('error', MAX.long);
      return `${t('Side step failed', 'Étape annexe en échec')}${colon}${text('step') ?? DASH}${error ? ` — ${error}` : ''}`;
    }
    case 'runbook_started': {
      const name = text('title', MAX.title) ?? text('runbook') ?? DASH;
      return `${t(`Runbook started${by}`, `Runbook lancé${by}`)}${colon}${name}`;
    }
    case 'runbook_step': {
      const step = text('step', MAX.title) ?? DASH;
      const runbook = text('runbook');
      const outcome = text('outcome', MAX.long);
      return join(`${t(`Runbook step${by}`, `Étape de runbook${by}`)}${colon}${runbook ? `${runbook} › ` : ''}${step}`, suffix(null, outcome));
    }
    case 'alert_received': {
      const firing = numberField(data, 'firing');
      const name = text('alertname') ?? DASH;
      const state = text('status') === 'resolved' ? t('resolved', 'résolue') : t('firing', 'en cours');
      return join(`${t('Alert', 'Alerte')} ${name} ${state}`, firing !== null ? t(`${firing} firing`, `${firing} en cours`) : '');
    }
    default: {
      const kind: string = event.kind;
      return truncate(f.text(kind.replace(/_/g, ' ')), MAX.short) + by;
    }
  }
}

/** One mrkdwn line body (without the time) for an event; user text escaped, ids as mentions. */
export function describeEvent(event: TimelineEvent, locale: Locale, severities: Severities = DEFAULT_SEVERITIES): string {
  return describe(event, locale, slackFormat, severities);
}

/** The same line for a Markdown file: no Slack markup, users as `@U…`, links as `[label](url)`. */
export function describeEventPlain(event: TimelineEvent, locale: Locale, severities: Severities = DEFAULT_SEVERITIES): string {
  return describe(event, locale, markdownFormat, severities);
}

const byTime = (events: TimelineEvent[]) =>
  events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i).map(({ e }) => e);

/** Oldest first, `<date token> · <description>`; the actor is named in the description where they acted. */
export function timelineLines(events: TimelineEvent[], locale: Locale, severities: Severities = DEFAULT_SEVERITIES): string[] {
  return byTime(events).map((e) => `${dateToken(e.at)} · ${describeEvent(e, locale, severities)}`);
}

export { byTime as chronological };

/** Groups lines into pages of at most `maxChars` (joined with "\n"); a line longer than a page is truncated. */
export function pageLines(lines: string[], maxChars: number): string[][] {
  const max = Math.max(1, Math.floor(maxChars));
  const pages: string[][] = [];
  let page: string[] = [];
  let size = 0;
  for (const raw of lines) {
    const line = truncate(raw, max);
    const added = page.length ? size + 1 + line.length : line.length;
    if (page.length && added > max) {
      pages.push(page);
      page = [line];
      size = line.length;
    } else {
      page.push(line);
      size = added;
    }
  }
  if (page.length) pages.push(page);
  return pages;
}
