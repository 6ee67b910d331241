import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { toRateLimitState, type RateLimitState, type RateLimitStore } from './rate-limit-store.js';

const KEY_PREFIX = 'wgfleet:rl:';

// One atomic script per hit: the count and its expiry come from one place, on Redis's clock, so every
// replica sees the same window. The expiry is set only by the hit that opens the window. A counter
// without one (PTTL -1: written by hand, or a PEXPIRE lost in a failover) would never reset, so the
// script gives it one.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = tonumber(ARGV[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {count, ttl}
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  left = ttl
end
return {count, left}
`;

type ScriptedRedis = Redis & { wgfleetRateLimitHit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Counts shared by every replica. **Fails open**: when Redis does not answer, each replica falls back
 * to its own in-memory counts (so the limit holds per replica instead of per fleet) and logs one
 * warning per outage. Rate limiting is a secondary control; an API that answers 503 to everyone
 * because its limiter's cache is down would turn a cache outage into a full outage.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger(RedisRateLimitStore.name);
  private readonly client: ScriptedRedis;
  private readonly ownsClient: boolean;
  private readonly fallback = new MemoryRateLimitStore();
  private down = false;

  constructor(redis: Redis | string) {
    this.ownsClient = typeof redis === 'string';
    const client =
      typeof redis === 'string'
        ? new Redis(redis, {
            // While disconnected a hit fails at once and uses the fallback, instead of queueing
            // behind the reconnect and holding the request.
            enableOfflineQueue: false,
            // A connection that is open but silent (Redis stalled) costs a request at most this.
            commandTimeout: 250,
            maxRetriesPerRequest: 1,
            connectTimeout: 2_000,
            // disconnect() arms this timer even when the socket is already gone (Redis down), and it
            // holds the process open; the 2 s default would delay every shutdown during an outage.
            disconnectTimeout: 200,
            // The hits of concurrent requests that arrive in one event-loop turn go out in one
            // write and come back in one read: one syscall pair for many requests.
            enableAutoPipelining: true,
          })
        : redis;
    // EVALSHA per hit; ioredis loads the script again on NOSCRIPT (after a Redis restart).
    client.defineCommand('wgfleetRateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Reconnect attempts emit 'error'; without a listener ioredis prints each one to the console.
    if (this.ownsClient) client.on('error', (error: unknown) => this.markDown(error));
    this.client = client as ScriptedRedis;
  }

  /** Waits (bounded) for the connection, so the first hits after boot are counted in Redis. */
  ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ready);
      };
      this.client.once('ready', onReady);
    });
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitState> {
    try {
      const [count, resetMs] = await this.client.wgfleetRateLimitHit(KEY_PREFIX + key, windowMs);
      if (this.down) this.markUp();
      return toRateLimitState(count, limit, resetMs);
    } catch (error) {
      this.markDown(error);
      return this.fallback.hit(key, limit, windowMs);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
    if (!this.ownsClient) return;
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  private markDown(error: unknown): void {
    if (this.down) return;
    this.down = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Redis unavailable, rate limits are per replica until it is back: ${reason}`);
  }

  private markUp(): void {
    this.down = false;
    this.logger.log('Redis is back, rate limits are shared again');
  }
}
