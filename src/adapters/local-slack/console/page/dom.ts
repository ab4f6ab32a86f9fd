/** Small DOM helpers. Every HTML string handed to them comes from the renderer (escaped). */

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** One element from renderer HTML. */
export function fromHtml(html: string): HTMLElement {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  const el = t.content.firstElementChild;
  if (!(el instanceof HTMLElement)) throw new Error('renderer HTML without an element');
  return el;
}

const drawn = new WeakMap<Element, string>();

/**
 * Makes `container`'s children the given items, in order, touching only what changed: an item
 * whose HTML is the same keeps its element (and its focus, selection, open menus).
 */
export function syncChildren(container: HTMLElement, items: ReadonlyArray<{ key: string; html: string }>): { added: number; changed: number } {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children)) {
    if (child instanceof HTMLElement && child.dataset.key !== undefined) existing.set(child.dataset.key, child);
    else child.remove();
  }
  let added = 0;
  let changed = 0;
  let previous: Element | null = null;
  for (const item of items) {
    let el = existing.get(item.key);
    if (el && drawn.get(el) !== item.html) {
      const next = fromHtml(item.html);
      el.replaceWith(next);
      el = next;
      changed++;
    } else if (!el) {
      el = fromHtml(item.html);
      added++;
    }
    existing.delete(item.key);
    el.dataset.key = item.key;
    drawn.set(el, item.html);
    const want: Element | null = previous ? previous.nextElementSibling : container.firstElementChild;
    if (want !== el) {
      if (previous) previous.after(el);
      else container.prepend(el);
    }
    previous = el;
  }
  for (const el of existing.values()) el.remove();
  return { added, changed };
}

/** Sets the HTML of an element only when it changed (keeps focus and scroll otherwise). */
export function setHtml(el: HTMLElement, html: string): boolean {
  if (drawn.get(el) === html) return false;
  el.innerHTML = html;
  drawn.set(el, html);
  return true;
}

export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
