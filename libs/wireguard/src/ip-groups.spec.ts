import { bigIntToGroups, groupsToBigInt, maskGroups } from './ip-groups.js';

describe('groupsToBigInt / bigIntToGroups', () => {
  it.each([
    [[0x0a08, 0x0001], 0x0a080001n],
    [[0xffff, 0xffff], 0xffffffffn],
    [[0xfd42, 0x66, 1, 0, 0, 0, 0, 2], 0xfd420066000100000000000000000002n],
    [[0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], (1n << 128n) - 1n],
  ])('%j ↔ %s', (groups, value) => {
    expect(groupsToBigInt(groups)).toBe(value);
    expect(bigIntToGroups(value, groups.length)).toEqual(groups);
  });
});

describe('maskGroups', () => {
  it.each([
    [[0x0a08, 0x0005], 24, [0x0a08, 0x0000]],
    [[0x0a08, 0x00ff], 28, [0x0a08, 0x00f0]],
    [[0x0a08, 0x0005], 32, [0x0a08, 0x0005]],
    [[0x0a08, 0x0005], 0, [0, 0]],
    [[0x0a08, 0x0005], 12, [0x0a00, 0]],
    [[0xfd42, 0x66, 1, 0xabcd, 1, 2, 3, 4], 64, [0xfd42, 0x66, 1, 0xabcd, 0, 0, 0, 0]],
    [[0xfd42, 0x66, 1, 0xabcd, 1, 2, 3, 4], 56, [0xfd42, 0x66, 1, 0xab00, 0, 0, 0, 0]],
  ])('masks %j to /%i', (groups, prefix, expected) => {
    expect(maskGroups(groups, prefix)).toEqual(expected);
  });
});
