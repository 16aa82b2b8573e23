import { z } from '@hono/zod-openapi';
import { schema } from '@iotp/db';
import { Tag } from '../devices/device.schemas.ts';
import type { RuleRow } from './rule.repository.ts';

/** How long a condition must hold before a rule fires, in seconds (up to a week). */
const ForS = z.number().int().min(0).max(604_800).default(0);
const Period = z.number().int().min(10).max(2_592_000);
const { RULE_KINDS, SEVERITIES } = schema;
const Metric = z.string().trim().min(1).max(64);

/** What each kind of rule needs: its metric and parameters, checked per kind. */
export const RuleCondition = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('threshold'),
    metric: Metric,
    params: z.object({ op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number(), for_s: ForS }).strict(),
  }),
  z.object({
    kind: z.literal('range'),
    metric: Metric,
    params: z
      .object({ low: z.number(), high: z.number(), for_s: ForS })
      .strict()
      .refine((p) => p.low <= p.high, { message: 'low must not be above high', path: ['low'] }),
  }),
  z.object({
    kind: z.literal('rate'),
    metric: Metric,
    params: z.object({ max_per_s: z.number().positive() }).strict(),
  }),
  z.object({ kind: z.literal('absence'), metric: Metric, params: z.object({ period_s: Period }).strict() }),
  z.object({ kind: z.literal('offline'), params: z.object({ period_s: Period }).strict() }),
]);
export type RuleCondition = z.infer<typeof RuleCondition>;

/** Which devices a rule watches: exactly one of ids, a group, or every device with all the tags. */
export const RuleTarget = z.union([
  z.object({ device_ids: z.array(z.string().uuid()).min(1).max(1000) }).strict(),
  z.object({ group_id: z.string().uuid() }).strict(),
  z.object({ tags: z.array(Tag).min(1).max(16) }).strict(),
]);
export type RuleTarget = { device_ids?: string[]; group_id?: string; tags?: string[] };

/** What a rule does when it fires; 'notify' and 'webhook' reach people and endpoints through the events. */
export const RuleAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('alarm') }).strict(),
  z
    .object({ type: z.literal('command'), name: z.string().trim().min(1).max(100), params: z.unknown().optional() })
    .strict(),
  z.object({ type: z.literal('notify') }).strict(),
  z.object({ type: z.literal('webhook') }).strict(),
]);
export type RuleAction = z.infer<typeof RuleAction>;

const RuleCommon = z.object({
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  target: RuleTarget,
  severity: z.enum(SEVERITIES).default('warning'),
  actions: z
    .array(RuleAction)
    .min(1)
    .max(10)
    .default([{ type: 'alarm' }]),
});

export const RuleInput = z.intersection(RuleCommon, RuleCondition).openapi('RuleInput');
export type RuleInput = z.infer<typeof RuleInput>;

/** A change: any field; the condition that results (kind, metric, params) is checked whole. */
export const RulePatch = RuleCommon.partial()
  .extend({
    kind: z.enum(RULE_KINDS).optional(),
    metric: Metric.optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type RulePatch = z.infer<typeof RulePatch>;

export const Rule = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    enabled: z.boolean(),
    kind: z.enum(RULE_KINDS),
    metric: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    target: z.record(z.string(), z.unknown()),
    severity: z.enum(SEVERITIES),
    actions: z.array(z.record(z.string(), z.unknown())),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Rule');

export function publicRule(r: RuleRow): z.infer<typeof Rule> {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    kind: r.kind,
    metric: r.metric,
    params: r.params,
    target: r.target,
    severity: r.severity,
    actions: r.actions,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}
