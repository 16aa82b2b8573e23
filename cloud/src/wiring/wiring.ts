import type { Database } from '@iotp/db';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NatsConnection } from '../cluster/nats.ts';
import type { PlatformConfig, Role } from '../config.ts';
import type { Scheduler } from '../scheduler.ts';

/**
 * What every part of the composition root is built with: the configuration, the shared plumbing,
 * and where it registers its background jobs and its shutdown steps.
 */
export interface Wiring {
  config: PlatformConfig;
  logger: Logger;
  registry: Registry;
  db: Database;
  /** Background jobs by name; they run once the platform starts. */
  scheduler: Scheduler;
  /** Registers a shutdown step: steps run in reverse order of registration, each told the budget left (ms). */
  onClose(step: (leftMs: number) => Promise<void>): void;
  /** Whether this node runs a role (ROLES). */
  runs(role: Role): boolean;
  /** The cluster bus, when NATS_URL is set. */
  nc?: NatsConnection;
  /** Where people reach the platform: PUBLIC_URL, or this host on HTTP_PORT. */
  publicUrl: string;
}
