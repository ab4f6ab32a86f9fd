/** What every modal submission reads besides its fields. */

/** private_metadata (or a button's value) as JSON, or undefined when it is not (then the schema refuses it). */
export function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}
