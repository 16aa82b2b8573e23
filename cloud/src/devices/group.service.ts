import type { DomainEvent, EventRecorder } from '../events/domain-events.ts';
import { Conflict, Invalid, NotFound } from '../http/problem.ts';
import type { DeviceRepository } from './device.repository.ts';
import { publicDevice } from './device.schemas.ts';
import type { GroupRow } from './group.repository.ts';

/** Device groups: static ones filled by hand, dynamic ones holding every device with all their tags. */
export class GroupService {
  constructor(
    private readonly devices: DeviceRepository,
    /** Records groups' changes of membership: rules aimed at groups follow them (rules/retarget.ts). */
    private readonly events?: EventRecorder,
  ) {}

  private get repo() {
    return this.devices.groups;
  }

  async create(orgId: string, input: { name: string; kind: 'static' | 'dynamic'; tags?: string[] }) {
    if (input.kind === 'dynamic' && !input.tags?.length)
      throw new Invalid('tags: a dynamic group needs at least one tag');
    const row = await this.repo.create({ orgId, name: input.name, kind: input.kind, tags: input.tags ?? [] });
    if (!row) throw new Conflict(`A group named ${input.name} exists`);
    return publicGroup(row);
  }

  async list(orgId: string) {
    return (await this.repo.list(orgId)).map(publicGroup);
  }

  async update(orgId: string, id: string, patch: { name?: string; tags?: string[] }) {
    const row = await this.repo.update(orgId, id, patch);
    if (!row) throw new NotFound('No such group');
    if (patch.tags) await this.record(orgId, 'group.updated', id, { changed: ['tags'] });
    return publicGroup(row);
  }

  async delete(orgId: string, id: string) {
    if (!(await this.repo.delete(orgId, id))) throw new NotFound('No such group');
    await this.record(orgId, 'group.deleted', id);
  }

  async addDevice(orgId: string, groupId: string, deviceId: string) {
    const group = await this.found(orgId, groupId);
    if (group.kind === 'dynamic') throw new Conflict('A dynamic group takes its devices from their tags');
    if (!(await this.devices.find(orgId, deviceId))) throw new NotFound('No such device');
    await this.repo.addMember(groupId, deviceId);
    await this.record(orgId, 'group.device_added', groupId, { device_id: deviceId });
  }

  async removeDevice(orgId: string, groupId: string, deviceId: string) {
    await this.found(orgId, groupId);
    if (!(await this.repo.removeMember(groupId, deviceId))) throw new NotFound('That device is not in the group');
    await this.record(orgId, 'group.device_removed', groupId, { device_id: deviceId });
  }

  /** The ids of a group's devices, for commands and telemetry queries. */
  async deviceIds(orgId: string, groupId: string): Promise<string[]> {
    return (await this.repo.devices(await this.found(orgId, groupId))).map((d) => d.id);
  }

  async groupDevices(orgId: string, groupId: string) {
    return (await this.repo.devices(await this.found(orgId, groupId))).map(publicDevice);
  }

  private async record(orgId: string, type: DomainEvent['type'], groupId: string, data?: Record<string, unknown>) {
    await this.events?.record({ orgId, type, subjectType: 'group', subjectId: groupId, data });
  }

  private async found(orgId: string, id: string) {
    const group = await this.repo.find(orgId, id);
    if (!group) throw new NotFound('No such group');
    return group;
  }
}

function publicGroup(g: GroupRow) {
  return { id: g.id, name: g.name, kind: g.kind, tags: g.tags, created_at: g.createdAt.toISOString() };
}
