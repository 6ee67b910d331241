import { formatBytes } from './format-bytes.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10_240, '10.00 KiB'],
    // 1023.999 KiB rounds to 1024.00: shown as the next unit.
    [1_048_575, '1.00 MiB'],
    [1_048_576, '1.00 MiB'],
    [1_299_227_607, '1.21 GiB'],
    [5 * 1024 ** 3 + 512 * 1024 ** 2, '5.50 GiB'],
    [1024 ** 4, '1.00 TiB'],
    [1024 ** 5, '1.00 PiB'],
    [1024 ** 6, '1.00 EiB'],
    // Past the last unit the number just grows.
    [2048 * 1024 ** 6, '2048.00 EiB'],
    [Number.MAX_SAFE_INTEGER, '8.00 PiB'],
  ])('formats %d bytes as %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});
