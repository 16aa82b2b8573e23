import { execFile } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';

const run = promisify(execFile);
const EC_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';

/**
 * Certificates made with openssl, as the README tells an organization to make them: CAs, device
 * keys with their CSRs, and device certificates signed by a CA.
 * @example const certs = opensslCerts(dir); const ca = await certs.ca('a'); const d = await certs.device(ca, id);
 */
export function opensslCerts(dir: string) {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const path = (name: string) => join(dir, name);
  let serial = 0x1000;
  return {
    /** A CA (EC P-256, basicConstraints CA:TRUE). */
    async ca(name: string) {
      await openssl(
        ...`req -x509 ${EC_KEY} -keyout ${name}.key -out ${name}.crt -days 30`.split(' '),
        ...['-subj', `/CN=${name} device CA`],
        ...'-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign'.split(' '),
      );
      return {
        name,
        cert: await readFile(path(`${name}.crt`), 'utf8'),
        key: await readFile(path(`${name}.key`), 'utf8'),
      };
    },
    /** A device key and its CSR, subject CN = the device id. */
    async csr(cn: string) {
      const name = `csr-${cn}-${serial++}`;
      await openssl(...`req -new ${EC_KEY} -keyout ${name}.key -out ${name}.csr -subj /CN=${cn}`.split(' '));
      return {
        name,
        key: await readFile(path(`${name}.key`), 'utf8'),
        csr: await readFile(path(`${name}.csr`), 'utf8'),
      };
    },
    /** A device certificate signed by `ca`, for a fresh key; `serial` in hex. */
    async device(ca: { name: string }, cn: string) {
      const { name, key } = await this.csr(cn);
      const hex = (serial++).toString(16);
      await writeFile(path('device.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
      await openssl(
        ...`x509 -req -in ${name}.csr -CA ${ca.name}.crt -CAkey ${ca.name}.key -set_serial 0x${hex}`.split(' '),
        ...`-days 10 -extfile device.ext -out ${name}.crt`.split(' '),
      );
      return { key, cert: await readFile(path(`${name}.crt`), 'utf8'), serial: hex };
    },
  };
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A device certificate signed by the CA that expired yesterday (openssl 3.0 cannot back-date one). */
export async function expiredCertificate(ca: { cert: string; key: string }, cn: string) {
  const der = createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' });
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '7f01',
    subject: `CN=${cn}`,
    issuer: new x509.X509Certificate(ca.cert).subject,
    notBefore: new Date(Date.now() - 10 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: ALG,
  });
  const key = (await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) as ArrayBuffer;
  return {
    cert: cert.toString('pem'),
    key: createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' }).export({
      type: 'pkcs8',
      format: 'pem',
    }) as string,
  };
}
