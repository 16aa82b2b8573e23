import { Invalid, NotFound, Problem } from '../http/problem.ts';
import type { TaskHandler } from '../tasks/task.service.ts';
import type { DeviceService } from './device.service.ts';

export const DEVICE_BULK = 'device-bulk';

/** What a bulk operation does to each device. */
export type BulkOperation =
  | { type: 'add_tags'; tags: string[] }
  | { type: 'remove_tags'; tags: string[] }
  | { type: 'move_to_group'; group_id: string; from_group_id?: string }
  | { type: 'disable' }
  | { type: 'delete' };

/** Which devices: named ones, those with a tag, or a group's; resolved when the task runs. */
export type BulkSelector = { device_ids: string[] } | { tag: string } | { group_id: string };

export interface BulkInput {
  operation: BulkOperation;
  selector: BulkSelector;
}

/** As many tags as one device may hold (the device API's own limit). */
const MAX_TAGS = 32;
const BATCH = 100;
/** Failures listed in the result; past this only counted. */
const LISTED = 1000;

/**
 * Applies one operation to every selected device of the task's organization, a batch at a time,
 * through the same `DeviceService` calls (and so the same checks and domain events) as the
 * single-device API. A device refused (missing, of another organization, over a limit) is a
 * failure in the result; anything else fails the attempt, which is retried.
 * @example tasks.handle(DEVICE_BULK, deviceBulk({ devices }));
 */
export function deviceBulk({ devices }: { devices: DeviceService }): TaskHandler {
  return async ({ task, progress }) => {
    const { operation, selector } = task.input as unknown as BulkInput;
    const orgId = task.orgId;
    const ids = await selected(devices, orgId, selector);
    const apply = operationOf(devices, orgId, operation);
    const failures: { device_id: string; reason: string }[] = [];
    let failed = 0;
    for (let i = 0; i < ids.length; i += BATCH) {
      for (const id of ids.slice(i, i + BATCH)) {
        try {
          await apply(id);
        } catch (err) {
          if (!(err instanceof Problem)) throw err;
          failed++;
          if (failures.length < LISTED) failures.push({ device_id: id, reason: err.detail ?? err.title });
        }
      }
      await progress(((i + BATCH) / ids.length) * 100);
    }
    return {
      operation: operation.type,
      matched: ids.length,
      succeeded: ids.length - failed,
      failed,
      failures,
      failures_truncated: failed > failures.length,
    };
  };
}

/** The selected devices' ids; named ids are kept as given and refused one by one if not the organization's. */
async function selected(devices: DeviceService, orgId: string, selector: BulkSelector): Promise<string[]> {
  if ('device_ids' in selector) return [...new Set(selector.device_ids)];
  if ('group_id' in selector) return devices.groupDeviceIds(orgId, selector.group_id);
  const ids: string[] = [];
  for (let after: string | undefined; ; ) {
    const page = await devices.list(orgId, { tag: selector.tag, after, limit: 500 });
    ids.push(...page.data.map((d) => d.id));
    if (!page.next_cursor) return ids;
    after = page.next_cursor;
  }
}

function operationOf(devices: DeviceService, orgId: string, op: BulkOperation): (id: string) => Promise<unknown> {
  switch (op.type) {
    case 'add_tags':
    case 'remove_tags':
      return async (id) => {
        const { tags } = await devices.get(orgId, id);
        const next =
          op.type === 'add_tags'
            ? [...new Set([...tags, ...op.tags])]
            : tags.filter((t: string) => !op.tags.includes(t));
        if (next.length > MAX_TAGS) throw new Invalid(`tags: a device holds at most ${MAX_TAGS} tags`);
        if (next.length !== tags.length) await devices.update(orgId, id, { tags: next });
      };
    case 'move_to_group':
      return async (id) => {
        await devices.groups.addDevice(orgId, op.group_id, id);
        if (!op.from_group_id) return;
        // Not in the group it leaves: moved all the same.
        await devices.groups.removeDevice(orgId, op.from_group_id, id).catch((err) => {
          if (!(err instanceof NotFound)) throw err;
        });
      };
    case 'disable':
      return (id) => devices.revoke(orgId, id);
    case 'delete':
      return (id) => devices.delete(orgId, id);
  }
}
