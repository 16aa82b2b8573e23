// aedes-persistence-redis ships no types. Its main export wraps the Redis persistence in
// aedes-persistence's CallBackPersistence, the shape Aedes 1.x takes (promises, and Node streams
// for retained messages); this declares it as far as it is used here.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';

  export interface RedisPersistenceOptions {
    /** A connection to use instead of one it opens itself. */
    conn?: Redis;
    /** Packets queued for offline clients at most delivered per reconnection (default 1000). */
    maxSessionDelivery?: number;
    /** Seconds a queued packet is kept; 0 (the default) keeps it until it is delivered. */
    packetTTL?: (packet: unknown) => number;
  }

  export interface RedisPersistence {
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }

  export default function aedesPersistenceRedis(options?: RedisPersistenceOptions): RedisPersistence;
}
