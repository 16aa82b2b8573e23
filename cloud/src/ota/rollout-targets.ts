import type { DeviceRepository, DeviceRow } from '../devices/device.repository.ts';
import type { OtaRepository, RolloutRow } from './ota.repository.ts';

/** A target device with the board its agent reports in its twin (null: none reported). */
export type TargetDevice = DeviceRow & { hardware: string | null };

/**
 * The devices a rollout's target names (device ids, a group, or tags), each with the hardware its
 * agent reports, which a release's hardware is matched to.
 */
export class RolloutTargets {
  constructor(private readonly o: { repo: OtaRepository; devices: DeviceRepository }) {}

  /** The target's devices, disabled ones included, as a dry run lists them. */
  async devices(orgId: string, target: RolloutRow['target']): Promise<TargetDevice[]> {
    return this.withHardware(await this.rows(orgId, target));
  }

  /** The rollout's enabled target devices: those it may still reach. */
  async enabled(rollout: RolloutRow): Promise<TargetDevice[]> {
    const rows = await this.rows(rollout.orgId, rollout.target);
    return this.withHardware(rows.filter((d) => !d.disabledAt));
  }

  private async rows(orgId: string, t: RolloutRow['target']): Promise<DeviceRow[]> {
    if (t.device_ids) return this.o.repo.devicesIn(orgId, t.device_ids);
    if (t.tags) return this.o.repo.devicesWithTags(orgId, t.tags);
    const group = await this.o.devices.groups.find(orgId, t.group_id!);
    return group ? this.o.devices.groups.devices(group) : [];
  }

  private async withHardware(rows: DeviceRow[]): Promise<TargetDevice[]> {
    const reported = await this.o.repo.reportedHardware(rows.map((d) => d.id));
    return rows.map((d) => ({ ...d, hardware: reported.get(d.id) ?? null }));
  }
}
