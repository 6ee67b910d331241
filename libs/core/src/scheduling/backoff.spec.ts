import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('backoffDelay', () => {
  it.each([
    [0, 0],
    [-3, 0],
    [Number.NaN, 0],
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
    [5_000, 60_000],
    [Number.POSITIVE_INFINITY, 0],
  ])('after %p failures waits %p ms by default', (failures, expected) => {
    expect(backoffDelay(failures)).toBe(expected);
  });

  it.each([
    [{ initialMs: 10, maxMs: 100 }, 1, 10],
    [{ initialMs: 10, maxMs: 100 }, 4, 80],
    [{ initialMs: 10, maxMs: 100 }, 5, 100],
    [{ initialMs: 50, maxMs: 20 }, 3, 50],
    [{ initialMs: 0, maxMs: 100 }, 9, 0],
  ])('with %p after %p failures waits %p ms', (policy, failures, expected) => {
    expect(backoffDelay(failures, policy)).toBe(expected);
  });

  it('never decreases as failures grow', () => {
    let previous = 0;
    for (let failures = 1; failures <= 100; failures++) {
      const delay = backoffDelay(failures, DEFAULT_BACKOFF);
      expect(delay).toBeGreaterThanOrEqual(previous);
      previous = delay;
    }
  });
});
