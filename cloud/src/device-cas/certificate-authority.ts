import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** Every key the platform makes: ECDSA P-256 with SHA-256, which every TLS stack on devices speaks. */
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A positive 128-bit serial (RFC 5280 section 4.1.2.2: at most 20 octets, positive). */
function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A private key as PKCS#8 PEM, encrypted with the passphrase (AES-256-CBC, PBKDF2) unless none is given. */
function exportKey(key: CryptoKey, passphrase?: string): string {
  const object = KeyObject.from(key);
  return (
    passphrase
      ? object.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
      : object.export({ type: 'pkcs8', format: 'pem' })
  ) as string;
}

/**
 * A new CA for an organization's devices, valid `days`: its certificate and its private key
 * (PKCS#8 PEM, encrypted with `passphrase`), which only the platform keeps.
 * @example const { certificatePem, privateKeyPem } = await makeCa('Acme devices', 3650, secret);
 */
export async function makeCa(name: string, days: number, passphrase: string) {
  const keys = await keyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    // A plain attribute value: commas and the like would change the name's meaning.
    name: [{ CN: [name.replace(/[^\p{L}\p{N} ._-]/gu, ' ')] }, { O: ['IoT platform device CA'] }],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + days * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: cert.toString('pem'), privateKeyPem: exportKey(keys.privateKey, passphrase) };
}

/** A certificate signing request (PKCS#10) whose signature holds: its sender has the private key. */
export async function readCsr(pem: string): Promise<x509.Pkcs10CertificateRequest | undefined> {
  try {
    const csr = new x509.Pkcs10CertificateRequest(pem);
    return (await csr.verify()) ? csr : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A device certificate signed by the CA: subject CN = the device id, for TLS clients only, valid
 * `days`; for the CSR's key, or for a key made here (then returned, once).
 */
export async function issueDeviceCertificate(
  ca: { certificatePem: string; privateKeyPem: string; passphrase: string },
  deviceId: string,
  days: number,
  csr?: x509.Pkcs10CertificateRequest,
) {
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const der = createPrivateKey({ key: ca.privateKeyPem, passphrase: ca.passphrase }).export({
    type: 'pkcs8',
    format: 'der',
  });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  const made = csr ? undefined : await keyPair();
  const publicKey = csr ? await csr.publicKey.export() : made!.publicKey;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: newSerial(),
    subject: [{ CN: [deviceId] }],
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(Math.min(now + days * DAY_MS, caCert.notAfter.getTime())),
    publicKey,
    signingKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    certificatePem: cert.toString('pem'),
    serial: cert.serialNumber.toLowerCase(),
    privateKeyPem: made ? exportKey(made.privateKey) : undefined,
  };
}
