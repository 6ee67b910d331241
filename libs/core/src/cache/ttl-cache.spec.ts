import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('returns a value until its time is up', () => {
    let now = 1_000;
    const cache = new TtlCache<string>(5_000, 10, () => now);
    cache.set('a', 'x');
    now += 4_999;
    expect(cache.get('a')).toBe('x');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest entry when full', () => {
    const cache = new TtlCache<number>(5_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('deletes by key and by predicate', () => {
    const cache = new TtlCache<{ account: number }>(5_000, 10);
    cache.set('a', { account: 1 });
    cache.set('b', { account: 2 });
    cache.set('c', { account: 1 });
    cache.delete('b');
    cache.deleteWhere((value) => value.account === 1);
    expect(cache.size).toBe(0);
  });
});
