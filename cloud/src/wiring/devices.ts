import type { BillingService } from '../billing/billing.service.ts';
import { PLANS } from '../billing/plans.ts';
import { NatsCommandAnswers } from '../cluster/command-answers.ts';
import type { DevicePublisher } from '../cluster/device-delivery.ts';
import type { DeviceOrders } from '../cluster/device-orders.ts';
import { DeviceCaRepository } from '../device-cas/device-ca.repository.ts';
import { DeviceCaService } from '../device-cas/device-ca.service.ts';
import { DeviceRepository } from '../devices/device.repository.ts';
import { DeviceService } from '../devices/device.service.ts';
import type { EventRecorder } from '../events/domain-events.ts';
import { TelemetryRepository } from '../telemetry/telemetry.repository.ts';
import { TelemetryService } from '../telemetry/telemetry.service.ts';
import { TwinRepository } from '../twin/twin.repository.ts';
import { TwinService } from '../twin/twin.service.ts';
import type { Wiring } from './wiring.ts';

/** The device registry and its CAs, telemetry reads and retention, and twins with commands. */
export function wireDevices(
  { config, logger, db, scheduler, nc }: Wiring,
  parts: {
    billing: BillingService;
    toDevices: DevicePublisher;
    deviceOrders: DeviceOrders;
    /** The broker's address as devices are told it; its port is known once listening. */
    mqtt: { host: string; port: number };
    events?: EventRecorder;
  },
) {
  const { billing } = parts;
  const deviceRepo = new DeviceRepository(db.orm);
  const telemetry = new TelemetryService(new TelemetryRepository(db.orm, db.sql), { timescale: db.timescale });
  scheduler.add({
    name: 'telemetry-retention',
    everyMs: 3600_000,
    // With billing on, retention follows each organization's plan; without, only explicit settings apply.
    run: () =>
      telemetry.applyRetention(
        billing.configured
          ? Object.fromEntries(Object.entries(PLANS).map(([n, l]) => [n, l.retention_days]))
          : undefined,
      ),
  });
  // With NATS, a device's answer reaches the node where its caller waits.
  const answers = nc ? new NatsCommandAnswers({ nc, logger }) : undefined;
  const twins = new TwinService(
    new TwinRepository(db.orm),
    deviceRepo,
    parts.toDevices,
    logger,
    answers && { answers },
  );
  answers?.listen((deviceId, commandId) => void twins.answered(deviceId, commandId));
  scheduler.add({ name: 'expire-commands', everyMs: 30_000, run: () => twins.expireDue() });
  const devices = new DeviceService({
    devices: deviceRepo,
    mqtt: parts.mqtt,
    disconnect: (ids) => void parts.deviceOrders.disconnect(ids),
    checkLimit: (orgId, adding) => billing.checkLimit(orgId, 'devices', adding),
    events: parts.events,
  });
  const deviceCas = new DeviceCaService({
    repo: new DeviceCaRepository(db.orm),
    orders: parts.deviceOrders,
    keySecret: config.DEVICE_CA_KEY_SECRET,
  });
  return { deviceRepo, telemetry, twins, devices, deviceCas };
}
