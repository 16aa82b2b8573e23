import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { NatsConnection } from './nats.ts';
import { listenJson, publishJson } from './nats-json.ts';

/** New OTA jobs of one rollout, each for one device. */
export interface JobOffer {
  orgId: string;
  rolloutId: string;
  jobs: { id: string; deviceId: string }[];
}

/**
 * New OTA jobs offered to every node, so that the node holding a device's connection sends it its
 * job at once, whatever the database says of the device's presence (see `RolloutStepper`).
 * `offer` never rejects: a device not reached gets its jobs when it next subscribes or asks.
 */
export interface JobOffers {
  offer(offer: JobOffer): Promise<void>;
  /** Where this node takes offers (the job channel, which sends those of the devices it holds). */
  listen(take: (offer: JobOffer) => Promise<void>): void;
}

/** One process: offers go to this node's job channel. */
export class LocalJobOffers implements JobOffers {
  private take: ((offer: JobOffer) => Promise<void>) | undefined;

  async offer(offer: JobOffer): Promise<void> {
    if (offer.jobs.length > 0) await this.take?.(offer);
  }

  listen(take: (offer: JobOffer) => Promise<void>): void {
    this.take = take;
  }
}

const OFFERED = 'iotp.ota.offered';
const Offered = z.object({
  origin: z.string(),
  orgId: z.string(),
  rolloutId: z.string(),
  jobs: z.array(z.object({ id: z.string(), deviceId: z.string() })),
});

/**
 * Several nodes: this node takes an offer at once, even while NATS is unreachable, and publishes it
 * on NATS (`iotp.ota.offered`) for the others; its own copy coming back is skipped.
 * @example const offers = new NatsJobOffers({ nc, logger }); offers.listen((o) => channel.onOffered(o));
 */
export class NatsJobOffers implements JobOffers {
  /** Names this node's offers, so it does not take them twice. */
  private readonly origin = randomUUID();
  private readonly nc: NatsConnection;
  private readonly log: Logger;
  private take: ((offer: JobOffer) => Promise<void>) | undefined;

  constructor(o: { nc: NatsConnection; logger: Logger }) {
    this.nc = o.nc;
    this.log = o.logger.child({ component: 'job-offers' });
  }

  async offer(offer: JobOffer): Promise<void> {
    if (offer.jobs.length === 0) return;
    publishJson(this.nc, OFFERED, { origin: this.origin, ...offer }, this.log, 'OTA job offer');
    await this.take?.(offer);
  }

  listen(take: (offer: JobOffer) => Promise<void>): void {
    this.take = take;
    listenJson(this.nc, OFFERED, Offered, this.log, 'OTA job offer', ({ origin, ...offer }) => {
      if (origin !== this.origin) void take(offer);
    });
  }
}
