import { allocateAddress, clientAddressRange, serverAddress } from './address-pool.js';
import { WireguardInputError } from './errors.js';

function denseIpv4(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.20.${(i + 1) >> 8}.${(i + 1) & 255}`);
}

describe('serverAddress', () => {
  it.each([
    ['10.8.0.0/24', '10.8.0.1'],
    ['10.8.0.0/30', '10.8.0.1'],
    ['10.0.0.0/8', '10.0.0.1'],
    ['fd42:66:1::/64', 'fd42:66:1::1'],
    ['fd42:66:1::100/120', 'fd42:66:1::101'],
  ])('is the first host of %s: %s', (subnet, expected) => {
    expect(serverAddress(subnet)).toBe(expected);
  });

  it.each([
    ['10.8.0.0/31', 'use a /30 or larger'],
    ['10.8.0.1/32', 'use a /30 or larger'],
    ['fd42::/127', 'use a /126 or larger'],
    ['10.8.0.5/24', 'host bits set'],
  ])('refuses %s (%s)', (subnet, message) => {
    expect(() => serverAddress(subnet)).toThrow(message);
    expect(() => serverAddress(subnet)).toThrow(expect.objectContaining({ field: 'subnet' }));
  });
});

describe('allocateAddress', () => {
  it.each([
    ['the first client address of an empty pool', '10.8.0.0/24', [], '10.8.0.2'],
    ['past the server address even when it is not listed', '10.8.0.0/24', ['10.8.0.2'], '10.8.0.3'],
    ['the lowest hole', '10.8.0.0/24', ['10.8.0.2', '10.8.0.3', '10.8.0.5', '10.8.0.6'], '10.8.0.4'],
    ['the lowest hole when used is unsorted and /32-suffixed', '10.8.0.0/24', ['10.8.0.4/32', '10.8.0.2/32', '10.8.0.3'], '10.8.0.5'],
    ['ignoring addresses of other subnets', '10.8.0.0/24', ['10.9.0.2', '10.8.1.2', 'fd42::2', '10.8.0.2'], '10.8.0.3'],
    ['ignoring a listed server address', '10.8.0.0/24', ['10.8.0.1', '10.8.0.2'], '10.8.0.3'],
    ['the one client slot of a /30', '10.8.0.0/30', [], '10.8.0.2'],
    ['the last host before the broadcast', '10.8.0.0/29', ['10.8.0.2', '10.8.0.3', '10.8.0.4', '10.8.0.5'], '10.8.0.6'],
    ['the first client address of an IPv6 /64', 'fd42:66:1::/64', [], 'fd42:66:1::2'],
    ['an IPv6 hole, matching uppercase and /128 entries', 'fd42:66:1::/64', ['FD42:66:1::2/128', 'fd42:66:1:0::3', '10.8.0.4'], 'fd42:66:1::4'],
    ['the last address of an IPv6 /120 (no broadcast in IPv6)', 'fd42::/120', Array.from({ length: 253 }, (_, i) => `fd42::${(i + 2).toString(16)}`), 'fd42::ff'],
    ['two client slots of an IPv6 /126', 'fd42::/126', ['fd42::2'], 'fd42::3'],
    ['crossing an octet boundary', '10.8.0.0/23', Array.from({ length: 254 }, (_, i) => `10.8.0.${i + 2}`), '10.8.1.0'],
  ])('gives %s', (_case, subnet, used, expected) => {
    expect(allocateAddress(subnet, used)).toEqual({ ok: true, address: expected });
  });

  it.each([
    ['a full /30', '10.8.0.0/30', ['10.8.0.2'], 'all 1 client addresses of 10.8.0.0/30 are in use'],
    ['a full /29', '10.8.0.0/29', ['10.8.0.2', '10.8.0.3', '10.8.0.4', '10.8.0.5', '10.8.0.6'], 'all 5 client addresses'],
    ['a /31', '10.8.0.0/31', [], '10.8.0.0/31 has no room for a server and a client; use a /30 or larger subnet'],
    ['a /32', '10.8.0.7/32', [], 'no room for a server and a client'],
    ['an IPv6 /127', 'fd42::/127', [], 'use a /126 or larger subnet'],
    ['an IPv6 /128', 'fd42::1/128', [], 'use a /126 or larger subnet'],
    ['a full IPv6 /126', 'fd42::/126', ['fd42::2', 'fd42::3'], 'all 2 client addresses of fd42::/126 are in use'],
  ])('reports %s as exhausted without throwing', (_case, subnet, used, message) => {
    const result = allocateAddress(subnet, used);
    expect(result).toEqual({ ok: false, reason: 'pool_exhausted', message: expect.stringContaining(message) });
  });

  it.each([
    ['a subnet with host bits', '10.8.0.1/24', [], 'subnet'],
    ['a subnet without prefix', '10.8.0.0', [], 'subnet'],
    ['a used entry that is not an address', '10.8.0.0/24', ['10.8.0.2', 'nope'], 'used[1]'],
    ['a used entry with a network prefix', '10.8.0.0/24', ['10.8.0.0/24'], 'used[0]'],
    ['an IPv6 used entry with /32', 'fd42::/64', ['fd42::2/32'], 'used[0]'],
    ['a bad IPv6 used entry in an IPv4 pool', '10.8.0.0/24', ['fd42::g'], 'used[0]'],
    ['a non-string used entry', '10.8.0.0/24', [167772162 as unknown as string], 'used[0]'],
  ])('throws for %s', (_case, subnet, used, field) => {
    expect(() => allocateAddress(subnet, used)).toThrow(WireguardInputError);
    expect(() => allocateAddress(subnet, used)).toThrow(expect.objectContaining({ field }));
  });

  it('accepts any iterable, such as a Set', () => {
    expect(allocateAddress('10.8.0.0/24', new Set(['10.8.0.2']))).toEqual({ ok: true, address: '10.8.0.3' });
  });

  it.each([
    ['dense: hosts 1..50,000 used', denseIpv4(50_000), '10.20.195.81'],
    ['dense with one hole at host 30,000', denseIpv4(50_000).filter((ip) => ip !== '10.20.117.48'), '10.20.117.48'],
    ['all 65,533 client addresses used', denseIpv4(65_534), null],
  ])('finds the right address in a /16 with %s', (_case, used, expected) => {
    const result = allocateAddress('10.20.0.0/16', used);
    expect(result.ok ? result.address : null).toBe(expected);
  });

  it('finds the first gap after 50,000 used addresses in an IPv6 /64 without walking the /64', () => {
    const used = Array.from({ length: 50_000 }, (_, i) => `fd42:66:1::${(i + 2).toString(16)}`);
    expect(allocateAddress('fd42:66:1::/64', used)).toEqual({ ok: true, address: `fd42:66:1::${(50_002).toString(16)}` });
  });
});

describe('clientAddressRange', () => {
  it.each([
    ['10.8.0.0/24', '10.8.0.2', '10.8.0.254', 253n],
    ['10.8.0.0/30', '10.8.0.2', '10.8.0.2', 1n],
    ['10.8.0.0/22', '10.8.0.2', '10.8.3.254', 1021n],
    ['fd42:66:1::/64', 'fd42:66:1::2', 'fd42:66:1:0:ffff:ffff:ffff:ffff', 2n ** 64n - 2n],
    ['fd42::/126', 'fd42::2', 'fd42::3', 2n],
  ])('%s: clients from %s to %s (%s of them)', (subnet, first, last, size) => {
    expect(clientAddressRange(subnet)).toMatchObject({ first, last, size });
  });

  it('agrees with allocateAddress: the first free address of an empty pool is `first`, and a full pool says the same', () => {
    expect(allocateAddress('10.8.0.0/29', [])).toEqual({ ok: true, address: clientAddressRange('10.8.0.0/29')!.first });
    const full = allocateAddress('10.8.0.0/30', ['10.8.0.2']);
    expect(full).toEqual({ ok: false, reason: 'pool_exhausted', message: clientAddressRange('10.8.0.0/30')!.exhaustedMessage });
  });

  it('is null for a subnet with no room for a client', () => {
    expect(clientAddressRange('10.8.0.0/31')).toBeNull();
    expect(clientAddressRange('fd42::/127')).toBeNull();
  });
});
