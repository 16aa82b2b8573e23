import type { AedesOptions } from 'aedes';
import { isSubscribed, subscriptionCount } from './aedes-internals.ts';
import { sessionOf } from './authenticate.ts';
import type { Reason } from './reasons.ts';

export interface SubscribeHooksOptions {
  /** Filters one connection may hold at once. */
  maxSubscriptions: number;
  /** Counts and logs a refusal. */
  count: (reason: Reason, fields: Record<string, unknown>) => void;
}

/**
 * The SUBSCRIBE hook: a device may subscribe only under `devices/{id}/` (or to that prefix
 * itself), to at most `maxSubscriptions` filters; a refused filter gets SUBACK 0x80 and the
 * connection stays open [MQTT-3.9.3-2].
 * @example new Aedes({ ...subscribeHooks({ maxSubscriptions: 32, count }) })
 */
export function subscribeHooks(o: SubscribeHooksOptions): Required<Pick<AedesOptions, 'authorizeSubscribe'>> {
  return {
    authorizeSubscribe(client, sub, done) {
      const session = sessionOf(client);
      if (!session) return done(new Error('not authenticated'), null);
      // Any filter under the device's own prefix matches only its own topics: wildcards after it
      // cannot climb back out.
      if (!sub.topic.startsWith(session.prefix) && sub.topic !== session.prefix.slice(0, -1)) {
        o.count('subscription_not_allowed', { deviceId: session.id, topic: sub.topic.slice(0, 200) });
        return done(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3-2]
      }
      if (subscriptionCount(client) >= o.maxSubscriptions && !isSubscribed(client, sub.topic)) {
        o.count('too_many_subscriptions', { deviceId: session.id });
        return done(null, null);
      }
      done(null, sub);
    },
  };
}
