import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { BatchWriter } from './batch-writer.ts';
import type { DeviceIdentity, DeviceStore } from './device-store.ts';
import type { BrokerMetrics } from './metrics.ts';
import { capPacketSize } from './packet-size.ts';
import { RateLimiter } from './rate-limit.ts';
import { REASONS, type Reason, Rejection } from './reasons.ts';
import { type ParseLimits, parseTelemetry } from './telemetry-parser.ts';
import type { UsageMeter } from './usage-meter.ts';

export interface BrokerLimits extends ParseLimits {
  /** Largest MQTT packet; a bigger one closes the connection before its body is read. */
  maxPacketBytes: number;
  /** Largest telemetry payload; a bigger one is acknowledged and dropped. */
  maxPayloadBytes: number;
  /** Longest keepalive a client may ask for, in seconds (0, "never", is refused too). */
  keepaliveMaxS: number;
  /** Connection attempts per second per address, and the burst allowed. */
  connectRatePerS: number;
  connectBurst: number;
  /** Messages per second per device, and the burst; a faster device is slowed. */
  messagesPerS: number;
  messagesBurst: number;
  /** A device this far behind its rate (ms) is disconnected rather than slowed further. */
  maxThrottleMs: number;
  maxTopicLevels: number;
  maxSubscriptions: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  maxPayloadBytes: 64 * 1024,
  keepaliveMaxS: 1200,
  connectRatePerS: 20,
  connectBurst: 100,
  messagesPerS: 1000,
  messagesBurst: 2000,
  maxThrottleMs: 10_000,
  maxTopicLevels: 8,
  maxSubscriptions: 32,
  maxReadings: 1000,
  maxFutureMs: 10 * 60 * 1000,
  maxTextLength: 1024,
};

export interface BrokerOptions {
  devices: DeviceStore;
  writer: BatchWriter;
  metrics: BrokerMetrics;
  logger: Logger;
  limits?: Partial<BrokerLimits>;
  /** Counts messages, data points and bytes per organization and device. */
  meter?: UsageMeter;
  /** The plan's side: may this device connect, and how many messages a day may its organization send. */
  plan?: {
    deviceAllowed(orgId: string, deviceId: string): Promise<boolean>;
    messagesPerDay(orgId: string): Promise<number | null>;
  };
}

interface Session extends DeviceIdentity {
  prefix: string;
  telemetryTopic: string;
  /** This connection's row in the device's connection history, once written. */
  connection?: Promise<string | undefined>;
}

const SESSION = Symbol('device');
const DROPPED = Symbol('dropped');
type DeviceClient = Client & { [SESSION]?: Session };
type MarkedPacket = PublishPacket & { [DROPPED]?: true };

/**
 * The MQTT broker: devices authenticate with their credentials, may touch only `devices/{id}/...`,
 * and their telemetry is stored through the batch writer before a QoS 1 PUBACK is sent.
 * @example const broker = createBroker({ devices, writer, metrics, logger }); await broker.listen(1883);
 */
export function createBroker({ devices, writer, metrics, logger, limits: given, meter, plan }: BrokerOptions) {
  const limits = { ...DEFAULT_LIMITS, ...given };
  const log = logger.child({ component: 'broker' });
  const connectLimiter = new RateLimiter(limits.connectRatePerS, limits.connectBurst);
  const messageLimiter = new RateLimiter(limits.messagesPerS, limits.messagesBurst);
  const sweeper = setInterval(() => {
    connectLimiter.sweep();
    messageLimiter.sweep();
  }, 60_000).unref();

  const count = (reason: Reason, fields: Record<string, unknown>, level: 'warn' | 'info' = 'warn') => {
    metrics.rejects.inc({ reason });
    log[level]({ reason, ...fields }, REASONS[reason].text);
  };

  /**
   * `message`: a device published below its prefix (deviceId, the topic below it, payload).
   * `subscribe`: a device subscribed (deviceId, the filter below its prefix).
   */
  const deviceEvents = new EventEmitter<{ message: [string, string, Buffer]; subscribe: [string, string] }>();
  deviceEvents.setMaxListeners(50);

  const aedes = new Aedes({
    // Client id = device id, a UUID: longer than 3.1.1's suggested 23 characters.
    maxClientsIdLength: 64,
    keepaliveLimit: limits.keepaliveMaxS,
    maxTopicLevels: limits.maxTopicLevels,
    connectTimeout: 10_000,

    authenticate(client, username, password, done) {
      const address = remoteAddress(client);
      const refuse = (reason: Reason, detail?: string) => {
        count(reason, { clientId: client.id, address, detail });
        done(new Rejection(reason, detail) as unknown as AuthenticateError, false);
      };
      if (!connectLimiter.tryTake(address ?? 'unknown')) return refuse('connect_rate');
      if (!username || !password) return refuse('bad_credentials', 'username and password are required');
      if (client.id !== username) return refuse('client_id_mismatch');
      devices.checkCredentials(username, password).then(
        (check) => {
          if (!check.ok) return refuse(check.why === 'disabled' ? 'not_authorized' : 'bad_credentials');
          // A failed plan lookup lets the device in: billing trouble must not take a fleet offline.
          const allowed = plan
            ? plan.deviceAllowed(check.device.orgId, check.device.id).catch(() => true)
            : Promise.resolve(true);
          return allowed.then((allowed) => {
            if (!allowed) return refuse('plan_device_limit');
            const prefix = `devices/${check.device.id}/`;
            (client as DeviceClient)[SESSION] = { ...check.device, prefix, telemetryTopic: `${prefix}telemetry` };
            done(null, true);
          });
        },
        (err) => {
          log.error({ err, clientId: client.id }, 'credential check failed');
          done(new Rejection('storage_unavailable') as unknown as AuthenticateError, false);
        },
      );
    },

    authorizePublish(client, packet, done) {
      const session = client && (client as DeviceClient)[SESSION];
      if (!session) return done(new Error('not authenticated'));
      if (!packet.topic.startsWith(session.prefix)) {
        count('topic_not_allowed', { deviceId: session.id, topic: packet.topic.slice(0, 200) });
        return done(new Rejection('topic_not_allowed')); // closes the connection
      }
      const wait = messageLimiter.take(session.id);
      if (wait > limits.maxThrottleMs) {
        count('rate_limited', { deviceId: session.id, disconnected: true });
        return done(new Rejection('rate_limited'));
      }
      // Slowing is enough: Aedes reads no more from this socket until `done` is called.
      if (wait > 0) setTimeout(() => route(session, packet, done), wait);
      else route(session, packet, done);
    },

    authorizeSubscribe(client, sub, done) {
      const session = client && (client as DeviceClient)[SESSION];
      if (!session) return done(new Error('not authenticated'), null);
      // Any filter under the device's own prefix matches only its own topics: wildcards after it
      // cannot climb back out.
      if (!sub.topic.startsWith(session.prefix) && sub.topic !== session.prefix.slice(0, -1)) {
        count('subscription_not_allowed', { deviceId: session.id, topic: sub.topic.slice(0, 200) });
        return done(null, null as unknown as Subscription); // SUBACK 0x80 for this filter [MQTT-3.9.3-2]
      }
      const current = (client as unknown as { subscriptions: Record<string, unknown> }).subscriptions;
      if (Object.keys(current).length >= limits.maxSubscriptions && !(sub.topic in current)) {
        count('too_many_subscriptions', { deviceId: session.id });
        return done(null, null as unknown as Subscription);
      }
      done(null, sub);
    },

    authorizeForward(_client, packet) {
      return (packet as MarkedPacket)[DROPPED] ? undefined : packet;
    },
  });

  /** Daily message quotas per organization, refreshed in the background: a lookup never waits. */
  const quotas = new Map<string, number | null>();
  const refreshQuotas = async () => {
    if (!plan) return;
    for (const orgId of new Set([...quotas.keys()]))
      quotas.set(orgId, await plan.messagesPerDay(orgId).catch(() => quotas.get(orgId) ?? null));
  };
  const quotaTimer = setInterval(() => void refreshQuotas(), 60_000).unref();
  /** Looks the quota up again on each connection: a plan change shows on the next connect. */
  const learnQuota = (orgId: string) => {
    if (!plan) return;
    if (!quotas.has(orgId)) quotas.set(orgId, null);
    plan.messagesPerDay(orgId).then(
      (q) => quotas.set(orgId, q),
      () => undefined,
    );
  };

  /** Telemetry goes to the writer; other topics in the namespace are relayed as they are. */
  function route(session: Session, packet: MarkedPacket, done: (err?: Error | null) => void): void {
    if (packet.topic !== session.telemetryTopic) {
      // Twin reports, command responses and the like: the cloud listens on `deviceEvents`.
      deviceEvents.emit('message', session.id, packet.topic.slice(session.prefix.length), packet.payload as Buffer);
      done(null);
      return;
    }
    const readings =
      packet.payload.length > limits.maxPayloadBytes
        ? new Rejection('payload_too_large', `${packet.payload.length} bytes`)
        : parseTelemetry(packet.payload as Buffer, limits);
    if (readings instanceof Rejection) {
      drop(session, packet, readings, done);
      return;
    }
    // Nothing to write would never be committed, so never acknowledged: answer it now.
    if (readings.time.length === 0) {
      drop(session, packet, new Rejection('invalid_shape', 'no readings'), done);
      return;
    }
    const quota = quotas.get(session.orgId);
    if (quota && meter && meter.messagesToday(session.orgId) >= quota) {
      drop(session, packet, new Rejection('quota_exceeded', `${quota} messages a day`), done);
      return;
    }
    meter?.count(session.orgId, session.id, {
      messages: 1,
      points: readings.time.length,
      bytes: packet.payload.length,
    });
    metrics.messages.inc({ qos: packet.qos });
    const store = () => {
      if (packet.qos === 0) {
        writer.write(session.id, readings, false);
        return done(null);
      }
      writer.write(session.id, readings, true).then(
        () => done(null),
        (err: Error) => {
          count('storage_unavailable', { deviceId: session.id, err: err.message });
          done(err); // no PUBACK: the device resends after reconnecting
        },
      );
    };
    if (writer.saturated) writer.drained().then(store);
    else store();
  }

  /** MQTT 3.1.1 cannot refuse one PUBLISH: acknowledge it, so it is not resent forever, and drop it. */
  function drop(session: Session, packet: MarkedPacket, why: Rejection, done: (err?: Error | null) => void): void {
    count(why.reason, { deviceId: session.id, detail: why.message });
    packet[DROPPED] = true;
    done(null);
  }

  /** Device-state writes still running; close() waits for them before the database may close. */
  const pendingWrites = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pendingWrites.add(p);
    void p.finally(() => pendingWrites.delete(p));
    return p;
  };

  aedes.on('client', (client) => {
    metrics.connections.inc();
    const session = (client as DeviceClient)[SESSION];
    if (session) learnQuota(session.orgId);
    if (session) {
      session.connection = track(
        devices.markOnline(session.id, remoteAddress(client)).catch((err) => {
          log.warn({ err }, 'markOnline failed');
          return undefined;
        }),
      );
    }
    log.info({ deviceId: client.id, address: remoteAddress(client) }, 'device connected');
  });
  aedes.on('subscribe', (subscriptions, client) => {
    const session = client && (client as DeviceClient)[SESSION];
    if (!session) return;
    for (const sub of subscriptions) {
      if (sub.topic.startsWith(session.prefix))
        deviceEvents.emit('subscribe', session.id, sub.topic.slice(session.prefix.length));
    }
  });
  aedes.on('clientDisconnect', (client) => {
    metrics.connections.dec();
    const session = (client as DeviceClient)[SESSION];
    // A takeover by a new connection of the same device leaves it online.
    if (session) {
      const stillConnected = (aedes as unknown as { clients: Record<string, Client> }).clients[client.id] !== undefined;
      track(
        (session.connection ?? Promise.resolve(undefined))
          .then((connectionId) => devices.markOffline(session.id, connectionId, stillConnected))
          .catch((err) => log.warn({ err }, 'markOffline failed')),
      );
    }
    log.info({ deviceId: client.id }, 'device disconnected');
  });
  aedes.on('clientError', (client, err) => {
    if (err instanceof Rejection) return; // counted where it was raised
    const reason: Reason = /too many levels/.test(err.message) ? 'topic_too_deep' : 'protocol_error';
    count(reason, { clientId: client.id, err: err.message }, 'info');
  });
  aedes.on('connectionError', (client, err) => {
    count('protocol_error', { clientId: client.id, err: err.message }, 'info');
  });

  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let ready: Promise<void> | undefined;
  return {
    aedes,
    limits,
    get listening() {
      return servers.length > 0 && servers.every((s) => s.listening);
    },
    /**
     * Starts accepting MQTT connections, over TLS when `tls` holds a certificate and key (PEM);
     * may be called once for plain MQTT and once for TLS. Resolves with the bound port.
     */
    async listen(
      port: number,
      host = '0.0.0.0',
      tls?: { cert: string | Buffer; key: string | Buffer },
    ): Promise<number> {
      ready ??= aedes.listen(); // sets up persistence; connections before it never get a CONNACK
      await ready;
      const accept = (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        const client = aedes.handle(socket);
        capPacketSize(client, limits.maxPacketBytes, (size) => {
          count('packet_too_large', { clientId: client.id, address: socket.remoteAddress, size });
          socket.destroy();
        });
      };
      const s: Server = tls ? createTlsServer(tls, accept) : createServer(accept);
      if (tls) s.on('tlsClientError', (err) => log.info({ err: err.message }, 'TLS handshake failed'));
      servers.push(s);
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          const addr = s.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    deviceEvents,
    /** Publishes to a device's own topic `devices/{id}/{suffix}`; resolves once handed to subscribers. */
    publishToDevice(
      deviceId: string,
      suffix: string,
      payload: string | Buffer,
      opts: { qos?: 0 | 1; retain?: boolean } = {},
    ) {
      return new Promise<void>((resolve, reject) =>
        aedes.publish(
          {
            cmd: 'publish',
            topic: `devices/${deviceId}/${suffix}`,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos: opts.qos ?? 1,
            retain: opts.retain ?? false,
            dup: false,
          },
          (err?: Error) => (err ? reject(err) : resolve()),
        ),
      );
    },
    /** Drops the live connections of these devices (credentials revoked or rotated). */
    disconnectDevices(ids: string[]): void {
      const clients = (aedes as unknown as { clients: Record<string, Client> }).clients;
      for (const id of ids) {
        const client = clients[id];
        if (client) {
          log.info({ deviceId: id }, 'device disconnected: credentials revoked');
          client.close();
        }
      }
    },
    /** Stops accepting, disconnects every client, and closes Aedes. */
    async close(): Promise<void> {
      clearInterval(sweeper);
      clearInterval(quotaTimer);
      const closing = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closing;
      // Disconnects above queue markOffline writes: let them land while the database is still open.
      while (pendingWrites.size) await Promise.allSettled([...pendingWrites]);
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;

function remoteAddress(client: Client): string | undefined {
  return (client.conn as Partial<Socket> | undefined)?.remoteAddress;
}
