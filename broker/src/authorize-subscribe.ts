import type { AedesOptions, Client, Subscription } from 'aedes';
import { isSubscribed, subscriptionCount } from './aedes-internals.ts';
import { type AppAccess, appMaySubscribe, appSessionOf } from './app-clients.ts';
import { sessionOf } from './authenticate.ts';
import type { Reason } from './reasons.ts';

export interface SubscribeHooksOptions {
  /** Filters one connection may hold at once. */
  maxSubscriptions: number;
  /** Applications' rules, when they may connect. */
  apps?: AppAccess;
  /** Counts and logs a refusal. */
  count: (reason: Reason, fields: Record<string, unknown>) => void;
}

/**
 * The SUBSCRIBE hook: a device may subscribe only under `devices/{id}/` (or to that prefix
 * itself), an application only to its organization's topics (app-clients.ts), each to at most
 * `maxSubscriptions` filters; a refused filter gets SUBACK 0x80 and the
 * connection stays open [MQTT-3.9.3-2].
 * @example new Aedes({ ...subscribeHooks({ maxSubscriptions: 32, count }) })
 */
export function subscribeHooks(o: SubscribeHooksOptions): Required<Pick<AedesOptions, 'authorizeSubscribe'>> {
  return {
    authorizeSubscribe(client, sub, done) {
      const app = appSessionOf(client);
      if (app && o.apps) {
        if (!appMaySubscribe(app, sub, o.apps.devices)) {
          o.count('subscription_not_allowed', {
            orgId: app.orgId,
            apiKeyId: app.apiKeyId,
            topic: sub.topic.slice(0, 200),
          });
          return done(null, null);
        }
        return limited(client, sub, { apiKeyId: app.apiKeyId }) ? done(null, null) : done(null, sub);
      }
      const session = sessionOf(client);
      if (!session) return done(new Error('not authenticated'), null);
      // Any filter under the device's own prefix matches only its own topics: wildcards after it
      // cannot climb back out.
      if (!sub.topic.startsWith(session.prefix) && sub.topic !== session.prefix.slice(0, -1)) {
        o.count('subscription_not_allowed', { deviceId: session.id, topic: sub.topic.slice(0, 200) });
        return done(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3-2]
      }
      if (limited(client, sub, { deviceId: session.id })) return done(null, null);
      done(null, sub);
    },
  };

  /** At most `maxSubscriptions` filters at once: counted when one more is refused. */
  function limited(client: Client, sub: Subscription, who: Record<string, string>): boolean {
    if (subscriptionCount(client) < o.maxSubscriptions || isSubscribed(client, sub.topic)) return false;
    o.count('too_many_subscriptions', who);
    return true;
  }
}
