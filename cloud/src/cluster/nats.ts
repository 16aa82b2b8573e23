import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection };

/**
 * The node's one connection to NATS (`NATS_URL`), reconnecting for as long as the node runs; a
 * server that cannot be reached at start-up stops it with what to check.
 */
export async function connectNats(url: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name: 'iotp-platform', maxReconnectAttempts: -1, timeout: 5000 });
  } catch (cause) {
    throw new Error(`cannot reach NATS at ${url}: start nats-server (with -js) or fix NATS_URL`, { cause });
  }
}
