import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { NatsConnection } from '../cluster/nats.ts';

/** Every node clears its cache when any node changes who may do what. */
const CHANGED = 'iotp.auth.changed';

export interface CallerCacheOptions {
  /** How long an answer is believed at most (ms); 0 turns the cache off. */
  ttlMs: number;
  /** Answers kept at most. */
  max?: number;
  /** With several nodes: a change on one clears every node's cache at once. */
  nc?: NatsConnection;
  logger: Logger;
}

/**
 * Who a session is and its role in an organization, as the database answered, remembered for a
 * few seconds: a client that sends many requests at once (a dashboard, an app) costs one lookup,
 * not one per request. Any write that can change such an answer (a session revoked, a user
 * disabled, a member added, removed or given another role, an organization deleted) calls
 * `changed()`, which forgets every answer on this node and, through NATS, on every node; `ttlMs`
 * bounds what a change missed (nodes without NATS) can leave behind.
 * @example const found = await callers.through(`s:${sid}`, () => repo.findSessionWithUser(sid));
 */
export class CallerCache {
  private readonly answers: LRUCache<string, { value: unknown }> | undefined;
  /** Bumped by every change: a lookup that began before it must not be remembered after it. */
  private generation = 0;
  private readonly log: Logger;

  constructor(private readonly o: CallerCacheOptions) {
    this.log = o.logger.child({ component: 'caller-cache' });
    this.answers = o.ttlMs > 0 ? new LRUCache({ max: o.max ?? 10_000, ttl: o.ttlMs }) : undefined;
    o.nc?.subscribe(CHANGED, {
      callback: (err) => {
        if (err) return this.log.error({ err }, 'auth change subscription failed');
        this.forget();
      },
    });
  }

  /** The remembered answer for `key`, or `load`'s, remembered unless a change came meanwhile. */
  async through<T>(key: string, load: () => Promise<T>): Promise<T> {
    const { answers } = this;
    if (!answers) return load();
    const hit = answers.get(key);
    if (hit) return hit.value as T;
    const began = this.generation;
    const value = await load();
    if (this.generation === began) answers.set(key, { value });
    return value;
  }

  /** After a write that changes who may do what: forget every answer, here and on every node. */
  changed(): void {
    this.forget();
    if (!this.o.nc) return;
    try {
      this.o.nc.publish(CHANGED);
    } catch (err) {
      // This node forgot already; the others believe their answers for ttlMs at most.
      this.log.error({ err }, 'auth change not sent to the other nodes');
    }
  }

  private forget(): void {
    this.generation++;
    this.answers?.clear();
  }
}
