export interface BackoffOptions {
  /** The first wait's upper bound, in ms. */
  initialMs?: number;
  /** No wait is longer than this, in ms. */
  maxMs?: number;
  /** Uniform in [0, 1); replaced in tests. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: the n-th wait (from 0) is uniform in
 * [0, min(maxMs, initialMs · 2^n)), so a fleet refused at the same moment does not come back at
 * the same moment either. `reset()` after a success starts again from `initialMs`.
 * @example const b = new Backoff({ initialMs: 1000, maxMs: 60_000 }); setTimeout(retry, b.next());
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  /** Waits handed out since the last reset. */
  attempts = 0;

  constructor({ initialMs = 1000, maxMs = 60_000, random = Math.random }: BackoffOptions = {}) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) throw new RangeError('need 0 < initialMs <= maxMs');
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The upper bound of the next wait. */
  get ceiling(): number {
    // The exponent is capped so a device refused for months never overflows to Infinity.
    return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts, 40));
  }

  /** The next wait in ms. */
  next(): number {
    const wait = Math.floor(this.random() * this.ceiling);
    this.attempts++;
    return wait;
  }

  reset(): void {
    this.attempts = 0;
  }
}
