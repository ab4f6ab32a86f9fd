/**
 * The host key a target is pinned to, from the configuration only: a `SHA256:` fingerprint (what
 * `ssh-keygen -lf` prints) or a public key as a known_hosts line (`host ssh-ed25519 AAAA…`, the
 * host names are not used) or as a `.pub` file holds it. A server presenting any other key is
 * refused during the handshake: nothing is ever trusted on first use.
 */
import { createHash } from 'node:crypto';

export type HostKeyPin = { kind: 'fingerprint'; fingerprint: string } | { kind: 'key'; type: string; blob: Buffer; fingerprint: string };

const KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `SHA256:…` of a key blob, as OpenSSH writes it (base64 without padding). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a blob names in its first field (a length-prefixed string). */
function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : undefined;
}

/** Reads one pin, or says what is wrong with it. */
export function parseHostKeyPin(text: string): HostKeyPin | string {
  const trimmed = text.trim();
  if (trimmed.startsWith('SHA256:')) {
    return FINGERPRINT.test(trimmed) ? { kind: 'fingerprint', fingerprint: trimmed } : 'a SHA256: fingerprint is "SHA256:" and 43 base64 characters, as `ssh-keygen -lf` prints it';
  }
  if (trimmed.startsWith('@')) return 'a marked known_hosts line (@cert-authority, @revoked) cannot pin a host: give the host\'s own key';
  const words = trimmed.split(/\s+/);
  const at = words.findIndex((w) => (KEY_TYPES as readonly string[]).includes(w));
  if (at < 0 || at > 1) {
    return `expected a SHA256: fingerprint or a known_hosts line with one of ${KEY_TYPES.join(', ')} (\`ssh-keyscan -t ed25519 HOST\` prints one; check it out of band)`;
  }
  const type = words[at] as string;
  const data = words[at + 1] ?? '';
  if (!BASE64.test(data)) return `the ${type} key is not base64`;
  const blob = Buffer.from(data, 'base64');
  if (blobType(blob) !== type) return `the key says it is ${blobType(blob) ?? 'nothing readable'}, not ${type}`;
  return { kind: 'key', type, blob, fingerprint: fingerprintOf(blob) };
}

/** Whether the key the server presented (its blob) is one of the pins. */
export function matchesPin(pins: readonly HostKeyPin[], blob: Buffer): boolean {
  const fingerprint = fingerprintOf(blob);
  return pins.some((p) => (p.kind === 'key' ? p.blob.equals(blob) : p.fingerprint === fingerprint));
}

/**
 * The host key algorithms to offer: only those of the pinned keys when every pin is a key (so the
 * server presents the one pinned), else the client's defaults (a fingerprint names no type).
 */
export function hostKeyAlgorithms(pins: readonly HostKeyPin[]): string[] | undefined {
  if (pins.some((p) => p.kind === 'fingerprint')) return undefined;
  const out = new Set<string>();
  for (const p of pins) {
    if (p.kind !== 'key') continue;
    if (p.type === 'ssh-rsa') for (const a of ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']) out.add(a);
    else out.add(p.type);
  }
  return [...out];
}
