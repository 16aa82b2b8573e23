import { z } from '@hono/zod-openapi';
import type { DeviceRow } from './device.repository.ts';

/** A device as the API shows it, and the parts of its requests that groups share. */

export const Tag = z.string().regex(/^[\w.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -');
export const Attributes = z
  .record(z.string().max(64), z.unknown())
  .refine((a) => JSON.stringify(a).length <= 16_384, 'must be at most 16 KiB as JSON');
export const RetentionDays = z.number().int().min(1).max(3650);

export const Device = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    type: z.string().nullable(),
    tags: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    online: z.boolean(),
    last_seen: z.string().nullable(),
    last_address: z.string().nullable(),
    firmware_version: z.string().nullable(),
    retention_days: z.number().nullable(),
    credentials_revoked: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Device');

/** A row as `Device`. */
export function publicDevice(d: DeviceRow): z.infer<typeof Device> {
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
    retention_days: d.retentionDays,
    credentials_revoked: d.disabledAt !== null,
    created_at: d.createdAt.toISOString(),
  };
}
