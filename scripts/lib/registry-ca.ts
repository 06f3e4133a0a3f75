/**
 * The CA certificate an image build needs to reach the npm registry from this machine, as PEM, or
 * '' when none is needed. Behind a TLS-intercepting proxy the registry's certificate is signed by
 * the proxy's own CA, which the host trusts but a container does not; the image
 * build takes it as EXTRA_CA_CERTS (docker/Dockerfile).
 *
 * Only a root this machine already trusts (NODE_EXTRA_CA_CERTS, npm's cafile, the system store)
 * is returned: this never widens trust.
 *
 *   node scripts/lib/registry-ca.ts      prints the PEM (empty output: nothing needed)
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type PeerCertificate, rootCertificates } from 'node:tls';

export async function registryCa(registry = 'registry.npmjs.org'): Promise<string> {
  const root = await chainRoot(registry);
  if (root === null) return '';
  const isPublic = rootCertificates.some((pem) => new X509Certificate(pem).fingerprint256 === root.fingerprint256);
  if (isPublic) return ''; // containers trust it already
  const match = trustedByHost().find((ca) => ca.fingerprint256 === root.fingerprint256);
  return match === undefined ? '' : match.toString();
}

/** Certificates this machine's Node and npm trust beyond the public roots. */
function trustedByHost(): X509Certificate[] {
  const files = [
    process.env.NODE_EXTRA_CA_CERTS,
    npmCafile(),
    process.env.SSL_CERT_FILE,
    '/etc/ssl/certs/ca-certificates.crt',
  ];
  const certificates: X509Certificate[] = [];
  for (const file of new Set(files)) {
    if (file === undefined || file === null || !existsSync(file)) continue;
    const pems = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    for (const pem of pems) certificates.push(new X509Certificate(pem));
  }
  return certificates;
}

function chainRoot(host: string): Promise<PeerCertificate | null> {
  return new Promise((resolve) => {
    // Only reads the certificate chain; nothing is sent over this connection.
    const socket = connect({ host, port: 443, servername: host, rejectUnauthorized: false, timeout: 10_000 });
    socket.once('secureConnect', () => {
      let cert = socket.getPeerCertificate(true);
      while (cert.issuerCertificate !== undefined && cert.issuerCertificate !== cert) cert = cert.issuerCertificate;
      socket.destroy();
      resolve(cert.raw === undefined ? null : cert);
    });
    socket.once('error', () => resolve(null));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(null);
    });
  });
}

function npmCafile(): string | null {
  try {
    const value = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).trim();
    return value === '' || value === 'null' || value === 'undefined' ? null : value;
  } catch {
    return null;
  }
}

if (import.meta.main) process.stdout.write(await registryCa());
