import { createHash } from 'node:crypto';

/** A QoS 1 or 2 PUBLISH as far as telling a resend goes. */
export interface Delivery {
  messageId?: number;
  dup: boolean;
  payload: Buffer | string;
}

export interface ReceiveTimesOptions {
  /** Packets remembered per device; a client with more unacknowledged at once may get the oldest stored twice. */
  window?: number;
  /** A device's packets are forgotten this long after its last one (ms). */
  idleMs?: number;
}

/** Per slot: packet id (0: empty, ids start at 1 [MQTT-2.3.1-1]), connection, payload hash, receive time. */
const ID = 0;
const CONN = 1;
const HASH = 2;
const AT = 3;
const FIELDS = 4;

interface Ring {
  slots: Float64Array;
  next: number;
  usedAt: number;
}

/**
 * Remembers the receive time given to a device's recent QoS 1 and 2 packets whose readings had no
 * time of their own, so that a resend gets the same time and its readings are stored once (the
 * key on device, metric and time drops the copy).
 *
 * A resend is a packet with the same id and payload, flagged DUP [MQTT-3.3.1-1], or unflagged on a
 * later connection (mqtt.js resends so, contrary to the spec) [MQTT-4.4.0-1]. A new packet reusing
 * an id retires the old one: a client reuses an id only once that packet is acknowledged
 * [MQTT-2.3.1-2]. Memory is a fixed ring per device, dropped when the device says DISCONNECT
 * (its client had every acknowledgement) or after `idleMs`.
 * @example const at = times.resentAt(deviceId, connection, packet) ?? nowMicros();
 */
export class ReceiveTimes {
  private readonly rings = new Map<string, Ring>();
  private readonly window: number;
  private readonly idleMs: number;

  constructor({ window = 32, idleMs = 24 * 3600_000 }: ReceiveTimesOptions = {}) {
    if (!(window >= 1) || !(idleMs > 0)) throw new RangeError('window must be >= 1 and idleMs > 0');
    this.window = window;
    this.idleMs = idleMs;
  }

  /**
   * The receive time of the packet this one resends, claimed for `connection`, or undefined
   * for a new packet. Hashes the payload only when the id matches a remembered packet.
   */
  resentAt(deviceId: string, connection: number, packet: Delivery, now = performance.now()): number | undefined {
    const ring = this.rings.get(deviceId);
    if (!ring || !packet.messageId) return undefined;
    const s = ring.slots;
    for (let k = 1; k <= this.window; k++) {
      const i = ((ring.next - k + this.window) % this.window) * FIELDS;
      if (s[i + ID] !== packet.messageId) continue;
      // Within one connection only a DUP flag marks a resend: anything else reuses the id.
      if ((packet.dup || s[i + CONN] !== connection) && s[i + HASH] === payloadHash(packet.payload)) {
        s[i + CONN] = connection; // a later reuse of the id on this connection is a new packet
        ring.usedAt = now;
        return s[i + AT];
      }
      s[i + ID] = 0;
      return undefined;
    }
    return undefined;
  }

  /** Remembers the receive time (µs) given to a new packet. */
  remember(deviceId: string, connection: number, packet: Delivery, at: number, now = performance.now()): void {
    if (!packet.messageId) return;
    let ring = this.rings.get(deviceId);
    if (!ring) {
      ring = { slots: new Float64Array(this.window * FIELDS), next: 0, usedAt: now };
      this.rings.set(deviceId, ring);
    }
    const i = ring.next * FIELDS;
    ring.slots[i + ID] = packet.messageId;
    ring.slots[i + CONN] = connection;
    ring.slots[i + HASH] = payloadHash(packet.payload);
    ring.slots[i + AT] = at;
    ring.next = (ring.next + 1) % this.window;
    ring.usedAt = now;
  }

  /** Forgets a device's packets: its client disconnected cleanly, so nothing will be resent. */
  forget(deviceId: string): void {
    this.rings.delete(deviceId);
  }

  /** Forgets devices idle for `idleMs`. */
  sweep(now = performance.now()): void {
    for (const [id, ring] of this.rings) if (now - ring.usedAt > this.idleMs) this.rings.delete(id);
  }

  /** Devices remembered, for tests and metrics. */
  get size(): number {
    return this.rings.size;
  }
}

/**
 * Tells payloads apart: FNV-1a (32 bits) with the length for the usual small payload, where it costs
 * a fraction of a microsecond beside SHA-1's setup; 48 bits of SHA-1 for a large one. A collision
 * needs the same device, packet id and window, and could only merge that device's own readings.
 */
function payloadHash(payload: Buffer | string): number {
  const b = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (b.length > 4096) return createHash('sha1').update(b).digest().readUIntBE(0, 6);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return b.length * 2 ** 32 + (h >>> 0);
}
