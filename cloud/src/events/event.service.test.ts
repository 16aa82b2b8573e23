import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventRepository } from './event.repository.ts';
import { EventService } from './event.service.ts';
import { inProcessBus } from './event-bus.ts';

describe('EventService', () => {
  it('inserts the device events recorded within deviceEventsGatherMs in one statement', async () => {
    // The repository is the boundary: what is asked of it, not the database, is under test here.
    const inserts: string[][] = [];
    const repo = {
      insertForDevices: async (list: { deviceId: string }[]) => {
        inserts.push(list.map((e) => e.deviceId));
        return false;
      },
    } as unknown as EventRepository;
    const events = new EventService({
      repo,
      bus: inProcessBus(),
      logger: pino({ level: 'silent' }),
      deviceEventsGatherMs: 1000,
    });
    const event = { type: 'device.connected', subjectType: 'device' } as const;
    const first = events.recordForDevice('a', event);
    // A later turn of the event loop, as the next device's connect is.
    await new Promise((resolve) => setImmediate(resolve));
    const second = events.recordForDevice('b', event);
    await Promise.all([first, second]);
    expect(inserts).toEqual([['a', 'b']]);
  });
});
