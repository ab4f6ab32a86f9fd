/**
 * Certificates for the TLS tests of Docker targets, made with the openssl command in a temporary
 * directory, as `docker --tlsverify` setups have them: a CA, the daemon's certificate for
 * 127.0.0.1 and localhost, a client certificate (extendedKeyUsage clientAuth) signed by that CA,
 * and a client certificate from another CA, which the daemon must refuse. Undefined when openssl
 * is not installed (the TLS tests then say they are skipped).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  /** Paths, as a target's tls section names them. */
  caPath: string;
  certPath: string;
  keyPath: string;
  /** A client certificate and key signed by another CA. */
  strangerCertPath: string;
  strangerKeyPath: string;
  /** The daemon's side, as PEM. */
  caCert: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  remove(): void;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeCertificates(): TestCertificates | undefined {
  if (!hasOpenssl()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-docker-tls-'));
  const at = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ca = (name: string) => {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', at(`${name}-key.pem`), '-out', at(`${name}.pem`));
  };
  const signed = (name: string, caName: string, ext: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', at(`${name}-key.pem`), '-out', at(`${name}.csr`));
    writeFileSync(at(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at(`${caName}.pem`), '-CAkey', at(`${caName}-key.pem`), '-CAcreateserial', '-days', '2', '-extfile', at(`${name}.ext`), '-out', at(`${name}.pem`));
  };
  ca('ca');
  ca('other-ca');
  signed('server', 'ca', 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
  signed('client', 'ca', 'extendedKeyUsage = clientAuth\n');
  signed('stranger', 'other-ca', 'extendedKeyUsage = clientAuth\n');
  return {
    dir,
    caPath: at('ca.pem'),
    certPath: at('client.pem'),
    keyPath: at('client-key.pem'),
    strangerCertPath: at('stranger.pem'),
    strangerKeyPath: at('stranger-key.pem'),
    caCert: readFileSync(at('ca.pem')),
    serverCert: readFileSync(at('server.pem')),
    serverKey: readFileSync(at('server-key.pem')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
