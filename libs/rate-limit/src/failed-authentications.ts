import { Injectable, Optional } from '@nestjs/common';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { RateLimitObserver } from './rate-limit-observer.js';
import { RateLimiter } from './rate-limiter.service.js';

/** A failed authentication past the limit: the headers of the 429 (`Retry-After`, `X-RateLimit-*`, `RateLimit*`). */
export interface FailedAuthRefusal {
  retryAfterSeconds: number;
  headers: Record<string, string>;
}

/**
 * Failed authentications per client address, one count for every API that authenticates a request
 * (the portal's Bearer keys, WGDashboard's `wg-dashboard-apikey`): guessing keys is throttled once,
 * whichever API the guesses go to, and each guard only decides what its 401 and 429 look like.
 */
@Injectable()
export class FailedAuthentications {
  constructor(
    private readonly limiter: RateLimiter,
    // Bound by the app's metrics module; without it refusals are not counted.
    @Optional() private readonly rejections?: RateLimitObserver,
  ) {}

  /** Counts one failure from `address`; resolves the refusal once more than `limit` failed in the window, else null. */
  async record(address: string, limit: number): Promise<FailedAuthRefusal | null> {
    const failures = await this.limiter.consume(`auth-fail:${address}`, limit);
    if (failures.allowed) return null;
    this.rejections?.rejected('failed_auth_ip');
    const headers = rateLimitHeaders(failures, this.limiter.windowSeconds);
    return { retryAfterSeconds: Number(headers['Retry-After']), headers };
  }
}
