/**
 * Addresses as 16-bit groups (2 for IPv4, 8 for IPv6): validating and re-serialising them needs no
 * BigInt, which keeps rendering 10,000 peers cheap. BigInt is built only where arithmetic needs it.
 */
export function groupsToBigInt(groups: readonly number[]): bigint {
  let value = 0n;
  for (let i = 0; i < groups.length; i += 2) value = (value << 32n) | BigInt(groups[i] * 0x10000 + groups[i + 1]);
  return value;
}

export function bigIntToGroups(value: bigint, count: number): number[] {
  const groups = new Array<number>(count);
  let rest = value;
  for (let i = count - 2; i >= 0; i -= 2) {
    const chunk = Number(rest & 0xffffffffn);
    groups[i] = chunk >>> 16;
    groups[i + 1] = chunk & 0xffff;
    rest >>= 32n;
  }
  return groups;
}

/** The groups with every bit after `prefix` cleared. */
export function maskGroups(groups: readonly number[], prefix: number): number[] {
  return groups.map((group, index) => {
    const keep = Math.min(16, Math.max(0, prefix - index * 16));
    return keep === 16 ? group : group & (0xffff << (16 - keep)) & 0xffff;
  });
}
