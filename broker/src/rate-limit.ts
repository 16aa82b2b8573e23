/**
 * Token buckets keyed by a string (an address, a device id): `rate` tokens a second up to `burst`.
 * Idle buckets are forgotten by `sweep()`, so memory follows the active keys only.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new RangeError('rate must be > 0 and burst >= 1');
  }

  /** Takes a token now if there is one. */
  tryTake(key: string, now = performance.now()): boolean {
    const b = this.refill(key, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Takes a token, returning 0 or how many ms the caller must wait for it (debt is allowed). */
  take(key: string, now = performance.now()): number {
    const b = this.refill(key, now);
    b.tokens -= 1;
    return b.tokens >= 0 ? 0 : (-b.tokens / this.rate) * 1000;
  }

  private refill(key: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    return b;
  }

  /** Drops buckets that have refilled completely. */
  sweep(now = performance.now()): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.rate >= this.burst) this.buckets.delete(key);
    }
  }
}
