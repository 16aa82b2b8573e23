import { randomUUID } from 'node:crypto';
import {
  type BatchWriter,
  type BrokerMetrics,
  BrokerNodes,
  type BrokerOptions,
  brokerLimits,
  connectSharedSessions,
  createBroker,
  DeviceCertificates,
  type DeviceCertificatesOptions,
  DeviceStore,
  type TelemetrySink,
  type UsageMeter,
} from '@iotp/broker';
import type { RedisCounterStore } from '../auth/rate-limit.ts';
import { type DevicePublisher, NatsDevicePublisher } from '../cluster/device-delivery.ts';
import { type DeviceOrders, LocalDeviceOrders, NatsDeviceOrders } from '../cluster/device-orders.ts';
import { JetStreamTelemetry } from '../cluster/telemetry-stream.ts';
import type { Wiring } from './wiring.ts';

export interface BrokerParts {
  writer: BatchWriter;
  meter: UsageMeter;
  metrics: BrokerMetrics;
  /** Redis counters shared by the nodes, when REDIS_URL is set. */
  shared?: RedisCounterStore;
  /** The plan's answers (billing is built later: looked up when asked). */
  plan: NonNullable<BrokerOptions['plan']>;
  /** Hears readings as the broker takes them (the rule engine). */
  onReadings?: BrokerOptions['onReadings'];
  /** Applications that subscribe with an organization API key. */
  apps?: BrokerOptions['apps'];
  /** Just-in-time registration of a device whose certificate's CA allows it (the registry is built later). */
  register?: DeviceCertificatesOptions['register'];
  /** Hears the devices whose connections a sweep of dead broker nodes ended. */
  onLost?: (deviceIds: string[]) => void;
}

/**
 * The MQTT broker and the ways to its devices: telemetry through the batch writer or, with
 * INGEST=jetstream, through the stream; sessions in Redis with MQTT_SESSIONS=redis; and with NATS,
 * messages and orders that reach whichever node holds a device.
 */
export async function wireBroker(
  w: Wiring,
  { writer, meter, metrics, shared, plan, onReadings, apps, register, onLost }: BrokerParts,
) {
  const { config, logger, registry, db, scheduler, onClose, runs, nc } = w;
  // INGEST=jetstream: the broker's PUBACK waits for the stream, and writer nodes fill the database from it.
  const streamed = nc && config.INGEST === 'jetstream' ? { nc, stream: config.INGEST_STREAM } : undefined;
  const ingest: TelemetrySink =
    streamed && runs('broker') ? await JetStreamTelemetry.open({ ...streamed, logger, registry }) : writer;
  // With MQTT_SESSIONS=redis, a persistent session follows its device to whichever node it reconnects to.
  const sessions =
    runs('broker') && config.MQTT_SESSIONS === 'redis' && config.REDIS_URL
      ? await connectSharedSessions({ url: config.REDIS_URL, prefix: config.MQTT_SESSIONS_PREFIX, logger })
      : undefined;
  // One store: its credential lookups are batched (a turn of the event loop, or a few ms while devices
  // keep connecting), MQTT and HTTP together.
  const devices = new DeviceStore(db);
  // Broker nodes beat in the database; a node that stops beating is dead, and the presence of the
  // devices it held is ended by whichever node sweeps (a killed node never writes their disconnects).
  const nodes = new BrokerNodes(db.sql);
  const nodeId = randomUUID();
  const broker = createBroker({
    sessions,
    counters: shared,
    devices,
    writer: ingest,
    metrics,
    logger,
    limits: brokerLimits(config),
    meter,
    plan,
    onReadings,
    apps,
    // Devices with a client certificate of their organization's CA, on the MQTTS listener.
    certificates: new DeviceCertificates({ orm: db.orm, devices, register }),
    nodes: runs('broker') ? nodes : undefined,
    nodeId,
  });
  // Registered before any listener: a failed listen must still close Aedes and the session store.
  onClose(() => broker.close());
  scheduler.add({ name: 'broker-housekeeping', everyMs: 60_000, run: () => broker.housekeeping(), scope: 'node' });
  if (runs('broker'))
    scheduler.add({
      name: 'broker-heartbeat',
      everyMs: config.BROKER_HEARTBEAT_MS,
      run: () => broker.heartbeat(),
      scope: 'node',
    });
  // Every worker node sweeps, each beat, rather than one a period under a lease: a sweep waits until
  // the database has answered this node's sweeps for a whole timeout without a gap (BrokerNodes.sweep),
  // and a lease passing between several workers would make gaps. Concurrent sweeps end each node once.
  if (runs('worker'))
    scheduler.add({
      name: 'sweep-dead-brokers',
      everyMs: config.BROKER_HEARTBEAT_MS,
      scope: 'node',
      run: async () => {
        const swept = await nodes.sweep(config.BROKER_NODE_TIMEOUT_MS, nodeId);
        if (!swept.nodes) return;
        // A single node's last run is swept too, once its devices were ended at this start: nothing to tell.
        logger[swept.devices.length ? 'warn' : 'info'](
          { nodes: swept.nodes, devices: swept.devices.length },
          'broker nodes not seen for BROKER_NODE_TIMEOUT_MS: their devices marked offline',
        );
        onLost?.(swept.devices);
      },
    });
  const deviceOrders: DeviceOrders = nc
    ? new NatsDeviceOrders({ nc, devices: broker, logger, registry })
    : new LocalDeviceOrders(broker);
  const toDevices: DevicePublisher = nc ? new NatsDevicePublisher({ nc, broker, logger, registry }) : broker;
  return { broker, streamed, deviceOrders, toDevices, devices, ingest };
}
