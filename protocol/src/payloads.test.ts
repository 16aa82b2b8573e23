import { describe, expect, it } from 'vitest';
import { OtaJobMessage, OtaStatusReport } from './ota.ts';
import { CommandResponse, TwinDesired, TwinReported } from './twin.ts';

describe('device payloads', () => {
  const job = { job_id: 'j1', version: '2.0.0', manifest: {}, url: 'https://x/a', extra: 1 };

  it('reads an OTA job or a cancel, and nothing else', () => {
    expect(OtaJobMessage.parse(job)).toEqual({ job_id: 'j1', version: '2.0.0', manifest: {}, url: 'https://x/a' });
    expect(OtaJobMessage.parse({ job_id: 'j1', cancel: true })).toEqual({ job_id: 'j1', cancel: true });
    for (const bad of [null, [], 'job', {}, { ...job, job_id: 7 }, { ...job, url: undefined }, { job_id: 'j1' }])
      expect(OtaJobMessage.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('reads a status report, ignoring a progress or error of the wrong type', () => {
    expect(OtaStatusReport.parse({ job_id: 'j1', state: 'installing', progress: 'x', error: 5 })).toEqual({
      job_id: 'j1',
      state: 'installing',
    });
    expect(OtaStatusReport.safeParse({ job_id: 'j1', state: 'cancelled' }).success).toBe(false);
    expect(OtaStatusReport.safeParse({ job_id: 'j1', state: 'done' }).success).toBe(false);
  });

  it('takes any JSON object as a twin report, as it came', () => {
    const doc = JSON.parse('{"__proto__": {"x": 1}, "firmware_version": "1.0.0"}');
    const parsed = TwinReported.parse(doc);
    expect(parsed).toBe(doc);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'firmware_version']);
    for (const bad of [null, [], 'x', 3]) expect(TwinReported.safeParse(bad).success).toBe(false);
  });

  it('reads the desired state the platform retains', () => {
    expect(TwinDesired.safeParse({ version: 3, desired: { a: 1 }, delta: {} }).success).toBe(true);
    expect(TwinDesired.safeParse({ desired: { a: 1 } }).success).toBe(false);
  });

  it('counts a command response it cannot read as a success without a result', () => {
    expect(CommandResponse.parse({ status: 'failed', result: { e: 1 } })).toEqual({
      status: 'failed',
      result: { e: 1 },
    });
    expect(CommandResponse.parse({ status: 'odd', result: 2 })).toEqual({ status: undefined, result: 2 });
    expect(CommandResponse.parse(undefined)).toEqual({ result: undefined });
    expect(CommandResponse.parse([1])).toEqual({ result: undefined });
  });
});
