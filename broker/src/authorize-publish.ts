import type { AedesOptions, PublishPacket } from 'aedes';
import { isDropped, isForAppsOnly } from './aedes-internals.ts';
import { type AppAccess, appSessionOf, mayReceive } from './app-clients.ts';
import { type Session, sessionOf } from './authenticate.ts';
import type { Quotas } from './quotas.ts';
import { type Reason, Rejection } from './reasons.ts';
import type { Done, storeTelemetry } from './store-telemetry.ts';

export interface PublishHooksOptions {
  quotas: Pick<Quotas, 'messageDelay'>;
  /** Stores a telemetry PUBLISH and acknowledges it once stored. */
  store: ReturnType<typeof storeTelemetry>;
  /** Hands on a message a device published below its prefix, other than telemetry. */
  relay(deviceId: string, suffix: string, payload: Buffer): void;
  /** Applications' rules, when they may connect. */
  apps?: AppAccess;
  /** Counts and logs a refusal. */
  count: (reason: Reason, fields: Record<string, unknown>) => void;
}

/**
 * The PUBLISH hooks: a device may publish only under `devices/{id}/`, at its message rate; its
 * telemetry goes to `store`, which calls `done` (letting Aedes acknowledge it) once it is stored.
 * A PUBLISH outside its namespace, or too far past its rate, closes the connection (MQTT 5: after a
 * DISCONNECT 0x87 or 0x96, which PUBACK cannot carry).
 * @example new Aedes({ ...publishHooks({ quotas, store, relay, count }) })
 */
export function publishHooks(
  o: PublishHooksOptions,
): Required<Pick<AedesOptions, 'authorizePublish' | 'authorizeForward'>> {
  const { count } = o;

  /** Telemetry goes to storage; other topics in the namespace are relayed as they are. */
  function route(session: Session, packet: PublishPacket, done: Done): void {
    if (packet.topic === session.telemetryTopic) {
      o.store(session, packet, done);
      return;
    }
    o.relay(session.id, packet.topic.slice(session.prefix.length), packet.payload as Buffer);
    done(null);
  }

  return {
    authorizePublish(client, packet, done) {
      const session = sessionOf(client);
      if (!session) {
        const app = appSessionOf(client);
        if (!app) return done(new Error('not authenticated'));
        count('app_publish_not_allowed', {
          orgId: app.orgId,
          apiKeyId: app.apiKeyId,
          topic: packet.topic.slice(0, 200),
        });
        return done(new Rejection('app_publish_not_allowed', undefined, { disconnect: true }));
      }
      if (!packet.topic.startsWith(session.prefix)) {
        count('topic_not_allowed', { deviceId: session.id, topic: packet.topic.slice(0, 200) });
        return done(new Rejection('topic_not_allowed', undefined, { disconnect: true }));
      }
      const wait = o.quotas.messageDelay(session.id);
      if (wait instanceof Rejection) {
        count(wait.reason, { deviceId: session.id, disconnected: true });
        wait.disconnect = true;
        return done(wait);
      }
      // Slowed: the message (and its PUBACK) waits. Aedes goes on reading the socket meanwhile, so
      // a device that keeps sending runs further behind until it is disconnected above.
      if (wait > 0) setTimeout(route, wait, session, packet, done);
      else route(session, packet, done);
    },

    /** A dropped reading is not relayed to subscribers either; an application gets its organization's messages only. */
    authorizeForward(client, packet) {
      if (isDropped(packet)) return undefined;
      const app = appSessionOf(client);
      // A device's message relayed from another node is there for applications; its devices had it there.
      if (!app) return isForAppsOnly(packet) ? undefined : packet;
      return o.apps && mayReceive(app, packet, o.apps.devices) ? packet : undefined;
    },
  };
}
