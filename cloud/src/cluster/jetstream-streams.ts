import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from './nats.ts';

/** A JetStream stream that could not be created or brought to its settings; `cause` says why. */
class StreamSetupFailed extends Error {
  override name = 'StreamSetupFailed';
  constructor(
    readonly stream: string,
    options: { cause: unknown },
  ) {
    super(`cannot set up the JetStream stream ${stream}: is JetStream on (nats-server -js)?`, options);
  }
}

/**
 * Creates a stream when it does not exist, and brings an existing one to the settings named here
 * when they differ (a changed retention age takes effect at the next start). Nodes starting at once
 * may both create it: JetStream accepts a second create with the same settings.
 * @example await ensureStream(nc, { name: 'IOTP_EVENTS', subjects: ['IOTP_EVENTS.>'], max_age: nanos(7 * 86_400_000) });
 */
export async function ensureStream(
  nc: NatsConnection,
  wanted: Partial<StreamConfig> & Pick<StreamConfig, 'name'>,
): Promise<void> {
  try {
    const jsm = await jetstreamManager(nc);
    let current: StreamConfig;
    try {
      current = (await jsm.streams.info(wanted.name)).config;
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      await jsm.streams.add(wanted);
      return;
    }
    const differs = (Object.keys(wanted) as (keyof StreamConfig)[]).some(
      (k) => JSON.stringify(current[k]) !== JSON.stringify(wanted[k]),
    );
    if (differs) await jsm.streams.update(wanted.name, { ...current, ...wanted });
  } catch (cause) {
    throw new StreamSetupFailed(wanted.name, { cause });
  }
}
