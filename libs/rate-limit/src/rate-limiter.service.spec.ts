import { Test } from '@nestjs/testing';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { RateLimitStore } from './rate-limit-store.js';
import { RateLimitModule } from './rate-limit.module.js';
import { RateLimiter } from './rate-limiter.service.js';

describe('RateLimitModule', () => {
  it('binds the memory store without a Redis URL and limits per bucket', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RateLimitModule.forRoot({ limitPerWindow: 2 })] }).compile();
    const limiter = moduleRef.get(RateLimiter);
    expect(moduleRef.get(RateLimitStore)).toBeInstanceOf(MemoryRateLimitStore);
    expect(limiter.windowSeconds).toBe(60);
    const states = [await limiter.consume('a'), await limiter.consume('a'), await limiter.consume('a'), await limiter.consume('b')];
    expect(states.map((s) => s.allowed)).toEqual([true, true, false, true]);
    expect(await limiter.consume('c', 1)).toMatchObject({ limit: 1, remaining: 0 });
    await moduleRef.close();
  });

  it('closes the store when the application shuts down', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RateLimitModule.forRoot({ limitPerWindow: 2 })] }).compile();
    const close = jest.spyOn(moduleRef.get(RateLimitStore), 'close');
    await moduleRef.close();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a zero limit', { limitPerWindow: 0 }],
    ['a fractional limit', { limitPerWindow: 1.5 }],
    ['a zero window', { limitPerWindow: 60, windowMs: 0 }],
  ])('refuses %s', (_case, options) => {
    expect(() => RateLimitModule.forRoot(options)).toThrow(/must be a positive integer/);
  });
});
