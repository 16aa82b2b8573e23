import { Telemetry } from '@iotp/protocol';
import { describe, expect, it } from 'vitest';
import { Rejection } from './reasons.ts';
import { nowMicros, type ParseLimits, parseTelemetry, type Readings, type ReceiveStamp } from './telemetry-parser.ts';

const limits: ParseLimits = { maxReadings: 100, maxFutureMs: 60_000, maxTextLength: 32 };
const parse = (v: unknown) => parseTelemetry(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), limits);
const parse2 = (v: unknown, stamp: ReceiveStamp) =>
  parseTelemetry(Buffer.from(JSON.stringify(v)), limits, stamp) as Readings;
const reason = (v: unknown) => {
  const r = parse(v);
  return r instanceof Rejection ? r.reason : 'accepted';
};

describe('parseTelemetry', () => {
  it('reads an object of metrics with an ISO or epoch-ms timestamp', () => {
    const r = parse({ ts: '2026-01-02T03:04:05.678Z', temp: 21.5, door: true, mode: 'eco' });
    expect(r).toEqual({
      time: Array(3).fill(Date.parse('2026-01-02T03:04:05.678Z') * 1000),
      metric: ['temp', 'door', 'mode'],
      value: [21.5, null, null],
      bool: [null, true, null],
      text: [null, null, 'eco'],
    });
    const ms = parse({ ts: 1767323045678, temp: 1 });
    expect((ms as { time: number[] }).time).toEqual([1767323045678000]);
  });

  it('stamps readings without ts with a strictly increasing server time', () => {
    const before = nowMicros();
    const r = parse([{ a: 1 }, { a: 2 }]) as { time: number[] };
    expect(r.time[0]).toBeGreaterThan(before);
    expect(r.time[1]).toBeGreaterThan(r.time[0]!);
  });

  it('reads an array of objects as one batch', () => {
    const r = parse([
      { ts: 1767323045000, t: 1 },
      { ts: 1767323046000, t: 2 },
    ]) as { value: number[] };
    expect(r.value).toEqual([1, 2]);
  });

  it('reads a metric called n as a metric, not as a SenML name (SenML names are strings)', () => {
    const r = parse([{ ts: 1767323045000, n: 7 }]) as { metric: string[]; value: number[] };
    expect([r.metric, r.value]).toEqual([['n'], [7]]);
  });

  it('reads SenML with base name and base time (RFC 8428)', () => {
    const r = parse([
      { bn: 'urn:dev:ow:10e2073a01080063:', bt: 1.767323045e9, n: 'temp', u: 'Cel', v: 23.1 },
      { n: 'temp', t: 10, v: 23.4 },
      { n: 'open', vb: false },
      { n: 'state', vs: 'ok' },
    ]) as { time: number[]; metric: string[]; value: unknown[]; bool: unknown[] };
    expect(r.metric).toEqual(['temp', 'temp', 'open', 'state']);
    expect(r.value).toEqual([23.1, 23.4, null, null]);
    expect(r.bool[2]).toBe(false);
    expect(r.time[1]! - r.time[0]!).toBe(10_000_000);
  });

  it('stamps readings without a time from the given receive time, the same for a resend', () => {
    const at = nowMicros();
    const payload = [{ a: 1 }, { ts: 1767323045000, a: 2 }, { a: 3 }];
    const first = parse2(payload, { at, used: 0 });
    const resend = parse2(payload, { at, used: 0 });
    expect(first.time).toEqual([at, 1767323045000000, at + 1]);
    expect(resend).toEqual(first);
    // The stamps are spent: the clock hands out later ones.
    expect(nowMicros()).toBeGreaterThan(at + 1);
  });

  describe('SenML times (RFC 8428 §4.5.3)', () => {
    const senml = (records: object[]) => reason(records);
    const dayS = 86_400;

    it('reads times below 2^28 s as relative to now, in the past or the future', () => {
      const at = nowMicros();
      const r = parse2(
        [
          { n: 'a', v: 1, t: -60 },
          { n: 'b', v: 2, bt: 30 },
          { n: 'c', v: 3, t: -10 },
        ],
        { at, used: 0 },
      );
      expect(r.time).toEqual([at - 60_000_000, at + 1 + 30_000_000, at + 2 + 20_000_000]);
    });

    it.each([
      ['a relative t far ahead', [{ n: 'a', v: 1, t: 3106 * dayS }], 'future_timestamp'],
      ['a relative bt far ahead', [{ bt: 2 ** 28 - 1, n: 'a', v: 1 }], 'future_timestamp'],
      ['a relative bt plus t ahead', [{ bt: 30, n: 'a', v: 1, t: 3600 }], 'future_timestamp'],
      ['an absolute time ahead', [{ bt: Date.now() / 1000 + 3600, n: 'a', v: 1 }], 'future_timestamp'],
      ['a negative absolute time', [{ n: 'a', v: 1, t: -(2 ** 28) }], 'invalid_timestamp'],
      ['an absolute time before 2000', [{ bt: 9e8, n: 'a', v: 1 }], 'invalid_timestamp'],
      ['an infinite base time', '[{"bt": 1e999, "n": "a", "v": 1}]', 'invalid_timestamp'],
      ['a t that is not a number', [{ n: 'a', v: 1, t: '5' }], 'invalid_timestamp'],
    ])('rejects %s', (_, records, expected) => {
      expect(reason(records)).toBe(expected);
    });

    it('accepts relative times within the future limit', () => {
      expect(senml([{ n: 'a', v: 1, t: 30 }])).toBe('accepted');
      expect(senml([{ bt: -8 * 365 * dayS, n: 'a', v: 1 }])).toBe('accepted');
    });
  });

  it.each([
    ['not JSON at all', 'temperature=21', 'unknown_encoding'],
    ['empty payload', '', 'unknown_encoding'],
    ['broken JSON', '{"temp": 21', 'malformed_json'],
    ['a scalar in an array', [1, 2], 'invalid_shape'],
    ['nested object value', { temp: { v: 1 } }, 'invalid_value'],
    ['null value', { temp: null }, 'invalid_value'],
    ['number out of range', '{"temp": 1e999}', 'invalid_value'],
    ['string too long', { s: 'x'.repeat(33) }, 'invalid_value'],
    ['string with NUL', { s: 'a\u0000b' }, 'invalid_value'],
    ['bad metric name', { 'bad name!': 1 }, 'invalid_metric'],
    ['unreadable timestamp', { ts: 'yesterday', t: 1 }, 'invalid_timestamp'],
    ['timestamp in seconds, not ms', { ts: 1767323045, t: 1 }, 'invalid_timestamp'],
    ['timestamp far in the future', { ts: Date.now() + 3_600_000, t: 1 }, 'future_timestamp'],
    ['too many readings', Array.from({ length: 101 }, (_, i) => ({ [`m${i}`]: i })), 'too_many_readings'],
  ])('rejects %s', (_, payload, expected) => {
    expect(reason(payload)).toBe(expected);
  });
});

/**
 * The parser stays hand-written for speed; `Telemetry` in @iotp/protocol describes the same
 * payloads. For each sample both must accept, or both refuse (the parser's reason is checked too).
 */
describe('parseTelemetry and the protocol schema', () => {
  const defaults: ParseLimits = { maxReadings: 1000, maxFutureMs: 600_000, maxTextLength: 1024 };
  const parserSays = (json: string) => {
    const r = parseTelemetry(Buffer.from(json), defaults);
    return r instanceof Rejection ? r.reason : 'accepted';
  };
  const schemaAccepts = (json: string) => Telemetry.safeParse(JSON.parse(json)).success;
  const ts = 1767323045678;
  const at = (ms: number) => ms / 1000; // SenML times are in seconds
  const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

  it.each<[string, unknown, string]>([
    ['an object with an ISO ts', { ts: '2026-01-02T03:04:05.678Z', temp: 21.5, door: true, mode: 'eco' }, 'accepted'],
    ['an object with an epoch-ms ts', { ts, temp: 1 }, 'accepted'],
    ['a fractional (µs) ts', { ts: ts + 0.123, temp: 1 }, 'accepted'],
    ['an object without ts', { temp: 1 }, 'accepted'],
    ['an empty object', {}, 'accepted'],
    ['an object with ts only', { ts }, 'accepted'],
    ['metric names with every allowed mark', { 'a.b:c/d-e': 1, _x: 2, ['m'.repeat(64)]: 3 }, 'accepted'],
    ['a string of 1024 characters', { s: 'x'.repeat(1024) }, 'accepted'],
    ['a metric called __proto__', '{"__proto__": 1}', 'accepted'],
    ['an object with n and v (not SenML outside an array)', { n: 'x', v: 1 }, 'accepted'],
    ['a batch', [{ ts, a: 1 }, { a: 2 }], 'accepted'],
    ['an empty batch', [], 'accepted'],
    ['a batch whose later item looks like SenML', [{ a: 1 }, { bn: 'x', n: 'y' }], 'accepted'],
    ['a batch with a number metric called n', [{ ts, n: 7 }], 'accepted'],
    [
      'SenML with base name and time, unit, vb and vs',
      [
        { bn: 'urn:dev:mac:0024befffe804ff1:', bt: at(ts), n: 'temp', u: 'Cel', v: 23.1 },
        { n: 'temp', t: 10, v: 23.4 },
        { n: 'open', vb: false },
        { n: 'state', vs: 'ok' },
      ],
      'accepted',
    ],
    ['SenML with a base name as prefix', [{ bn: 'room1.', n: 'temp', v: 1 }], 'accepted'],
    ['SenML named by its base name alone', [{ bn: 'temp', v: 1 }], 'accepted'],
    ['SenML with a base-only first record', [{ bt: at(ts) }, { n: 'a', v: 1 }], 'accepted'],
    [
      'SenML relative times',
      [
        { n: 'a', v: 1, t: -60 },
        { n: 'b', v: 2, bt: 30 },
      ],
      'accepted',
    ],
    ['SenML without any value', [{ n: 'label' }], 'accepted'],
    ['SenML with a data value only (ignored)', [{ n: 'blob', vd: 'aGk' }], 'accepted'],
    ['SenML with v and vb', [{ n: 'a', v: 1, vb: true }], 'accepted'],
    ['SenML whose base record carries a metric (ignored)', [{ bt: at(ts), a: 1 }], 'accepted'],
    ['a number', '5', 'unknown_encoding'],
    ['a string', '"x"', 'unknown_encoding'],
    ['null', 'null', 'unknown_encoding'],
    ['a scalar in an array', [1, 2], 'invalid_shape'],
    ['an array in an array', [[1]], 'invalid_shape'],
    ['a scalar later in a batch', [{ a: 1 }, 5], 'invalid_shape'],
    ['a nested object value', { temp: { v: 1 } }, 'invalid_value'],
    ['an object value under __proto__', '{"__proto__": {"x": 1}}', 'invalid_value'],
    ['a null value', { temp: null }, 'invalid_value'],
    ['an array value', { temp: [1] }, 'invalid_value'],
    ['a number out of range', '{"temp": 1e999}', 'invalid_value'],
    ['a string of 1025 characters', { s: 'x'.repeat(1025) }, 'invalid_value'],
    ['a string with NUL', { s: 'a\u0000b' }, 'invalid_value'],
    ['a name with a space', { 'bad name!': 1 }, 'invalid_metric'],
    ['a name starting with a dot', { '.a': 1 }, 'invalid_metric'],
    ['a name of 65 characters', { ['m'.repeat(65)]: 1 }, 'invalid_metric'],
    ['an empty name', { '': 1 }, 'invalid_metric'],
    ['an unreadable ts', { ts: 'yesterday', t: 1 }, 'invalid_timestamp'],
    ['a ts in seconds', { ts: 1767323045, t: 1 }, 'invalid_timestamp'],
    ['a ts before 2000', { ts: '1999-12-31T23:59:59Z', t: 1 }, 'invalid_timestamp'],
    ['a null ts', { ts: null, t: 1 }, 'invalid_timestamp'],
    ['a boolean ts', { ts: true, t: 1 }, 'invalid_timestamp'],
    ['a ts out of range', '{"ts": 1e999, "t": 1}', 'invalid_timestamp'],
    ['a SenML base name that is not a string', [{ n: 'a', bn: 5 }], 'invalid_shape'],
    ['a scalar later in SenML', [{ n: 'a', v: 1 }, 5], 'invalid_shape'],
    ['a bad SenML name', [{ n: 'bad name', v: 1 }], 'invalid_metric'],
    ['a SenML reading named by a device base name only', [{ bn: 'urn:dev:mac:1:', v: 1 }], 'invalid_metric'],
    ['a null SenML value', [{ n: 'a', v: null }], 'invalid_value'],
    ['a SenML string of 1025 characters', [{ n: 'a', vs: 'x'.repeat(1025) }], 'invalid_value'],
    ['a SenML base time that is not a number', [{ n: 'a', bt: 'x' }], 'invalid_timestamp'],
    ['a SenML t that is not a number', [{ n: 'a', v: 1, t: '5' }], 'invalid_timestamp'],
    ['a negative absolute SenML time', [{ n: 'a', v: 1, t: -(2 ** 28) }], 'invalid_timestamp'],
    ['an absolute SenML time before 2000', [{ bt: 9e8, n: 'a', v: 1 }], 'invalid_timestamp'],
    ['an infinite SenML base time on a reading', '[{"bt": 1e999, "n": "a", "v": 1}]', 'invalid_timestamp'],
  ])('agree on %s', (_, payload, expected) => {
    expect(parserSays(json(payload))).toBe(expected);
    expect(schemaAccepts(json(payload))).toBe(expected === 'accepted');
  });

  // Where they differ on purpose. The schema leaves to the broker what depends on its clock and
  // configuration; and for SenML it types every field it knows per RFC 8428 §5 (`v` a number, `vb`
  // a boolean, `n` a string...), while the parser checks only the fields it reads and takes any
  // allowed value from `v ?? vb ?? vs`. So the schema never accepts what the parser refuses.
  it.each<[string, unknown, string]>([
    ['a ts beyond the future limit', { ts: Date.now() + 3_600_000, a: 1 }, 'future_timestamp'],
    ['a SenML time beyond the future limit', [{ n: 'a', v: 1, t: 3600 }], 'future_timestamp'],
    [
      'more readings than the limit',
      Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`m${i}`, i])),
      'too_many_readings',
    ],
  ])('only the parser refuses %s', (_, payload, expected) => {
    expect(parserSays(json(payload))).toBe(expected);
    expect(schemaAccepts(json(payload))).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a string in v', [{ n: 'a', v: 'text' }]],
    ['a number in vb', [{ n: 'a', vb: 1 }]],
    ['a null v beside a vb', [{ n: 'a', v: null, vb: true }]],
    ['a vs with NUL beside a v', [{ n: 'a', v: 1, vs: 'a\u0000b' }]],
    ['a name that is not a string beside a base name', [{ bn: 'temp', n: 5, v: 1 }]],
    ['a t that is not a number on a record without a value', [{ n: 'a', t: '5' }]],
    ['an infinite base time no reading uses', '[{"bt": 1e999}]'],
  ])('only the schema refuses %s', (_, payload) => {
    expect(parserSays(json(payload))).toBe('accepted');
    expect(schemaAccepts(json(payload))).toBe(false);
  });
});
