import type { RateLimitState } from './rate-limit-store.js';

/**
 * The headers of spec/portal-contract.md: the de-facto `X-RateLimit-*` trio (Reset in seconds to the
 * window's end, as @nestjs/throttler sends it) plus the IETF draft's `RateLimit-Policy`/`RateLimit`.
 * Seconds round up, so a client that waits `Retry-After` finds the window over.
 */
export function rateLimitHeaders(state: RateLimitState, windowSeconds: number, policy = 'default'): Record<string, string> {
  const reset = String(Math.max(1, Math.ceil(state.resetMs / 1000)));
  const fixed = fixedPart(state.limit, windowSeconds, policy);
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': fixed.limit,
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': reset,
    'RateLimit-Policy': fixed.policy,
    RateLimit: `${fixed.quotedName};r=${state.remaining};t=${reset}`,
  };
  if (!state.allowed) headers['Retry-After'] = reset;
  return headers;
}

// The parts that depend only on the policy: built once per policy, not on every request.
const fixedParts = new Map<string, { limit: string; policy: string; quotedName: string }>();

function fixedPart(limit: number, windowSeconds: number, policy: string) {
  const key = `${policy}:${limit}:${windowSeconds}`;
  let part = fixedParts.get(key);
  if (part === undefined) {
    part = { limit: String(limit), policy: `"${policy}";q=${limit};w=${windowSeconds}`, quotedName: `"${policy}"` };
    if (fixedParts.size > 100) fixedParts.clear(); // a handful of policies in practice; never unbounded
    fixedParts.set(key, part);
  }
  return part;
}
