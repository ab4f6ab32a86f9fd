/**
 * An SSH session to a configured host, with ssh2: key authentication only (the configured private
 * key file, nothing else is ever tried), the host key checked against the configured pins during
 * the handshake (an unknown or changed key is refused, never accepted on first use), a connect
 * timeout, and a timeout on each command. Only HostCommand values (commands.ts) can be run. Every
 * failure is a HostError whose message and recommendation are meant for people.
 */
import { readFile } from 'node:fs/promises';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { lazyModule } from '../shared/lazy-module.js';
import type { HostCommand } from './commands.js';
import { fingerprintOf, hostKeyAlgorithms, matchesPin, parseHostKeyPin, type HostKeyPin } from './host-key.js';
import { commandTimeoutOf, connectTimeoutOf, expandHome, type HostTarget } from './target.js';

// ssh2 is CommonJS: its exports are read from the default import under ESM.
/** ssh2, loaded once a host target is used. */
const ssh2 = lazyModule<typeof import('ssh2')>('ssh2', import.meta.url);

export type HostFailure = 'key-file' | 'timeout' | 'network' | 'host-key' | 'auth' | 'closed';

export class HostError extends Error {
  constructor(
    readonly kind: HostFailure,
    message: string,
    readonly recommendation: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

/** What the session must stay within: the probe's or the action's deadline. */
export interface Bounds {
  deadline: number;
  signal: AbortSignal;
}

export interface CommandOutput {
  /** The exit status; null when the command ended on a signal or was cut. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** The output went past the command's maxBytes: what was read is kept, the rest dropped. */
  cut: boolean;
}

export type CommandRead = { ok: true; value: CommandOutput } | { ok: false; error: string; timeout: boolean };

export interface HostSession {
  run(command: HostCommand): Promise<CommandRead>;
  close(): void;
}

/** At most this many channels at once (OpenSSH allows 10 sessions per connection by default). */
const CHANNELS = 4;
const STDERR_BYTES = 16 * 1024;

const where = (t: HostTarget): string => `${t.user}@${t.host}:${t.port}`;

const ADVICE = {
  network: 'Check that the host is up, that sshd listens on this address and port, and that no firewall stands between Firebreak and it.',
  timeout: 'Check that sshd on the host answers (a port that accepts but never speaks is often a firewall, a load balancer or a hung sshd), or raise connectTimeout.',
  auth: 'Add the public half of the private key to the user\'s ~/.ssh/authorized_keys on the host, and check the user name and the key file in the configuration.',
  hostKey:
    'Firebreak never connects to a host whose key is unknown or changed. If the host was reinstalled or its key rotated, check the new key out of band (on the host: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and update hostKey; otherwise treat it as a possible interception.',
  keyFile: 'Check privateKey (a file readable by Firebreak, OpenSSH or PEM format) and passphrase in the configuration.',
} as const;

/** The configured private key, read and checked before any connection. */
async function privateKey(target: HostTarget): Promise<Buffer> {
  const file = expandHome(target.privateKey);
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new HostError('key-file', `cannot read the private key file ${file}: ${why}`, ADVICE.keyFile);
  }
  const parsed = ssh2().utils.parseKey(data, target.passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key) {
    const message = key instanceof Error ? key.message : 'no key in it';
    const why = /passphrase|decrypt|bad decrypt/i.test(message) ? (target.passphrase ? 'the passphrase does not open it' : 'it is encrypted and no passphrase is configured') : message;
    throw new HostError('key-file', `cannot use the private key file ${file}: ${why}`, ADVICE.keyFile);
  }
  if (!key.isPrivateKey()) throw new HostError('key-file', `the file ${file} holds a public key, not a private one`, ADVICE.keyFile);
  return data;
}

function pinsOf(target: HostTarget): HostKeyPin[] {
  const pins = target.hostKey.map(parseHostKeyPin);
  const bad = pins.find((p): p is string => typeof p === 'string');
  if (bad !== undefined || pins.length === 0) throw new HostError('host-key', `the configured hostKey is not usable: ${bad ?? 'none given'}`, ADVICE.hostKey);
  return pins as HostKeyPin[];
}

function connectFailure(target: HostTarget, err: Error & { level?: string; code?: string }, presented: { fingerprint: string; type: string } | undefined, budget: number): HostError {
  const message = err.message ?? String(err);
  if (presented && err.level === 'handshake' && /Host denied/i.test(message)) {
    return new HostError('host-key', `the host key of ${target.host} (${presented.type} ${presented.fingerprint}) is not the one pinned in the configuration (hostKey): refused`, ADVICE.hostKey);
  }
  if (err.level === 'handshake' && /host key/i.test(message)) {
    return new HostError('host-key', `${where(target)} has no host key of the pinned type (${message})`, ADVICE.hostKey);
  }
  if (err.level === 'client-authentication') {
    return new HostError('auth', `${where(target)} refused the private key ${target.privateKey} for user ${target.user}`, ADVICE.auth);
  }
  if (err.level === 'client-timeout') {
    return new HostError('timeout', `no SSH session with ${where(target)} within ${budget} ms`, ADVICE.timeout);
  }
  const code = err.code ? `${err.code}: ` : '';
  const text = code && message.includes(err.code as string) ? message : `${code}${message}`;
  return new HostError('network', `cannot reach ${where(target)}: ${text}`, ADVICE.network);
}

/** A counting lock: at most `n` holders at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Opens the session, within the target's connect timeout and the deadline. Rejects with a
 * HostError (never anything else) when it cannot.
 */
export async function openSession(target: HostTarget, bounds: Bounds): Promise<HostSession> {
  const pins = pinsOf(target);
  const key = await privateKey(target);
  const budget = Math.floor(Math.min(connectTimeoutOf(target), bounds.deadline - Date.now()));
  if (budget <= 0 || bounds.signal.aborted) throw new HostError('timeout', `no time left to connect to ${where(target)}`, ADVICE.timeout);

  const client = new (ssh2().Client)();
  let presented: { fingerprint: string; type: string } | undefined;
  let closed = false;
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError ??= err));
  client.on('close', () => (closed = true));

  const algorithms = hostKeyAlgorithms(pins);
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    privateKey: key,
    ...(target.passphrase !== undefined ? { passphrase: target.passphrase } : {}),
    // Only the key: no password, no agent, no keyboard-interactive, not even "none".
    authHandler: ['publickey'],
    hostVerifier: (blob: Buffer): boolean => {
      presented = { fingerprint: fingerprintOf(blob), type: blob.length > 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') : '?' };
      return matchesPin(pins, blob);
    },
    readyTimeout: budget,
    keepaliveInterval: 0,
    ...(algorithms ? { algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
  };

  const destroy = (): void => {
    try {
      client.destroy();
    } catch {
      /* already gone */
    }
  };
  const onAbort = (): void => destroy();
  bounds.signal.addEventListener('abort', onAbort, { once: true });

  try {
    await new Promise<void>((resolve, reject) => {
      // readyTimeout covers the handshake; this also covers a name lookup that never ends.
      const timer = setTimeout(() => {
        destroy();
        reject(new HostError('timeout', `no SSH session with ${where(target)} within ${budget} ms`, ADVICE.timeout));
      }, budget + 250);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        client.removeListener('ready', onReady);
        client.removeListener('error', onError);
        client.removeListener('close', onClose);
        bounds.signal.removeEventListener('abort', onAbortConnect);
        fn();
      };
      const onReady = () => settle(resolve);
      const onError = (err: Error) => settle(() => reject(connectFailure(target, err, presented, budget)));
      const onClose = () => settle(() => reject(lastError ? connectFailure(target, lastError, presented, budget) : new HostError('closed', `${where(target)} closed the connection before the session was ready`, ADVICE.network)));
      const onAbortConnect = () => settle(() => reject(new HostError('timeout', `no SSH session with ${where(target)} before the deadline`, ADVICE.timeout)));
      client.once('ready', onReady);
      client.once('error', onError);
      client.once('close', onClose);
      bounds.signal.addEventListener('abort', onAbortConnect, { once: true });
      try {
        client.connect(config);
      } catch (err) {
        settle(() => reject(new HostError('key-file', `cannot use the private key: ${(err as Error).message}`, ADVICE.keyFile)));
      }
    });
  } catch (err) {
    bounds.signal.removeEventListener('abort', onAbort);
    destroy();
    throw err;
  }

  const gate = limiter(CHANNELS);
  const commandMs = commandTimeoutOf(target);

  function exec(command: HostCommand): Promise<CommandRead> {
    // A long command (a restart) may use the whole deadline, less a moment to report.
    const ms = Math.floor(command.long ? bounds.deadline - Date.now() - 500 : Math.min(commandMs, bounds.deadline - Date.now()));
    if (ms <= 0) return Promise.resolve({ ok: false, error: `${command.what}: no time left`, timeout: true });
    if (closed) return Promise.resolve({ ok: false, error: `${command.what}: the SSH connection is closed${lastError ? ` (${lastError.message})` : ''}`, timeout: false });
    return new Promise<CommandRead>((resolve) => {
      let stream: ClientChannel | undefined;
      let done = false;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let cut = false;
      let code: number | null = null;
      const finish = (read: CommandRead) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        client.removeListener('close', onClientClose);
        resolve(read);
      };
      const stop = () => {
        try {
          stream?.signal('KILL');
        } catch {
          /* not every server takes signals */
        }
        try {
          stream?.close();
        } catch {
          /* already closed */
        }
      };
      const timer = setTimeout(() => {
        stop();
        finish({ ok: false, error: `${command.what}: no answer within ${ms} ms`, timeout: true });
      }, ms);
      const onClientClose = () => finish({ ok: false, error: `${command.what}: the SSH connection closed${lastError ? ` (${lastError.message})` : ''}`, timeout: false });
      client.once('close', onClientClose);
      try {
        client.exec(command.line, (e, s) => {
          if (e) return finish({ ok: false, error: `${command.what}: ${e.message}`, timeout: false });
          stream = s;
          if (done) return stop();
          s.on('data', (chunk: Buffer) => {
            if (cut) return;
            if (outBytes + chunk.length > command.maxBytes) {
              out.push(chunk.subarray(0, command.maxBytes - outBytes));
              outBytes = command.maxBytes;
              cut = true;
              stop();
              return;
            }
            out.push(chunk);
            outBytes += chunk.length;
          });
          s.stderr.on('data', (chunk: Buffer) => {
            if (errBytes >= STDERR_BYTES) return;
            err.push(chunk.subarray(0, STDERR_BYTES - errBytes));
            errBytes += chunk.length;
          });
          s.on('exit', (c: number | null) => (code = typeof c === 'number' ? c : null));
          s.on('error', () => undefined); // the connection's own error is reported by 'close'
          s.on('close', () =>
            finish({ ok: true, value: { code: cut ? null : code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), cut } }),
          );
        });
      } catch (e) {
        finish({ ok: false, error: `${command.what}: ${(e as Error).message}`, timeout: false });
      }
    });
  }

  return {
    run: (command) => gate(() => exec(command)),
    close() {
      bounds.signal.removeEventListener('abort', onAbort);
      if (closed) return;
      client.end();
      // A server that never acknowledges the goodbye does not keep the socket.
      setTimeout(destroy, 1000).unref();
    },
  };
}

/** Opens a session, runs `fn` with it and closes it, whatever happens. */
export async function withSession<R>(target: HostTarget, bounds: Bounds, fn: (s: HostSession) => Promise<R>): Promise<R> {
  const session = await openSession(target, bounds);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}
