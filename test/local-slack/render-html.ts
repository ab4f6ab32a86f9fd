/**
 * A strict little HTML reader for the renderer's tests: it builds the element tree of a fragment
 * and throws on anything the renderer should never produce (a stray `<` or `>` in text, an
 * unquoted attribute, a tag closed out of order), so a test reads what the browser would.
 */

export interface El {
  tag: string;
  attrs: Record<string, string>;
  children: Array<El | string>;
}

const VOID = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

export function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, n: string) => ENTITIES[n] ?? '');
}

function checkText(text: string, at: number): string {
  if (/[<>]/.test(text)) throw new Error(`unescaped markup in text at ${at}: ${JSON.stringify(text.slice(0, 60))}`);
  if (/&(?!(amp|lt|gt|quot|#39);)/.test(text)) throw new Error(`bare & in text at ${at}: ${JSON.stringify(text.slice(0, 60))}`);
  return decode(text);
}

export function parseHtml(html: string): El {
  const root: El = { tag: '#root', attrs: {}, children: [] };
  const stack: El[] = [root];
  const tag = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*")?)*)\s*>/gy;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const top = stack[stack.length - 1] as El;
    if (lt === -1 || lt > i) {
      const end = lt === -1 ? html.length : lt;
      top.children.push(checkText(html.slice(i, end), i));
      i = end;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(html);
    if (!m) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(html.slice(lt, lt + 80))}`);
    const [whole, slash, name = '', rawAttrs = ''] = m;
    if (slash) {
      if (top.tag !== name) throw new Error(`</${name}> closes <${top.tag}> at ${lt}`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of rawAttrs.matchAll(/([a-z][a-z0-9-]*)(?:="([^"]*)")?/g)) {
        const key = a[1] as string;
        if (key in attrs) throw new Error(`attribute ${key} twice on <${name}> at ${lt}`);
        attrs[key] = decode(a[2] ?? '');
      }
      const el: El = { tag: name, attrs, children: [] };
      top.children.push(el);
      if (!VOID.has(name)) stack.push(el);
    }
    i = lt + whole.length;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${(stack[stack.length - 1] as El).tag}>`);
  return root;
}

export function textOf(node: El | string): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}

/** Whitespace-collapsed text, as a person reads it. */
export const readText = (node: El | string): string => textOf(node).replace(/\s+/g, ' ').trim();

function walk(el: El, out: El[]): void {
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    out.push(c);
    walk(c, out);
  }
}

/** One compound selector: `tag`, `.class`, `[attr]`, `[attr="value"]`, combined (`button.sk-button[data-x="y"]`). */
function matcher(compound: string): (el: El) => boolean {
  const parts = compound.match(/^[a-z][a-z0-9]*|\.[A-Za-z0-9_-]+|\[[a-z][a-z0-9-]*(?:="[^"]*")?\]/g) ?? [];
  if (parts.join('') !== compound) throw new Error(`selector not understood: ${compound}`);
  const tests = parts.map((p): ((el: El) => boolean) => {
    if (p.startsWith('.')) return (el) => (el.attrs.class ?? '').split(/\s+/).includes(p.slice(1));
    if (p.startsWith('[')) {
      const m = /^\[([a-z0-9-]+)(?:="([^"]*)")?\]$/.exec(p) as RegExpExecArray;
      return (el) => m[1] as string in el.attrs && (m[2] === undefined || el.attrs[m[1] as string] === m[2]);
    }
    return (el) => el.tag === p;
  });
  return (el) => tests.every((t) => t(el));
}

/** Every element matching a selector (compound selectors joined by spaces = descendants). */
export function all(root: El, selector: string): El[] {
  let scope = [root];
  for (const compound of selector.trim().split(/\s+/)) {
    const match = matcher(compound);
    const found: El[] = [];
    for (const s of scope) {
      const below: El[] = [];
      walk(s, below);
      for (const el of below) if (match(el) && !found.includes(el)) found.push(el);
    }
    scope = found;
  }
  return scope;
}

/** The single element matching; fails when there is none or more than one. */
export function one(root: El, selector: string): El {
  const found = all(root, selector);
  if (found.length !== 1) throw new Error(`${found.length} elements match ${selector}`);
  return found[0] as El;
}

/** Parses and returns the tree (for chaining in tests). */
export const html = parseHtml;
