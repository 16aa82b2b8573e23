import type { DeviceEvents, PublishProperties } from '@iotp/broker';
import { type Msg, headers as natsHeaders, RequestError, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { NatsConnection } from './nats.ts';

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
  /** MQTT 5 properties, for MQTT 5 devices: a response topic and correlation data, a message expiry. */
  properties?: PublishProperties;
}

/** What delivery needs of this node's broker. */
export interface LocalBroker {
  deviceEvents: DeviceEvents;
  /** True while this node holds the device's live connection. */
  holds(deviceId: string): boolean;
  /** Resolves with whether the device's session had a subscription to take the message (see `DevicePublisher`). */
  publishToDevice(deviceId: string, suffix: string, payload: string | Buffer, opts?: PublishOptions): Promise<boolean>;
}

/**
 * Publishing to a device's own topics (`devices/{id}/{suffix}`): commands, desired state, OTA jobs.
 * Resolves once handed to the device's session on the node that holds its connection, or, when no
 * node holds it, to this node's broker (a retained message, a persistent session's queue); with
 * whether that session had a subscription matching the topic (live, or a persistent session's,
 * which queues it). False: the broker had nowhere to put it, e.g. a device that connected and has
 * not subscribed yet.
 */
export interface DevicePublisher {
  publishToDevice(deviceId: string, suffix: string, payload: string | Buffer, opts?: PublishOptions): Promise<boolean>;
  /** True while this node holds the device's live connection. */
  holds(deviceId: string): boolean;
  /**
   * Several nodes: publishes only if some node holds the device's connection, whatever the
   * database says of its presence, and resolves as `publishToDevice` does; false, at once, when
   * none does. (One node: `holds` tells.)
   */
  publishIfHeld?(deviceId: string, suffix: string, payload: string | Buffer, opts?: PublishOptions): Promise<boolean>;
}

const subject = (deviceId: string) => `iotp.devices.${deviceId.toLowerCase()}.deliver`;

/**
 * Several nodes: each node answers requests on `iotp.devices.{id}.deliver` for the devices
 * connected to it, so a message published through any node reaches the device's session where it
 * is (NATS request and reply: the answer comes once the holder's broker has taken the message, and
 * says whether the device's session had a subscription for it).
 * A device no node holds is told at once by NATS (no responders), and the message goes to this
 * node's broker as in one process, or with `publishIfHeld` nowhere.
 * @example const publisher = new NatsDevicePublisher({ nc, broker, logger }); await publisher.publishToDevice(id, 'commands', json);
 */
export class NatsDevicePublisher implements DevicePublisher {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly log: Logger;
  private readonly sent: Counter<'result'>;
  private readonly nc: NatsConnection;
  private readonly broker: LocalBroker;
  private readonly timeoutMs: number;

  constructor(o: { nc: NatsConnection; broker: LocalBroker; logger: Logger; registry?: Registry; timeoutMs?: number }) {
    this.nc = o.nc;
    this.broker = o.broker;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.log = o.logger.child({ component: 'device-delivery' });
    this.sent = new Counter({
      name: 'cluster_device_messages_total',
      help: 'Messages to devices by where they went: local (this node holds the device), remote (the node that holds it took it), unheld (no node holds it), failed',
      labelNames: ['result'] as const,
      registers: o.registry ? [o.registry] : [],
    });
    o.broker.deviceEvents.on('connect', (id) => this.serve(id));
    o.broker.deviceEvents.on('disconnect', (id, stillConnected) => {
      if (!stillConnected) this.stopServing(id);
    });
  }

  holds(deviceId: string): boolean {
    return this.broker.holds(deviceId);
  }

  async publishToDevice(
    deviceId: string,
    suffix: string,
    payload: string | Buffer,
    opts: PublishOptions = {},
  ): Promise<boolean> {
    return (
      (await this.publishToHolder(deviceId, suffix, payload, opts)) ??
      this.broker.publishToDevice(deviceId, suffix, payload, opts)
    );
  }

  async publishIfHeld(
    deviceId: string,
    suffix: string,
    payload: string | Buffer,
    opts: PublishOptions = {},
  ): Promise<boolean> {
    return (await this.publishToHolder(deviceId, suffix, payload, opts)) ?? false;
  }

  /**
   * Publishes through the node that holds the device, this one or another: whether the device's
   * session there had a subscription for it; undefined, at once, when no node holds it.
   */
  private async publishToHolder(
    deviceId: string,
    suffix: string,
    payload: string | Buffer,
    opts: PublishOptions,
  ): Promise<boolean | undefined> {
    if (this.broker.holds(deviceId)) {
      this.sent.inc({ result: 'local' });
      return this.broker.publishToDevice(deviceId, suffix, payload, opts);
    }
    const h = natsHeaders();
    h.set('suffix', suffix);
    h.set('qos', String(opts.qos ?? 1));
    h.set('retain', String(opts.retain ?? false));
    if (opts.properties) h.set('properties', encodeProperties(opts.properties));
    try {
      const answer = await this.nc.request(
        subject(deviceId),
        typeof payload === 'string' ? payload : new Uint8Array(payload),
        {
          timeout: this.timeoutMs,
          headers: h,
        },
      );
      const error = answer.headers?.get('error');
      if (error) throw new Error(`the node holding device ${deviceId} could not publish: ${error}`);
      this.sent.inc({ result: 'remote' });
      // A node of an earlier release answers without it, having published as before.
      return answer.headers?.get('subscribed') !== 'false';
    } catch (err) {
      if (!isNoResponders(err)) {
        this.sent.inc({ result: 'failed' });
        throw err;
      }
      this.sent.inc({ result: 'unheld' });
      return undefined;
    }
  }

  private serve(deviceId: string): void {
    const id = deviceId.toLowerCase();
    if (this.subscriptions.has(id)) return;
    this.subscriptions.set(
      id,
      this.nc.subscribe(subject(id), { callback: (err, msg) => (err ? undefined : void this.deliver(id, msg)) }),
    );
  }

  private stopServing(deviceId: string): void {
    const id = deviceId.toLowerCase();
    this.subscriptions.get(id)?.unsubscribe();
    this.subscriptions.delete(id);
  }

  private async deliver(deviceId: string, msg: Msg): Promise<void> {
    const suffix = msg.headers?.get('suffix') ?? '';
    const qos = msg.headers?.get('qos') === '0' ? 0 : 1;
    const retain = msg.headers?.get('retain') === 'true';
    const properties = msg.headers?.get('properties');
    try {
      if (!suffix) throw new Error('no suffix header');
      const subscribed = await this.broker.publishToDevice(deviceId, suffix, Buffer.from(msg.data), {
        qos,
        retain,
        ...(properties ? { properties: decodeProperties(properties) } : {}),
      });
      const h = natsHeaders();
      h.set('subscribed', String(subscribed));
      msg.respond('', { headers: h });
    } catch (err) {
      this.log.warn({ err, deviceId }, 'message for a device of this node not delivered');
      const h = natsHeaders();
      h.set('error', (err as Error).message);
      msg.respond('', { headers: h });
    }
  }
}

/** MQTT 5 properties as a header: JSON, with the correlation data (bytes) in base64. */
function encodeProperties(p: PublishProperties): string {
  return JSON.stringify({ ...p, correlationData: p.correlationData?.toString('base64') });
}

function decodeProperties(header: string): PublishProperties {
  const { correlationData, ...rest } = JSON.parse(header) as PublishProperties & { correlationData?: string };
  return { ...rest, ...(correlationData ? { correlationData: Buffer.from(correlationData, 'base64') } : {}) };
}

/** NATS answers at once when nobody subscribes to the subject: no node holds the device. */
function isNoResponders(err: unknown): boolean {
  return err instanceof RequestError && err.isNoResponders();
}
