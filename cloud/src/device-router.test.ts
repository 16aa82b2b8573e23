import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type DeviceEvents, type DeviceHandlers, routeDeviceEvents } from './device-router.ts';

const COMMAND = '0b6a3c1e-5d7f-4b8e-9a1c-2d3e4f5a6b7c';

/** Handlers that note each call, and the emitter the broker would hand in. */
function setup() {
  const calls: unknown[][] = [];
  const note =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args.map((a) => (Buffer.isBuffer(a) ? a.toString() : a))]);
    };
  const handlers: DeviceHandlers = {
    twins: {
      onReported: note('reported'),
      onCommandResponse: note('commandResponse'),
      onCommandsSubscribed: note('commandsSubscribed'),
      onDesiredSubscribed: note('desiredSubscribed'),
    },
    rollouts: { onStatus: note('status'), onJobRequest: note('jobRequest'), onJobsSubscribed: note('jobsSubscribed') },
  };
  const events: DeviceEvents = new EventEmitter();
  const unroute = routeDeviceEvents(events, handlers);
  return { calls, events, unroute };
}

/** Lets the routed work run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('device router', () => {
  it('hands each device message to the service of its topic, parsed', async () => {
    const { calls, events } = setup();
    events.emit('message', 'd1', 'twin/reported', Buffer.from('{"a":1}'));
    events.emit('message', 'd1', `commands/${COMMAND}/response`, Buffer.from('{}'));
    events.emit('message', 'd1', 'ota/status', Buffer.from('{"s":1}'));
    events.emit('message', 'd1', 'ota/request', Buffer.from('{}'));
    // Telemetry is the broker's; the rest is no one's.
    for (const suffix of ['telemetry', 'twin/desired', 'commands', 'ota/job', 'commands/x/response', 'a/b'])
      events.emit('message', 'd1', suffix, Buffer.from('{}'));
    await settle();
    expect(calls).toEqual([
      ['reported', 'd1', '{"a":1}'],
      ['commandResponse', 'd1', COMMAND, '{}'],
      ['status', 'd1', '{"s":1}'],
      ['jobRequest', 'd1'],
    ]);
  });

  it('tells the services of subscriptions that cover what they send', async () => {
    const { calls, events } = setup();
    for (const filter of ['commands', 'ota/job', '#', 'ota/status', 'twin/desired', '+'])
      events.emit('subscribe', 'd1', filter);
    await settle();
    expect(calls).toEqual([
      ['commandsSubscribed', 'd1'],
      ['jobsSubscribed', 'd1'],
      ['commandsSubscribed', 'd1'],
      ['desiredSubscribed', 'd1'],
      ['jobsSubscribed', 'd1'],
      ['desiredSubscribed', 'd1'],
      ['commandsSubscribed', 'd1'],
    ]);
  });

  it("handles one device's messages in the order sent, whichever service is slower", async () => {
    const order: string[] = [];
    const handlers: DeviceHandlers = {
      twins: {
        // The twin report takes longer than the status report that follows it.
        onReported: async (id) => {
          await new Promise((r) => setTimeout(r, 30));
          order.push(`reported ${id}`);
        },
        onCommandResponse: async () => undefined,
        onCommandsSubscribed: async () => undefined,
        onDesiredSubscribed: async () => undefined,
      },
      rollouts: {
        onStatus: async (id) => void order.push(`status ${id}`),
        onJobRequest: async () => undefined,
        onJobsSubscribed: async () => undefined,
      },
    };
    const events: DeviceEvents = new EventEmitter();
    routeDeviceEvents(events, handlers);
    events.emit('message', 'd1', 'twin/reported', Buffer.from('{}'));
    events.emit('message', 'd1', 'ota/status', Buffer.from('{}'));
    events.emit('message', 'd2', 'ota/status', Buffer.from('{}'));
    while (order.length < 3) await new Promise((r) => setTimeout(r, 5));
    // Another device does not wait for d1.
    expect(order).toEqual(['status d2', 'reported d1', 'status d1']);
  });

  it('stops routing when undone', async () => {
    const { calls, events, unroute } = setup();
    unroute();
    events.emit('message', 'd1', 'twin/reported', Buffer.from('{}'));
    events.emit('subscribe', 'd1', '#');
    expect(calls).toEqual([]);
    expect(events.listenerCount('message') + events.listenerCount('subscribe')).toBe(0);
  });
});
