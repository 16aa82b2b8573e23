import { X509Certificate } from 'node:crypto';
import { type Orm, schema } from '@iotp/db';
import { isCanonicalUuid } from '@iotp/protocol';
import { and, eq } from 'drizzle-orm';
import type { BillingAccount, DeviceIdentity, DeviceStore } from './device-store.ts';
import { type Reason, Rejection } from './reasons.ts';

const { deviceCas, revokedCertificates } = schema;

/** id-kp-clientAuth (RFC 5280 section 4.2.1.12). */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Refusals a stale copy of the CAs may cause: a CA registered, reactivated or set to register devices a moment ago. */
const RETRIED = new Set<Reason>(['certificate_invalid', 'ca_inactive', 'certificate_device_unknown']);

interface Ca {
  id: string;
  orgId: string;
  cert: X509Certificate;
  autoRegister: boolean;
  active: boolean;
}

/** A device that proved itself with a certificate: which one, and the CA and serial it came with. */
/** `account`: the organization's billing account, read with a known device (absent for a new one). */
export type CertificateCheck =
  | { device: DeviceIdentity; caId: string; serial: string; account?: BillingAccount }
  | Rejection;

export interface DeviceCertificatesOptions {
  orm: Orm;
  devices: Pick<DeviceStore, 'find'>;
  /**
   * Just-in-time registration: creates the device in the CA's organization, within its plan's
   * device limit; resolves false when the plan refuses it. None: unknown devices are refused.
   */
  register?: (orgId: string, deviceId: string) => Promise<boolean>;
  /** The CAs read again at most this often when a refusal may come from a stale copy (a CA just added). */
  reloadAfterMs?: number;
  /** And at least this often: a safety net when a node missed an order. */
  maxAgeMs?: number;
  now?: () => number;
}

/** A serial as stored: lower-case hex without leading zeros, as `openssl x509 -serial` prints it, lower-cased. */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

/**
 * Device certificates (X.509): a certificate is verified with node:crypto against the
 * organizations' CAs (kept in memory by issuer name, read again when an order says they changed),
 * its serial must not be revoked, and its subject CN names the device, of the CA's organization
 * only. Only a leaf signed by the CA itself is taken: no intermediate certificates.
 * @example const certs = new DeviceCertificates({ orm, devices }); const check = await certs.check(peer, client.id);
 */
export class DeviceCertificates {
  private cas: Promise<Map<string, Ca[]>> | undefined;
  private loadedAt = 0;
  private readonly o: Required<Omit<DeviceCertificatesOptions, 'register'>> &
    Pick<DeviceCertificatesOptions, 'register'>;

  constructor({ reloadAfterMs = 1000, maxAgeMs = 60_000, now = Date.now, ...o }: DeviceCertificatesOptions) {
    this.o = { reloadAfterMs, maxAgeMs, now, ...o };
  }

  /** Forgets the CAs: they are read again at the next certificate. Every node does it on each device order. */
  forget(): void {
    this.cas = undefined;
  }

  /** Checks a client certificate; the client id must be the device id in its CN, as with a password. */
  async check(cert: X509Certificate, clientId: string): Promise<CertificateCheck> {
    const first = await this.decide(cert, clientId, await this.load());
    if (first instanceof Rejection && RETRIED.has(first.reason) && this.stale(this.o.reloadAfterMs)) {
      this.forget();
      return this.decide(cert, clientId, await this.load());
    }
    return first;
  }

  private async decide(
    cert: X509Certificate,
    clientId: string,
    byIssuer: Map<string, Ca[]>,
  ): Promise<CertificateCheck> {
    const now = this.o.now();
    const within = (c: X509Certificate) => Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo);
    if (!within(cert)) return new Rejection('certificate_invalid', 'expired or not yet valid');
    if (cert.ca) return new Rejection('certificate_invalid', 'a CA certificate is no device');
    if (cert.keyUsage && !cert.keyUsage.includes(CLIENT_AUTH))
      return new Rejection('certificate_invalid', 'extended key usage without clientAuth');
    const signers = (byIssuer.get(cert.issuer) ?? []).filter(
      (ca) => within(ca.cert) && cert.checkIssued(ca.cert) && cert.verify(ca.cert.publicKey),
    );
    if (signers.length === 0) return new Rejection('certificate_invalid', 'not signed by a registered CA');
    const active = signers.filter((ca) => ca.active);
    if (active.length === 0) return new Rejection('ca_inactive');
    const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
    if (!cn || !isCanonicalUuid(cn)) return new Rejection('certificate_invalid', 'CN is not a lower-case device id');
    // Aedes keys sessions by the client id: it must be the device id, before a device is made for it.
    if (cn !== clientId) return new Rejection('client_id_mismatch');
    const serial = normalizeSerial(cert.serialNumber);

    const device = await this.o.devices.find(cn);
    // Never another organization's device: the CA must be one of the device's own organization.
    const ca = device
      ? active.find((c) => c.orgId === device.orgId)
      : (() => {
          // The same CA registered by two organizations: which one a new device joins is not ours to guess.
          const jit = active.filter((c) => c.autoRegister);
          return new Set(jit.map((c) => c.orgId)).size === 1 ? jit[0] : undefined;
        })();
    if (!ca) return new Rejection('certificate_device_unknown', cn);
    if (await this.revoked(ca.id, serial)) return new Rejection('certificate_revoked', serial);
    if (device) {
      if (device.disabled) return new Rejection('not_authorized', 'device disabled');
      return { device: { id: device.id, orgId: device.orgId }, caId: ca.id, serial, account: device.account };
    }
    if (!this.o.register || !(await this.stillRegisters(ca.id))) return new Rejection('certificate_device_unknown', cn);
    if (!(await this.o.register(ca.orgId, cn))) return new Rejection('plan_device_limit');
    return { device: { id: cn, orgId: ca.orgId }, caId: ca.id, serial };
  }

  private stale(ms: number): boolean {
    return this.o.now() - this.loadedAt >= ms;
  }

  private load(): Promise<Map<string, Ca[]>> {
    if (this.cas && !this.stale(this.o.maxAgeMs)) return this.cas;
    this.loadedAt = this.o.now();
    const loading = this.o.orm
      .select({
        id: deviceCas.id,
        orgId: deviceCas.orgId,
        pem: deviceCas.certificatePem,
        autoRegister: deviceCas.autoRegister,
        active: deviceCas.active,
      })
      .from(deviceCas)
      .then((rows) => {
        const byIssuer = new Map<string, Ca[]>();
        for (const { pem, ...row } of rows) {
          const cert = new X509Certificate(pem);
          byIssuer.set(cert.subject, [...(byIssuer.get(cert.subject) ?? []), { ...row, cert }]);
        }
        return byIssuer;
      });
    // A failed read is not kept: the next certificate tries again.
    loading.catch(() => {
      if (this.cas === loading) this.cas = undefined;
    });
    this.cas = loading;
    return loading;
  }

  private async revoked(caId: string, serial: string): Promise<boolean> {
    const rows = await this.o.orm
      .select({ serial: revokedCertificates.serial })
      .from(revokedCertificates)
      .where(and(eq(revokedCertificates.caId, caId), eq(revokedCertificates.serial, serial)));
    return rows.length > 0;
  }

  /** Read afresh before a device is made: auto-registration may have been turned off on another node. */
  private async stillRegisters(caId: string): Promise<boolean> {
    const [row] = await this.o.orm
      .select({ on: deviceCas.autoRegister, active: deviceCas.active })
      .from(deviceCas)
      .where(eq(deviceCas.id, caId));
    return Boolean(row?.on && row.active);
  }
}
