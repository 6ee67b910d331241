import { effectiveRates, mbpsToKbit } from './effective-rates.js';

describe('mbpsToKbit', () => {
  it.each([
    [null, null],
    [0.1, 100],
    [8, 8000],
    [2.345, 2345],
    [0.003, 3],
    [1.001, 1001],
    [10000, 10_000_000],
  ])('%p Mbit/s is %p kbit/s', (mbps, kbit) => {
    expect(mbpsToKbit(mbps)).toBe(kbit);
  });
});

describe('effectiveRates', () => {
  it.each([
    ['allowed, no plan: unlimited', 'allowed' as const, null, null, null, [null, null]],
    ['allowed: the plan’s rates', 'allowed' as const, 8, 4, null, [8000, 4000]],
    ['allowed with a throttle limit not yet reached: the plan’s rates', 'allowed' as const, 8, null, 1, [8000, null]],
    ['throttled, no plan: the throttle both ways', 'throttled' as const, null, null, 1.5, [1500, 1500]],
    ['throttled below the plan: the throttle', 'throttled' as const, 8, 4, 2, [2000, 2000]],
    ['throttled above the plan: the plan', 'throttled' as const, 8, 4, 20, [8000, 4000]],
    ['throttled between the two directions: the slower of each', 'throttled' as const, 8, 1, 2, [2000, 1000]],
    ['throttled, one direction unlimited: the throttle there', 'throttled' as const, null, 0.5, 2, [2000, 500]],
    ['blocked: the plan’s rates (the peer is not on the node anyway)', 'blocked' as const, 8, null, null, [8000, null]],
  ])('%s', (_, accessState, downloadMbps, uploadMbps, throttleMbps, [downloadKbit, uploadKbit]) => {
    expect(effectiveRates({ accessState, downloadMbps, uploadMbps, throttleMbps })).toEqual({ downloadKbit, uploadKbit });
  });
});
