import { randomBytes } from 'node:crypto';
import { newDeviceSecret } from '@iotp/broker';
import { sha256 } from '../auth/secrets.ts';
import type { EventRecorder } from '../events/domain-events.ts';
import { Conflict, Gone, Invalid, NotFound, Problem } from '../http/problem.ts';
import type { DeviceFilter, DeviceRepository, DeviceRow } from './device.repository.ts';
import { publicDevice } from './device.schemas.ts';
import { GroupService } from './group.service.ts';

export interface DeviceInput {
  name: string;
  type?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
  retention_days?: number;
}

export interface DeviceServiceOptions {
  devices: DeviceRepository;
  /** Where devices connect, shown with their credentials. */
  mqtt: { host: string; port: number };
  /** Drops live MQTT connections of devices whose credentials changed. */
  disconnect?: (deviceIds: string[]) => void;
  /** Refuses devices past the plan's limit (throws a 402 problem). */
  checkLimit?: (orgId: string, adding: number) => Promise<void>;
  /** Records device.created, .updated, .deleted and .credentials_rotated, and groups' changes. */
  events?: EventRecorder;
}

/** The device registry: devices, their credentials and connections, claim codes; and their groups. */
export class DeviceService {
  readonly groups: GroupService;

  constructor(private readonly o: DeviceServiceOptions) {
    this.groups = new GroupService(o.devices, o.events);
  }

  /** Creates a device; its secret is in this answer only. */
  async create(orgId: string, input: DeviceInput) {
    return (await this.createMany(orgId, [input]))[0]!;
  }

  async list(orgId: string, f: DeviceFilter) {
    const rows = await this.o.devices.list(orgId, { ...f, limit: f.limit + 1 });
    const page = rows.slice(0, f.limit);
    return { data: page.map(publicDevice), next_cursor: rows.length > f.limit ? page[page.length - 1]!.id : null };
  }

  async get(orgId: string, id: string) {
    return publicDevice(await this.found(orgId, id));
  }

  async update(
    orgId: string,
    id: string,
    patch: { name?: string; type?: string | null; tags?: string[]; attributes?: Record<string, unknown> },
  ) {
    const row = await this.o.devices.update(orgId, id, patch);
    if (!row) throw new NotFound('No such device');
    // Rules aimed at tags follow a device's tags on every node from this event (rules/retarget.ts).
    const changed = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
    if (changed.length)
      await this.o.events?.record({
        orgId,
        type: 'device.updated',
        subjectType: 'device',
        subjectId: id,
        data: { changed },
      });
    return publicDevice(row);
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.o.devices.delete(orgId, id))) throw new NotFound('No such device');
    this.o.disconnect?.([id]);
    await this.o.events?.record({ orgId, type: 'device.deleted', subjectType: 'device', subjectId: id });
  }

  /** A new secret; the old one stops working and a connection made with it is dropped. */
  async rotate(orgId: string, id: string) {
    await this.found(orgId, id);
    const { secret, hash } = newDeviceSecret();
    await this.o.devices.update(orgId, id, { secretHash: hash, disabledAt: null });
    this.o.disconnect?.([id]);
    await this.o.events?.record({ orgId, type: 'device.credentials_rotated', subjectType: 'device', subjectId: id });
    return { mqtt: this.credentials(id, secret) };
  }

  /** Revokes the credential: the device cannot connect until its credentials are rotated. */
  async revoke(orgId: string, id: string) {
    await this.found(orgId, id);
    await this.o.devices.update(orgId, id, { disabledAt: new Date() });
    this.o.disconnect?.([id]);
  }

  /** Creates up to 1,000 devices at once; the answer holds each one's credentials, once. */
  async createMany(orgId: string, inputs: DeviceInput[]) {
    await this.o.checkLimit?.(orgId, inputs.length);
    const secrets = inputs.map(() => newDeviceSecret());
    const rows = await this.o.devices.createMany(
      inputs.map(({ retention_days, ...input }, i) => ({
        orgId,
        secretHash: secrets[i]!.hash,
        retentionDays: retention_days,
        ...input,
      })),
      (created, tx) => this.recordCreated(created, tx),
    );
    return rows.map((row, i) => ({ ...publicDevice(row), mqtt: this.credentials(row.id, secrets[i]!.secret) }));
  }

  /**
   * Just-in-time registration: the device a certificate of the organization's CA names, made on
   * its first connection; false when it cannot be (the plan has no room for it).
   */
  async adopt(orgId: string, id: string): Promise<boolean> {
    try {
      await this.o.checkLimit?.(orgId, 1);
    } catch (err) {
      if (err instanceof Problem && err.status === 402) return false;
      throw err;
    }
    // No usable secret: the device proves itself with its certificate.
    const value = { id, orgId, name: `device ${id.slice(0, 8)}`, secretHash: '' };
    if (await this.o.devices.createIfAbsent(value, (created, tx) => this.recordCreated(created, tx))) return true;
    // Its first two connections at once: the other one made it.
    return (await this.o.devices.find(orgId, id)) !== undefined;
  }

  async connections(orgId: string, id: string, limit: number) {
    await this.found(orgId, id);
    return (await this.o.devices.connections(id, limit)).map((c) => ({
      address: c.address,
      connected_at: c.connectedAt.toISOString(),
      disconnected_at: c.disconnectedAt?.toISOString() ?? null,
    }));
  }

  /** Mints claim codes for devices to ship with: 80 random bits each, stored only as a hash. */
  async mintClaimCodes(count: number): Promise<string[]> {
    const codes = Array.from({ length: count }, () => {
      const raw = randomBytes(10).toString('hex').toUpperCase();
      return `CLM-${raw.slice(0, 5)}-${raw.slice(5, 10)}-${raw.slice(10, 15)}-${raw.slice(15)}`;
    });
    await this.o.devices.addClaimCodes(codes.map((c) => sha256(normalizeCode(c))));
    return codes;
  }

  /** A customer claims a shipped device into the organization; the device fetches its credentials itself. */
  async claim(orgId: string, input: { code: string } & DeviceInput) {
    // A claimed device is a device like any other: past the plan it would only be refused on MQTT.
    await this.o.checkLimit?.(orgId, 1);
    const { code, retention_days, ...rest } = input;
    const row = await this.o.devices.claim(sha256(normalizeCode(code)), {
      orgId,
      ...rest,
      retentionDays: retention_days,
      // No usable secret until the device fetches one.
      secretHash: '',
    });
    if (!row) throw new Invalid('code: is not a claim code that can be claimed (unknown, mistyped or already claimed)');
    await this.recordCreated([row]);
    return publicDevice(row);
  }

  /** The device's side: its credentials, once, after a customer claimed it. */
  async fetchClaimedCredentials(code: string) {
    const { secret, hash } = newDeviceSecret();
    const result = await this.o.devices.fetchClaimed(sha256(normalizeCode(code)), hash);
    if (result === 'unknown') throw new NotFound('No such claim code');
    if (result === 'unclaimed') throw new Conflict('Not claimed yet: ask again later');
    if (result === 'fetched')
      throw new Gone('Already fetched', 'The credentials were handed out already; rotate them in the API');
    return { mqtt: this.credentials(result.deviceId, secret) };
  }

  /** The ids of a group's devices, for commands (twin routes) and telemetry queries. */
  groupDeviceIds(orgId: string, groupId: string): Promise<string[]> {
    return this.groups.deviceIds(orgId, groupId);
  }

  private async recordCreated(rows: DeviceRow[], tx?: Parameters<EventRecorder['record']>[1]) {
    await this.o.events?.record(
      rows.map((r) => ({
        orgId: r.orgId,
        type: 'device.created' as const,
        subjectType: 'device',
        subjectId: r.id,
        data: { name: r.name },
      })),
      tx,
    );
  }

  private async found(orgId: string, id: string): Promise<DeviceRow> {
    const row = await this.o.devices.find(orgId, id);
    if (!row) throw new NotFound('No such device');
    return row;
  }

  private credentials(id: string, secret: string) {
    return { host: this.o.mqtt.host, port: this.o.mqtt.port, client_id: id, username: id, password: secret };
  }
}

/** Codes are read off labels: case, spaces and dashes do not matter. */
function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
