import { Injectable } from '@nestjs/common';
import { RateLimitStore, type RateLimitState } from './rate-limit-store.js';

/** Injection token and shape of the limiter's settings. */
export abstract class RateLimitOptions {
  abstract readonly limitPerWindow: number;
  abstract readonly windowMs: number;
}

@Injectable()
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly options: RateLimitOptions,
  ) {}

  /** The window in whole seconds, for `RateLimit-Policy`'s `w`. */
  get windowSeconds(): number {
    return Math.ceil(this.options.windowMs / 1000);
  }

  /** Counts one hit on `bucket` (e.g. `key:<apiKeyId>`), against `limit` or the configured default. */
  consume(bucket: string, limit = this.options.limitPerWindow): Promise<RateLimitState> {
    return this.store.hit(bucket, limit, this.options.windowMs);
  }
}
