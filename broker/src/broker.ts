import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { deviceTopic } from '@iotp/protocol';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import {
  capPacketSize,
  checkStrings,
  connectedClient,
  connectedClients,
  hasStoredSubscription,
  hasSubscriptionFor,
  isDropped,
  isPacketTooLarge,
  isTopicTooDeep,
  markForApps,
  memoryPersistence,
  remoteAddress,
  saidDisconnect,
  subscribedFilters,
  wholePacketBytes,
} from './aedes-internals.ts';
import { type AppAccess, appSessionOf } from './app-clients.ts';
import { connectHooks, type Session, sessionOf } from './authenticate.ts';
import { publishHooks } from './authorize-publish.ts';
import { subscribeHooks } from './authorize-subscribe.ts';
import type { BrokerNodes } from './broker-nodes.ts';
import type { DeviceCertificates } from './device-certificates.ts';
import type { DeviceStore } from './device-store.ts';
import { type BrokerLimits, DEFAULT_LIMITS } from './limits.ts';
import type { BrokerMetrics } from './metrics.ts';
import { Presence } from './presence.ts';
import { acceptProxyHeader, type ProxyProtocolOptions } from './proxy-protocol.ts';
import { type PlanAdmission, type QuotaPlan, Quotas, type SharedCounters } from './quotas.ts';
import { REASONS, type Reason, Rejection } from './reasons.ts';
import { ReceiveTimes } from './receive-times.ts';
import type { SharedSessions } from './shared-sessions.ts';
import { type ReadingsListener, storeTelemetry, type TelemetrySink } from './store-telemetry.ts';
import type { UsageMeter } from './usage-meter.ts';
import { mqttOverWebSocket, type WebSocketOptions } from './websocket.ts';

export { type BrokerLimits, DEFAULT_LIMITS } from './limits.ts';

/**
 * MQTT 5 properties of a message to a device (MQTT 3.1.1 subscribers get the message without):
 * a command's Response Topic and Correlation Data [MQTT-4.10], how long it may wait queued
 * (Message Expiry Interval, seconds), user properties.
 */
export type PublishProperties = Pick<
  NonNullable<PublishPacket['properties']>,
  'responseTopic' | 'correlationData' | 'messageExpiryInterval' | 'userProperties' | 'contentType'
>;

export interface BrokerOptions {
  devices: DeviceStore;
  /** Where telemetry is stored before a QoS 1 PUBACK: the batch writer, or a durable stream. */
  writer: TelemetrySink;
  metrics: BrokerMetrics;
  logger: Logger;
  limits?: Partial<BrokerLimits>;
  /** Counts messages, data points and bytes per organization and device. */
  meter?: UsageMeter;
  /** The plan's side: may this device connect, and how many messages a day may its organization send. */
  plan?: PlanAdmission & QuotaPlan;
  /** MQTT sessions shared by every broker node (in Redis); each node's memory by default. Closed with the broker. */
  sessions?: SharedSessions;
  /** Counters shared by every broker node (Redis), so the connection rate per address holds across them. */
  counters?: SharedCounters;
  /** Hears each device's readings once taken, e.g. to evaluate rules; must return at once and never throw. */
  onReadings?: ReadingsListener;
  /** Applications that subscribe to their organization's topics with an API key; none without. */
  apps?: AppAccess;
  /** Devices with a client certificate of their organization's CA, on the TLS listener; none without. */
  certificates?: DeviceCertificates;
  /** Where this node beats (`heartbeat()`), so that the others can tell when it died; nowhere without. */
  nodes?: BrokerNodes;
  /** Names this node in `broker_nodes` and on its devices' connection rows; a random id by default. */
  nodeId?: string;
}

/** What devices do on this node, for the cloud services: messages below their own prefix, subscriptions, connections. */
export type DeviceEvents = EventEmitter<{
  /** A device published below its prefix: its id, the topic below the prefix, the payload. */
  message: [string, string, Buffer];
  /**
   * A device's subscription took effect: its id, the filter below its prefix. One it SUBSCRIBEd to,
   * or one its resumed persistent session brought back [MQTT-3.1.2-4], which it does not send again.
   */
  subscribe: [string, string];
  /** A device's session started on this node. */
  connect: [string];
  /** A device's connection to this node ended (`stillConnected`: a newer one took over). */
  disconnect: [string, boolean];
}>;

/**
 * The MQTT broker: devices authenticate with their credentials, may touch only `devices/{id}/...`,
 * and their telemetry is stored through the batch writer before a QoS 1 PUBACK is sent.
 * Composes one part per concern: authenticate, authorize publish and subscribe, telemetry storage,
 * quotas, presence; whatever reaches into Aedes internals is in aedes-internals.ts.
 * @example const broker = createBroker({ devices, writer, metrics, logger }); await broker.listen(1883);
 */
export function createBroker({
  devices,
  writer,
  metrics,
  logger,
  limits: given,
  meter,
  plan,
  sessions,
  counters,
  onReadings,
  apps,
  certificates,
  nodes,
  nodeId = randomUUID(),
}: BrokerOptions) {
  const limits = { ...DEFAULT_LIMITS, ...given };
  const log = logger.child({ component: 'broker' });
  const quotas = new Quotas({ limits, plan, meter, shared: counters });
  const receiveTimes = new ReceiveTimes();
  const presence = new Presence(devices, log, nodeId);

  const count = (reason: Reason, fields: Record<string, unknown>, level: 'warn' | 'info' = 'warn') => {
    metrics.rejects.inc({ reason });
    log[level]({ reason, ...fields }, REASONS[reason].text);
  };

  /**
   * The connections on this node by the credential behind them, dropped when it is revoked: an
   * application's API key id; a device certificate's CA id and `{caId}/{serial}`.
   */
  const byCredential = new Map<string, Set<Client>>();
  const holdAs = (key: string, client: Client, add: boolean) => {
    const held = byCredential.get(key) ?? new Set();
    if (add) byCredential.set(key, held.add(client));
    else if (held.delete(client) && held.size === 0) byCredential.delete(key);
  };
  const certificateKeys = (c: { caId: string; serial: string }) => [c.caId, `${c.caId}/${c.serial}`];

  const deviceEvents: DeviceEvents = new EventEmitter();
  deviceEvents.setMaxListeners(50);
  const subscribed = (session: Session, filters: Iterable<string>) => {
    for (const filter of filters)
      if (filter.startsWith(session.prefix))
        deviceEvents.emit('subscribe', session.id, filter.slice(session.prefix.length));
  };

  const aedes = new Aedes({
    // Client id = device id, a UUID: longer than 3.1.1's suggested 23 characters.
    maxClientsIdLength: 64,
    // Checked by the connect hooks, so that a refusal gets a return code 3.1.1 defines and an
    // MQTT 5 client the Server Keep Alive instead [MQTT-3.2.2-21].
    keepaliveLimit: 0,
    // MQTT 5, advertised in CONNACK and enforced.
    maximumPacketSize: wholePacketBytes(limits.maxPacketBytes),
    topicAliasMaximum: limits.topicAliasMax,
    receiveMaximum: limits.receiveMaximum,
    sessionExpiryIntervalLimit: limits.sessionExpiryMaxS,
    maxTopicLevels: limits.maxTopicLevels,
    connectTimeout: 10_000,
    ...(sessions ? { persistence: sessions.persistence, mq: sessions.mq } : { persistence: memoryPersistence() }),

    ...connectHooks({ devices, plan, quotas, apps, certificates, keepaliveMaxS: limits.keepaliveMaxS, count, log }),
    ...publishHooks({
      quotas,
      store: storeTelemetry({ limits, writer, metrics, receiveTimes, quotas, meter, count, onReadings }),
      // Twin reports, command responses and the like: the cloud listens on `deviceEvents`.
      relay: (deviceId, suffix, payload) => deviceEvents.emit('message', deviceId, suffix, payload),
      apps,
      count,
    }),
    ...subscribeHooks({ maxSubscriptions: limits.maxSubscriptions, apps, count }),
  });

  aedes.on('client', (client) => {
    metrics.connections.inc();
    const app = appSessionOf(client);
    if (app) {
      holdAs(app.apiKeyId, client, true);
      return log.info({ clientId: client.id, orgId: app.orgId, apiKeyId: app.apiKeyId }, 'application connected');
    }
    const session = sessionOf(client);
    if (session) {
      if (session.certificate) for (const key of certificateKeys(session.certificate)) holdAs(key, client, true);
      presence.online(session, remoteAddress(client));
      deviceEvents.emit('connect', session.id);
      // A resumed persistent session has its stored subscriptions back, restored before this event
      // and without a SUBSCRIBE from the device: they count as subscribed once the connect is done
      // (CONNACK and the queued messages out), so that what is sent on subscribe reaches it.
      const restored = subscribedFilters(client);
      if (restored.length > 0) client.once('connected', () => subscribed(session, restored));
    }
    log.info({ deviceId: client.id, address: remoteAddress(client) }, 'device connected');
  });
  aedes.on('subscribe', (subscriptions, client) => {
    const session = sessionOf(client);
    if (!session) return;
    const filters = subscriptions.map((sub) => sub.topic);
    subscribed(session, filters);
  });
  aedes.on('clientDisconnect', (client) => {
    metrics.connections.dec();
    const app = appSessionOf(client);
    if (app) {
      apps?.devices.release(app.orgId);
      holdAs(app.apiKeyId, client, false);
      return log.info({ clientId: client.id, apiKeyId: app.apiKeyId }, 'application disconnected');
    }
    const session = sessionOf(client);
    if (session) {
      if (session.certificate) for (const key of certificateKeys(session.certificate)) holdAs(key, client, false);
      const stillConnected = connectedClient(aedes, client.id) !== undefined;
      // After DISCONNECT [MQTT-3.14.4] the client had every acknowledgement: nothing will be resent.
      if (saidDisconnect(client) && !stillConnected) receiveTimes.forget(session.id);
      presence.offline(session, stillConnected);
      deviceEvents.emit('disconnect', session.id, stillConnected);
    }
    log.info({ deviceId: client.id }, 'device disconnected');
  });
  aedes.on('clientError', (client, err) => {
    if (err instanceof Rejection) return; // counted where it was raised
    // Aedes refuses an oversized packet of an MQTT 5 client (DISCONNECT 0x95); capPacketSize the others'.
    if (isPacketTooLarge(err)) {
      if (client.version === 5) count('packet_too_large', { clientId: client.id, address: remoteAddress(client) });
      return;
    }
    count(isTopicTooDeep(err) ? 'topic_too_deep' : 'protocol_error', { clientId: client.id, err: err.message }, 'info');
  });
  aedes.on('connectionError', (client, err) => {
    if (err instanceof Rejection) return; // counted where it was raised
    count('protocol_error', { clientId: client.id, err: err.message }, 'info');
  });

  const servers: (Server | HttpServer)[] = [];
  const sockets = new Set<Socket>();
  const webSockets: { close(): void }[] = [];
  let ready: Promise<void> | undefined;
  /**
   * Aedes set up (its persistence: retained messages, session queues, stored subscriptions): by the
   * first listen, or here for a node that never listens (no broker role, the test harness).
   */
  const listening = () => (ready ??= aedes.listen());

  /** One MQTT connection, over TCP, TLS or a WebSocket: Aedes reads it, within our packet rules. */
  const handle = (stream: Duplex) => {
    const client = aedes.handle(stream);
    capPacketSize(client, limits.maxPacketBytes, (size) => {
      count('packet_too_large', { clientId: client.id, address: remoteAddress(client), size });
      stream.destroy();
    });
    checkStrings(client, (why) =>
      count(why.reason, { clientId: client.id, address: remoteAddress(client), detail: why.detail }, 'info'),
    );
  };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  /** Starts a listener of the broker's, closed with it; resolves with the bound port. */
  const bind = (s: Server | HttpServer, port: number, host: string) => {
    servers.push(s);
    return new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        const addr = s.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  };
  /** Hands a message to the subscribers on this node; resolves once it is handed. */
  const publish = async (
    topic: string,
    payload: string | Buffer,
    qos: 0 | 1,
    retain: boolean,
    properties?: PublishProperties,
  ) => {
    await listening(); // so a retained message or a session queue has a home
    return new Promise<void>((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos,
          retain,
          dup: false,
          ...(properties ? { properties } : {}),
        },
        (err?: Error) => (err ? reject(err) : resolve()),
      ),
    );
  };
  /**
   * Whether a message on a device's topic has somewhere to go: a subscription of the device's live
   * session on this node, or a persistent session's stored one, for which Aedes queues a QoS 1
   * message [MQTT-3.1.2-5]. Without either the broker drops it (keeping only a retained one).
   */
  const hasSubscriber = async (deviceId: string, topic: string, qos: 0 | 1): Promise<boolean> => {
    const id = deviceId.toLowerCase();
    const client = connectedClient(aedes, id);
    if (client && hasSubscriptionFor(client, topic)) return true;
    if (qos === 0) return false;
    await listening(); // the persistence's subscriptions are loaded by its setup
    return hasStoredSubscription(aedes, id, topic);
  };
  const webSocketOptions = (o: Partial<WebSocketOptions>): WebSocketOptions => ({
    path: '/mqtt',
    trusted: [],
    // A message holds one packet, or a few small ones: a bigger one is refused before it is read.
    maxPayload: 2 * limits.maxPacketBytes,
    ...o,
  });
  return {
    aedes,
    limits,
    /** Connect and message limits, daily quotas: shared with devices' telemetry over HTTP. */
    quotas,
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
      /** Behind a load balancer: the PROXY protocol from these peers (plain MQTT only). */
      proxyProtocol?: ProxyProtocolOptions,
    ): Promise<number> {
      if (tls && proxyProtocol)
        throw new Error('the PROXY protocol is read on plain MQTT only: end TLS at the balancer');
      await listening(); // connections before it never get a CONNACK
      const afterHeader = proxyProtocol
        ? acceptProxyHeader(proxyProtocol, handle, (socket, why) =>
            count(why.reason, { address: socket.remoteAddress, detail: why.detail }),
          )
        : handle;
      const accept = (socket: Socket) => {
        track(socket);
        afterHeader(socket);
      };
      // A client certificate is asked for and checked by `authenticate` against the organizations'
      // CAs; a device without one (a password device) is let through the handshake all the same.
      const s: Server = tls
        ? createTlsServer({ ...tls, requestCert: certificates !== undefined, rejectUnauthorized: false }, accept)
        : createServer(accept);
      if (tls) s.on('tlsClientError', (err) => log.info({ err: err.message }, 'TLS handshake failed'));
      return bind(s, port, host);
    },
    /**
     * MQTT over WebSocket on an HTTP server that serves other things too (the API's port): upgrades
     * of `path` ('/mqtt') become MQTT connections, with the same rules as plain MQTT. Returns what
     * drops them: the HTTP server's `close` waits for upgraded connections too, so call it first.
     */
    async acceptWebSockets(server: HttpServer, o: Partial<WebSocketOptions> = {}): Promise<() => void> {
      await listening();
      const ws = mqttOverWebSocket(
        webSocketOptions(o),
        (stream, socket) => {
          track(socket);
          handle(stream);
        },
        (reason, fields) => count(reason, { ...fields, transport: 'websocket' }, 'info'),
      );
      webSockets.push(ws);
      server.on('upgrade', ws.upgrade);
      return () => {
        server.off('upgrade', ws.upgrade);
        ws.close();
      };
    },
    /**
     * A listener of its own for MQTT over WebSocket, over TLS (wss) when `tls` holds a certificate
     * and key; a request that is no upgrade is answered 426. Resolves with the bound port.
     */
    async listenWebSocket(
      port: number,
      host = '0.0.0.0',
      tls?: { cert: string | Buffer; key: string | Buffer },
      o: Partial<WebSocketOptions> = {},
    ): Promise<number> {
      const onRequest = (_req: unknown, res: ServerResponse) => {
        res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain' });
        res.end(`MQTT over WebSocket: connect to ${o.path ?? '/mqtt'} with the "mqtt" subprotocol\n`);
      };
      const s = tls ? createHttpsServer(tls, onRequest) : createHttpServer(onRequest);
      if (tls) s.on('tlsClientError', (err) => log.info({ err: err.message }, 'TLS handshake failed'));
      await this.acceptWebSockets(s, o); // dropped by `close`, before the servers' close completes
      return bind(s, port, host);
    },
    deviceEvents,
    /**
     * Publishes to a device's own topic `devices/{id}/{suffix}`; resolves once handed to subscribers,
     * with whether the device's session had a subscription to take it (live on this node, or a
     * persistent session's): false when the broker had nowhere to put it.
     * MQTT 5 `properties` (a response topic and correlation data, a message expiry) reach MQTT 5 devices.
     */
    async publishToDevice(
      deviceId: string,
      suffix: string,
      payload: string | Buffer,
      opts: { qos?: 0 | 1; retain?: boolean; properties?: PublishProperties } = {},
    ): Promise<boolean> {
      const topic = deviceTopic(deviceId, suffix);
      const qos = opts.qos ?? 1;
      // Looked at before publishing: a device subscribing in between gets the message and counts
      // as not subscribed (sent again, at least once); looked at after, it could count without it.
      const subscribed = await hasSubscriber(deviceId, topic, qos);
      await publish(topic, payload, qos, opts.retain ?? false, opts.properties);
      return subscribed;
    },
    /**
     * Publishes to an organization's own topic `orgs/{orgId}/{suffix}` (its events), which only its
     * applications may subscribe to; resolves once handed to the subscribers on this node.
     */
    async publishToOrg(orgId: string, suffix: string, payload: string): Promise<void> {
      return publish(`orgs/${orgId}/${suffix}`, payload, 1, false);
    },
    /**
     * Hears every message a device publishes on this node and the broker accepts (telemetry once
     * stored, dropped readings not), with its organization: what applications on other nodes may
     * want. Returns what stops it.
     */
    onDeviceMessage(listener: (orgId: string, topic: string, payload: Buffer) => void): () => void {
      const heard = (packet: PublishPacket, client: Client | null) => {
        const session = sessionOf(client);
        if (session && !isDropped(packet)) listener(session.orgId, packet.topic, packet.payload as Buffer);
      };
      aedes.on('publish', heard);
      return () => void aedes.off('publish', heard);
    },
    /**
     * Hands a device's message relayed from another node to the applications on this node (QoS 0,
     * never to devices or a session's queue: they had it on the node it came to).
     */
    async publishForApps(topic: string, payload: Buffer): Promise<void> {
      markForApps(payload);
      return publish(topic, payload, 0, false);
    },
    /** True while this node holds a live connection of the device. */
    holds(deviceId: string): boolean {
      return connectedClient(aedes, deviceId.toLowerCase()) !== undefined;
    },
    /**
     * Drops the live connections of these devices (credentials revoked or rotated), of the
     * applications connected with these API keys (revoked), and of the devices connected with a
     * certificate of these CAs (deactivated, deleted) or with these `{caId}/{serial}` (revoked).
     * The CAs are read again at the next certificate: changes to them come as these orders.
     */
    disconnectDevices(ids: string[]): void {
      certificates?.forget();
      for (const given of ids) {
        for (const held of byCredential.get(given.toLowerCase()) ?? []) {
          log.info(
            { clientId: held.id, credential: given },
            'disconnected: its certificate, CA or API key was revoked',
          );
          held.close();
        }
        // Sessions are keyed by the canonical (lower-case) id; a route may pass on another spelling.
        const id = given.toLowerCase();
        const client = connectedClient(aedes, id);
        if (client) {
          log.info({ deviceId: id }, 'device disconnected: credentials revoked');
          client.close();
        }
      }
    },
    /**
     * Writes that this node is alive (before it listens, then every BROKER_HEARTBEAT_MS). When its
     * row was gone, another node took it for dead (it was stalled) and marked its devices offline:
     * it drops their connections, and they connect again, here or to another node, as any device
     * does, their presence, events and subscriptions written afresh.
     */
    async heartbeat(): Promise<void> {
      if (!nodes || !(await nodes.beat(nodeId))) return;
      const held = connectedClients(aedes).filter((client) => sessionOf(client));
      if (held.length === 0) return;
      log.warn({ devices: held.length }, 'this node was taken for dead: dropping its devices, to connect again');
      for (const client of held) client.close();
    },
    /** Forgets idle rate buckets and receive times, and looks daily quotas up again; the platform's scheduler runs it. */
    async housekeeping(): Promise<void> {
      receiveTimes.sweep();
      await quotas.housekeeping();
    },
    /** Stops accepting, disconnects every client, and closes Aedes. */
    async close(): Promise<void> {
      const closing = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const ws of webSockets) ws.close();
      for (const s of sockets) s.destroy();
      await closing;
      await sessions?.close();
      // Disconnects above queue markOffline writes: let them land while the database is still open.
      await presence.settled();
      // Nothing left to sweep; should the database be gone, the others sweep the row when it is old.
      await nodes?.leave(nodeId).catch((err) => log.warn({ err }, 'could not remove this node from broker_nodes'));
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;
