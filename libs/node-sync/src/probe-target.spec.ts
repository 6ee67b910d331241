import { isValidProbeCount, probeTarget } from './probe-target.js';

describe('probeTarget', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['10.66.1.1', '10.66.1.1'],
    ['::1', '::1'],
    ['FD42:66:1:0::1', 'fd42:66:1::1'],
    ['localhost', 'localhost'],
    ['vpn.example.com', 'vpn.example.com'],
    ['a-b.c0', 'a-b.c0'],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`],
  ])('accepts %j as %j', (input, expected) => {
    expect(probeTarget(input)).toBe(expected);
  });

  it.each([
    [''],
    ['-c'],
    ['-'],
    ['--help'],
    ['a b'],
    ['127.0.0.1 -c 5'],
    ['127.0.0.1;id'],
    ['$(id)'],
    ['`id`'],
    ["a'b"],
    ['a\nb'],
    ['10.0.0.256'],
    ['1.2.3'],
    ['010.0.0.1'],
    ['0x7f.1'],
    ['127.1'],
    ['fe80::1%eth0'],
    ['example.com.'],
    ['-example.com'],
    ['example-.com'],
    ['exa_mple.com'],
    ['bücher.example'],
    [`${'a'.repeat(64)}.com`],
    [`${'a.'.repeat(126)}ab`],
    [null],
    [42],
    [['127.0.0.1']],
  ])('refuses %j', (input) => {
    expect(probeTarget(input)).toBeNull();
  });
});

describe('isValidProbeCount', () => {
  it.each([1, 5, 10])('accepts %j', (count) => expect(isValidProbeCount(count)).toBe(true));
  it.each([0, 11, -1, 1.5, NaN, '3', null])('refuses %j', (count) => expect(isValidProbeCount(count)).toBe(false));
});
