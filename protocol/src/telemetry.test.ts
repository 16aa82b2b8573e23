import { describe, expect, it } from 'vitest';
import { SenmlPack, Telemetry, TelemetryBatch, TelemetryObject } from './telemetry.ts';

// What the broker's parser accepts and refuses is checked against these schemas in
// broker/src/telemetry-parser.test.ts; here, what the schemas hand back.
describe('telemetry payloads', () => {
  const ts = 1767323045678;

  it('reads a reading set, keeping ts as given', () => {
    expect(TelemetryObject.parse({ ts: '2026-01-02T03:04:05Z', temp: 21.5, door: false, mode: 'eco' })).toEqual({
      ts: '2026-01-02T03:04:05Z',
      temp: 21.5,
      door: false,
      mode: 'eco',
    });
    expect(TelemetryObject.parse({ temp: 1 })).toEqual({ temp: 1 });
  });

  it('names the metrics it refuses by their key', () => {
    const r = TelemetryObject.safeParse({ ts, ok: 1, 'bad name': 2 });
    expect(r.error?.issues.map((i) => i.path)).toEqual([['bad name']]);
    const proto = TelemetryObject.safeParse(JSON.parse('{"__proto__": {"x": 1}}'));
    expect(proto.error?.issues.map((i) => i.path)).toEqual([['__proto__']]);
  });

  it('tells a batch from a SenML pack by its first record', () => {
    const senml = [{ bn: 'urn:dev:mac:0024befffe804ff1:', bt: 1.7e9, n: 'temp', u: 'Cel', v: 23.1 }];
    expect(SenmlPack.parse(senml)).toEqual(senml);
    expect(TelemetryBatch.safeParse(senml).success).toBe(false);
    expect(TelemetryBatch.parse([{ n: 7 }, { bn: 'x' }])).toEqual([{ n: 7 }, { bn: 'x' }]);
    expect(SenmlPack.safeParse([{ n: 7 }]).success).toBe(false);
  });

  it('resolves SenML names and times across records (RFC 8428 §4.1, §4.5.3)', () => {
    expect(
      Telemetry.safeParse([
        { bn: 'room1.', bt: 1.7e9 },
        { n: 'temp', t: -10, v: 1 },
      ]).success,
    ).toBe(true);
    const bad = SenmlPack.safeParse([{ bn: 'room 1.' }, { n: 'temp', v: 1 }, { bn: 'ok.', bt: 9e8, n: 'x', v: 1 }]);
    expect(bad.error?.issues.map((i) => i.path)).toEqual([
      [1, 'n'],
      [2, 't'],
    ]);
  });
});
