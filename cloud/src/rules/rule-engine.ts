import type { Readings } from '@iotp/broker';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type Change, compile, type LiveRule, RuleSet } from './conditions.ts';
import type { RuleRepository, RuleRow } from './rule.repository.ts';
import type { RuleTarget } from './rule.schemas.ts';

/** What the engine does when a rule's state changes for a device (an `AlarmService`). */
export interface Firing {
  fire(rule: RuleRow, deviceId: string, detail: Record<string, unknown>): Promise<void>;
  /** `note`: why, when not the condition's end (the device left the rule's target). */
  end(rule: RuleRow, deviceId: string, note?: string): Promise<void>;
}

export interface RuleEngineOptions {
  rules: RuleRepository;
  firing: Firing;
  logger: Logger;
  registry?: Registry;
  /** Changes waiting for the database at most; past it new ones are dropped and counted. */
  maxQueued?: number;
}

type Queued = { what: Change; rule: LiveRule; deviceId: string; t: number; v: number; note?: string };

const LIVE_KINDS: RuleRow['kind'][] = ['threshold', 'range', 'rate'];
/** The note of an alarm cleared because its device no longer is in the rule's target. */
export const LEFT = "device left the rule's target";

/**
 * Evaluates threshold, range and rate rules on readings as the broker takes them. The active
 * rules live in memory as an index device → rules, so a device with none costs one Map lookup;
 * raising and clearing alarms leave the PUBACK path through a queue worked in order.
 * @example const engine = new RuleEngine({ rules, firing: alarms, logger }); await engine.reloadAll(); broker option onReadings: engine.onReadings;
 */
export class RuleEngine {
  /** Device → metric → its rules on that metric, with the device's state under each. */
  private readonly byDevice = new Map<string, Map<string, RuleSet>>();
  private readonly byOrg = new Map<string, LiveRule[]>();
  /** The devices each organization has in `byDevice` (a device is in one organization). */
  private readonly devicesOf = new Map<string, Set<string>>();
  private readonly queue: Queued[] = [];
  /** The device whose readings are being taken (set around `RuleSet.take`, which reports changes). */
  private current = '';
  private working: Promise<void> | undefined;
  private reloading: Promise<void> = Promise.resolve();
  /** Organizations with a reload queued and not yet started: more changes join it. */
  private readonly due = new Map<string, Promise<void>>();
  private readonly log: Logger;
  private readonly dropped: Counter;
  private readonly maxQueued: number;

  constructor(private readonly o: RuleEngineOptions) {
    this.log = o.logger.child({ component: 'rules' });
    this.maxQueued = o.maxQueued ?? 10_000;
    this.dropped = new Counter({
      name: 'rule_changes_dropped_total',
      help: 'Alarm raises and clears dropped because the queue to the database was full',
      registers: o.registry ? [o.registry] : [],
    });
  }

  /** The broker's `onReadings`: evaluates the device's rules on the readings; returns at once, never throws. */
  readonly onReadings = (deviceId: string, _orgId: string, r: Readings): void => {
    const metrics = this.byDevice.get(deviceId);
    if (metrics === undefined) return;
    try {
      this.current = deviceId;
      for (let i = 0; i < r.time.length; i++) {
        const v = r.value[i];
        if (typeof v !== 'number') continue;
        metrics.get(r.metric[i]!)?.take(r.time[i]!, v, this.changed);
      }
    } catch (err) {
      this.log.error({ err, deviceId }, 'rules not evaluated');
    }
  };

  private readonly changed = (set: RuleSet, j: number, what: Change, t: number, v: number) =>
    this.enqueue({ what, rule: set.rules[j]!, deviceId: this.current, t, v });

  /** Active rules held for an organization (live kinds only). */
  count(orgId?: string): number {
    if (orgId) return this.byOrg.get(orgId)?.length ?? 0;
    let n = 0;
    for (const rules of this.byOrg.values()) n += rules.length;
    return n;
  }

  /** Reloads one organization's rules (after a change), keeping the state of rules left as they were. */
  reload(orgId: string, starting?: () => void): Promise<void> {
    return this.serially(async () => {
      starting?.();
      const rows = await this.o.rules.enabled(LIVE_KINDS, orgId);
      await this.install(new Map([[orgId, rows]]));
    });
  }

  /**
   * Reloads an organization's rules after a change told by an event (a rule, a device's tags, a
   * group's members), once for a burst of them. Never rejects: failures are logged.
   */
  reloadSoon(orgId: string): Promise<void> {
    let queued = this.due.get(orgId);
    if (!queued) {
      queued = this.reload(orgId, () => this.due.delete(orgId)).catch(() => undefined);
      this.due.set(orgId, queued);
    }
    return queued;
  }

  /** The ids of the live rules watching a device, on any metric. */
  rulesOf(deviceId: string): string[] {
    const ids = new Set<string>();
    for (const set of this.byDevice.get(deviceId)?.values() ?? []) for (const r of set.rules) ids.add(r.row.id);
    return [...ids];
  }

  /** Reloads every organization's rules: at start, and periodically for what no event told this node. */
  reloadAll(): Promise<void> {
    return this.serially(async () => {
      const byOrg = new Map<string, RuleRow[]>([...this.byOrg.keys()].map((id) => [id, []]));
      for (const row of await this.o.rules.enabled(LIVE_KINDS)) {
        const list = byOrg.get(row.orgId) ?? [];
        list.push(row);
        byOrg.set(row.orgId, list);
      }
      await this.install(byOrg);
    });
  }

  /** An alarm was cleared by hand: the rule starts watching the device afresh. */
  forget(ruleId: string, deviceId: string): void {
    for (const set of this.byDevice.get(deviceId)?.values() ?? []) {
      const j = set.rules.findIndex((r) => r.row.id === ruleId);
      if (j >= 0) set.reset(j);
    }
  }

  /** Resolves once every queued change is written. */
  async idle(): Promise<void> {
    while (this.working) await this.working;
  }

  private async install(orgs: Map<string, RuleRow[]>) {
    for (const [orgId, rows] of orgs) {
      const firing = new Set(
        (await this.o.rules.openAlarms(rows.map((r) => r.id))).map((a) => `${a.ruleId}:${a.deviceId}`),
      );
      const live: LiveRule[] = [];
      /** `rule:device` of each device a rule watches now. */
      const watched = new Set<string>();
      const perDevice = new Map<string, Map<string, LiveRule[]>>();
      for (const row of rows) {
        const rule = compile(row);
        if (!rule) continue;
        live.push(rule);
        for (const d of await this.o.rules.targetDevices(orgId, row.target as RuleTarget)) {
          watched.add(`${row.id}:${d}`);
          const metrics = perDevice.get(d) ?? new Map<string, LiveRule[]>();
          perDevice.set(d, metrics);
          const same = metrics.get(rule.metric) ?? [];
          metrics.set(rule.metric, same);
          same.push(rule);
        }
      }
      // Built aside, then swapped in without awaiting: readings never see an organization half installed.
      const next = new Map<string, Map<string, RuleSet>>();
      for (const [d, metrics] of perDevice) {
        const sets = new Map<string, RuleSet>();
        for (const [metric, rules] of metrics) sets.set(metric, this.carried(d, metric, rules, firing));
        next.set(d, sets);
      }
      for (const d of this.devicesOf.get(orgId) ?? []) this.byDevice.delete(d);
      for (const [d, sets] of next) this.byDevice.set(d, sets);
      this.devicesOf.set(orgId, new Set(next.keys()));
      if (live.length) this.byOrg.set(orgId, live);
      else this.byOrg.delete(orgId);
      // A device that left a rule's target (a tag, a group) has the rule's alarm cleared, as silence
      // rules do; every node may find it, and the first clear is the only one.
      const byId = new Map(live.map((r) => [r.row.id, r]));
      for (const key of firing) {
        const [ruleId, deviceId] = key.split(':') as [string, string];
        const rule = byId.get(ruleId);
        if (rule && !watched.has(key)) this.enqueue({ what: 'clear', rule, deviceId, t: 0, v: 0, note: LEFT });
      }
    }
  }

  /**
   * A device's new set of rules on a metric, keeping the state of each rule left unchanged since
   * the last load; a rule new to the device fires already when its alarm is open (after a restart,
   * the next good reading clears it).
   */
  private carried(deviceId: string, metric: string, rules: LiveRule[], firing: Set<string>): RuleSet {
    const set = new RuleSet(rules);
    const old = this.byDevice.get(deviceId)?.get(metric);
    const before = new Map(old?.rules.map((r, k) => [r.row.id, k]));
    rules.forEach((rule, j) => {
      const k = before.get(rule.row.id);
      if (old && k !== undefined && old.rules[k]!.row.updatedAt.getTime() === rule.row.updatedAt.getTime())
        set.copy(j, old, k);
      else set.reset(j, firing.has(`${rule.row.id}:${deviceId}`));
    });
    return set;
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.reloading.then(work);
    this.reloading = next.catch((err: Error) => this.log.error({ err }, 'rules not reloaded'));
    return next;
  }

  private enqueue(change: Queued) {
    if (this.queue.length >= this.maxQueued) {
      this.dropped.inc();
      return;
    }
    this.queue.push(change);
    this.working ??= this.work();
  }

  /** Writes the queued changes in order, so a device's raise always precedes its clear. */
  private async work() {
    // No await between the queue found empty and `working` unset: nothing queued is left waiting.
    for (let c = this.queue.shift(); c; c = this.queue.shift()) {
      const { rule, deviceId } = c;
      try {
        if (c.what === 'raise') {
          const at = new Date(c.t / 1000).toISOString();
          await this.o.firing.fire(rule.row, deviceId, {
            metric: rule.metric,
            value: c.v,
            at,
            params: rule.row.params,
          });
        } else await this.o.firing.end(rule.row, deviceId, c.note);
      } catch (err) {
        this.log.error({ err, ruleId: rule.row.id, deviceId, change: c.what }, 'alarm change not written');
      }
    }
    this.working = undefined;
  }
}
