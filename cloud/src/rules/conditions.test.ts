import { describe, expect, it } from 'vitest';
import { type Change, compile, RuleSet } from './conditions.ts';
import type { RuleRow } from './rule.repository.ts';

const row = (kind: RuleRow['kind'], params: Record<string, unknown>) =>
  ({ id: 'r', orgId: 'o', kind, metric: 'm', params }) as RuleRow;
const s = (x: number) => x * 1e6;

/** One rule's set; `take` answers what the reading did. */
function watch(kind: RuleRow['kind'], params: Record<string, unknown>) {
  const set = new RuleSet([compile(row(kind, params))!]);
  return (t: number, v: number) => {
    let got: Change | undefined;
    set.take(t, v, (_s, _j, what) => {
      got = what;
    });
    return got;
  };
}

describe('conditions', () => {
  it('fires a threshold once it held for for_s by reading time, and clears on the first good reading', () => {
    const take = watch('threshold', { op: 'gte', value: 10, for_s: 60 });
    expect(take(s(1), 10)).toBeUndefined();
    expect(take(s(60), 12)).toBeUndefined();
    expect(take(s(61), 11)).toBe('raise');
    expect(take(s(62), 11)).toBeUndefined(); // fired already
    expect(take(s(50), 0)).toBeUndefined(); // older than the last: ignored
    expect(take(s(63), 9)).toBe('clear');
    expect(take(s(64), 9)).toBeUndefined();
  });

  it('fires a range rule outside low..high, and a rate rule on the absolute change per second', () => {
    const range = watch('range', { low: 0, high: 5, for_s: 0 });
    expect(range(s(1), 5)).toBeUndefined();
    expect(range(s(2), -1)).toBe('raise');
    const rate = watch('rate', { max_per_s: 2 });
    expect(rate(s(1), 100)).toBeUndefined(); // no previous reading
    expect(rate(s(3), 104)).toBeUndefined(); // 2 per second: not above
    expect(rate(s(4), 90)).toBe('raise');
    expect(rate(s(10), 91)).toBe('clear');
  });

  it('starts a rule afresh, or as firing when its alarm is open', () => {
    const set = new RuleSet([compile(row('threshold', { op: 'lt', value: 0, for_s: 0 }))!]);
    const seen: Change[] = [];
    set.reset(0, true);
    set.take(s(1), 5, (_s, _j, what) => seen.push(what));
    expect(seen).toEqual(['clear']);
  });

  it('leaves absence and offline rules to the schedule', () => {
    expect(compile(row('absence', { period_s: 60 }))).toBeUndefined();
    expect(compile(row('offline', { period_s: 60 }))).toBeUndefined();
  });
});
