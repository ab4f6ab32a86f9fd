/** HTML escaping and the few URL checks every renderer goes through. Pure: no DOM, no Node. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML that shows it as typed, safe in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Any value → JSON escaped for a quoted attribute (`data-confirm="…"`); the page reads it back with JSON.parse. */
export function jsonAttr(value: unknown): string {
  return escapeHtml(JSON.stringify(value) ?? 'null');
}

/** Slack sends `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` in text; these are the only entities it uses. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_m, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

const LINK_SCHEMES = /^(https?:\/\/|mailto:)/i;

/** The href a message link may carry: http, https and mailto only (never `javascript:`, `data:`…), or null. */
export function safeLinkHref(url: string): string | null {
  const u = url.trim();
  // Control characters and spaces inside a scheme are how `java\tscript:` slips past a naive check.
  if (/[\u0000-\u001f\u007f\s]/.test(u)) return null;
  return LINK_SCHEMES.test(u) ? u : null;
}

/** Where an image may come from: http or https. */
export function safeImageSrc(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const u = url.trim();
  if (/[\u0000-\u001f\u007f\s]/.test(u)) return null;
  return /^https?:\/\//i.test(u) ? u : null;
}

/** A file link from the console's server: a path on the same origin (`/console/files/…`) or http(s). */
export function safeFileHref(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const u = url.trim();
  if (/[\u0000-\u001f\u007f\s\\]/.test(u)) return null;
  if (u.startsWith('/') && !u.startsWith('//')) return u;
  return /^https?:\/\//i.test(u) ? u : null;
}
