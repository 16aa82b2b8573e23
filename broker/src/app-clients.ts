import { isCanonicalUuid } from '@iotp/protocol';
import type { Client, PublishPacket, Subscription } from 'aedes';
import type { Reason } from './reasons.ts';

/** The user name an application connects with; its password is an organization API key. */
export const APP_USERNAME = 'apikey';
/** The scope an organization API key needs to subscribe. */
export const SUBSCRIBE_SCOPE = 'telemetry:subscribe';

/** An application connected with an organization API key: it reads its organization's topics. */
export interface AppSession {
  orgId: string;
  apiKeyId: string;
  /** `orgs/{orgId}/`: the organization's own topics (its events). */
  orgPrefix: string;
}

/** What the broker asks the platform about applications. */
export interface AppAccess {
  /** The organization API key behind a secret, with its scopes; undefined when unknown, revoked or expired. */
  verifyKey(secret: string): Promise<{ orgId: string; apiKeyId: string; scopes: string[] } | undefined>;
  /** Which devices an organization has, known in memory while any of its applications is connected. */
  devices: OrgDevices;
}

/**
 * The devices of the organizations whose applications are connected, so that every message an
 * application may receive is checked in memory (Aedes asks for each delivery, synchronously).
 */
export interface OrgDevices {
  /** Loads the organization's devices (and keeps them current) until as many `release` calls. */
  acquire(orgId: string): Promise<void>;
  release(orgId: string): void;
  /** Whether the device belongs to the organization; only for an organization acquired. */
  has(orgId: string, deviceId: string): boolean;
}

const APP = Symbol('app');
type AppClient = Client & { [APP]?: AppSession };

/** The session of an application's connection. */
export function appSessionOf(client: Client | null | undefined): AppSession | undefined {
  return client ? (client as AppClient)[APP] : undefined;
}

/**
 * Authenticates an application: an organization API key with the `telemetry:subscribe` scope as
 * password, a client id that starts with the organization's id and a colon (Aedes keys sessions by
 * client id alone: a prefix of its own keeps one organization's applications from taking over
 * another's sessions, or a device's). Resolves with the refusal, or undefined when let in.
 */
export async function authenticateApp(
  client: Client,
  secret: string,
  access: AppAccess,
): Promise<{ reason: Reason; detail?: string } | undefined> {
  const key = await access.verifyKey(secret);
  if (!key) return { reason: 'bad_credentials' };
  if (!key.scopes.includes(SUBSCRIBE_SCOPE)) return { reason: 'not_authorized', detail: `needs ${SUBSCRIBE_SCOPE}` };
  if (!client.id.startsWith(`${key.orgId}:`) || client.id.length === key.orgId.length + 1)
    return { reason: 'client_id_mismatch', detail: 'an application client id is "{orgId}:{name}"' };
  await access.devices.acquire(key.orgId);
  (client as AppClient)[APP] = { orgId: key.orgId, apiKeyId: key.apiKeyId, orgPrefix: `orgs/${key.orgId}/` };
  return undefined;
}

/**
 * Which filters an application may hold: its organization's topics (`orgs/{orgId}/...`), and device
 * topics (`devices/+/telemetry`, `devices/{id}/#`, `devices/#`), where a named device must be its
 * organization's. A wildcard over devices is allowed: each delivery is checked (`mayReceive`).
 */
export function appMaySubscribe(session: AppSession, sub: Subscription, devices: OrgDevices): boolean {
  const { topic } = sub;
  if (topic.startsWith(session.orgPrefix) || topic === session.orgPrefix.slice(0, -1)) return true;
  if (!topic.startsWith('devices/')) return false;
  const id = topic.slice('devices/'.length).split('/', 1)[0]!;
  if (id === '+' || id === '#') return true;
  return isCanonicalUuid(id) && devices.has(session.orgId, id);
}

/** Whether an application may receive this message: a device topic of its organization, or its organization's own. */
export function mayReceive(session: AppSession, packet: PublishPacket, devices: OrgDevices): boolean {
  const { topic } = packet;
  if (topic.startsWith('devices/')) {
    const end = topic.indexOf('/', 8);
    return devices.has(session.orgId, end === -1 ? topic.slice(8) : topic.slice(8, end));
  }
  return topic.startsWith(session.orgPrefix);
}
