export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** The delay never grows past this, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };

/**
 * How long to wait before retry number `failures` (1 after the first failure): `initialMs`,
 * doubling each time, capped at `maxMs`. Deterministic: with one reconciler per server at a time
 * (the advisory lock), there is no herd to spread with jitter.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (!Number.isFinite(failures) || failures < 1) return 0;
  const initial = Math.max(0, policy.initialMs);
  const max = Math.max(initial, policy.maxMs);
  // 2^(failures-1) overflows to Infinity long before it matters; min() keeps it finite.
  const delay = initial * 2 ** Math.min(failures - 1, 52);
  return Math.min(delay, max);
}
