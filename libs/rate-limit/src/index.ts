export { Clock, SystemClock } from './clock.js';
export { FailedAuthentications, type FailedAuthRefusal } from './failed-authentications.js';
export { MemoryRateLimitStore } from './memory-rate-limit-store.js';
export { rateLimitHeaders } from './rate-limit-headers.js';
export { RateLimitStore, type RateLimitState } from './rate-limit-store.js';
export { RateLimitModule, type RateLimitModuleOptions } from './rate-limit.module.js';
export { RateLimiter, RateLimitOptions } from './rate-limiter.service.js';
export { RateLimitObserver, type RateLimitKind } from './rate-limit-observer.js';
export { RedisRateLimitStore } from './redis-rate-limit-store.js';
