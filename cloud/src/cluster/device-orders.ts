import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { NatsConnection } from './nats.ts';

/** What the orders act on: the broker of this node. */
export interface LocalDevices {
  disconnectDevices(ids: string[]): void;
}

/**
 * Orders about live connections that must reach whichever node holds them: drop these devices
 * (credentials rotated or revoked, device disabled, organization deleted), or the applications
 * connected with these API keys (revoked, organization deleted). Never rejects:
 * the change behind an order is already stored, and a device whose credentials changed is refused
 * at its next connection on any node.
 */
export interface DeviceOrders {
  disconnect(ids: string[]): Promise<void>;
}

/** One process: the order goes to this node's broker. */
export class LocalDeviceOrders implements DeviceOrders {
  constructor(private readonly devices: LocalDevices) {}

  async disconnect(ids: string[]): Promise<void> {
    this.devices.disconnectDevices(ids);
  }
}

const DISCONNECT = 'iotp.devices.disconnect';

/**
 * Several nodes: orders are published on NATS (`NATS_URL`) and every node, this one included,
 * carries them out on its own broker. This node acts at once as well, so its own devices are
 * dropped even while NATS is unreachable.
 * @example const orders = new NatsDeviceOrders({ nc: await connectNats(url), devices: broker, logger });
 */
export class NatsDeviceOrders implements DeviceOrders {
  private readonly sent: Counter<'result'>;
  private readonly log: Logger;

  private readonly nc: NatsConnection;
  private readonly devices: LocalDevices;

  constructor({
    nc,
    devices,
    logger,
    registry,
  }: { nc: NatsConnection; devices: LocalDevices; logger: Logger; registry?: Registry }) {
    this.nc = nc;
    this.devices = devices;
    this.log = logger.child({ component: 'device-orders' });
    this.sent = new Counter({
      name: 'cluster_disconnect_orders_total',
      help: 'Orders to drop devices connections sent to every node over NATS, by result (sent, failed)',
      labelNames: ['result'] as const,
      registers: registry ? [registry] : [],
    });
    this.nc.subscribe(DISCONNECT, {
      callback: (err, msg) => {
        if (err) return this.log.error({ err }, 'disconnect orders subscription failed');
        try {
          const ids: unknown = msg.json();
          if (Array.isArray(ids) && ids.every((id) => typeof id === 'string')) this.devices.disconnectDevices(ids);
          else this.log.warn({ subject: msg.subject }, 'disconnect order ignored: not a list of device ids');
        } catch (cause) {
          this.log.warn({ err: cause }, 'disconnect order ignored: not JSON');
        }
      },
    });
  }

  async disconnect(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.devices.disconnectDevices(ids);
    try {
      this.nc.publish(DISCONNECT, JSON.stringify(ids));
      await this.nc.flush();
      this.sent.inc({ result: 'sent' });
    } catch (err) {
      this.sent.inc({ result: 'failed' });
      this.log.error({ err, devices: ids.length }, 'disconnect order not sent to the other nodes');
    }
  }
}
