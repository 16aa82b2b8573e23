import { isUtf8 } from 'node:buffer';
import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { filterCovers } from '@iotp/protocol';
import type { Aedes, AedesOptions, AuthenticateError, Client, PublishPacket } from 'aedes';
import aedesPersistence from 'aedes-persistence';
import type { Parser } from 'mqtt-packet';
import { proxiedAddress } from './proxy-protocol.ts';
import { Rejection } from './reasons.ts';

/**
 * Every place the broker leans on Aedes or mqtt-packet beyond their typed API: private fields,
 * parser hooks, error texts, which object reaches which hook. Written against these versions;
 * aedes-internals.test.ts fails when another is installed, and exercises each function below.
 *
 * What patches/aedes+2.0.0-beta.1.patch adds to that beta (applied by `patch-package` on install):
 * three fixes of aedes 1.2.0 it lacks (null-prototype `clients` and `subscriptions` maps,
 * GHSA-52qw-whmv-87c5; the `maxInflightInbound` cap of 1000 QoS 2 messages awaiting PUBREL,
 * GHSA-5jvp-3p2v-5qgf; `cleanIncoming` when a clean session ends, [MQTT-3.1.2-6]); a hook error's
 * `reasonCode` as the MQTT 5 CONNACK, PUBACK or PUBREC reason code, and its `disconnect` flag to
 * close an MQTT 5 connection (DISCONNECT with that code) rather than acknowledge; Receive Maximum
 * enforced (DISCONNECT 0x93) [MQTT-3.3.4-9]; and in a cluster, a client connecting to another node
 * clears this node's session-expiry and will-delay timers for it. aedes-internals.test.ts checks each.
 */
export const WRITTEN_FOR = { aedes: '2.0.0-beta.1', 'mqtt-packet': '9.0.2' } as const;

/**
 * Aedes' system messages go through its message emitter under this prefix: subscription changes
 * from the persistence (`$SYS/sub/add`, `$SYS/sub/rm`), a client connecting (`$SYS/{broker}/new/clients`,
 * which makes other brokers drop a session of the same id) and heartbeats (`$SYS/{broker}/heartbeat`).
 * Nodes that share sessions relay exactly these (shared-sessions.ts).
 */
export const SYSTEM_TOPIC_PREFIX = '$SYS/';

/** Whether an emitted packet is one of Aedes' system messages. */
export function isSystemTopic(topic: string): boolean {
  return topic.startsWith(SYSTEM_TOPIC_PREFIX);
}

/** An Aedes client as it is, beyond `aedes.d.ts`. */
interface ClientInternals {
  /** Set on a DISCONNECT packet only [MQTT-3.14.4-3], not on a dropped connection. */
  _disconnected: boolean;
  /** The filters this client is subscribed to. */
  subscriptions: Record<string, unknown>;
  /** The client's mqtt-packet parser, fed every byte from the socket. */
  _parser: ParserInternals;
  /** MQTT 5 Server Keep Alive: set before CONNACK, it is the keepalive timed and advertised. */
  _serverKeepAlive?: number;
}

/** mqtt-packet's Parser as it is, beyond `types/index.d.ts`. */
interface ParserInternals extends Parser {
  packet: { cmd?: string; length: number };
  error: Error | null;
  /** The bytes received and not yet consumed (a BufferList). */
  _list: { length: number; consume(n: number): void; slice(start: number, end: number): Buffer };
  /** Read position in `_list` while a packet's body is parsed. */
  _pos: number;
  /** Parser states, looked up on the instance by name, so an own property replaces one. */
  _parseLength(): boolean;
  _parseString(): string | null;
  _emitError(err: Error): void;
}

const internals = (client: Client) => client as unknown as ClientInternals;

/**
 * Sessions in this process's memory: aedes-persistence 11 rather than the 10 Aedes 2 bundles, as it
 * ends a clean session's QoS 2 state with the connection [MQTT-3.1.2-6] (`cleanIncoming`). Its
 * types declare an ES default export; the package is CommonJS, whose export is the factory itself.
 */
export function memoryPersistence(): NonNullable<AedesOptions['persistence']> {
  return (aedesPersistence as unknown as () => NonNullable<AedesOptions['persistence']>)();
}

/** The client's address: the one a load balancer's PROXY header named, else the peer's, when the connection is a socket. */
export function remoteAddress(client: Client): string | undefined {
  const conn = client.conn as Partial<Socket> | undefined;
  return conn && (proxiedAddress(conn) ?? conn.remoteAddress);
}

/** The client certificate the device presented, when it connected over TLS with one (MQTTS only). */
export function peerCertificate(client: Client): X509Certificate | undefined {
  const conn = client.conn as Partial<TLSSocket> | undefined;
  return conn?.getPeerX509Certificate?.() ?? undefined;
}

/**
 * The filters the client is subscribed to. In the `client` event of a resumed persistent session
 * [MQTT-3.1.2-4], before its connection is read on, these are the ones Aedes restored from the
 * persistence (its connect handler's `restoreSubs`), for which it emits no `subscribe`.
 */
export function subscribedFilters(client: Client): string[] {
  return Object.keys(internals(client).subscriptions);
}

/** How many filters the client is subscribed to. */
export function subscriptionCount(client: Client): number {
  return subscribedFilters(client).length;
}

/** Whether the client is subscribed to this very filter. */
export function isSubscribed(client: Client, filter: string): boolean {
  return Object.hasOwn(internals(client).subscriptions, filter);
}

/** Whether one of the client's filters matches this topic [MQTT-4.7]: a message on it reaches the client. */
export function hasSubscriptionFor(client: Client, topic: string): boolean {
  for (const filter of subscribedFilters(client)) if (filterCovers(filter, topic)) return true;
  return false;
}

/**
 * Whether the persistence keeps a subscription of this client matching the topic at QoS 1 or 2: a
 * persistent session's [MQTT-3.1.2-4], for which Aedes queues a QoS 1 or 2 message, connected or
 * not (its `enqueueOffline` asks the same). Aedes 2 calls the persistence's promise API, which
 * `aedes.d.ts` does not type; clean sessions' subscriptions are not kept there.
 */
export async function hasStoredSubscription(aedes: Aedes, clientId: string, topic: string): Promise<boolean> {
  const { persistence } = aedes as unknown as {
    persistence: { subscriptionsByTopic(topic: string): Promise<{ clientId: string }[]> };
  };
  return (await persistence.subscriptionsByTopic(topic)).some((s) => s.clientId === clientId);
}

/** Every client connected to this broker now. */
export function connectedClients(aedes: Aedes): Client[] {
  return Object.values((aedes as unknown as { clients: Record<string, Client> }).clients);
}

/** The client connected now under this id (a takeover replaces the old one), if any. */
export function connectedClient(aedes: Aedes, id: string): Client | undefined {
  const { clients } = aedes as unknown as { clients: Record<string, Client | undefined> };
  // A client id comes from the wire: `constructor` must not read an inherited property.
  return Object.hasOwn(clients, id) ? clients[id] : undefined;
}

/**
 * MQTT 5 Server Keep Alive [MQTT-3.2.2-21]: the client must use `seconds` instead of the keepalive
 * it asked for. Aedes sets it itself only with a `keepaliveLimit`, which also makes it refuse a
 * 3.1.1 client with CONNACK 6 (undefined in 3.1.1); set in `preConnect`, before Aedes times the
 * keepalive and writes the CONNACK, which carries it.
 */
export function imposeServerKeepAlive(client: Client, seconds: number): void {
  internals(client)._serverKeepAlive = seconds;
}

/** The protocol version the client connected with (4 = 3.1.1, 5), once its CONNECT was read. */
export function protocolVersion(client: Client): number | null {
  return client.version ?? null;
}

/** Aedes' own error for a packet above its `maximumPacketSize` (an MQTT 5 client gets DISCONNECT 0x95). */
export function isPacketTooLarge(err: Error): boolean {
  return err.message === 'packet too large' && 'maximumPacketSize' in err;
}

/** Whether the client said DISCONNECT before its connection closed [MQTT-3.14.4]. */
export function saidDisconnect(client: Client): boolean {
  return internals(client)._disconnected;
}

/**
 * The error `authenticate` refuses with: Aedes answers a 3.1.1 CONNACK with its `returnCode` when
 * that is 2 to 5, and with 5 (not authorized) otherwise, or when there is none; an MQTT 5 CONNACK
 * with its `reasonCode` (as patched), else the 3.1.1 code's counterpart.
 */
export function authenticateError(why: Rejection): AuthenticateError {
  return why as Rejection & AuthenticateError;
}

/** Aedes refuses a PUBLISH or SUBSCRIBE deeper than `maxTopicLevels` with this error text only. */
export function isTopicTooDeep(err: Error): boolean {
  return /too many levels/.test(err.message);
}

/** Payloads of the PUBLISH packets `authorizePublish` let through only to acknowledge them. */
const dropped = new WeakSet<object>();

/**
 * Marks a PUBLISH that `authorizePublish` let through only to acknowledge it, so that
 * `authorizeForward` drops it. Aedes' `publish()` wraps the packet in a new object (aedes-packet)
 * before `authorizeForward` sees it, keeping the payload Buffer (a new one for every packet
 * mqtt-packet parses): the mark is on that Buffer.
 */
export function markDropped(packet: PublishPacket): void {
  if (typeof packet.payload !== 'string') dropped.add(packet.payload);
}

export function isDropped(packet: PublishPacket): boolean {
  return typeof packet.payload !== 'string' && dropped.has(packet.payload);
}

const forApps = new WeakSet<object>();

/** Marks a message relayed from another node for applications only, on its payload as `markDropped` does. */
export function markForApps(payload: Buffer): void {
  forApps.add(payload);
}

export function isForAppsOnly(packet: PublishPacket): boolean {
  return typeof packet.payload !== 'string' && forApps.has(packet.payload);
}

/**
 * The size of a whole packet whose Remaining Length is `remaining`: the fixed header's byte, the
 * Remaining Length's own bytes (1 to 4) [MQTT-2.2.3], and the rest. MQTT 5's Maximum Packet Size
 * counts all of it; our limit counts the Remaining Length, as capPacketSize reads it.
 */
export function wholePacketBytes(remaining: number): number {
  return 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining;
}

/**
 * mqtt-packet buffers a whole packet before emitting it. This checks the Remaining Length as soon
 * as the fixed header is parsed [MQTT-2.2.3], so an oversized packet is refused before its body is
 * read. Aedes 2 checks its `maximumPacketSize` (the whole packet) only after a read is parsed, and
 * answers a connected MQTT 5 client with DISCONNECT 0x95 [MQTT-3.2.2-15]: such clients are left to
 * it (given `wholePacketBytes(maxBytes)`, both limits are the same); for the others (3.1.1, or
 * before CONNECT) Aedes' check is disarmed once this one refused.
 */
export function capPacketSize(client: Client, maxBytes: number, onTooLarge: (size: number) => void): void {
  const parser = internals(client)._parser;
  const parseLength = parser._parseLength;
  parser._parseLength = function (this: ParserInternals) {
    const done = parseLength.call(this);
    if (done && this.packet.length > maxBytes && !(client.version === 5 && client.connected)) {
      const size = this.packet.length;
      this._list.consume(this._list.length);
      this.packet.length = 0; // counted once: Aedes' own check looks at this length next
      onTooLarge(size);
      return false;
    }
    return done;
  };
}

/**
 * mqtt-packet decodes strings leniently: ill-formed UTF-8 turns into U+FFFD and U+0000 passes.
 * Either must close the connection [MQTT-1.5.3-1], [MQTT-1.5.3-2]; this checks every string of
 * every packet (client id, will topic, user name, topic names and filters) as it is parsed, and
 * fails the parse, so the packet is never handled.
 */
export function checkStrings(client: Client, onInvalid: (why: Rejection) => void): void {
  const parser = internals(client)._parser;
  const parseString = parser._parseString;
  parser._parseString = function (this: ParserInternals) {
    const start = this._pos + 2; // after the string's two-byte length
    const s = parseString.call(this);
    if (s === null || this.error) return s;
    // A well-formed U+FFFD may be sent too: only then are the bytes themselves checked.
    if (s.includes('\0') || (s.includes('\uFFFD') && !isUtf8(this._list.slice(start, this._pos)))) {
      const why = new Rejection('invalid_utf8', `in ${this.packet.cmd ?? 'a packet'}`);
      onInvalid(why);
      this._emitError(why); // Aedes closes the connection on a parser error
    }
    return s;
  };
}

/** The client's mqtt-packet parser, for the test that pins it to the installed mqtt-packet. */
export function parserOf(client: Client): Parser {
  return internals(client)._parser;
}
