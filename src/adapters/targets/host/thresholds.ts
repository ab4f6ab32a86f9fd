/**
 * The Linux host probe's thresholds. Defaults from the seeds: disk 90 % warning and 95 % critical
 * (the "> 90 %" checklist of seed 000, the "> 95 % → disk full" step of seed 002), the same for
 * inodes, memory critical above 90 % (seed 000); the rest are Firebreak's own choices, written
 * in firebreak.example.yml. A plain number is in the unit the key names.
 */
import { z } from 'zod';
import { asNumber, checkOrder, everyProblem, fraction, percentage, wholeNumber, atLeast, type ShowThreshold } from '../shared/schema.js';

export interface HostThresholds {
  /** A mount's used space, % of its size (df's Capacity). */
  diskWarnPct: number;
  diskCritPct: number;
  /** A mount's used inodes, % of its inodes. */
  inodesWarnPct: number;
  inodesCritPct: number;
  /** Memory in use: MemTotal − MemAvailable, % of MemTotal. */
  memoryWarnPct: number;
  memoryCritPct: number;
  /** Swap in use, % of SwapTotal. */
  swapWarnPct: number;
  swapCritPct: number;
  /** The 5-minute load average divided by the number of CPUs. */
  loadPerCpuWarn: number;
  loadPerCpuCrit: number;
  /** A configured unit's automatic restarts (NRestarts): warning, critical from this count. */
  restartsWarn: number;
  restartsCritical: number;
  /** The most journal entries read from one unit's last hour. */
  journalLines: number;
  /** Error lines as a fraction of the lines read from which a journal is critical. */
  logErrorRateCritical: number;
  /** Error lines from which a journal is critical. */
  logErrorsCritical: number;
}

export const DEFAULT_HOST_THRESHOLDS: Readonly<HostThresholds> = Object.freeze({
  diskWarnPct: 90,
  diskCritPct: 95,
  inodesWarnPct: 90,
  inodesCritPct: 95,
  memoryWarnPct: 80,
  memoryCritPct: 90,
  swapWarnPct: 50,
  swapCritPct: 80,
  loadPerCpuWarn: 1,
  loadPerCpuCrit: 2,
  restartsWarn: 3,
  restartsCritical: 10,
  journalLines: 500,
  logErrorRateCritical: 0.2,
  logErrorsCritical: 100,
});

const pct = percentage().optional();
const count = (max?: number) => wholeNumber(1, max).optional();

const PAIRS: ReadonlyArray<readonly [keyof HostThresholds, keyof HostThresholds, ShowThreshold]> = [
  ['diskWarnPct', 'diskCritPct', asNumber],
  ['inodesWarnPct', 'inodesCritPct', asNumber],
  ['memoryWarnPct', 'memoryCritPct', asNumber],
  ['swapWarnPct', 'swapCritPct', asNumber],
  ['loadPerCpuWarn', 'loadPerCpuCrit', asNumber],
  ['restartsWarn', 'restartsCritical', asNumber],
];

/** Thresholds as written in configuration: every key optional, unknown keys refused, warn ≤ crit. */
export const hostThresholdsSchema = z
  .strictObject({
    diskWarnPct: pct,
    diskCritPct: pct,
    inodesWarnPct: pct,
    inodesCritPct: pct,
    memoryWarnPct: pct,
    memoryCritPct: pct,
    swapWarnPct: pct,
    swapCritPct: pct,
    loadPerCpuWarn: atLeast(0).optional(),
    loadPerCpuCrit: atLeast(0).optional(),
    restartsWarn: count(),
    restartsCritical: count(),
    journalLines: count(10_000),
    logErrorRateCritical: fraction().optional(),
    logErrorsCritical: count(),
  })
  .superRefine((t, ctx) => {
    const resolved = resolveHostThresholds(t);
    for (const pair of PAIRS) checkOrder(ctx, t, resolved, pair);
  }, everyProblem);

/** The defaults with the target's own values over them (keys left undefined keep the default). */
export function resolveHostThresholds(overrides: Partial<HostThresholds> = {}): HostThresholds {
  const set = Object.entries(overrides).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  return { ...DEFAULT_HOST_THRESHOLDS, ...(Object.fromEntries(set) as Partial<HostThresholds>) };
}
