import type { EventRecorder } from '../events/domain-events.ts';
import { AlarmRepository } from '../rules/alarm.repository.ts';
import { AlarmService } from '../rules/alarm.service.ts';
import { RuleRepository } from '../rules/rule.repository.ts';
import { RuleService } from '../rules/rule.service.ts';
import { RuleEngine } from '../rules/rule-engine.ts';
import { checkSilence } from '../rules/silence-check.ts';
import type { Wiring } from './wiring.ts';

/**
 * Rules and alarms: the engine that evaluates live rules on the broker's readings (`engine.onReadings`,
 * given to the broker), loaded before the broker takes any; the scheduled check of absence and
 * offline rules, once across the cluster; and each node's periodic reload, for rules changed on
 * other nodes and devices that joined a group or took a tag.
 */
export async function wireRules(
  { db, logger, registry, scheduler }: Wiring,
  parts: {
    /** Sends a rule's command to a device (`TwinService.send`); looked up when a rule fires. */
    sendCommand: (orgId: string, deviceId: string, name: string, params: unknown) => Promise<unknown>;
    events?: EventRecorder;
  },
) {
  const ruleRepo = new RuleRepository(db.orm);
  let engine: RuleEngine | undefined;
  const alarms = new AlarmService({
    repo: new AlarmRepository(db.orm),
    orm: db.orm,
    logger,
    events: parts.events,
    sendCommand: parts.sendCommand,
    forget: (ruleId, deviceId) => engine?.forget(ruleId, deviceId),
  });
  engine = new RuleEngine({ rules: ruleRepo, firing: alarms, logger, registry });
  await engine.reloadAll();
  const live = engine;
  const rules = new RuleService(ruleRepo, (orgId) => live.reload(orgId));
  scheduler.add({ name: 'rules-reload', everyMs: 60_000, scope: 'node', run: () => live.reloadAll() });
  scheduler.add({ name: 'rule-silence', everyMs: 30_000, run: () => checkSilence(ruleRepo, alarms) });
  return { rules, alarms, engine: live };
}
