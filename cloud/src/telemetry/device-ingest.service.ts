import {
  type BrokerLimits,
  checkTelemetry,
  type DeviceIdentity,
  type DeviceStore,
  nowMicros,
  type Quotas,
  REASONS,
  type ReadingsListener,
  type Reason,
  Rejection,
  type TelemetrySink,
  type UsageMeter,
} from '@iotp/broker';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { CounterStore } from '../auth/rate-limit.ts';
import { Forbidden, PayloadTooLarge, Problem, RateLimited, Unauthorized, Unavailable } from '../http/problem.ts';

/** A telemetry payload the parser refused: `reason` is the broker's (`broker/src/reasons.ts`). */
export class InvalidTelemetry extends Problem {
  constructor(why: Rejection) {
    super('invalid-telemetry', 400, 'The telemetry payload is not valid', why.message, {
      cause: why,
      extra: { reason: why.reason },
    });
  }
}

export interface DeviceIngestOptions {
  devices: Pick<DeviceStore, 'checkCredentials'>;
  /** Where the broker stores telemetry before a QoS 1 PUBACK: the batch writer or the stream. */
  sink: TelemetrySink;
  limits: BrokerLimits;
  /** Messages per device and the daily quota; `learn` is told each device's admission. */
  quotas: Pick<Quotas, 'messageDelay' | 'dailyExceeded' | 'learn'>;
  /** The plan's answer for a device, as the broker asks it on each connect. */
  plan?: { admission(orgId: string, deviceId: string): Promise<{ allowed: boolean; messagesPerDay: number | null }> };
  meter?: UsageMeter;
  onReadings?: ReadingsListener;
  /** Failed logins per address, shared with the other credential endpoints. */
  failures: CounterStore;
  /** [failures, window in seconds] per address before the address is blocked for the window. */
  failureLimit: readonly [number, number];
  /** How long a device's admission is believed (ms): an HTTP device has no connection to hold it. */
  admissionTtlMs?: number;
  registry: Registry;
  logger: Logger;
}

/** The challenge a 401 carries (RFC 7617 section 2). */
export const CHALLENGE = 'Basic realm="devices", charset="UTF-8"';

/**
 * Telemetry from devices over HTTP, with the broker's guarantees: the same credential check,
 * parser, limits, quotas and durable write as a QoS 1 PUBLISH, and refusals counted by the same
 * reasons in `http_telemetry_rejects_total{reason}`.
 * @example const ingest = new DeviceIngest({ devices, sink, limits, quotas, failures, failureLimit: [30, 60], registry, logger });
 */
export class DeviceIngest {
  private readonly rejects: Counter<'reason'>;
  private readonly log: Logger;
  private readonly admitted = new Map<string, number>();

  constructor(private readonly o: DeviceIngestOptions) {
    this.log = o.logger.child({ component: 'device-ingest' });
    this.rejects = new Counter({
      name: 'http_telemetry_rejects_total',
      help: 'Device telemetry over HTTP refused, by the broker reason (as mqtt_rejects_total)',
      labelNames: ['reason'] as const,
      registers: [o.registry],
    });
    for (const reason of Object.keys(REASONS) as Reason[]) this.rejects.inc({ reason }, 0);
  }

  /** The largest payload taken, as on MQTT (`MQTT_MAX_PAYLOAD_BYTES`). */
  get maxPayloadBytes(): number {
    return this.o.limits.maxPayloadBytes;
  }

  /**
   * The device named by an `Authorization: Basic` header (RFC 7617: device id as user, secret as
   * password). Unknown device and wrong secret get the same 401; an address past its failures is
   * refused before its credentials are looked at.
   */
  async authenticate(header: string | undefined, address = 'unknown'): Promise<DeviceIdentity> {
    const key = `device-auth:${address}`;
    const blocked = await this.o.failures.blockedFor(key);
    if (blocked > 0) throw this.refuse(new RateLimited(blocked), 'connect_rate', { address });
    const given = basicCredentials(header);
    const check = given ? await this.o.devices.checkCredentials(given.id, given.secret) : undefined;
    if (check?.ok) return check.device;
    if (check?.why === 'disabled')
      throw this.refuse(new Forbidden('This device is disabled'), 'not_authorized', { deviceId: given?.id, address });
    const [max, windowS] = this.o.failureLimit;
    const { count, ttlS } = await this.o.failures.incr(key, windowS);
    if (count >= max) await this.o.failures.block(key, ttlS);
    // The id as given (cut short: it may be anything); never the secret.
    throw this.refuse(new Unauthorized('Send the device id and secret as HTTP Basic credentials'), 'bad_credentials', {
      deviceId: given?.id.slice(0, 100),
      address,
    });
  }

  /**
   * Takes one telemetry message of `device` and resolves once its readings are committed, as the
   * broker does before a QoS 1 PUBACK; throws the problem to answer otherwise.
   */
  async take(device: DeviceIdentity, payload: Buffer): Promise<{ readings: number }> {
    const { o } = this;
    const fields = { deviceId: device.id };
    if (!(await this.admit(device)))
      throw this.refuse(new Forbidden(REASONS.plan_device_limit.text), 'plan_device_limit', fields);
    // HTTP can tell a device to come back later, so a device past its rate is refused, not slowed.
    const wait = o.quotas.messageDelay(device.id);
    if (wait instanceof Rejection || wait > 0) {
      const ms = wait instanceof Rejection ? o.limits.maxThrottleMs : wait;
      throw this.refuse(new RateLimited(Math.max(1, Math.ceil(ms / 1000))), 'rate_limited', fields);
    }
    const readings = checkTelemetry(o, device.orgId, payload, { at: nowMicros(), used: 0 });
    if (readings instanceof Rejection) throw this.refuse(problemOf(readings), readings.reason, fields);
    o.meter?.count(device.orgId, device.id, { messages: 1, points: readings.time.length, bytes: payload.length });
    if (o.sink.saturated) await o.sink.drained();
    try {
      await o.sink.write(device.id, readings, true);
    } catch (err) {
      const problem = new Unavailable('The telemetry could not be stored; send it again', { cause: err });
      throw this.refuse(problem, 'storage_unavailable', { ...fields, err: (err as Error).message });
    }
    o.onReadings?.(device.id, device.orgId, readings);
    return { readings: readings.time.length };
  }

  /** Counts a refusal the way the broker does (metric and log line), and returns its problem to throw. */
  refuse(problem: Problem, reason: Reason, fields: Record<string, unknown>): Problem {
    this.rejects.inc({ reason });
    this.log.warn({ reason, ...fields }, REASONS[reason].text);
    return problem;
  }

  /**
   * Whether the plan lets this device send, asked as on an MQTT connect and believed for a while.
   * A failed lookup lets the device in: billing trouble must not take a fleet offline.
   */
  private async admit(device: DeviceIdentity): Promise<boolean> {
    const { plan, quotas, admissionTtlMs = 60_000 } = this.o;
    if (!plan) return true;
    const now = Date.now();
    if ((this.admitted.get(device.id) ?? 0) > now) return true;
    const answer = await plan.admission(device.orgId, device.id).catch(() => undefined);
    if (!answer) {
      quotas.learn(device.orgId);
      return true;
    }
    quotas.learn(device.orgId, answer.messagesPerDay);
    if (!answer.allowed) return false;
    if (this.admitted.size > 100_000)
      for (const [id, until] of this.admitted) if (until <= now) this.admitted.delete(id);
    this.admitted.set(device.id, now + admissionTtlMs);
    return true;
  }
}

/** The answer to a refused payload: too large, over the day's quota, or not valid. */
function problemOf(why: Rejection): Problem {
  if (why.reason === 'payload_too_large') return new PayloadTooLarge(why.message);
  if (why.reason === 'quota_exceeded') return new RateLimited(secondsToUtcMidnight());
  return new InvalidTelemetry(why);
}

function secondsToUtcMidnight(now = Date.now()): number {
  return Math.max(1, Math.ceil((86_400_000 - (now % 86_400_000)) / 1000));
}

/** Device id and secret from `Basic base64(id:secret)`; the secret stays bytes, as an MQTT password is. */
function basicCredentials(header: string | undefined): { id: string; secret: Buffer } | undefined {
  const match = header && /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { id: decoded.subarray(0, colon).toString('utf8'), secret: decoded.subarray(colon + 1) };
}
