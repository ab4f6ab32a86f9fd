/** Small helpers around PromQL answers: sample values, label sets, and alert-like queries. */

/**
 * A sample value as the HTTP API sends it (always a string): "0.05", "NaN", "+Inf", "-Inf".
 * Anything unreadable is NaN.
 */
export function parseSampleValue(text: string): number {
  const t = text.trim();
  if (t === '+Inf' || t === 'Inf') return Number.POSITIVE_INFINITY;
  if (t === '-Inf') return Number.NEGATIVE_INFINITY;
  if (t === '') return Number.NaN;
  const n = Number(t);
  return Number.isNaN(n) ? Number.NaN : n;
}

/** 4 significant digits for fractions, integers as they are, Prometheus' spelling for NaN and infinities. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

export function withUnit(value: number, unit: string | undefined): string {
  const n = formatNumber(value);
  return unit ? `${n} ${unit}` : n;
}

/** `name{a="1", b="2"}` with the metric name first when there is one; `{}` for none. */
export function formatLabels(metric: Readonly<Record<string, string>>): string {
  const name = metric['__name__'] ?? '';
  const pairs = Object.entries(metric)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  if (pairs.length === 0) return name || '{}';
  return `${name}{${pairs.join(', ')}}`;
}

/**
 * Whether the query filters with a comparison (`up == 0`, `x > 1`): such a query returns only
 * what is wrong, so an empty answer means all is well. A comparison with `bool` does not filter
 * (it returns 0 or 1 for every series); label matchers (`{status=~"5.."}`), strings, range
 * selectors and comments are ignored. A heuristic on the text, not a parser.
 */
export function isFilteringQuery(query: string): boolean {
  const bare = query
    .replace(/#[^\n]*/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]');
  return /(?<![=!<>~])(?:==|!=|>=|<=|>(?!=)|<(?!=))(?!\s*bool\b)/.test(bare);
}
