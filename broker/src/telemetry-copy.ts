/** The telemetry columns as the batch writer holds them, one array per column, a row per index. */
export interface TelemetryColumns {
  /** Microseconds since the epoch. */
  time: readonly number[];
  device: readonly string[];
  metric: readonly string[];
  value: readonly (number | null)[];
  bool: readonly (boolean | null)[];
  text: readonly (string | null)[];
}

/** Takes what `encodeTelemetryCopy` builds. */
export const COPY_TELEMETRY =
  'COPY telemetry (time, device_id, metric, value, value_bool, value_text) FROM STDIN (FORMAT binary)';

/**
 * Rows as the body of a binary COPY (PostgreSQL 55.2 "COPY", binary format): each value goes in
 * its internal form, so the database parses no text (no timestamp, uuid or number input), and
 * here each row costs a few writes into one buffer instead of a string per value.
 * @example await tx.copyIn(COPY_TELEMETRY, encodeTelemetryCopy(batch));
 */
export function encodeTelemetryCopy(c: TelemetryColumns): Buffer {
  const n = c.time.length;
  // Fixed part of a row: field count, then length words and fixed-size values.
  let size = HEADER.length + 2 + n * (2 + 6 * 4 + 8 + 16 + 8 + 1);
  // Strings: at most 3 bytes of UTF-8 per UTF-16 unit.
  for (let i = 0; i < n; i++) size += 3 * (c.metric[i]!.length + (c.text[i]?.length ?? 0));
  const buf = Buffer.allocUnsafe(size);
  let at = HEADER.copy(buf, 0);
  for (let i = 0; i < n; i++) {
    at = buf.writeInt16BE(6, at);
    at = buf.writeInt32BE(8, at);
    at = writeInt64(buf, c.time[i]! - PG_EPOCH_US, at);
    at = buf.writeInt32BE(16, at);
    at = writeUuid(buf, c.device[i]!, at);
    at = writeText(buf, c.metric[i]!, at);
    const v = c.value[i];
    if (v === null || v === undefined) at = buf.writeInt32BE(-1, at);
    else {
      at = buf.writeInt32BE(8, at);
      at = buf.writeDoubleBE(v, at);
    }
    const b = c.bool[i];
    if (b === null || b === undefined) at = buf.writeInt32BE(-1, at);
    else {
      at = buf.writeInt32BE(1, at);
      buf[at++] = b ? 1 : 0;
    }
    const x = c.text[i];
    at = x === null || x === undefined ? buf.writeInt32BE(-1, at) : writeText(buf, x, at);
  }
  at = buf.writeInt16BE(-1, at); // the trailer
  return buf.subarray(0, at);
}

/** Signature, flags (no OIDs), header extension length (PostgreSQL 55.2 "Binary Format"). */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** timestamptz counts microseconds from 2000-01-01 UTC. */
const PG_EPOCH_US = 946_684_800_000_000;
const TWO_32 = 2 ** 32;

/** An integer as int8, without a BigInt: exact up to 2^53, far past any reading's time. */
function writeInt64(buf: Buffer, v: number, at: number): number {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  return buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

function writeText(buf: Buffer, s: string, at: number): number {
  const bytes = buf.write(s, at + 4, 'utf8');
  buf.writeInt32BE(bytes, at);
  return at + 4 + bytes;
}

/** Hex digit values by character code; -1 for anything else. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

const DASH = 45;

/** A uuid in its canonical text form (8-4-4-4-12 hex digits) as its 16 bytes. */
function writeUuid(buf: Buffer, s: string, at: number): number {
  if (s.length !== 36) throw new RangeError(`not a uuid: ${s}`);
  let out = at;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (s.charCodeAt(i) !== DASH) throw new RangeError(`not a uuid: ${s}`);
      i++;
    }
    const hi = HEX[s.charCodeAt(i)] ?? -1;
    const lo = HEX[s.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new RangeError(`not a uuid: ${s}`);
    buf[out++] = (hi << 4) | lo;
  }
  return out;
}
