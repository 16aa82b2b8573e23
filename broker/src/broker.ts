import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { connectHooks, remoteAddress, sessionOf } from './authenticate.ts';
import { publishHooks } from './authorize-publish.ts';
import type { BatchWriter } from './batch-writer.ts';
import type { DeviceStore } from './device-store.ts';
import type { BrokerMetrics } from './metrics.ts';
import { capPacketSize } from './packet-size.ts';
import { RateLimiter } from './rate-limit.ts';
import { REASONS, type Reason, Rejection } from './reasons.ts';
import { ReceiveTimes } from './receive-times.ts';
import { checkStrings } from './string-check.ts';
import type { ParseLimits } from './telemetry-parser.ts';
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
  const receiveTimes = new ReceiveTimes();
  const sweeper = setInterval(() => {
    connectLimiter.sweep();
    messageLimiter.sweep();
    receiveTimes.sweep();
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

  const aedes = new Aedes({
    // Client id = device id, a UUID: longer than 3.1.1's suggested 23 characters.
    maxClientsIdLength: 64,
    // Checked by the connect hooks, so that a refusal gets a return code 3.1.1 defines.
    keepaliveLimit: 0,
    maxTopicLevels: limits.maxTopicLevels,
    connectTimeout: 10_000,

    ...connectHooks({ devices, plan, connectLimiter, keepaliveMaxS: limits.keepaliveMaxS, count, log }),
    ...publishHooks({
      limits,
      writer,
      metrics,
      messageLimiter,
      receiveTimes,
      meter,
      quotaOf: (orgId) => quotas.get(orgId),
      // Twin reports, command responses and the like: the cloud listens on `deviceEvents`.
      relay: (deviceId, suffix, payload) => deviceEvents.emit('message', deviceId, suffix, payload),
      count,
    }),

    authorizeSubscribe(client, sub, done) {
      const session = sessionOf(client);
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
  });

  /** Device-state writes still running; close() waits for them before the database may close. */
  const pendingWrites = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pendingWrites.add(p);
    void p.finally(() => pendingWrites.delete(p));
    return p;
  };

  aedes.on('client', (client) => {
    metrics.connections.inc();
    const session = sessionOf(client);
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
    const session = sessionOf(client);
    if (!session) return;
    for (const sub of subscriptions) {
      if (sub.topic.startsWith(session.prefix))
        deviceEvents.emit('subscribe', session.id, sub.topic.slice(session.prefix.length));
    }
  });
  aedes.on('clientDisconnect', (client) => {
    metrics.connections.dec();
    const session = sessionOf(client);
    // A takeover by a new connection of the same device leaves it online.
    if (session) {
      const stillConnected = (aedes as unknown as { clients: Record<string, Client> }).clients[client.id] !== undefined;
      // After DISCONNECT [MQTT-3.14.4] the client had every acknowledgement: nothing will be resent.
      if ((client as unknown as { _disconnected: boolean })._disconnected && !stillConnected)
        receiveTimes.forget(session.id);
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
    if (err instanceof Rejection) return; // counted where it was raised
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
        checkStrings(client, (why) =>
          count(why.reason, { clientId: client.id, address: socket.remoteAddress, detail: why.detail }, 'info'),
        );
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
      for (const given of ids) {
        // Sessions are keyed by the canonical (lower-case) id; a route may pass on another spelling.
        const id = given.toLowerCase();
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
