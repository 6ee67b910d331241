import { isValidCidr, isValidInterfaceName, isValidIp, isValidPort } from './validators.js';

describe('isValidInterfaceName', () => {
  it.each([
    ['wg0', true],
    ['wg-fleet_1.a=b', true],
    ['a', true],
    ['fifteen-chars-x', true],
    ['sixteen-chars-xx', false],
    ['', false],
    ['-wg0', false],
    ['.', false],
    ['..', false],
    ['all', false],
    ['interfaces', false],
    ['wg+', false],
    ['wg 0', false],
    ['wg0\n', false],
    ['wg/0', false],
    ['wg:0', false],
    ['wgö', false],
    [7, false],
    [null, false],
  ])('%j → %s', (value, expected) => {
    expect(isValidInterfaceName(value)).toBe(expected);
  });
});

describe('isValidPort', () => {
  it.each([
    [1, true],
    [51820, true],
    [65535, true],
    [0, false],
    [65536, false],
    [-1, false],
    [443.5, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    ['443', false],
    [null, false],
  ])('%j → %s', (value, expected) => {
    expect(isValidPort(value)).toBe(expected);
  });
});

describe('isValidIp', () => {
  it.each([
    ['10.8.0.1', undefined, true],
    ['fd42::1', undefined, true],
    ['10.8.0.1', 4, true],
    ['10.8.0.1', 6, false],
    ['fd42::1', 6, true],
    ['fd42::1', 4, false],
    ['010.8.0.1', undefined, false],
    ['fe80::1%eth0', undefined, false],
    ['::ffff:10.8.0.1', undefined, false],
    ['10.8.0.1/32', undefined, false],
    [' 10.8.0.1', undefined, false],
    [167772161, undefined, false],
  ] as const)('%j (version %s) → %s', (value, version, expected) => {
    expect(isValidIp(value, version)).toBe(expected);
  });
});

describe('isValidCidr', () => {
  it.each([
    ['10.8.0.0/24', undefined, true],
    ['fd42:66:1::/64', undefined, true],
    ['10.8.0.0/24', 4, true],
    ['10.8.0.0/24', 6, false],
    ['fd42:66:1::/64', 6, true],
    ['fd42:66:1::/64', 4, false],
    ['10.8.0.5/24', undefined, false],
    ['10.8.0.0', undefined, false],
    ['10.8.0.0/33', undefined, false],
    ['garbage', undefined, false],
    [undefined, undefined, false],
  ] as const)('%j (version %s) → %s', (value, version, expected) => {
    expect(isValidCidr(value, version)).toBe(expected);
  });
});
