import { addressPools, freeAddresses, freeCount, usedAddresses } from './available-ips.js';

describe('available IPs (notes §2.26, §2.34)', () => {
  it('lists free IPv4 hosts after the server and the peers, network and broadcast left out', () => {
    const [pool] = addressPools(['10.66.7.1/24']);
    const used = usedAddresses([pool!], ['10.66.7.2/32', '10.66.7.3/32, fd42::3/128', '10.66.7.5/32']);
    const free = freeAddresses(pool!, used, 1000);
    expect(free.slice(0, 3)).toEqual(['10.66.7.4/32', '10.66.7.6/32', '10.66.7.7/32']);
    expect(free.at(-1)).toBe('10.66.7.254/32');
    expect(free).toHaveLength(250);
    // Upstream counts the network and broadcast as free: 256 - 4 used.
    expect(freeCount(pool!, used)).toBe(252n);
  });

  it('stops at the limit, and counts IPv6 as Python ints of any size', () => {
    const pools = addressPools(['10.66.10.1/24', 'fd42:66:10::1/64']);
    const used = usedAddresses(pools, []);
    const v6 = freeAddresses(pools[1]!, used, 255);
    expect(v6[0]).toBe('fd42:66:10::2/128');
    expect(v6.at(-1)).toBe('fd42:66:10::100/128');
    expect(freeCount(pools[0]!, used)).toBe(255n);
    expect(freeCount(pools[1]!, used)).toBe(18446744073709551615n);
  });

  it('reads an address item with host bits as its network (strict=False) and skips what it cannot read', () => {
    const pools = addressPools(['10.0.0.9/30', 'nonsense', '']);
    expect(pools).toHaveLength(1);
    expect(freeAddresses(pools[0]!, usedAddresses(pools, []), 10)).toEqual(['10.0.0.10/32']);
  });

  it('ignores allowed_ip items without a prefix, as upstream', () => {
    const pools = addressPools(['10.0.0.1/24']);
    expect(freeAddresses(pools[0]!, usedAddresses(pools, ['10.0.0.2']), 1)).toEqual(['10.0.0.2/32']);
  });
});
