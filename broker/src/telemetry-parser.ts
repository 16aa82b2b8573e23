import { Rejection } from './reasons.ts';

/** Readings in columns, ready for the writer: one index per reading. */
export interface Readings {
  /** Microseconds since the epoch. */
  time: number[];
  metric: string[];
  value: (number | null)[];
  bool: (boolean | null)[];
  text: (string | null)[];
}

export interface ParseLimits {
  /** Readings one message may carry. */
  maxReadings: number;
  /** How far ahead of the server clock a timestamp may be, in ms. */
  maxFutureMs: number;
  /** Longest string value, in characters. */
  maxTextLength: number;
}

/**
 * The server's receive time, for readings that carry no time of their own: the n-th of them in a
 * message is stamped `at + n` µs, so they never collide, and a resend parsed with the first copy's
 * `at` is stamped exactly as that copy was (and then stored once).
 */
export interface ReceiveStamp {
  /** µs since the epoch: `nowMicros()`, or the first copy's for a resend. */
  at: number;
  /** How many readings took a stamp; counted by the parser. */
  used: number;
}

const METRIC = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,63}$/;
const YEAR_2000_US = 946_684_800_000_000;
/** SenML times below 2^28 are relative to now (RFC 8428 §4.5.3). */
const SENML_RELATIVE_LIMIT_S = 2 ** 28;

let lastMicros = 0;
/** The server clock in µs, strictly increasing, so readings stamped on receipt never collide. */
export function nowMicros(): number {
  const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastMicros = now > lastMicros ? now : lastMicros + 1;
  return lastMicros;
}

interface Context {
  limits: ParseLimits;
  /** The latest time a reading may have (µs). */
  maxTime: number;
  stamp: ReceiveStamp;
}

/**
 * Parses a telemetry payload: `{"ts"?, metric: value, ...}`, an array of those, or SenML JSON
 * (RFC 8428). Returns the readings or a Rejection; never throws.
 * @example const r = parseTelemetry(payload, limits, { at: nowMicros(), used: 0 });
 */
export function parseTelemetry(
  payload: Buffer,
  limits: ParseLimits,
  stamp: ReceiveStamp = { at: nowMicros(), used: 0 },
): Readings | Rejection {
  const first = firstSignificantByte(payload);
  if (first !== 0x7b && first !== 0x5b) return new Rejection('unknown_encoding');
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return new Rejection('malformed_json', (err as Error).message);
  }
  const out: Readings = { time: [], metric: [], value: [], bool: [], text: [] };
  const ctx: Context = { limits, maxTime: (Date.now() + limits.maxFutureMs) * 1000, stamp };
  let err: Rejection | undefined;
  if (Array.isArray(doc)) {
    if (doc.length > 0 && isSenml(doc[0])) err = addSenml(doc, out, ctx);
    else
      for (const item of doc) {
        err = addObject(item, out, ctx);
        if (err) break;
      }
  } else err = addObject(doc, out, ctx);
  // The stamps this message took are spent: the clock hands out later ones from now on.
  if (stamp.used > 0 && lastMicros < stamp.at + stamp.used - 1) lastMicros = stamp.at + stamp.used - 1;
  if (err) return err;
  if (out.time.length > limits.maxReadings)
    return new Rejection('too_many_readings', `${out.time.length} > ${limits.maxReadings}`);
  return out;
}

function firstSignificantByte(buf: Buffer): number | undefined {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return undefined;
}

function addObject(item: unknown, out: Readings, ctx: Context): Rejection | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return new Rejection('invalid_shape');
  const record = item as Record<string, unknown>;
  let time: number;
  if (record.ts === undefined) time = ctx.stamp.at + ctx.stamp.used++;
  else {
    const ms =
      typeof record.ts === 'number' ? record.ts : typeof record.ts === 'string' ? Date.parse(record.ts) : Number.NaN;
    time = Math.round(ms * 1000);
    const err = checkTime(time, ctx, record.ts);
    if (err) return err;
  }
  for (const key in record) {
    if (key === 'ts') continue;
    const err = addReading(out, time, key, record[key], ctx.limits);
    if (err) return err;
    if (out.time.length > ctx.limits.maxReadings) return new Rejection('too_many_readings');
  }
  return undefined;
}

/** A reading's time, once resolved (µs): after 2000, and no further ahead than the limit. */
function checkTime(time: number, ctx: Context, given: unknown): Rejection | undefined {
  if (!Number.isFinite(time) || time < YEAR_2000_US) return new Rejection('invalid_timestamp', String(given));
  if (time > ctx.maxTime) return new Rejection('future_timestamp', String(given));
  return undefined;
}

function addReading(
  out: Readings,
  time: number,
  metric: string,
  v: unknown,
  limits: ParseLimits,
): Rejection | undefined {
  if (!METRIC.test(metric)) return new Rejection('invalid_metric', metric.slice(0, 80));
  if (typeof v === 'number') {
    // JSON has no Infinity, but 1e999 parses to it.
    if (!Number.isFinite(v)) return new Rejection('invalid_value', metric);
    push(out, time, metric, v, null, null);
  } else if (typeof v === 'boolean') push(out, time, metric, null, v, null);
  // PostgreSQL text cannot hold NUL: refuse it here rather than fail a whole batch later.
  else if (typeof v === 'string' && v.length <= limits.maxTextLength && !v.includes('\0'))
    push(out, time, metric, null, null, v);
  else return new Rejection('invalid_value', metric);
  return undefined;
}

function push(
  out: Readings,
  time: number,
  metric: string,
  v: number | null,
  b: boolean | null,
  t: string | null,
): void {
  out.time.push(time);
  out.metric.push(metric);
  out.value.push(v);
  out.bool.push(b);
  out.text.push(t);
}

/** SenML names are strings (RFC 8428 §4.5.1): `{"n": 1}` is a reading of a metric called n. */
function isSenml(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.n === 'string' || typeof r.bn === 'string' || 'bt' in r;
}

/** RFC 8428 §4: base name and base time carry over to the records that follow them. */
function addSenml(records: unknown[], out: Readings, ctx: Context): Rejection | undefined {
  let bn = '';
  let bt = 0;
  for (const r of records) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return new Rejection('invalid_shape');
    const rec = r as Record<string, unknown>;
    if (rec.bn !== undefined) {
      if (typeof rec.bn !== 'string') return new Rejection('invalid_shape', 'bn');
      bn = rec.bn;
    }
    if (rec.bt !== undefined) {
      if (typeof rec.bt !== 'number') return new Rejection('invalid_timestamp', 'bt');
      bt = rec.bt;
    }
    if (rec.v === undefined && rec.vb === undefined && rec.vs === undefined) continue; // a base-only record
    if (rec.t !== undefined && typeof rec.t !== 'number') return new Rejection('invalid_timestamp', 't');
    const t = bt + ((rec.t as number | undefined) ?? 0);
    // RFC 8428 §4.5.3: below 2^28 s, a time counts from now (negative: in the past). Bounds apply
    // to the resolved time, so `"t": 2.6e8` is as far in the future as an absolute time would be.
    const time =
      Math.abs(t) < SENML_RELATIVE_LIMIT_S
        ? ctx.stamp.at + ctx.stamp.used++ + Math.round(t * 1e6)
        : Math.round(t * 1e6);
    const timeErr = checkTime(time, ctx, t);
    if (timeErr) return timeErr;
    // A base name ending in ':' names the device ("urn:dev:mac:...:"); the topic already does.
    const name = (bn.endsWith(':') ? '' : bn) + (typeof rec.n === 'string' ? rec.n : '');
    const err = addReading(out, time, name, rec.v ?? rec.vb ?? rec.vs, ctx.limits);
    if (err) return err;
    if (out.time.length > ctx.limits.maxReadings) return new Rejection('too_many_readings');
  }
  return undefined;
}
