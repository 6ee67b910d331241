import { ADDRESS_BITS, formatIp, parseCidr, tryParseInterfaceAddress, tryParseIp, type Cidr, type IpAddress } from '@wgfleet/wireguard';

/** One `Address` item of a configuration, as written (`10.0.0.1/24`), read as Python's `ip_network(strict=False)`. */
export interface AddressPool {
  written: string;
  own: IpAddress;
  network: bigint;
  prefix: number;
}

/** The pools of a configuration's `Address` items, in their order; unreadable items are left out. */
export function addressPools(addresses: readonly string[]): AddressPool[] {
  return addresses.flatMap((written) => {
    const parsed = tryParseInterfaceAddress(written);
    if (parsed === null) return [];
    const hostBits = BigInt(ADDRESS_BITS[parsed.ip.version] - parsed.prefix);
    return [{ written, own: parsed.ip, network: (parsed.ip.value >> hostBits) << hostBits, prefix: parsed.prefix }];
  });
}

/**
 * The addresses upstream counts as used (notes §2.26): the address part of every `allowed_ip` item
 * with a `/`, of active and restricted peers alike, and the configuration's own addresses.
 */
export function usedAddresses(pools: readonly AddressPool[], peerAllowedIps: readonly string[]): Set<string> {
  const used = new Set(pools.map((pool) => key(pool.own)));
  for (const item of peerAllowedIps.flatMap((allowedIp) => allowedIp.split(','))) {
    if (!item.includes('/')) continue;
    const parsed = tryParseInterfaceAddress(item.trim());
    if (parsed !== null) used.add(key(parsed.ip));
  }
  return used;
}

/**
 * Free host addresses of the pool, ascending, as `x/32` or `x/128`, at most `limit` (Python's
 * `hosts()`: IPv4 leaves out the network and broadcast addresses of networks larger than /31, IPv6
 * the subnet-router anycast address).
 */
export function freeAddresses(pool: AddressPool, used: ReadonlySet<string>, limit: number): string[] {
  const version = pool.own.version;
  const bits = ADDRESS_BITS[version];
  const size = 1n << BigInt(bits - pool.prefix);
  const smallV4 = version === 4 && pool.prefix >= 31;
  let next = smallV4 || pool.prefix === bits ? pool.network : pool.network + 1n;
  const last = version === 4 && !smallV4 ? pool.network + size - 2n : pool.network + size - 1n;
  const free: string[] = [];
  for (; next <= last && free.length < limit; next++) {
    const ip = { version, value: next };
    if (!used.has(key(ip))) free.push(`${formatIp(ip)}/${bits}`);
  }
  return free;
}

/** Upstream's count of free addresses: every address of the network minus the used ones inside it (so IPv4 over-states by 2). */
export function freeCount(pool: AddressPool, used: ReadonlySet<string>): bigint {
  const version = pool.own.version;
  const hostBits = BigInt(ADDRESS_BITS[version] - pool.prefix);
  let inside = 0n;
  for (const entry of used) {
    const [entryVersion, value] = entry.split(':') as [string, string];
    if (Number(entryVersion) === version && BigInt(value) >> hostBits === pool.network >> hostBits) inside++;
  }
  return (1n << hostBits) - inside;
}

/** Whether a network (or host) lies inside the pool's subnet, as Python's `subnet_of`. */
export function poolContains(pool: AddressPool, network: Pick<Cidr, 'version' | 'network' | 'prefix'>): boolean {
  if (network.version !== pool.own.version || network.prefix < pool.prefix) return false;
  const hostBits = BigInt(ADDRESS_BITS[pool.own.version] - pool.prefix);
  return network.network >> hostBits === pool.network >> hostBits;
}

/** Python's strict `ip_network`: a network without host bits, or a bare address (as /32 or /128); null otherwise. */
export function tryParseNetwork(text: string): Cidr | null {
  const ip = tryParseIp(text);
  try {
    return parseCidr(ip === null ? text : `${text}/${ADDRESS_BITS[ip.version]}`);
  } catch {
    return null;
  }
}

function key(ip: IpAddress): string {
  return `${ip.version}:${ip.value}`;
}
