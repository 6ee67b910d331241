/** Which limit refused a request: the per-key window, or failed authentications per client address. */
export type RateLimitKind = 'key' | 'failed_auth_ip';

/**
 * Told about every request a limit refused (a 429), for metrics. A port (STYLE.md §9): the
 * limiter knows no metrics library; the app binds an implementation, and without one nothing is
 * reported. Called on the request path: an implementation must be cheap and never throw.
 */
export abstract class RateLimitObserver {
  abstract rejected(kind: RateLimitKind): void;
}
