import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { FailedAuthentications } from './failed-authentications.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { RateLimitStore } from './rate-limit-store.js';
import { RateLimitOptions, RateLimiter } from './rate-limiter.service.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

export interface RateLimitModuleOptions {
  /** Shares the counts between replicas; without it each process counts alone. */
  redisUrl?: string;
  limitPerWindow: number;
  windowMs?: number;
}

@Global()
@Module({})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(private readonly store: RateLimitStore) {}

  static forRoot({ redisUrl, limitPerWindow, windowMs = 60_000 }: RateLimitModuleOptions): DynamicModule {
    // PEXPIRE 0 is an error in Redis and a zero limit locks everyone out: refuse both at boot.
    for (const [name, value] of Object.entries({ limitPerWindow, windowMs })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new Error(`rate limit ${name} must be a positive integer, got ${value}`);
    }
    return {
      module: RateLimitModule,
      providers: [
        { provide: RateLimitOptions, useValue: { limitPerWindow, windowMs } satisfies RateLimitOptions },
        { provide: RateLimitStore, useFactory: () => createStore(redisUrl) },
        RateLimiter,
        FailedAuthentications,
      ],
      exports: [RateLimiter, FailedAuthentications, RateLimitStore, RateLimitOptions],
    };
  }

  // After the HTTP server has closed, so no request meets a closed store.
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

async function createStore(redisUrl: string | undefined): Promise<RateLimitStore> {
  if (!redisUrl) return new MemoryRateLimitStore();
  const store = new RedisRateLimitStore(redisUrl);
  // Boot does not fail without Redis (the store fails open and logs why); this only avoids counting
  // the first requests in memory while the connection is being made.
  await store.ready();
  return store;
}
