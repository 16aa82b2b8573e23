import type { EventFeed, EventRecorder } from '../events/domain-events.ts';
import { AlarmRepository } from '../rules/alarm.repository.ts';
import { AlarmService } from '../rules/alarm.service.ts';
import { followRuleChanges } from '../rules/retarget.ts';
import { RuleRepository } from '../rules/rule.repository.ts';
import { RuleService } from '../rules/rule.service.ts';
import { RuleEngine } from '../rules/rule-engine.ts';
import { checkSilence } from '../rules/silence-check.ts';
import type { Wiring } from './wiring.ts';

/**
 * Rules and alarms: the engine that evaluates live rules on the broker's readings (`engine.onReadings`,
 * given to the broker), loaded before the broker takes any; the scheduled check of absence and
 * offline rules, once across the cluster; each node's reload of an organization's rules when its
 * devices or groups change (from the live events, so on every node); and each node's periodic
 * reload, for rules changed on other nodes and anything an event missed.
 */
export async function wireRules(
  { db, logger, registry, scheduler, onClose }: Wiring,
  parts: {
    /** Sends a rule's command to a device (`TwinService.send`); looked up when a rule fires. */
    sendCommand: (orgId: string, deviceId: string, name: string, params: unknown) => Promise<unknown>;
    /** Records alarm and rule events; its live feed tells the engine of device and group changes. */
    events?: EventRecorder & EventFeed;
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
  const rules = new RuleService({
    repo: ruleRepo,
    orm: db.orm,
    alarms,
    events: parts.events,
    changed: (orgId) => live.reload(orgId),
  });
  if (parts.events) {
    const stop = followRuleChanges(parts.events, live);
    onClose(async () => stop());
  }
  scheduler.add({ name: 'rules-reload', everyMs: 60_000, scope: 'node', run: () => live.reloadAll() });
  scheduler.add({ name: 'rule-silence', everyMs: 30_000, run: () => checkSilence(ruleRepo, alarms) });
  return { rules, alarms, engine: live };
}
