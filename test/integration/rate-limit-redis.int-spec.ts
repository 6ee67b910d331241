import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { RateLimitModule, RateLimiter, RateLimitStore, RedisRateLimitStore, type RateLimitState } from '@wgfleet/rate-limit';
import { startRedis, type RedisServer } from '../support/redis-server.js';

const MINUTE = 60_000;

async function connectedStore(url: string): Promise<RedisRateLimitStore> {
  const store = new RedisRateLimitStore(url);
  if (!(await store.ready())) throw new Error(`no Redis at ${url}`);
  return store;
}

function allowedCount(states: RateLimitState[]): number {
  return states.filter((s) => s.allowed).length;
}

describe('RedisRateLimitStore against a real redis-server', () => {
  let redis: RedisServer;
  let stores: RedisRateLimitStore[];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(() => {
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  async function store(): Promise<RedisRateLimitStore> {
    const created = await connectedStore(redis.url);
    stores.push(created);
    return created;
  }

  it('allows exactly 60 of 100 concurrent hits on one key', async () => {
    const limiter = await store();
    const key = randomUUID();
    const states = await Promise.all(Array.from({ length: 100 }, () => limiter.hit(key, 60, MINUTE)));
    expect(allowedCount(states)).toBe(60);
    // Every allowed hit saw its own count: the remainings are exactly 59..0, once each.
    const remaining = states.filter((s) => s.allowed).map((s) => s.remaining);
    expect(remaining.sort((a, b) => b - a)).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    expect(states.filter((s) => !s.allowed).every((s) => s.remaining === 0)).toBe(true);
    expect(states.every((s) => s.resetMs > 0 && s.resetMs <= MINUTE)).toBe(true);
  });

  it('allows exactly 60 together across two replicas sharing one Redis', async () => {
    const [replicaA, replicaB] = [await store(), await store()];
    const key = randomUUID();
    const states = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? replicaA : replicaB).hit(key, 60, MINUTE)));
    expect(allowedCount(states)).toBe(60);
    expect(await replicaA.hit(key, 60, MINUTE)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('counts down remaining while the reset only shrinks, and rejected hits keep the window end', async () => {
    const limiter = await store();
    const key = randomUUID();
    const states: RateLimitState[] = [];
    for (let i = 0; i < 5; i++) states.push(await limiter.hit(key, 3, MINUTE));
    expect(states.map((s) => [s.allowed, s.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    for (let i = 1; i < states.length; i++) expect(states[i].resetMs).toBeLessThanOrEqual(states[i - 1].resetMs);
  });

  it('opens a new window once the old one expires, and not before', async () => {
    const limiter = await store();
    const key = randomUUID();
    const windowMs = 300;
    const first = await limiter.hit(key, 2, windowMs);
    await limiter.hit(key, 2, windowMs);
    const rejected = await limiter.hit(key, 2, windowMs);
    expect(rejected.allowed).toBe(false);
    expect(rejected.resetMs).toBeLessThanOrEqual(first.resetMs);
    await sleep(rejected.resetMs + 50);
    expect(await limiter.hit(key, 2, windowMs)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('gives an expiry to a counter that has none', async () => {
    const raw = new Redis(redis.url);
    try {
      const key = randomUUID();
      await raw.set(`wgfleet:rl:${key}`, '100');
      const state = await (await store()).hit(key, 60, MINUTE);
      expect(state).toMatchObject({ allowed: false, remaining: 0 });
      expect(state.resetMs).toBe(MINUTE);
      expect(await raw.pttl(`wgfleet:rl:${key}`)).toBeGreaterThan(0);
    } finally {
      raw.disconnect();
    }
  });

  it('closes the connection it created but leaves a passed-in one open', async () => {
    const shared = new Redis(redis.url);
    const clients = async (): Promise<number> => ((await shared.client('LIST')) as string).trim().split('\n').length;
    try {
      const borrowed = new RedisRateLimitStore(shared);
      await borrowed.hit(randomUUID(), 60, MINUTE);
      await borrowed.close();
      expect(await shared.ping()).toBe('PONG');

      const before = await clients();
      const own = await connectedStore(redis.url);
      expect(await clients()).toBe(before + 1);
      await own.close();
      expect(await clients()).toBe(before);
    } finally {
      shared.disconnect();
    }
  });

  it('is bound by RateLimitModule when a Redis URL is given', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RateLimitModule.forRoot({ redisUrl: redis.url, limitPerWindow: 1 })],
    }).compile();
    try {
      expect(moduleRef.get(RateLimitStore)).toBeInstanceOf(RedisRateLimitStore);
      const limiter = moduleRef.get(RateLimiter);
      const bucket = randomUUID();
      expect((await limiter.consume(bucket)).allowed).toBe(true);
      expect((await limiter.consume(bucket)).allowed).toBe(false);
    } finally {
      await moduleRef.close();
    }
  });
});

describe('RedisRateLimitStore when Redis goes down', () => {
  it('fails open to per-replica limits without hanging, and warns once', async () => {
    const redis = await startRedis();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const limiter = await connectedStore(redis.url);
    try {
      const key = randomUUID();
      for (let i = 0; i < 10; i++) await limiter.hit(key, 60, MINUTE);
      await redis.stop();

      const started = Date.now();
      const states = await Promise.all(Array.from({ length: 61 }, () => limiter.hit(key, 60, MINUTE)));
      expect(Date.now() - started).toBeLessThan(1_000);
      // The replica's own count starts afresh: 60 allowed, then limited, never a 5xx or a hang.
      expect(allowedCount(states)).toBe(60);
      expect(await limiter.hit(key, 60, MINUTE)).toMatchObject({ allowed: false, remaining: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/Redis unavailable/);
    } finally {
      warn.mockRestore();
      await limiter.close();
      await redis.stop();
    }
  });
});
