import { Clock } from './clock.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';

class FakeClock implements Clock {
  constructor(public time = 1_000_000) {}
  now(): number {
    return this.time;
  }
}

const WINDOW = 60_000;

async function hitTimes(store: MemoryRateLimitStore, key: string, times: number, limit = 60) {
  const states = [];
  for (let i = 0; i < times; i++) states.push(await store.hit(key, limit, WINDOW));
  return states;
}

describe('MemoryRateLimitStore', () => {
  let clock: FakeClock;
  let store: MemoryRateLimitStore;

  beforeEach(() => {
    clock = new FakeClock();
    store = new MemoryRateLimitStore(clock);
  });

  it('allows 60 hits in a window and rejects the 61st with remaining 0', async () => {
    const states = await hitTimes(store, 'k', 61);
    expect(states.slice(0, 60).every((s) => s.allowed)).toBe(true);
    expect(states.map((s) => s.remaining).slice(0, 3)).toEqual([59, 58, 57]);
    expect(states[59]).toEqual({ allowed: true, limit: 60, remaining: 0, resetMs: WINDOW });
    expect(states[60]).toEqual({ allowed: false, limit: 60, remaining: 0, resetMs: WINDOW });
  });

  it.each([
    ['1 ms before the window ends', WINDOW - 1, false, 1],
    ['when the window ends', WINDOW, true, WINDOW],
    ['long after the window ended', 5 * WINDOW, true, WINDOW],
  ])('after 61 hits, a hit %s is allowed: %s', async (_case, elapsed, allowed, resetMs) => {
    await hitTimes(store, 'k', 61);
    clock.time += elapsed;
    expect(await store.hit('k', 60, WINDOW)).toMatchObject({ allowed, resetMs, remaining: allowed ? 59 : 0 });
  });

  it('counts separate keys independently', async () => {
    await hitTimes(store, 'a', 61);
    expect(await store.hit('b', 60, WINDOW)).toMatchObject({ allowed: true, remaining: 59 });
    expect(await store.hit('a', 60, WINDOW)).toMatchObject({ allowed: false });
  });

  it('never extends the window with rejected hits', async () => {
    await hitTimes(store, 'k', 60);
    clock.time += 40_000;
    const rejected = await hitTimes(store, 'k', 10);
    expect(rejected.every((s) => !s.allowed && s.resetMs === 20_000)).toBe(true);
    clock.time += 20_000;
    expect(await store.hit('k', 60, WINDOW)).toMatchObject({ allowed: true, remaining: 59, resetMs: WINDOW });
  });

  it('honours a per-call limit', async () => {
    const states = await hitTimes(store, 'k', 6, 5);
    expect(states.map((s) => s.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it('sweeps expired keys a few per hit, so distinct keys do not pile up', async () => {
    for (let i = 0; i < 100; i++) await store.hit(`old-${i}`, 60, WINDOW);
    expect(store.size).toBe(100);
    clock.time += WINDOW;
    await hitTimes(store, 'new', 20);
    expect(store.size).toBe(1);
  });

  it('holds no more than about one window of keys under a stream of distinct keys', async () => {
    // 10 new keys per second for 10 minutes: 600 keys per window.
    let peak = 0;
    for (let i = 0; i < 6_000; i++) {
      clock.time += 100;
      await store.hit(`key-${i}`, 60, WINDOW);
      peak = Math.max(peak, store.size);
    }
    expect(peak).toBeLessThanOrEqual(601);
  });
});
