import { describe, expect, it } from 'vitest';
import { ReceiveTimes } from './receive-times.ts';

const dev = 'a0f27515-0000-4000-8000-000000000001';
const pkt = (messageId: number, payload: string, dup = false) => ({ messageId, payload: Buffer.from(payload), dup });

describe('ReceiveTimes', () => {
  it('gives a DUP resend its first receive time, on the same connection or a later one', () => {
    const t = new ReceiveTimes();
    t.remember(dev, 1, pkt(7, '{"a":1}'), 1000);
    expect(t.resentAt(dev, 1, pkt(7, '{"a":1}', true))).toBe(1000);
    expect(t.resentAt(dev, 2, pkt(7, '{"a":1}', true))).toBe(1000);
  });

  it('takes an unflagged packet with the same id and payload on a later connection as a resend (mqtt.js)', () => {
    const t = new ReceiveTimes();
    t.remember(dev, 1, pkt(7, '{"a":1}'), 1000);
    expect(t.resentAt(dev, 2, pkt(7, '{"a":1}'))).toBe(1000);
    // Claimed by connection 2: the id reused there, unflagged, is a new packet.
    expect(t.resentAt(dev, 2, pkt(7, '{"a":1}'))).toBeUndefined();
  });

  it('takes an unflagged reuse of an id on the same connection, or another payload, as a new packet', () => {
    const t = new ReceiveTimes();
    t.remember(dev, 1, pkt(7, '{"a":1}'), 1000);
    expect(t.resentAt(dev, 1, pkt(7, '{"a":1}'))).toBeUndefined();
    t.remember(dev, 1, pkt(8, '{"a":1}'), 2000);
    expect(t.resentAt(dev, 2, pkt(8, '{"a":2}', true))).toBeUndefined();
    // The new packet retired the old one: the old payload is no longer a resend either.
    expect(t.resentAt(dev, 2, pkt(8, '{"a":1}', true))).toBeUndefined();
    expect(t.resentAt('another-device', 2, pkt(7, '{"a":1}', true))).toBeUndefined();
  });

  it('keeps a fixed window per device, and forgets a device on DISCONNECT or when idle', () => {
    const t = new ReceiveTimes({ window: 2, idleMs: 1000 });
    for (const id of [1, 2, 3]) t.remember(dev, 1, pkt(id, 'x'), id * 10, 0);
    expect(t.resentAt(dev, 1, pkt(1, 'x', true), 0)).toBeUndefined();
    expect(t.resentAt(dev, 1, pkt(3, 'x', true), 0)).toBe(30);
    t.sweep(500);
    expect(t.size).toBe(1);
    t.sweep(2000);
    expect(t.size).toBe(0);
    t.remember(dev, 1, pkt(1, 'x'), 10);
    t.forget(dev);
    expect(t.resentAt(dev, 1, pkt(1, 'x', true))).toBeUndefined();
  });
});
