/** Numbers for people, in findings: sizes, percentages, durations. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1536 → "1.5 KiB"; 2_097_152 → "2 MiB". */
export function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1).replace(/\.0$/, '')} ${UNITS[unit]}`;
}

/** 87.456 → "87.5 %". */
export const percent = (n: number): string => `${n.toFixed(1)} %`;

/** 45 → "45 s"; 3720 → "1 h 2 min"; 200000 → "2 d 7 h". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export { plural } from '../../../core/render/text.js';
