import { describe, expect, it } from 'vitest';
import { phaseOrder } from './rollout-plan.ts';
import { emptyReason, type PreviewDevice, type PreviewInput, previewRollout } from './rollout-preview.ts';

const phase = { wait_s: 0, advance: 'auto' as const, success_threshold: 1, failure_threshold: 0.2 };
const device = (id: string, over: Partial<PreviewDevice> = {}): PreviewDevice => ({
  id,
  name: id,
  type: 'pi4',
  hardware: null,
  online: true,
  firmwareVersion: '1.0.0',
  disabledAt: null,
  ...over,
});
const input = (targets: PreviewDevice[], over: Partial<PreviewInput> = {}): PreviewInput => ({
  rolloutId: 'r1',
  phases: [
    { ...phase, percent: 50 },
    { ...phase, percent: 100 },
  ],
  window: null,
  release: { hardware: ['generic', 'pi4'], version: '2.0.0' },
  targets,
  elsewhere: new Map(),
  now: new Date('2026-12-07T12:00:00Z'),
  ...over,
});

describe('rollout preview', () => {
  it('matches the hardware the agent reports before the registry type', () => {
    const plan = previewRollout(
      input([device('gw', { type: 'gateway', hardware: 'pi4' }), device('esp', { type: 'pi4', hardware: 'esp32' })]),
    );
    expect(plan.phases.flatMap((p) => p.devices.map((d) => d.device_id))).toEqual(['gw']);
    expect(plan.excluded).toEqual([
      expect.objectContaining({ device_id: 'esp', reason: 'hardware', hardware: 'esp32' }),
    ]);
  });

  it('splits the devices into phases in the order the rollout id draws, naming why others are left out', () => {
    const fleet = ['a', 'b', 'c', 'd'].map((id) => device(id));
    const targets = [
      ...fleet,
      device('done', { firmwareVersion: '2.0.0' }),
      device('off', { disabledAt: new Date() }),
      device('busy', { online: false }),
    ];
    const plan = previewRollout(input(targets, { elsewhere: new Map([['busy', 'r0']]) }));
    const order = phaseOrder('r1', ['a', 'b', 'c', 'd', 'done', 'busy']);
    const reached = plan.phases.map((p) => p.devices.map((d) => d.device_id));
    expect(reached.flat()).toEqual(order.filter((id) => id !== 'done' && id !== 'busy'));
    expect(plan.phases[0]!.devices.length + plan.excluded.filter((e) => e.phase === 1).length).toBe(3);
    expect(plan.excluded_counts).toEqual({ hardware: 0, disabled: 1, already_on_version: 1, in_another_rollout: 1 });
    expect(plan.excluded.find((e) => e.device_id === 'busy')?.detail).toMatch(/rollout r0/);
    expect(emptyReason(plan, input([]).release)).toBeUndefined();
  });

  it('says when the window is shut, and why a rollout would install nothing', () => {
    const plan = previewRollout(
      input([device('esp', { type: 'esp32' }), device('done', { firmwareVersion: '2.0.0' })], {
        window: { start: '01:00', end: '05:00' },
      }),
    );
    expect(plan.window_open).toBe(false);
    expect(emptyReason(plan, input([]).release)).toBe(
      "None of the target's 2 devices would update: 1 run other hardware than generic, pi4, 1 already on 2.0.0",
    );
    expect(emptyReason(previewRollout(input([])), input([]).release)).toBe('The target holds no device');
  });
});
