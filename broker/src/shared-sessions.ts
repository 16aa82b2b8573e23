import { randomUUID } from 'node:crypto';
import aedesPersistenceRedis, { type RedisPersistence } from 'aedes-persistence-redis';
import { Redis } from 'ioredis';
import mqemitter from 'mqemitter';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isSystemTopic } from './aedes-internals.ts';

/** Where Aedes keeps sessions, and how it hears the other nodes: passed to `createBroker`, which closes it. */
export interface SharedSessions {
  /** Aedes' persistence: subscriptions, queued QoS 1 and 2 messages, retained messages, wills. */
  persistence: RedisPersistence;
  /** Aedes' message emitter: local, except that Aedes' system messages reach every node. */
  mq: mqemitter.MQEmitter;
  /** Disconnects from Redis once what was sent has been answered; call it after Aedes is closed. */
  close(): Promise<void>;
}

export interface SharedSessionsOptions {
  url: string;
  /** Prefix of every key and of the relay channel: nodes that share sessions share it, tests each take their own. */
  prefix?: string;
  logger: Logger;
}

/**
 * MQTT sessions kept in Redis (aedes-persistence-redis), so a device that reconnects with
 * clean=false [MQTT-3.1.2-4] to any node keeps its subscriptions and gets the QoS 1 and 2 messages
 * queued meanwhile, and retained messages are served by every node.
 *
 * The persistence keeps a local index of every subscription, which it updates from Aedes' system
 * messages (`$SYS/sub/add`, `$SYS/sub/rm`); Aedes also learns of live brokers (whose clients' wills
 * it must not publish) and of a client taken over on another node [MQTT-3.1.4-2] through them. So
 * those, and only those, are relayed through Redis to the other nodes. Messages to devices stay on
 * the node that publishes them: the cloud routes each to the node holding the device.
 * @example const sessions = await connectSharedSessions({ url: 'redis://127.0.0.1:6379', logger }); createBroker({ ..., sessions });
 */
export async function connectSharedSessions({
  url,
  prefix = 'iotp:mqtt:',
  logger,
}: SharedSessionsOptions): Promise<SharedSessions> {
  const log = logger.child({ component: 'shared-sessions' });
  const channel = `${prefix}system`;
  const origin = randomUUID();
  // keyPrefix covers the persistence's keys; a channel is not a key, hence the prefix in its name.
  const db = new Redis(url, { keyPrefix: prefix, lazyConnect: true });
  const relay = db.duplicate();
  db.on('error', (err) => log.warn({ err: err.message }, 'Redis connection failed'));
  relay.on('error', (err) => log.warn({ err: err.message }, 'Redis relay connection failed'));
  try {
    await db.connect();
    await relay.connect();
    await relay.subscribe(channel);
  } catch (err) {
    db.disconnect();
    relay.disconnect();
    throw err;
  }

  // As Aedes builds its own, matching empty levels [MQTT-4.7.1-3].
  const local = mqemitter({ concurrency: 100, matchEmptyLevels: true });
  let closed = false;
  relay.on('message', (_channel: string, text: string) => {
    if (closed) return;
    const m = relayed.safeParse(safeJson(text));
    if (!m.success) return log.warn({ detail: m.error.issues[0]?.message }, 'unreadable system message ignored');
    if (m.data.origin === origin) return;
    local.emit({ ...m.data.packet, payload: Buffer.from(m.data.packet.payload, 'base64') });
  });

  const mq: mqemitter.MQEmitter = {
    get current() {
      return local.current;
    },
    get concurrent() {
      return local.concurrent;
    },
    on(topic, listener, callback) {
      local.on(topic, listener, callback);
      return mq;
    },
    removeListener: (topic, listener, callback) => local.removeListener(topic, listener, callback),
    emit(packet, callback) {
      if (isSystemTopic(packet.topic)) {
        const message = { origin, packet: { ...packet, payload: toBase64(packet.payload) } };
        db.publish(channel, JSON.stringify(message)).catch((err: Error) =>
          log.warn({ err: err.message, topic: packet.topic }, 'system message not relayed'),
        );
      }
      local.emit(packet, callback);
    },
    close(callback) {
      closed = true;
      local.close(callback);
    },
  };

  const persistence = aedesPersistenceRedis({ conn: db });
  return {
    persistence,
    mq,
    async close() {
      closed = true;
      // QUIT is answered after every command sent before it: queued writes land first.
      await Promise.all([db.quit().catch(() => db.disconnect()), relay.quit().catch(() => relay.disconnect())]);
      // Stops listening to the system messages; throws when Aedes never set it up (no listener ran).
      await persistence.destroy().catch(() => undefined);
    },
  };
}

/** A relayed system message: the process that sent it (Redis hands a publisher's own messages back to it too), and the packet. */
const relayed = z.object({
  origin: z.string(),
  packet: z.looseObject({ topic: z.string().refine(isSystemTopic), payload: z.string() }),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toBase64(payload: unknown): string {
  if (Buffer.isBuffer(payload)) return payload.toString('base64');
  return Buffer.from(typeof payload === 'string' ? payload : '').toString('base64');
}
