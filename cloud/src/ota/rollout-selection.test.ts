import { describe, expect, it } from 'vitest';
import type { JobRow, RolloutRow } from './ota.repository.ts';
import { phaseOrder } from './rollout-plan.ts';
import { assignJobs, type Candidate, phaseReach, room, waitingDevices } from './rollout-selection.ts';

const phase = { wait_s: 0, advance: 'auto' as const, success_threshold: 1, failure_threshold: 0.2 };
const phases = [
  { ...phase, percent: 10 },
  { ...phase, percent: 50 },
  { ...phase, percent: 100 },
];
const rollout = (currentPhase = 0) => ({ id: 'r1', phases, currentPhase, maxConcurrent: 3 }) as RolloutRow;
const device = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  id,
  type: 'pi4',
  online: true,
  firmwareVersion: '1.0.0',
  ...over,
});
const fleet = Array.from({ length: 20 }, (_, i) => device(`d${i}`));
const job = (deviceId: string, state: JobRow['state'] = 'pending') => ({ deviceId, state }) as JobRow;

describe('rollout device selection', () => {
  it('takes the devices the release runs on, and any of no type, in phase order', () => {
    const targets = [...fleet, device('zero', { type: 'esp32' }), device('untyped', { type: null })];
    const r = phaseReach(rollout(), ['pi4'], targets);
    expect(r.devices.has('zero')).toBe(false);
    expect(r.devices.has('untyped')).toBe(true);
    expect(r.order).toEqual(phaseOrder('r1', [...fleet.map((d) => d.id), 'untyped']));
  });

  it('matches the hardware the agent reports before the registry type', () => {
    const gateway = device('gw', { type: 'gateway', hardware: 'pi4' });
    const misfiled = device('esp', { type: 'pi4', hardware: 'esp32' });
    const r = phaseReach(rollout(), ['generic', 'pi4'], [gateway, misfiled]);
    expect([...r.devices.keys()]).toEqual(['gw']);
  });

  it('reaches up to the current phase, counting from where the phase before stopped', () => {
    expect(phaseReach(rollout(0), ['pi4'], fleet)).toMatchObject({ before: 0, allowed: 2 });
    expect(phaseReach(rollout(1), ['pi4'], fleet)).toMatchObject({ before: 2, allowed: 10 });
    expect(phaseReach(rollout(2), ['pi4'], fleet)).toMatchObject({ before: 10, allowed: 20 });
  });

  it('leaves room for max_concurrent unfinished jobs', () => {
    expect(room(rollout(), [])).toBe(3);
    expect(room(rollout(), [job('a', 'downloading'), job('b', 'succeeded'), job('c', 'failed')])).toBe(2);
    expect(room(rollout(), [job('a'), job('b', 'installing'), job('c', 'rebooting'), job('d')])).toBe(-1);
  });

  it('waits with the reached devices that have no job yet, in phase order', () => {
    const r = phaseReach(rollout(1), ['pi4'], fleet);
    const waiting = waitingDevices(r, [job(r.order[0]!, 'succeeded'), job(r.order[3]!)]);
    expect(waiting.map((d) => d.id)).toEqual(r.order.slice(0, 10).filter((_, i) => i !== 0 && i !== 3));
  });

  it('hands jobs to online devices first, up to the room, and skips busy ones', () => {
    const targets = fleet.map((d, i) => ({ ...d, online: i % 2 === 0 }));
    const r = phaseReach(rollout(2), ['pi4'], targets);
    const waiting = waitingDevices(r, []);
    const busy = new Set([waiting.find((d) => d.online)!.id]);
    const { already, fresh } = assignJobs(r, phases, waiting, busy, '2.0.0', 3);
    expect(already).toEqual([]);
    expect(fresh.map((a) => a.device.id)).toEqual(
      waiting
        .filter((d) => d.online && !busy.has(d.id))
        .slice(0, 3)
        .map((d) => d.id),
    );
  });

  it('finishes at once devices on the version already, beyond the room, each in its phase', () => {
    const targets = fleet.map((d, i) => ({ ...d, firmwareVersion: i < 5 ? '2.0.0' : '1.0.0' }));
    const r = phaseReach(rollout(2), ['pi4'], targets);
    const { already, fresh } = assignJobs(r, phases, waitingDevices(r, []), new Set(), '2.0.0', 1);
    expect(already.map((a) => a.device.id).sort()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    expect(fresh).toHaveLength(1);
    const phaseOf = (id: string) => {
      const at = r.order.indexOf(id);
      return at < 2 ? 0 : at < 10 ? 1 : 2;
    };
    for (const a of [...already, ...fresh]) expect(a.phase).toBe(phaseOf(a.device.id));
  });
});
