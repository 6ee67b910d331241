import { Clock } from './clock.js';
import { FailedAuthentications } from './failed-authentications.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { RateLimitObserver, type RateLimitKind } from './rate-limit-observer.js';
import { RateLimiter } from './rate-limiter.service.js';

class FakeClock implements Clock {
  time = 1_000_000;
  now(): number {
    return this.time;
  }
}

class RecordingObserver extends RateLimitObserver {
  readonly kinds: RateLimitKind[] = [];
  rejected(kind: RateLimitKind): void {
    this.kinds.push(kind);
  }
}

describe('FailedAuthentications', () => {
  let clock: FakeClock;
  let observer: RecordingObserver;
  let failures: FailedAuthentications;

  beforeEach(() => {
    clock = new FakeClock();
    observer = new RecordingObserver();
    // The per-key default (60) is not the failure limit: each call names its own.
    failures = new FailedAuthentications(new RateLimiter(new MemoryRateLimitStore(clock), { limitPerWindow: 60, windowMs: 60_000 }), observer);
  });

  it('lets `limit` failures from an address through and refuses the next with Retry-After, told to the observer', async () => {
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await failures.record('198.51.100.1', 3));
    expect(outcomes).toEqual([null, null, null]);
    clock.time += 15_000;
    const refusal = await failures.record('198.51.100.1', 3);
    expect(refusal).toEqual({
      retryAfterSeconds: 45,
      headers: expect.objectContaining({ 'Retry-After': '45', 'X-RateLimit-Limit': '3', 'X-RateLimit-Remaining': '0' }),
    });
    expect(observer.kinds).toEqual(['failed_auth_ip']);
  });

  it('counts each address apart, and forgives an address when its window ends', async () => {
    for (let i = 0; i < 2; i++) await failures.record('198.51.100.1', 2);
    expect(await failures.record('198.51.100.2', 2)).toBeNull();
    expect(await failures.record('198.51.100.1', 2)).not.toBeNull();
    clock.time += 60_000;
    expect(await failures.record('198.51.100.1', 2)).toBeNull();
  });

  it('shares the counter with every caller of the limiter for that address (`auth-fail:<address>`)', async () => {
    const store = new MemoryRateLimitStore(clock);
    const limiter = new RateLimiter(store, { limitPerWindow: 60, windowMs: 60_000 });
    const portal = new FailedAuthentications(limiter);
    const wgdashboard = new FailedAuthentications(limiter);
    expect(await portal.record('198.51.100.9', 2)).toBeNull();
    expect(await wgdashboard.record('198.51.100.9', 2)).toBeNull();
    expect(await portal.record('198.51.100.9', 2)).not.toBeNull();
    expect((await limiter.consume('auth-fail:198.51.100.9', 2)).remaining).toBe(0);
  });
});
