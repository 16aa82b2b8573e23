import { DeviceStore } from '@iotp/broker';
import { vi } from 'vitest';

/**
 * Holds every presence write until the returned function is called: a device connects and
 * subscribes while the database still shows it offline, as it does for a moment after each CONNACK.
 * @example const release = holdPresence(); try { ... } finally { release(); }
 */
export function holdPresence(): () => void {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const write = DeviceStore.prototype.recordPresence;
  const spy = vi.spyOn(DeviceStore.prototype, 'recordPresence').mockImplementation(async function (
    this: DeviceStore,
    changes,
    nodeId,
  ) {
    await gate;
    return write.call(this, changes, nodeId);
  });
  return () => {
    spy.mockRestore();
    release();
  };
}
