/**
 * Kubernetes quantities read strictly, for what Firebreak writes (resource limits) and the bounds
 * of its configuration: a number with a fraction allowed, then one suffix, binary (Ki Mi Gi Ti Pi
 * Ei), decimal (n u m k M G T P E) or an exponent (e3), as resource.Quantity parses them, and
 * nothing else: no sign, no space, no unit of another case ("1gi", "1GB" and "1 Gi" are refused).
 * CPU is kept in millicores and memory in bytes, each at the precision Kubernetes keeps (whole
 * millicores, whole bytes): a value finer than that is refused rather than rounded.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(?:([eE][+-]?\d{1,3})|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The value of a quantity in base units (cores, bytes); null when it is not one. */
export function quantityValue(text: string): number | null {
  const m = QUANTITY.exec(text);
  if (!m) return null;
  const base = Number(m[1]);
  const value = m[2] !== undefined ? base * 10 ** Number(m[2].slice(1)) : base * (SUFFIX[m[3] ?? ''] ?? 1);
  return Number.isFinite(value) ? value : null;
}

export type Parsed = { ok: true; value: number; text: string } | { ok: false; message: string };

const quoted = (s: string) => JSON.stringify(s.length > 32 ? `${s.slice(0, 32)}…` : s);

/** CPU as millicores: "500m", "1", "1.5", "2000m". At least 1m, whole millicores. */
export function parseCpu(text: string): Parsed {
  const v = quantityValue(text);
  if (v === null) return { ok: false, message: `${quoted(text)} is not a CPU quantity (like 500m, 1 or 1.5)` };
  const milli = v * 1000;
  if (milli < 1) return { ok: false, message: `${quoted(text)} is less than 1m, the smallest CPU amount` };
  if (Math.abs(milli - Math.round(milli)) > 1e-6) return { ok: false, message: `${quoted(text)} is finer than 1m (whole millicores only)` };
  return { ok: true, value: Math.round(milli), text };
}

/** Memory as bytes: "512Mi", "1Gi", "1.5Gi", "1G". Whole bytes, no millibytes ("1000m" is refused). */
export function parseMemory(text: string): Parsed {
  if (/[0-9.](?:m|u|n)$/.test(text)) return { ok: false, message: `${quoted(text)} is in thousandths of a byte (m): write Mi or M for mebibytes or megabytes` };
  const v = quantityValue(text);
  if (v === null) return { ok: false, message: `${quoted(text)} is not a memory quantity (like 512Mi, 1Gi or 1G)` };
  if (!Number.isInteger(v) || v <= 0) return { ok: false, message: `${quoted(text)} is not a whole number of bytes above 0` };
  return { ok: true, value: v, text };
}

/** "1500m" → "1500m", 2000 → "2" (whole cores), for people. */
export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in the largest binary unit that divides them (1073741824 → "1Gi", 1610612736 → "1536Mi"). */
export function formatMemory(bytes: number): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = SUFFIX[unit] as number;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** Bytes for people, rounded: "19.2 GiB", "900 MiB". */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Number(v.toFixed(v >= 100 ? 0 : 1))} ${units[i]}`;
}
