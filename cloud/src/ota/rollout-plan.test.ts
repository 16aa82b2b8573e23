import { describe, expect, it } from 'vitest';
import type { RolloutRow } from './ota.repository.ts';
import { decide, inWindow, phaseOrder, reach } from './rollout-plan.ts';

const phase = { wait_s: 0, advance: 'auto' as const, success_threshold: 1, failure_threshold: 0.2 };
const rollout = (over: Partial<RolloutRow> = {}) =>
  ({
    currentPhase: 0,
    phases: [
      { ...phase, percent: 10 },
      { ...phase, percent: 100 },
    ],
    phaseStartedAt: new Date(0),
    ...over,
  }) as RolloutRow;

describe('rollout plan', () => {
  it('orders a target the same way every time, and a new device does not reshuffle the others', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `d${i}`);
    const order = phaseOrder('r1', ids);
    expect(phaseOrder('r1', [...ids].reverse())).toEqual(order);
    expect(phaseOrder('r1', [...ids, 'late']).filter((id) => id !== 'late')).toEqual(order);
    expect(phaseOrder('r2', ids)).not.toEqual(order);
  });

  it('reaches at least one device per phase, never more than the target', () => {
    expect([reach(50, 1), reach(50, 10), reach(50, 100), reach(0, 50), reach(3, 99)]).toEqual([1, 5, 50, 0, 3]);
  });

  it('checks daily windows, also across midnight', () => {
    const at = (hhmm: string) => new Date(`2026-01-01T${hhmm}:00Z`);
    expect(inWindow({ start: '01:00', end: '05:00' }, at('03:00'))).toBe(true);
    expect(inWindow({ start: '01:00', end: '05:00' }, at('05:00'))).toBe(false);
    expect(inWindow({ start: '22:00', end: '02:00' }, at('23:30'))).toBe(true);
    expect(inWindow({ start: '22:00', end: '02:00' }, at('01:59'))).toBe(true);
    expect(inWindow({ start: '22:00', end: '02:00' }, at('12:00'))).toBe(false);
    expect(inWindow(null, at('12:00'))).toBe(true);
  });

  it('stops past the failure threshold, waits for successes, advances, holds for a hand, completes', () => {
    const now = new Date();
    expect(decide(rollout(), { devices: 10, succeeded: 5, failed: 3, open: 2 }, now).kind).toBe('stop');
    expect(decide(rollout(), { devices: 10, succeeded: 8, failed: 2, open: 0 }, now).kind).toBe('wait');
    expect(decide(rollout(), { devices: 10, succeeded: 10, failed: 0, open: 0 }, now).kind).toBe('advance');
    const soak = rollout({
      phases: [
        { ...phase, percent: 10, wait_s: 3600 },
        { ...phase, percent: 100 },
      ],
      phaseStartedAt: now,
    });
    expect(decide(soak, { devices: 1, succeeded: 1, failed: 0, open: 0 }, now).kind).toBe('wait');
    const manual = rollout({
      phases: [
        { ...phase, percent: 10, advance: 'manual' },
        { ...phase, percent: 100 },
      ],
    });
    expect(decide(manual, { devices: 1, succeeded: 1, failed: 0, open: 0 }, now).kind).toBe('hold');
    expect(decide(rollout({ currentPhase: 1 }), { devices: 9, succeeded: 9, failed: 0, open: 0 }, now).kind).toBe(
      'complete',
    );
  });
});
