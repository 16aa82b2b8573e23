import type { BrokerLimits, DeviceStore, Quotas, TelemetrySink, UsageMeter } from '@iotp/broker';
import { DEFAULT_RATE_LIMITS, type RateLimits } from '../auth/credential-limits.ts';
import type { CounterStore } from '../auth/rate-limit.ts';
import { DeviceIngest, type DeviceIngestOptions } from '../telemetry/device-ingest.service.ts';
import type { Wiring } from './wiring.ts';

/**
 * Device telemetry over HTTP, on the broker's parts: its credential check, limits, quotas (one
 * message rate per device, whichever way it sends) and telemetry sink, the plan's admission, the
 * usage meter and the rule engine.
 */
export function wireDeviceIngest(
  { logger, registry }: Wiring,
  parts: {
    devices: DeviceStore;
    sink: TelemetrySink;
    limits: BrokerLimits;
    quotas: Quotas;
    meter: UsageMeter;
    plan: NonNullable<DeviceIngestOptions['plan']>;
    onReadings?: DeviceIngestOptions['onReadings'];
    failures: CounterStore;
    rateLimits?: Partial<RateLimits>;
  },
) {
  return new DeviceIngest({
    ...parts,
    failureLimit: parts.rateLimits?.deviceAuthFailuresPerAddress ?? DEFAULT_RATE_LIMITS.deviceAuthFailuresPerAddress,
    registry,
    logger,
  });
}
