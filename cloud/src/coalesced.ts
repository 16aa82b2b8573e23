/**
 * Wraps work that empties a queue so concurrent calls share one pass, and a call that comes in
 * during a pass makes it run once more (what was queued meanwhile is not left waiting for the
 * next tick). The returned promise settles as the pass does; `settled()` waits for the pass under way.
 * @example const drain = coalesced(async () => { while (await sendBatch()); }); void drain(); await drain();
 */
export function coalesced(pass: () => Promise<void>): (() => Promise<void>) & { settled(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  /** Waits for the pass under way, if any; never rejects (a shutdown step). */
  const settled = async () => {
    await running?.catch(() => undefined);
  };
  return Object.assign(run, { settled });
}
