import { Invalid, NotFound } from '../http/problem.ts';
import type { RuleRepository } from './rule.repository.ts';
import { publicRule, RuleCondition, type RuleInput, type RulePatch, type RuleTarget } from './rule.schemas.ts';

/** Rules of an organization: created, changed and deleted here, then reloaded by the engine. */
export class RuleService {
  constructor(
    private readonly repo: RuleRepository,
    /** Told after each change, so the organization's active rules are reloaded (`RuleEngine.reload`). */
    private readonly changed: (orgId: string) => Promise<void> = async () => {},
  ) {}

  async create(orgId: string, input: RuleInput) {
    await this.checkTarget(orgId, input.target);
    const row = await this.repo.create({
      orgId,
      name: input.name,
      enabled: input.enabled,
      target: input.target,
      kind: input.kind,
      metric: 'metric' in input ? input.metric : null,
      params: input.params,
      severity: input.severity,
      actions: input.actions,
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
    const row = await this.repo.update(orgId, id, { ...common, ...condition });
    if (!row) throw new NotFound('No such rule');
    await this.changed(orgId);
    return publicRule(row);
  }

  async delete(orgId: string, id: string) {
    if (!(await this.repo.delete(orgId, id))) throw new NotFound('No such rule');
    await this.changed(orgId);
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
