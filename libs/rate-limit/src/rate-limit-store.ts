export interface RateLimitState {
  allowed: boolean;
  limit: number;
  /** Hits left in this window, never negative. */
  remaining: number;
  /** Milliseconds until this window ends; always > 0. */
  resetMs: number;
}

/**
 * Counts hits per key in a **fixed window**:
 * - a key's window starts at its first hit after the previous window ended and lasts `windowMs`;
 * - at most `limit` hits per window are allowed;
 * - hits over the limit are rejected but still counted (one INCR, no read-then-write). They never
 *   extend the window: only the hit that opens a window sets its end, so a rejected client is
 *   always admitted again when the window ends.
 * Worst case at a window boundary: `2 × limit` hits within a moment (`limit` at the end of one
 * window, `limit` at the start of the next). The contract accepts that (spec/portal-contract.md).
 */
export abstract class RateLimitStore {
  abstract hit(key: string, limit: number, windowMs: number): Promise<RateLimitState>;
  abstract close(): Promise<void>;
}

export function toRateLimitState(count: number, limit: number, resetMs: number): RateLimitState {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetMs: Math.max(1, resetMs) };
}
