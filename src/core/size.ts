/**
 * Sizes as people write them in config: "500mb", "2gb", "1.5gb", "512kb", or a number of bytes.
 * The units are powers of 1024, as Redis's own configuration reads "mb" and "gb".
 */
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)$/i;

/** Whole bytes, or null when the text is not a size. */
export function parseSize(text: string): number | null {
  const m = SIZE.exec(text.trim());
  if (!m) return null;
  const unit = (m[2] as string).toLowerCase().replace('ib', 'b');
  const bytes = Math.round(Number(m[1]) * (UNIT_BYTES[unit] ?? Number.NaN));
  return Number.isFinite(bytes) ? bytes : null;
}

/** "512 MB", "1.5 GB", "300 B": for people, in the same powers of 1024. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  const shown = i === 0 || Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${shown} ${units[i]}`;
}
