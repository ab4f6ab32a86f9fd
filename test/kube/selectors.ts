/**
 * Label and field selectors as the API server evaluates them, for the test server:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a` for labels; `path=v`, `path!=v`
 * for fields (dotted paths such as status.phase, involvedObject.name, type).
 */

/** Splits on commas that are not inside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.filter(Boolean);
}

export function matchesLabels(labels: Record<string, string>, selector: string): boolean {
  return terms(selector).every((t) => {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim());
      const has = m[1] !== undefined && m[1] in labels && values.includes(labels[m[1]] ?? '');
      return m[2] === 'in' ? has : !has;
    }
    if ((m = /^([\w./-]+)\s*(!=|==|=)\s*([\w./-]*)$/.exec(t))) {
      const v = labels[m[1] ?? ''];
      return m[2] === '!=' ? v !== m[3] : v === m[3];
    }
    if ((m = /^!([\w./-]+)$/.exec(t))) return !((m[1] ?? '') in labels);
    if ((m = /^([\w./-]+)$/.exec(t))) return (m[1] ?? '') in labels;
    throw new Error(`unsupported label selector term: ${t}`);
  });
}

export function fieldValue(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export function matchesFields(obj: unknown, selector: string): boolean {
  return terms(selector).every((t) => {
    const m = /^([\w.]+)\s*(!=|==|=)\s*(.*)$/.exec(t);
    if (!m) throw new Error(`unsupported field selector term: ${t}`);
    const v = fieldValue(obj, m[1] ?? '');
    const s = v === undefined || v === null ? '' : String(v);
    return m[2] === '!=' ? s !== m[3] : s === m[3];
  });
}
