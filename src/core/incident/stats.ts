/** Incident-response KPIs over a period, against the playbook's targets (Plan C, seed 004). Pure. */
import { formatDuration } from '../duration.js';
import type { Block, Message } from '../render/message.js';
import type { Locale } from '../render/templates-catalogue.js';
import { dateToken, truncate } from '../render/text.js';
import type { Incident } from './incident.js';
import { localizeSeverity, SEVERITY_LEVELS, severityTag, type Severity, type SeverityLevel } from './severity.js';

export interface KpiTargets {
  mttdSeconds: number;
  mttaSeconds: number;
  mttrSeconds: number;
  /** The playbook's "P0/P1 incidents per month < 2": a month meets it with fewer than this many. */
  maxMajorPerMonth: number;
}

/** Playbook 004: MTTD < 2 min, MTTA < 5 min, MTTR < 30 min, P0/P1 incidents per month < 2. */
export const DEFAULT_KPI_TARGETS: KpiTargets = { mttdSeconds: 120, mttaSeconds: 300, mttrSeconds: 1800, maxMajorPerMonth: 2 };

export interface MeanTime {
  meanSeconds: number | null;
  count: number;
  targetSeconds: number;
  /** mean ≤ target; null when no incident had the data. */
  met: boolean | null;
}

export interface IncidentStats {
  from: Date;
  to: Date;
  total: number;
  open: number;
  bySeverity: Record<SeverityLevel, number>;
  /** Over the incidents with a detection time (from Alertmanager, or told at declaration). */
  mttd: MeanTime;
  mtta: MeanTime;
  mttr: MeanTime;
  majorPerMonth: Array<{ month: string; count: number; target: number; met: boolean }>;
}

const DAY_MS = 86_400_000;
const UNIT_DAYS: Record<string, number> = { d: 1, j: 1, w: 7, m: 30 };

const monthKey = (d: Date): string => d.toISOString().slice(0, 7);

function meanTime(spans: number[], targetSeconds: number): MeanTime {
  if (spans.length === 0) return { meanSeconds: null, count: 0, targetSeconds, met: null };
  const meanSeconds = spans.reduce((a, b) => a + b, 0) / spans.length / 1000;
  return { meanSeconds, count: spans.length, targetSeconds, met: meanSeconds <= targetSeconds };
}

/** Every UTC calendar month from `from`'s to `to`'s, as "YYYY-MM". */
function monthsBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  let y = from.getUTCFullYear();
  let m = from.getUTCMonth();
  const endKey = monthKey(to);
  for (;;) {
    const key = `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
    out.push(key);
    if (key >= endKey || out.length > 1200) return out;
    m += 1;
    if (m === 12) [y, m] = [y + 1, 0];
  }
}

/**
 * Stats of the incidents declared within the period (from and to included). MTTD is the mean of
 * declaredAt − detectedAt over the incidents whose detection time is known, MTTA the mean of
 * acknowledgedAt − declaredAt over acknowledged incidents, MTTR of resolvedAt − declaredAt over
 * resolved ones. Months are UTC calendar months overlapping the period, counted even when empty.
 */
export function computeStats(incidents: Incident[], period: { from: Date; to: Date }, targets: KpiTargets = DEFAULT_KPI_TARGETS): IncidentStats {
  const { from, to } = period;
  const inPeriod = incidents.filter((i) => i.declaredAt >= from && i.declaredAt <= to);
  const bySeverity = Object.fromEntries(SEVERITY_LEVELS.map((l) => [l, 0])) as Record<SeverityLevel, number>;
  const majors = new Map<string, number>();
  for (const i of inPeriod) {
    bySeverity[i.severity] += 1;
    if (i.severity === 'P0' || i.severity === 'P1') majors.set(monthKey(i.declaredAt), (majors.get(monthKey(i.declaredAt)) ?? 0) + 1);
  }
  const span = (end: Date | null, start: Date) => (end ? [Math.max(0, end.getTime() - start.getTime())] : []);
  return {
    from,
    to,
    total: inPeriod.length,
    open: inPeriod.filter((i) => i.status !== 'resolved').length,
    bySeverity,
    mttd: meanTime(inPeriod.flatMap((i) => (i.detectedAt ? span(i.declaredAt, i.detectedAt) : [])), targets.mttdSeconds),
    mtta: meanTime(inPeriod.flatMap((i) => span(i.acknowledgedAt, i.declaredAt)), targets.mttaSeconds),
    mttr: meanTime(inPeriod.flatMap((i) => span(i.resolvedAt, i.declaredAt)), targets.mttrSeconds),
    majorPerMonth: monthsBetween(from, to).map((month) => {
      const count = majors.get(month) ?? 0;
      return { month, count, target: targets.maxMajorPerMonth, met: count < targets.maxMajorPerMonth };
    }),
  };
}

/**
 * "" → the last 30 days; "7d" / "7j" days, "12w" weeks, "3m" months counted as 30 days each.
 * Null for anything else, for 0, and for more than 3650 days (ten years).
 */
export function parsePeriod(text: string, now: Date): { from: Date; to: Date } | null {
  const t = text.trim().toLowerCase();
  let days = 30;
  if (t !== '') {
    const m = /^(\d{1,5})\s*([djwm])$/.exec(t);
    if (!m) return null;
    days = Number(m[1]) * (UNIT_DAYS[m[2] as string] ?? 0);
  }
  if (days < 1 || days > 3650) return null;
  return { from: new Date(now.getTime() - days * DAY_MS), to: new Date(now.getTime()) };
}

const WORDS = {
  en: {
    header: (d: number) => `Incident stats · last ${d === 1 ? 'day' : `${d} days`}`,
    total: (n: number, open: number) => `${n} incident${n === 1 ? '' : 's'} declared, ${open} still open`,
    period: 'Period', noData: 'no data', target: 'target', over: (n: number) => `over ${n}`,
    mttd: 'MTTD (time to detect: first alert or noticed → declared)', mtta: 'MTTA (time to acknowledge)', mttr: 'MTTR (time to resolve)', major: 'P0/P1 per month',
    fallback: (d: number) => `Incident stats, last ${d === 1 ? 'day' : `${d} days`}`, monthsMet: (k: number, n: number) => `${k} of ${n} months within target`,
  },
  fr: {
    header: (d: number) => `Statistiques des incidents · ${d === 1 ? 'dernier jour' : `${d} derniers jours`}`,
    total: (n: number, open: number) => `${n} incident${n > 1 ? 's' : ''} déclaré${n > 1 ? 's' : ''}, ${open} encore ouvert${open > 1 ? 's' : ''}`,
    period: 'Période', noData: 'pas de données', target: 'objectif', over: (n: number) => `sur ${n}`,
    mttd: 'MTTD (délai de détection : première alerte ou constat → déclaration)', mtta: 'MTTA (délai de prise en compte)', mttr: 'MTTR (délai de résolution)', major: 'P0/P1 par mois',
    fallback: (d: number) => `Statistiques des incidents, ${d === 1 ? 'dernier jour' : `${d} derniers jours`}`, monthsMet: (k: number, n: number) => `${k} mois sur ${n} dans l'objectif`,
  },
} as const;

const mark = (met: boolean | null) => (met === null ? '' : met ? ' ✅' : ' ⚠️');

/** The stats as a message: header, counts by severity, MTTA/MTTR and P0/P1 per month against targets. */
export function statsMessage(stats: IncidentStats, locale: Locale, severities: Record<SeverityLevel, Severity>): Message {
  const w = WORDS[locale];
  const days = Math.max(1, Math.round((stats.to.getTime() - stats.from.getTime()) / DAY_MS));
  const meanLine = (label: string, m: MeanTime) => {
    const target = `${w.target} ≤ ${formatDuration(m.targetSeconds * 1000)}`;
    return m.meanSeconds === null
      ? `${label}: ${w.noData} (${target})`
      : `${label}: ${formatDuration(m.meanSeconds * 1000)}${mark(m.met)} (${target}, ${w.over(m.count)})`;
  };
  const majorTarget = stats.majorPerMonth[0]?.target;
  const majorHead = `${w.major}${majorTarget === undefined ? '' : ` (${w.target} < ${majorTarget})`}`;
  const months = stats.majorPerMonth.map((m) => `${m.month}: ${m.count}${mark(m.met)}`).join(' · ');
  const monthsMet = stats.majorPerMonth.filter((m) => m.met).length;
  const blocks: Block[] = [
    { type: 'header', text: w.header(days) },
    { type: 'context', items: [`${w.period}: ${dateToken(stats.from, '{date_short}')} → ${dateToken(stats.to, '{date_short}')}`] },
    { type: 'text', text: w.total(stats.total, stats.open) },
    {
      type: 'fields',
      fields: SEVERITY_LEVELS.map((level) => ({ label: severityTag(localizeSeverity(severities[level], locale)), value: String(stats.bySeverity[level]) })),
    },
    { type: 'text', text: `${meanLine(w.mttd, stats.mttd)}\n${meanLine(w.mtta, stats.mtta)}\n${meanLine(w.mttr, stats.mttr)}` },
    { type: 'text', text: truncate(`${majorHead}: ${months || '—'}`, 3000) },
  ];
  const text = [
    `${w.fallback(days)}: ${w.total(stats.total, stats.open)}`,
    ...SEVERITY_LEVELS.map((l) => `${l} ${stats.bySeverity[l]}`),
    meanLine('MTTD', stats.mttd),
    meanLine('MTTA', stats.mtta),
    meanLine('MTTR', stats.mttr),
    `${majorHead}: ${w.monthsMet(monthsMet, stats.majorPerMonth.length)}`,
  ].join(' · ');
  return { text, blocks };
}
