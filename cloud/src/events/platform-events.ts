import type { DeviceEvents } from '@iotp/broker';
import type { Logger } from 'pino';
import type { OtaEvents } from '../ota/ota-events.ts';
import type { EventService } from './event.service.ts';

/**
 * Records what the broker and rollouts tell this node as domain events: a device's session starting
 * and ending on this node (a disconnect that a newer connection replaced is no disconnect), and
 * each rollout and job change made here. Returns what stops listening.
 * @example recordPlatformEvents(events, { devices: broker.deviceEvents, ota: rollouts.events, logger });
 */
export function recordPlatformEvents(
  events: EventService,
  parts: { devices: DeviceEvents; ota?: OtaEvents; logger: Logger },
): () => void {
  const log = parts.logger.child({ component: 'platform-events' });
  const failed = (err: unknown) => log.warn({ err }, 'event not recorded');
  const connected = (deviceId: string) =>
    void events
      .recordForDevice(deviceId, { type: 'device.connected', subjectType: 'device', subjectId: deviceId })
      .catch(failed);
  const disconnected = (deviceId: string, stillConnected: boolean) => {
    if (stillConnected) return;
    void events
      .recordForDevice(deviceId, { type: 'device.disconnected', subjectType: 'device', subjectId: deviceId })
      .catch(failed);
  };
  parts.devices.on('connect', connected);
  parts.devices.on('disconnect', disconnected);
  parts.ota?.onChange((e) => {
    const job = e.job_id !== undefined;
    void events
      .record({
        orgId: e.org_id,
        type: job ? 'ota.job.changed' : 'ota.rollout.changed',
        subjectType: job ? 'ota_job' : 'rollout',
        subjectId: job ? e.job_id : e.rollout_id,
        data: { ...e },
      })
      .catch(failed);
  });
  return () => {
    parts.devices.off('connect', connected);
    parts.devices.off('disconnect', disconnected);
  };
}

/**
 * Records `device.disconnected` for devices whose connection ended without their node telling (it
 * was killed, or taken for dead), `data.reason` `node_lost`: webhooks and streams hear they went
 * offline as they hear any other disconnect.
 */
export function recordLostConnections(events: EventService, deviceIds: string[], logger: Logger): void {
  for (const deviceId of deviceIds)
    void events
      .recordForDevice(deviceId, {
        type: 'device.disconnected',
        subjectType: 'device',
        subjectId: deviceId,
        data: { reason: 'node_lost' },
      })
      .catch((err) => logger.warn({ err, deviceId }, 'event not recorded'));
}
