import type { RuleRepository } from './rule.repository.ts';
import type { RuleTarget } from './rule.schemas.ts';
import type { Firing } from './rule-engine.ts';

/**
 * The scheduled check of absence rules (no reading of the metric for the period) and offline rules
 * (the device offline for the period): raises the alarm of each silent device, and clears it for
 * those heard from again. Run once across the cluster; returns how many devices were found silent.
 * @example scheduler.add({ name: 'rule-silence', everyMs: 30_000, run: () => checkSilence(rules, alarms) });
 */
export async function checkSilence(rules: RuleRepository, firing: Firing): Promise<number> {
  let silent = 0;
  for (const rule of await rules.enabled(['absence', 'offline'])) {
    const kind = rule.kind as 'absence' | 'offline';
    const periodS = Number((rule.params as { period_s?: number }).period_s);
    const devices = await rules.targetDevices(rule.orgId, rule.target as RuleTarget);
    const quiet = new Set(await rules.silentDevices(kind, devices, periodS, rule.metric ?? undefined));
    const open = new Set((await rules.openAlarms([rule.id])).map((a) => a.deviceId));
    for (const deviceId of devices) {
      if (quiet.has(deviceId) && !open.has(deviceId))
        await firing.fire(rule, deviceId, { kind, period_s: periodS, metric: rule.metric });
      else if (!quiet.has(deviceId) && open.has(deviceId)) await firing.end(rule, deviceId);
    }
    // A device that left the target has its alarm cleared too.
    for (const deviceId of open) if (!devices.includes(deviceId)) await firing.end(rule, deviceId);
    silent += quiet.size;
  }
  return silent;
}
