import type { RateLimitState } from './rate-limit-store.js';

/**
 * The headers of spec/portal-contract.md: the de-facto `X-RateLimit-*` trio (Reset in seconds to the
 * window's end, as @nestjs/throttler sends it) plus the IETF draft's `RateLimit-Policy`/`RateLimit`.
 * Seconds round up, so a client that waits `Retry-After` finds the window over.
 */
export function rateLimitHeaders(state: RateLimitState, windowSeconds: number, policy = 'default'): Record<string, string> {
  const reset = String(Math.max(1, Math.ceil(state.resetMs / 1000)));
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': reset,
    'RateLimit-Policy': `"${policy}";q=${state.limit};w=${windowSeconds}`,
    RateLimit: `"${policy}";r=${state.remaining};t=${reset}`,
  };
  if (!state.allowed) headers['Retry-After'] = reset;
  return headers;
}
