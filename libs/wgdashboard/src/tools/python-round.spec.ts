import { pythonRound } from './python-round.js';

describe('pythonRound (Python round(x, n), values checked against CPython 3.11)', () => {
  it.each([
    [0.25, 1, 0.2],
    [0.75, 1, 0.8],
    [0.35, 1, 0.3],
    [2.675, 2, 2.67],
    [0.0625, 3, 0.062],
    [0.1875, 3, 0.188],
    [0.0895, 3, 0.089],
    [12.5, 1, 12.5],
    [100 / 3, 1, 33.3],
    [0.0005, 3, 0.001],
    [0.0015, 3, 0.002],
    [0, 1, 0],
    [-0.25, 1, -0.2],
    [99.96, 1, 100],
  ])('round(%p, %p) == %p', (value, digits, expected) => {
    expect(pythonRound(value, digits)).toBe(expected);
  });
});
