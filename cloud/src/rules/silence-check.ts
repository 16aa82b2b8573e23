import { wantsAlarm } from './alarm.service.ts';
import type { RuleRepository, RuleRow } from './rule.repository.ts';
import type { RuleTarget } from './rule.schemas.ts';
import { type Firing, LEFT } from './rule-engine.ts';

/**
 * The scheduled check of absence rules (no reading of the metric for the period) and offline rules
 * (the device offline for the period): fires once for each silent device, and ends it for those
 * heard from again. A rule with an alarm keeps that state in its open alarm; one without (commands,
 * notifications, webhooks only) in `rule_silences`, so it fires once per silence, across restarts.
 * Run once across the cluster; returns how many devices were found silent.
 * @example scheduler.add({ name: 'rule-silence', everyMs: 30_000, run: () => checkSilence(rules, alarms) });
 */
export async function checkSilence(rules: RuleRepository, firing: Firing): Promise<number> {
  let silent = 0;
  for (const rule of await rules.enabled(['absence', 'offline'])) {
    const kind = rule.kind as 'absence' | 'offline';
    const periodS = Number((rule.params as { period_s?: number }).period_s);
    const devices = await rules.targetDevices(rule.orgId, rule.target as RuleTarget);
    const quiet = new Set(await rules.silentDevices(kind, devices, periodS, rule.metric ?? undefined));
    const state = wantsAlarm(rule) ? alarmState(rules, rule, firing) : silenceState(rules, rule);
    const fired = new Set(await state.fired());
    for (const deviceId of devices) {
      if (quiet.has(deviceId) && !fired.has(deviceId)) {
        await firing.fire(rule, deviceId, { kind, period_s: periodS, metric: rule.metric });
        await state.fire(deviceId);
      } else if (!quiet.has(deviceId) && fired.has(deviceId)) await state.end([deviceId]);
    }
    // A device that left the target has its state ended too.
    await state.end(
      [...fired].filter((d) => !devices.includes(d)),
      LEFT,
    );
    silent += quiet.size;
  }
  return silent;
}

/** Where a silence rule keeps which devices it fired for. */
interface SilenceState {
  fired(): Promise<string[]>;
  /** After the rule fired for the device. */
  fire(deviceId: string): Promise<void>;
  end(deviceIds: string[], note?: string): Promise<void>;
}

/** In the rule's open alarms: `fire` raised one; ending clears it. */
function alarmState(rules: RuleRepository, rule: RuleRow, firing: Firing): SilenceState {
  return {
    fired: async () => (await rules.openAlarms([rule.id])).map((a) => a.deviceId),
    fire: async () => {},
    end: async (deviceIds, note) => {
      for (const deviceId of deviceIds) await firing.end(rule, deviceId, note);
    },
  };
}

/** In `rule_silences`: a row per device from the firing until it is heard from again. */
function silenceState(rules: RuleRepository, rule: RuleRow): SilenceState {
  return {
    fired: () => rules.silenced(rule.id),
    fire: (deviceId) => rules.silence(rule.id, deviceId),
    end: (deviceIds) => rules.unsilence(rule.id, deviceIds),
  };
}
