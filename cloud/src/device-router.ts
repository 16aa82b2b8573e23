import type { DeviceEvents } from '@iotp/broker';
import { filterCovers, parseDeviceSuffix, SUFFIX } from '@iotp/protocol';
import { KeyedSerial } from './keyed-serial.ts';

export type { DeviceEvents };

/** Who handles which device topic; telemetry is the broker's own. Handlers never throw. */
export interface DeviceHandlers {
  twins: {
    onReported(deviceId: string, payload: Buffer): Promise<void>;
    onCommandResponse(deviceId: string, commandId: string, payload: Buffer): Promise<void>;
    /** The device subscribed to `commands`, or resumed a persistent session subscribed to it. */
    onCommandsSubscribed(deviceId: string): Promise<void>;
    /** The device subscribed to `twin/desired`, or resumed a persistent session subscribed to it. */
    onDesiredSubscribed(deviceId: string): Promise<void>;
  };
  rollouts: {
    onStatus(deviceId: string, payload: Buffer): Promise<void>;
    onJobRequest(deviceId: string): Promise<void>;
    /** The device subscribed to `ota/job`, or resumed a persistent session subscribed to it. */
    onJobsSubscribed(deviceId: string): Promise<void>;
  };
}

/** Hands one device message to its handler, by what the protocol says its topic is. */
export function routeDeviceMessage(
  h: Partial<DeviceHandlers>,
  deviceId: string,
  suffix: string,
  payload: Buffer,
): Promise<void> {
  const topic = parseDeviceSuffix(suffix);
  switch (topic?.kind) {
    case 'twinReported':
      return h.twins?.onReported(deviceId, payload) ?? Promise.resolve();
    case 'commandResponse':
      return h.twins?.onCommandResponse(deviceId, topic.commandId, payload) ?? Promise.resolve();
    case 'otaStatus':
      return h.rollouts?.onStatus(deviceId, payload) ?? Promise.resolve();
    case 'otaRequest':
      return h.rollouts?.onJobRequest(deviceId) ?? Promise.resolve();
    default:
      return Promise.resolve();
  }
}

/**
 * Tells the handlers of what a new or resumed subscription will receive: waiting commands, desired
 * state, open jobs.
 */
export async function routeDeviceSubscribe(h: Partial<DeviceHandlers>, deviceId: string, filter: string) {
  await Promise.all([
    filterCovers(filter, SUFFIX.commands) && h.twins?.onCommandsSubscribed(deviceId),
    filterCovers(filter, SUFFIX.twinDesired) && h.twins?.onDesiredSubscribed(deviceId),
    filterCovers(filter, SUFFIX.otaJob) && h.rollouts?.onJobsSubscribed(deviceId),
  ]);
}

/**
 * Routes the broker's device events to the twin and rollout services; returns what undoes it.
 * @example const unroute = routeDeviceEvents(broker.deviceEvents, { twins, rollouts });
 */
export function routeDeviceEvents(events: DeviceEvents, handlers: DeviceHandlers): () => void {
  // A device's messages are handled one after another, in the order it sent them, whichever
  // service takes each: a twin report sent before an update's success cannot land after it.
  const serial = new KeyedSerial();
  const onMessage = (deviceId: string, suffix: string, payload: Buffer) =>
    void serial.run(deviceId, () => routeDeviceMessage(handlers, deviceId, suffix, payload));
  const onSubscribe = (deviceId: string, filter: string) =>
    void serial.run(deviceId, () => routeDeviceSubscribe(handlers, deviceId, filter));
  events.on('message', onMessage);
  events.on('subscribe', onSubscribe);
  return () => {
    events.off('message', onMessage);
    events.off('subscribe', onSubscribe);
  };
}
