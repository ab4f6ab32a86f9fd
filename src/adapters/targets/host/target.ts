/**
 * A configured Linux host: where to reach it over SSH (address, user, a private key file, the
 * host key it is pinned to), the systemd units Firebreak may read and restart (the only units it
 * can name), whether restarts go through sudo, its timeouts and thresholds. From configuration
 * only, never from user input.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { durationThreshold, targetName, wholeNumber } from '../shared/schema.js';
import { UNIT_NAME_RULE, unitName } from './commands.js';
import { parseHostKeyPin } from './host-key.js';
import { hostThresholdsSchema, type HostThresholds } from './thresholds.js';

export interface HostUnit {
  /** The full unit name ("api.service"). */
  name: string;
  /** Restarting it is a critical action (two people) rather than a high one. */
  critical: boolean;
}

export interface HostTarget {
  name: string;
  /** A host name or an IP address. */
  host: string;
  port: number;
  user: string;
  /** The private key file (OpenSSH or PEM); a leading "~" is the home directory. */
  privateKey: string;
  passphrase?: string | undefined;
  /** The host keys accepted: SHA256: fingerprints or known_hosts lines (any one of them). */
  hostKey: string[];
  /** Restarts run as `sudo -n systemctl restart <unit>`. */
  sudo: boolean;
  units: HostUnit[];
  /** Milliseconds until the SSH session is ready (TCP, handshake, host key, authentication). */
  connectTimeout?: number | undefined;
  /** Milliseconds for each read command. */
  commandTimeout?: number | undefined;
  /** Milliseconds host.restart-unit waits before checking `systemctl is-active` (10 s, as seed 000 does). */
  verifyAfter?: number | undefined;
  thresholds?: Partial<HostThresholds> | undefined;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
export const DEFAULT_VERIFY_AFTER_MS = 10_000;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

const unitSchema = z.union(
  [
    z.string(),
    z.object({ name: z.string({ error: 'expected the unit name' }), critical: z.boolean({ error: 'expected true or false' }).optional() }).strict(),
  ],
  { error: 'expected a unit name like api.service, or { name: api.service, critical: true }' },
).transform((u, ctx): HostUnit => {
  const raw = typeof u === 'string' ? u : u.name;
  const name = unitName(raw.trim());
  if (name === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${UNIT_NAME_RULE}, got ${JSON.stringify(raw.slice(0, 80))}` });
    return z.NEVER;
  }
  return { name, critical: typeof u === 'string' ? false : u.critical === true };
});

const pinSchema = z.string({ error: 'expected a SHA256: fingerprint or a known_hosts line' }).superRefine((text, ctx) => {
  const pin = parseHostKeyPin(text);
  if (typeof pin === 'string') ctx.addIssue({ code: 'custom', message: pin });
});

const text = (what: string) => z.string({ error: (i) => (i.input === undefined ? `required: ${what}` : `expected ${what}`) });

/** One entry of `targets.hosts` in the configuration. */
export const hostTargetSchema = z
  .object({
    name: targetName,
    host: text('the host name or IP address to reach over SSH').refine((h) => HOSTNAME.test(h) || (h.includes(':') && IPV6.test(h)), {
      message: 'expected a host name or an IP address, like web1.example.com or 10.0.0.5',
    }),
    port: wholeNumber(1, 65535).default(22),
    user: text('the user Firebreak logs in as, like firebreak').regex(USER, { message: 'expected a user name: letters, digits, "_", "." and "-"' }),
    privateKey: text('the path of the private key file, like "${FIREBREAK_SSH_KEY}"').min(1, 'expected the path of the private key file'),
    passphrase: z
      .string({ error: 'expected the passphrase of the private key' })
      .transform((p) => (p === '' ? undefined : p))
      .optional(),
    hostKey: z.preprocess(
      (v) => (typeof v === 'string' ? [v] : v),
      z
        .array(pinSchema, {
          error: (i) =>
            i.input === undefined
              ? 'required: the host key, as a SHA256: fingerprint or a known_hosts line (checked out of band: Firebreak never trusts a key on first use)'
              : 'expected a SHA256: fingerprint or a known_hosts line, or a list of them',
        })
        .min(1, 'pin at least one host key')
        .max(10, 'at most 10 host keys'),
    ),
    sudo: z.boolean({ error: 'expected true or false' }).default(false),
    units: z.array(unitSchema, { error: 'expected a list of systemd units, like [api.service]' }).max(50, 'at most 50 units').default([]),
    connectTimeout: durationThreshold('ms', { whole: true }).optional(),
    commandTimeout: durationThreshold('ms', { whole: true }).optional(),
    verifyAfter: durationThreshold('ms', { whole: true, zero: true })
      .refine((ms) => ms <= 60_000, { message: 'at most 1m: the check after a restart must fit in its 2 minutes' })
      .optional(),
    thresholds: hostThresholdsSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    for (const u of t.units) {
      if (seen.has(u.name)) ctx.addIssue({ code: 'custom', path: ['units'], message: `unit ${u.name} is listed more than once` });
      seen.add(u.name);
    }
  });

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

/** The configured unit of that name ("api" is api.service), if it is one. */
export function configuredUnit(target: HostTarget, name: string): HostUnit | undefined {
  const full = unitName(name);
  return full === undefined ? undefined : target.units.find((u) => u.name === full);
}

export const connectTimeoutOf = (t: HostTarget): number => t.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
export const commandTimeoutOf = (t: HostTarget): number => t.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS;
export const verifyAfterOf = (t: HostTarget): number => t.verifyAfter ?? DEFAULT_VERIFY_AFTER_MS;
