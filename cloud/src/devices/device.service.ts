import { newDeviceSecret } from '@iotp/broker';
import { NotFound } from '../http/problem.ts';
import type { DeviceFilter, DeviceRepository, DeviceRow } from './device.repository.ts';

export interface DeviceServiceOptions {
  devices: DeviceRepository;
  /** Where devices connect, shown with their credentials. */
  mqtt: { host: string; port: number };
  /** Drops live MQTT connections of devices whose credentials changed. */
  disconnect?: (deviceIds: string[]) => void;
}

/** The device registry: devices, their credentials, their latest values and raw telemetry. */
export class DeviceService {
  constructor(private readonly o: DeviceServiceOptions) {}

  /** Creates a device; its secret is in this answer only. */
  async create(
    orgId: string,
    input: { name: string; type?: string; tags?: string[]; attributes?: Record<string, unknown> },
  ) {
    const { secret, hash } = newDeviceSecret();
    const row = await this.o.devices.create({ orgId, secretHash: hash, ...input });
    return { ...publicDevice(row), mqtt: this.credentials(row.id, secret) };
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
    return publicDevice(row);
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.o.devices.delete(orgId, id))) throw new NotFound('No such device');
    this.o.disconnect?.([id]);
  }

  /** A new secret; the old one stops working and a connection made with it is dropped. */
  async rotate(orgId: string, id: string) {
    await this.found(orgId, id);
    const { secret, hash } = newDeviceSecret();
    await this.o.devices.update(orgId, id, { secretHash: hash, disabledAt: null });
    this.o.disconnect?.([id]);
    return { mqtt: this.credentials(id, secret) };
  }

  /** Revokes the credential: the device cannot connect until its credentials are rotated. */
  async revoke(orgId: string, id: string) {
    await this.found(orgId, id);
    await this.o.devices.update(orgId, id, { disabledAt: new Date() });
    this.o.disconnect?.([id]);
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

export function publicDevice(d: DeviceRow) {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    tags: d.tags,
    attributes: d.attributes,
    online: d.online,
    last_seen: d.lastSeen?.toISOString() ?? null,
    last_address: d.lastAddress,
    firmware_version: d.firmwareVersion,
    credentials_revoked: d.disabledAt !== null,
    created_at: d.createdAt.toISOString(),
  };
}
