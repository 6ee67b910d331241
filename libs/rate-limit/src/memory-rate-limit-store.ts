import { Clock, SystemClock } from './clock.js';
import { toRateLimitState, type RateLimitState, type RateLimitStore } from './rate-limit-store.js';

interface Window {
  count: number;
  windowEndsAt: number;
}

// Each hit sweeps at most this many expired windows, so a hit stays O(1) even when thousands of
// keys expire at once; a hit adds at most one window, so the expired backlog still shrinks.
const SWEEP_PER_HIT = 8;

/** Per-process counts: for one replica (dev, tests) and as the fallback when Redis is down. */
export class MemoryRateLimitStore implements RateLimitStore {
  // A window is (re)inserted when it opens, so Map order is opening order and, for one windowMs,
  // also expiry order: expired windows are always at the front.
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock = new SystemClock()) {}

  /** Number of keys held, expired ones included until swept. */
  get size(): number {
    return this.windows.size;
  }

  hit(key: string, limit: number, windowMs: number): Promise<RateLimitState> {
    const now = this.clock.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.windowEndsAt <= now) {
      this.windows.delete(key);
      window = { count: 0, windowEndsAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve(toRateLimitState(window.count, limit, window.windowEndsAt - now));
  }

  close(): Promise<void> {
    this.windows.clear();
    return Promise.resolve();
  }

  private sweep(now: number): void {
    let budget = SWEEP_PER_HIT;
    for (const [key, window] of this.windows) {
      if (budget-- === 0 || window.windowEndsAt > now) return;
      this.windows.delete(key);
    }
  }
}
