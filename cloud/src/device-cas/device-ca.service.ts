import { createHash, X509Certificate } from 'node:crypto';
import { normalizeSerial } from '@iotp/broker';
import type { DeviceOrders } from '../cluster/device-orders.ts';
import { NotFound, Problem } from '../http/problem.ts';
import { issueDeviceCertificate, makeCa, readCsr } from './certificate-authority.ts';
import type { DeviceCaRepository, DeviceCaRow } from './device-ca.repository.ts';

/*
 * The problems of this resource; their slugs are a stable, documented API (README "X.509 devices").
 */
/** Not a PEM certificate (or CSR) that can be read. */
export class CertificateInvalid extends Problem {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('certificate-invalid', 400, 'The certificate cannot be read', detail, options);
  }
}
/** A certificate without basicConstraints CA:TRUE, or whose signature is not its own. */
export class NotACa extends Problem {
  constructor(detail = 'basicConstraints CA:TRUE is required, and the certificate must be self-signed or a CA') {
    super('not-a-ca', 400, 'The certificate is not a CA certificate', detail);
  }
}
export class CertificateExpired extends Problem {
  constructor(detail: string) {
    super('certificate-expired', 400, 'The certificate is expired or not yet valid', detail);
  }
}
export class DuplicateCa extends Problem {
  constructor() {
    super('device-ca-duplicate', 409, 'This CA is registered already', 'The organization has this certificate');
  }
}
/** The platform keeps no CA keys without DEVICE_CA_KEY_SECRET, or the CA was registered without its key. */
export class CaKeyUnavailable extends Problem {
  constructor(detail: string) {
    super('device-ca-key-unavailable', 409, 'The platform does not hold this CA key', detail);
  }
}

export interface DeviceCaServiceOptions {
  repo: DeviceCaRepository;
  /** Drops the devices connected with a CA's certificates, or with one serial, on every node. */
  orders: Pick<DeviceOrders, 'disconnect'>;
  /** Encrypts the private keys of CAs the platform makes (DEVICE_CA_KEY_SECRET); none: it makes none. */
  keySecret?: string;
}

const MAX_PEM = 16_384;

/** Organizations' device CAs: registered or made here, changed, revoked certificates, device certificates signed. */
export class DeviceCaService {
  constructor(private readonly o: DeviceCaServiceOptions) {}

  /** Registers the organization's own CA from its certificate (PEM). */
  async register(orgId: string, input: { name: string; certificate_pem: string; auto_register?: boolean }) {
    const cert = readCertificate(input.certificate_pem);
    // A CA signs devices' certificates: basicConstraints CA:TRUE (RFC 5280 section 4.2.1.9).
    if (!cert.ca) throw new NotACa();
    const now = Date.now();
    if (Date.parse(cert.validTo) < now || Date.parse(cert.validFrom) > now)
      throw new CertificateExpired(`valid from ${cert.validFrom} to ${cert.validTo}`);
    return this.add(orgId, cert, input);
  }

  /** Makes a CA whose private key only the platform holds; it then signs device certificates. */
  async generate(orgId: string, input: { name: string; days: number; auto_register?: boolean }) {
    const secret = this.keySecret();
    const made = await makeCa(input.name, input.days, secret);
    return this.add(orgId, new X509Certificate(made.certificatePem), input, made.privateKeyPem);
  }

  async list(orgId: string, q: { limit: number; cursor?: string }) {
    const rows = await this.o.repo.list(orgId, { limit: q.limit + 1, after: q.cursor });
    const page = rows.slice(0, q.limit);
    return { data: page.map(publicCa), next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  async get(orgId: string, id: string) {
    return publicCa(await this.found(orgId, id));
  }

  /** A deactivated CA's devices are dropped at once on every node, and refused until it is active again. */
  async update(orgId: string, id: string, patch: { name?: string; active?: boolean; auto_register?: boolean }) {
    const values = { name: patch.name, active: patch.active, autoRegister: patch.auto_register };
    const row = await this.o.repo.update(
      orgId,
      id,
      Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
    );
    if (!row) throw new NotFound('No such device CA');
    // Deactivated: its devices are dropped on every node. Reactivated: it has none to drop, and every
    // node reads the CAs again. Other changes are read when a refusal may come from them.
    if (patch.active !== undefined) await this.o.orders.disconnect([id]);
    return publicCa(row);
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.o.repo.delete(orgId, id))) throw new NotFound('No such device CA');
    await this.o.orders.disconnect([id]);
  }

  /** Revokes a certificate of the CA by its serial (hex); a device connected with it is dropped. */
  async revoke(orgId: string, id: string, serial: string) {
    await this.found(orgId, id);
    const normal = normalizeSerial(serial.replace(/:/g, ''));
    await this.o.repo.revoke(id, normal);
    await this.o.orders.disconnect([`${id}/${normal}`]);
    return { serial: normal };
  }

  async revocations(orgId: string, id: string) {
    await this.found(orgId, id);
    return (await this.o.repo.revocations(id)).map((r) => ({
      serial: r.serial,
      revoked_at: r.revokedAt.toISOString(),
    }));
  }

  /**
   * Signs a device certificate with a CA the platform made: for a CSR's key, or for a key made here.
   * The device must be the organization's, unless the CA registers devices as they connect.
   */
  async issue(orgId: string, id: string, input: { device_id: string; csr_pem?: string; days: number }) {
    const ca = await this.found(orgId, id);
    if (!ca.privateKeyPem) throw new CaKeyUnavailable('Only a CA made by the platform signs certificates here');
    if (!ca.autoRegister && !(await this.o.repo.hasDevice(orgId, input.device_id)))
      throw new NotFound('No such device');
    const csr = input.csr_pem === undefined ? undefined : await readCsr(input.csr_pem);
    if (input.csr_pem !== undefined && !csr)
      throw new CertificateInvalid('csr_pem: not a PEM certificate signing request with a valid signature');
    const issued = await issueDeviceCertificate(
      { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem, passphrase: this.keySecret() },
      input.device_id,
      input.days,
      csr,
    );
    return {
      device_id: input.device_id,
      serial: normalizeSerial(issued.serial),
      certificate_pem: issued.certificatePem,
      ca_certificate_pem: ca.certificatePem,
      ...(issued.privateKeyPem ? { private_key_pem: issued.privateKeyPem } : {}),
    };
  }

  private keySecret(): string {
    if (!this.o.keySecret) throw new CaKeyUnavailable('Set DEVICE_CA_KEY_SECRET for the platform to keep CA keys');
    return this.o.keySecret;
  }

  private async add(
    orgId: string,
    cert: X509Certificate,
    input: { name: string; auto_register?: boolean },
    privateKeyPem?: string,
  ) {
    const row = await this.o.repo.add({
      orgId,
      name: input.name,
      certificatePem: cert.toString(),
      fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
      subject: cert.subject,
      notAfter: new Date(cert.validTo),
      autoRegister: input.auto_register ?? false,
      privateKeyPem,
    });
    if (!row) throw new DuplicateCa();
    // Every node reads the CAs again: the new one is known at its first device.
    await this.o.orders.disconnect([row.id]);
    return publicCa(row);
  }

  private async found(orgId: string, id: string): Promise<DeviceCaRow> {
    const row = await this.o.repo.find(orgId, id);
    if (!row) throw new NotFound('No such device CA');
    return row;
  }
}

function readCertificate(pem: string): X509Certificate {
  if (pem.length > MAX_PEM || !pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new CertificateInvalid('certificate_pem: one PEM certificate (-----BEGIN CERTIFICATE-----) is required');
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    throw new CertificateInvalid('certificate_pem: not a readable X.509 certificate', { cause });
  }
}

/** A CA as the API shows it: never its private key. */
export function publicCa(r: DeviceCaRow) {
  return {
    id: r.id,
    name: r.name,
    certificate_pem: r.certificatePem,
    fingerprint_sha256: r.fingerprintSha256,
    subject: r.subject,
    not_after: r.notAfter.toISOString(),
    auto_register: r.autoRegister,
    active: r.active,
    platform_key: r.privateKeyPem !== null,
    created_at: r.createdAt.toISOString(),
  };
}
