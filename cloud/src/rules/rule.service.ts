import type { Orm } from '@iotp/db';
import type { EventRecorder } from '../events/domain-events.ts';
import { Invalid, NotFound } from '../http/problem.ts';
import type { AlarmService } from './alarm.service.ts';
import type { RuleRepository, RuleRow } from './rule.repository.ts';
import { publicRule, RuleCondition, type RuleInput, type RulePatch, type RuleTarget } from './rule.schemas.ts';

export interface RuleServiceOptions {
  repo: RuleRepository;
  orm: Orm;
  /** Clears a disabled or deleted rule's open alarms in the change's transaction. */
  alarms?: Pick<AlarmService, 'clearRule'>;
  /** Told after each change, so the organization's active rules are reloaded (`RuleEngine.reload`). */
  changed?: (orgId: string) => Promise<void>;
  /** Records rule.created, .updated and .deleted, in the change's transaction: other nodes reload on them. */
  events?: EventRecorder;
}

/**
 * Rules of an organization: created, changed and deleted here, then reloaded by the engine. A rule
 * disabled or deleted has its open alarms cleared with it, the reason as their note.
 * @example const rules = new RuleService({ repo, orm, alarms, changed: (orgId) => engine.reload(orgId) });
 */
export class RuleService {
  private readonly repo: RuleRepository;
  private readonly changed: (orgId: string) => Promise<void>;

  constructor(private readonly o: RuleServiceOptions) {
    this.repo = o.repo;
    this.changed = o.changed ?? (async () => {});
  }

  async create(orgId: string, input: RuleInput) {
    await this.checkTarget(orgId, input.target);
    const row = await this.o.orm.transaction(async (tx) => {
      const row = await this.repo.create(
        {
          orgId,
          name: input.name,
          enabled: input.enabled,
          target: input.target,
          kind: input.kind,
          metric: 'metric' in input ? input.metric : null,
          params: input.params,
          severity: input.severity,
          actions: input.actions,
        },
        tx,
      );
      await this.record('rule.created', row, tx);
      return row;
    });
    await this.changed(orgId);
    return publicRule(row);
  }

  async list(orgId: string) {
    return (await this.repo.list(orgId)).map(publicRule);
  }

  async get(orgId: string, id: string) {
    return publicRule(await this.found(orgId, id));
  }

  async update(orgId: string, id: string, patch: RulePatch) {
    const rule = await this.found(orgId, id);
    const { kind, metric, params, ...common } = patch;
    let condition: Partial<RuleCondition> = {};
    if (kind !== undefined || metric !== undefined || params !== undefined) {
      // The condition that results is checked whole: a new kind needs its own params.
      const parsed = RuleCondition.safeParse({
        kind: kind ?? rule.kind,
        metric: metric ?? rule.metric ?? undefined,
        params: params ?? rule.params,
      });
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new Invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
      }
      condition = { metric: null, ...parsed.data } as Partial<RuleCondition>;
    }
    if (common.target) await this.checkTarget(orgId, common.target);
    const row = await this.o.orm.transaction(async (tx) => {
      const row = await this.repo.update(orgId, id, { ...common, ...condition }, tx);
      if (row && !row.enabled) {
        await this.o.alarms?.clearRule(row.id, 'rule disabled', tx);
        // Enabled again, it watches silent devices afresh, as it raises their alarms afresh.
        await this.repo.unsilence(row.id, undefined, tx);
      }
      if (row) await this.record('rule.updated', row, tx);
      return row;
    });
    if (!row) throw new NotFound('No such rule');
    await this.changed(orgId);
    return publicRule(row);
  }

  async delete(orgId: string, id: string) {
    const deleted = await this.o.orm.transaction(async (tx) => {
      // Locked first: no alarm of the rule is raised between the clear and the delete.
      if (!(await this.repo.lock(orgId, id, tx))) return false;
      await this.o.alarms?.clearRule(id, 'rule deleted', tx);
      await this.record('rule.deleted', { id, orgId }, tx);
      return this.repo.delete(orgId, id, tx);
    });
    if (!deleted) throw new NotFound('No such rule');
    await this.changed(orgId);
  }

  private async record(
    type: 'rule.created' | 'rule.updated' | 'rule.deleted',
    rule: Pick<RuleRow, 'id' | 'orgId'> & Partial<RuleRow>,
    tx: Orm,
  ) {
    const data = rule.name === undefined ? {} : { name: rule.name, enabled: rule.enabled };
    await this.o.events?.record({ orgId: rule.orgId, type, subjectType: 'rule', subjectId: rule.id, data }, tx);
  }

  private async found(orgId: string, id: string) {
    const row = await this.repo.find(orgId, id);
    if (!row) throw new NotFound('No such rule');
    return row;
  }

  /** A target names only the organization's own devices and groups. */
  private async checkTarget(orgId: string, target: RuleTarget) {
    if (target.group_id && !(await this.repo.groupExists(orgId, target.group_id))) throw new NotFound('No such group');
    if (target.device_ids) {
      const found = new Set(await this.repo.targetDevices(orgId, target));
      const missing = target.device_ids.filter((d) => !found.has(d));
      if (missing.length)
        throw new Invalid(`target.device_ids: no such device in this organization: ${missing.slice(0, 5).join(', ')}`, {
          errors: [{ path: 'target.device_ids', message: 'no such device in this organization' }],
        });
    }
  }
}
