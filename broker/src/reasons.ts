/**
 * Every reason the broker refuses or drops something, in one table: the Prometheus label, the
 * MQTT 3.1.1 CONNACK return code where one applies, and the MQTT 5 reason code (spec §2.4) an
 * MQTT 5 client is answered with (CONNACK, PUBACK, PUBREC or DISCONNECT).
 */
export const REASONS = {
  bad_credentials: { connack: 4, mqtt5: 0x86, text: 'bad username or password' },
  not_authorized: { connack: 5, mqtt5: 0x87, text: 'not authorized' },
  client_id_mismatch: { connack: 2, mqtt5: 0x85, text: 'client id must equal the device id in the username' },
  connect_rate: { connack: 3, mqtt5: 0x9f, text: 'too many connection attempts from this address' },
  // 3.1.1 has no return code for a refused keepalive (Aedes would send 6): 2, as Mosquitto answers.
  keepalive_too_long: { connack: 2, mqtt5: 0x83, text: 'keepalive 0 or above the broker limit' },
  will_qos_invalid: { connack: null, mqtt5: 0x81, text: 'will QoS 3 [MQTT-3.1.2-14]' },
  invalid_utf8: { connack: null, mqtt5: 0x81, text: 'a string is not well-formed UTF-8 or holds U+0000 [MQTT-1.5.3]' },
  topic_not_allowed: { connack: null, mqtt5: 0x87, text: 'topic outside the device namespace' },
  topic_too_deep: { connack: null, mqtt5: 0x90, text: 'topic has too many levels' },
  subscription_not_allowed: { connack: null, mqtt5: 0x87, text: 'subscription outside the device namespace' },
  app_publish_not_allowed: {
    connack: null,
    mqtt5: 0x87,
    text: 'an application connected with an API key may only subscribe',
  },
  too_many_subscriptions: { connack: null, mqtt5: 0x97, text: 'too many subscriptions' },
  packet_too_large: { connack: null, mqtt5: 0x95, text: 'packet larger than the broker limit' },
  payload_too_large: { connack: null, mqtt5: 0x95, text: 'telemetry payload larger than the limit' },
  unknown_encoding: { connack: null, mqtt5: 0x99, text: 'payload is not JSON' },
  malformed_json: { connack: null, mqtt5: 0x99, text: 'payload is not valid JSON' },
  invalid_shape: { connack: null, mqtt5: 0x99, text: 'payload is not an object, an array of objects or SenML' },
  invalid_metric: { connack: null, mqtt5: 0x99, text: 'metric name not allowed' },
  invalid_value: { connack: null, mqtt5: 0x99, text: 'value must be a finite number, a boolean or a short string' },
  invalid_timestamp: { connack: null, mqtt5: 0x99, text: 'timestamp unreadable or before 2000' },
  future_timestamp: { connack: null, mqtt5: 0x99, text: 'timestamp too far in the future' },
  too_many_readings: { connack: null, mqtt5: 0x95, text: 'too many readings in one message' },
  rate_limited: { connack: null, mqtt5: 0x96, text: 'publishing faster than the per-device limit' },
  storage_unavailable: { connack: null, mqtt5: 0x80, text: 'telemetry could not be stored' },
  quota_exceeded: { connack: null, mqtt5: 0x97, text: "the organization's daily message quota is used up" },
  // X.509 devices (device-certificates.ts): 4 for a certificate we cannot trust, 5 for one we refuse.
  certificate_invalid: {
    connack: 4,
    mqtt5: 0x86,
    text: 'client certificate not signed by a registered CA, expired, or not for a device',
  },
  certificate_revoked: { connack: 5, mqtt5: 0x87, text: 'client certificate revoked' },
  ca_inactive: { connack: 5, mqtt5: 0x87, text: "the client certificate's CA is deactivated" },
  certificate_device_unknown: {
    connack: 5,
    mqtt5: 0x87,
    text: "the certificate's CN is no device of the CA's organization, and the CA does not register devices",
  },
  plan_device_limit: { connack: 5, mqtt5: 0x97, text: 'the organization has more devices than its plan allows' },
  protocol_error: { connack: null, mqtt5: 0x82, text: 'protocol error' },
  // Before any MQTT packet: no CONNACK, the connection is dropped.
  proxy_header_invalid: {
    connack: null,
    mqtt5: 0x82,
    text: 'no valid PROXY protocol header from a trusted load balancer',
  },
  proxy_header_untrusted: {
    connack: null,
    mqtt5: 0x87,
    text: 'PROXY protocol header from a peer not in TRUSTED_PROXIES',
  },
} as const satisfies Record<string, { connack: number | null; mqtt5: number; text: string }>;

export type Reason = keyof typeof REASONS;

/** The failure reason codes a PUBACK or PUBREC may carry [MQTT-3.4.2.1, 3.5.2.1]. */
const PUBACK_FAILURES: ReadonlySet<number> = new Set([0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);

/**
 * The refusal as a PUBACK may carry it: a reason code PUBACK does not define (0x95 packet too large)
 * becomes 0x83 implementation specific error; the reason string (its message) still says which.
 */
export function asPubackRefusal(why: Rejection): Rejection {
  if (!PUBACK_FAILURES.has(why.reasonCode)) why.reasonCode = 0x83;
  return why;
}

/** A refusal with its reason; hot-path validators return these rather than throw. */
export class Rejection extends Error {
  override name = 'Rejection';
  readonly returnCode?: number;
  /** The MQTT 5 reason code: Aedes (as patched) answers CONNACK, PUBACK or PUBREC with it. */
  reasonCode: number;
  /**
   * Set by whoever refuses a PUBLISH when the connection must close rather than the message be
   * acknowledged with `reasonCode`: an MQTT 5 client then gets a DISCONNECT with it, and no PUBACK.
   */
  disconnect?: boolean;
  constructor(
    readonly reason: Reason,
    readonly detail?: string,
    options?: { cause?: unknown; disconnect?: boolean },
  ) {
    super(detail ? `${REASONS[reason].text}: ${detail}` : REASONS[reason].text, options);
    // Aedes answers a 3.1.1 CONNACK with `returnCode` when authenticate fails with it.
    const code = REASONS[reason].connack;
    if (code !== null) this.returnCode = code;
    this.reasonCode = REASONS[reason].mqtt5;
    if (options?.disconnect) this.disconnect = true;
  }
}
