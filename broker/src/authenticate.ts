import { devicePrefix, deviceTopic, SUFFIX } from '@iotp/protocol';
import type { AedesOptions, Client } from 'aedes';
import type { Logger } from 'pino';
import {
  authenticateError,
  imposeServerKeepAlive,
  peerCertificate,
  protocolVersion,
  remoteAddress,
} from './aedes-internals.ts';
import { APP_USERNAME, type AppAccess, authenticateApp } from './app-clients.ts';
import type { DeviceCertificates } from './device-certificates.ts';
import type { BillingAccount, DeviceIdentity, DeviceStore } from './device-store.ts';
import type { PlanAdmission, Quotas } from './quotas.ts';
import { type Reason, Rejection } from './reasons.ts';

/** What the broker keeps about an authenticated device connection. */
export interface Session extends DeviceIdentity {
  prefix: string;
  telemetryTopic: string;
  /** Numbers the connection (1, 2, ...), so a resend on a later one can be told from a new packet. */
  serial: number;
  /** This connection's row in the device's connection history (written in the background). */
  connection?: string;
  /** The client certificate it connected with: dropped when its CA is deactivated or its serial revoked. */
  certificate?: { caId: string; serial: string };
  /** Connected with MQTT 5: a refused PUBLISH is answered with its reason code, not acknowledged and dropped. */
  v5: boolean;
}

const SESSION = Symbol('session');
/** A refusal found in the CONNECT packet, answered by `authenticate` with its return code. */
const REFUSAL = Symbol('refusal');
type DeviceClient = Client & { [SESSION]?: Session; [REFUSAL]?: Rejection };

/** The session of an authenticated client. */
export function sessionOf(client: Client | null | undefined): Session | undefined {
  return client ? (client as DeviceClient)[SESSION] : undefined;
}

export interface ConnectHooksOptions {
  devices: DeviceStore;
  /** May this device connect under its organization's plan, and its daily quota. */
  plan?: PlanAdmission;
  quotas: Pick<Quotas, 'connectAllowed' | 'learn'>;
  /** Applications that connect with an organization API key (user name `apikey`); none without. */
  apps?: AppAccess;
  /** Devices that present a client certificate over TLS (X.509); none without. */
  certificates?: Pick<DeviceCertificates, 'check'>;
  /** Longest keepalive allowed, in seconds; 0 ("never") is refused too (MQTT 5: imposed instead). */
  keepaliveMaxS: number;
  /** Counts and logs a refusal. */
  count: (reason: Reason, fields: Record<string, unknown>) => void;
  log: Logger;
}

/**
 * The CONNECT hooks: `preConnect` checks the packet, `authenticate` the device's credentials.
 * Client id, user name and device id must be one and the same string, the canonical device id:
 * Aedes keys sessions by it, so takeover, revocation and topic rules all see one device. An
 * application connects with the user name `apikey` instead (app-clients.ts). A device that presents
 * a client certificate is the device its CN names (device-certificates.ts), whatever the user name
 * and password say.
 * @example new Aedes({ ...connectHooks({ devices, quotas, keepaliveMaxS: 1200, count, log }) })
 */
export function connectHooks(o: ConnectHooksOptions): Required<Pick<AedesOptions, 'preConnect' | 'authenticate'>> {
  let serial = 0;
  return {
    preConnect(client, packet, done) {
      // [MQTT-3.1.2-14] Will QoS 3 is a protocol violation: close without a CONNACK [MQTT-4.8.0-1].
      if (packet.will && (packet.will.qos ?? 0) > 2) {
        const why = new Rejection('will_qos_invalid');
        o.count(why.reason, { clientId: packet.clientId.slice(0, 100), address: remoteAddress(client) });
        return done(why, false);
      }
      const keepalive = packet.keepalive ?? 0;
      if (keepalive === 0 || keepalive > o.keepaliveMaxS) {
        // MQTT 5: the server's keepalive applies instead [MQTT-3.2.2-21]. 3.1.1 has no way to say
        // so (Aedes would answer CONNACK 6, which it does not define): authenticate refuses it.
        if (packet.protocolVersion === 5) imposeServerKeepAlive(client, o.keepaliveMaxS);
        else (client as DeviceClient)[REFUSAL] = new Rejection('keepalive_too_long', `${keepalive} s`);
      }
      done(null, true);
    },

    authenticate(client, username, password, done) {
      const address = remoteAddress(client);
      const refuse = (reason: Reason, detail?: string) => {
        o.count(reason, { clientId: client.id, address, detail });
        done(authenticateError(new Rejection(reason, detail)), false);
      };
      /**
       * A device that proved who it is: under its organization's plan, its session starts. The
       * billing account comes read with the device (one round trip), except for a device just registered.
       */
      const admit = (
        device: DeviceIdentity,
        account: BillingAccount | undefined,
        certificate?: Session['certificate'],
      ) => {
        const { orgId } = device;
        // A failed plan lookup lets the device in: billing trouble must not take a fleet offline.
        // The quota comes with the answer; without one the quotas look it up on their own.
        const admission = o.plan
          ? o.plan.admission(orgId, device.id, account).then(
              (a) => {
                o.quotas.learn(orgId, a.messagesPerDay);
                return a.allowed;
              },
              () => {
                o.quotas.learn(orgId);
                return true;
              },
            )
          : Promise.resolve(true);
        return admission.then((allowed) => {
          if (!allowed) return refuse('plan_device_limit');
          (client as DeviceClient)[SESSION] = {
            ...device,
            prefix: devicePrefix(device.id),
            telemetryTopic: deviceTopic(device.id, SUFFIX.telemetry),
            serial: ++serial,
            v5: protocolVersion(client) === 5,
            ...(certificate ? { certificate } : {}),
          };
          done(null, true);
        });
      };
      // Across nodes the count is kept in Redis; a failed count lets the device in.
      o.quotas
        .connectAllowed(address ?? 'unknown')
        .catch(() => true)
        .then((allowed) => {
          if (!allowed) return refuse('connect_rate');
          const early = (client as DeviceClient)[REFUSAL];
          if (early) return refuse(early.reason, early.detail);
          const peer = o.certificates && peerCertificate(client);
          if (peer && o.certificates)
            return o.certificates.check(peer, client.id).then(
              (check) => {
                if (check instanceof Rejection) return refuse(check.reason, check.detail);
                return admit(check.device, check.account, { caId: check.caId, serial: check.serial });
              },
              (err) => {
                o.log.error({ err, clientId: client.id }, 'certificate check failed');
                done(authenticateError(new Rejection('storage_unavailable')), false);
              },
            );
          if (!username || !password) return refuse('bad_credentials', 'username and password are required');
          if (username === APP_USERNAME && o.apps)
            return authenticateApp(client, password.toString(), o.apps).then(
              (refused) => (refused ? refuse(refused.reason, refused.detail) : done(null, true)),
              (err) => {
                o.log.error({ err, clientId: client.id }, 'API key check failed');
                done(authenticateError(new Rejection('storage_unavailable')), false);
              },
            );
          if (client.id !== username) return refuse('client_id_mismatch');
          // Knows only the canonical spelling of a device id: `A0F2...` is an unknown device.
          return o.devices.checkCredentials(username, password).then(
            (check) => {
              if (!check.ok) return refuse(check.why === 'disabled' ? 'not_authorized' : 'bad_credentials');
              return admit(check.device, check.account);
            },
            (err) => {
              o.log.error({ err, clientId: client.id }, 'credential check failed');
              done(authenticateError(new Rejection('storage_unavailable')), false);
            },
          );
        });
    },
  };
}
