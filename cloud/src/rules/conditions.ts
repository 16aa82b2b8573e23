import type { RuleRow } from './rule.repository.ts';

/** How a live rule tests a reading; numbers, so the hot loop is one switch and no calls. */
const Test = { Gt: 0, Gte: 1, Lt: 2, Lte: 3, Outside: 4, Rate: 5 } as const;
type Test = (typeof Test)[keyof typeof Test];

/** A rule evaluated on each reading (threshold, range, rate), compiled from its row. */
export interface LiveRule {
  row: RuleRow;
  metric: string;
  test: Test;
  /** The threshold, the range's low, or the rate's maximum per second. */
  a: number;
  /** The range's high. */
  b: number;
  /** How long the condition must hold before it fires, in microseconds. */
  holdUs: number;
}

const OPS: Record<string, Test> = { gt: Test.Gt, gte: Test.Gte, lt: Test.Lt, lte: Test.Lte };

/** Compiles a threshold, range or rate rule; undefined for the kinds the schedule checks. */
export function compile(row: RuleRow): LiveRule | undefined {
  const p = row.params as Record<string, unknown>;
  const base = { row, metric: row.metric ?? '', b: 0 };
  const holdUs = (Number(p.for_s) || 0) * 1e6;
  switch (row.kind) {
    case 'threshold': {
      const test = OPS[String(p.op)];
      return test === undefined ? undefined : { ...base, test, a: Number(p.value), holdUs };
    }
    case 'range':
      return { ...base, test: Test.Outside, a: Number(p.low), b: Number(p.high), holdUs };
    case 'rate':
      return { ...base, test: Test.Rate, a: Number(p.max_per_s), holdUs: 0 };
    default:
      return undefined;
  }
}

/** What a reading did to a rule's state for a device. */
export type Change = 'raise' | 'clear';

/**
 * A device's rules on one metric and the device's state under each, as parallel typed arrays: one
 * reading is checked against hundreds of rules in a tight loop that touches contiguous memory.
 */
export class RuleSet {
  private readonly test: Uint8Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly hold: Float64Array;
  /** The last reading evaluated per rule: older or equal ones (resends, late batches) are ignored. */
  private readonly lastT: Float64Array;
  private readonly lastV: Float64Array;
  /** Reading time (µs) since which the condition has held without a break; -1 when it does not hold. */
  private readonly since: Float64Array;
  private readonly firing: Uint8Array;

  constructor(readonly rules: LiveRule[]) {
    const n = rules.length;
    this.test = Uint8Array.from(rules, (r) => r.test);
    this.a = Float64Array.from(rules, (r) => r.a);
    this.b = Float64Array.from(rules, (r) => r.b);
    this.hold = Float64Array.from(rules, (r) => r.holdUs);
    this.lastT = new Float64Array(n);
    this.lastV = new Float64Array(n);
    this.since = new Float64Array(n).fill(-1);
    this.firing = new Uint8Array(n);
  }

  /**
   * Takes one reading of the metric: `changed(j, 'raise')` for each rule whose condition has now
   * held for its duration (by reading times), `changed(j, 'clear')` for each firing rule whose
   * condition ended.
   */
  take(t: number, v: number, changed: (set: RuleSet, j: number, what: Change, t: number, v: number) => void): void {
    const { test, a, b, lastT, lastV, since, firing, hold } = this;
    for (let j = 0; j < test.length; j++) {
      if (t <= lastT[j]!) continue;
      let broken: boolean;
      switch (test[j]) {
        case Test.Gt:
          broken = v > a[j]!;
          break;
        case Test.Gte:
          broken = v >= a[j]!;
          break;
        case Test.Lt:
          broken = v < a[j]!;
          break;
        case Test.Lte:
          broken = v <= a[j]!;
          break;
        case Test.Outside:
          broken = v < a[j]! || v > b[j]!;
          break;
        default:
          // Change per second against the previous reading, either way; the first has none.
          broken = lastT[j]! > 0 && Math.abs(v - lastV[j]!) / ((t - lastT[j]!) / 1e6) > a[j]!;
      }
      lastT[j] = t;
      lastV[j] = v;
      if (!broken) {
        since[j] = -1;
        if (firing[j]) {
          firing[j] = 0;
          changed(this, j, 'clear', t, v);
        }
        continue;
      }
      if (since[j]! < 0) since[j] = t;
      if (!firing[j] && t - since[j]! >= hold[j]!) {
        firing[j] = 1;
        changed(this, j, 'raise', t, v);
      }
    }
  }

  /** Starts rule j afresh, firing or not (after a hand clear; after a restart with its alarm open). */
  reset(j: number, firing = false): void {
    this.lastT[j] = 0;
    this.lastV[j] = 0;
    this.since[j] = -1;
    this.firing[j] = firing ? 1 : 0;
  }

  /** Takes rule j's state from rule k of another set (the same rule, kept across a reload). */
  copy(j: number, from: RuleSet, k: number): void {
    this.lastT[j] = from.lastT[k]!;
    this.lastV[j] = from.lastV[k]!;
    this.since[j] = from.since[k]!;
    this.firing[j] = from.firing[k]!;
  }
}
