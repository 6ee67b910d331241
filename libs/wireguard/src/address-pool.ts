import { cidrSize, parseCidr, type Cidr } from './cidr.js';
import { WireguardInputError } from './errors.js';
import { formatIp, tryParseIp, type IpVersion } from './ip-address.js';
import { ipv4ToNumber } from './ipv4.js';

export type AllocationResult =
  | { ok: true; address: string }
  | { ok: false; reason: 'pool_exhausted'; message: string };

interface HostRange {
  server: bigint;
  last: bigint;
}

const SMALLEST_USABLE_PREFIX: Record<IpVersion, number> = { 4: 30, 6: 126 };
const HOST_SUFFIX: Record<IpVersion, string> = { 4: '/32', 6: '/128' };

/** The server's own tunnel address: the first host of the subnet. */
export function serverAddress(subnet: string): string {
  const pool = parseCidr(subnet, 'subnet');
  const range = hostRange(pool);
  if (range === null) throw new WireguardInputError('subnet', tooSmallMessage(pool));
  return formatIp({ version: pool.version, value: range.server });
}

/**
 * The lowest free client address in the subnet. `used` holds the addresses already taken (bare or
 * /32, /128); entries of other subnets are ignored. The network address, the IPv4 broadcast and the
 * server's own address are never handed out.
 */
export function allocateAddress(subnet: string, used: Iterable<string>): AllocationResult {
  const pool = parseCidr(subnet, 'subnet');
  const range = hostRange(pool);
  if (range === null) return { ok: false, reason: 'pool_exhausted', message: tooSmallMessage(pool) };
  const free = pool.version === 4 ? lowestFreeIpv4(range, used) : lowestFreeIpv6(range, used);
  if (free !== null) return { ok: true, address: formatIp({ version: pool.version, value: free }) };
  return {
    ok: false,
    reason: 'pool_exhausted',
    message: exhaustedMessage(pool, range.last - range.server),
  };
}

/** The addresses clients may get: from after the server's own to the last host (no IPv4 broadcast). */
export interface ClientAddressRange {
  first: string;
  last: string;
  /** How many there are, for messages. */
  size: bigint;
  /** Said when the range is used up: what to do about it. */
  exhaustedMessage: string;
}

/**
 * The client range of a subnet, for callers that search the used addresses where they are stored
 * (the database) instead of passing them all to allocateAddress; the same rules. Null when the
 * subnet is too small to hold a server and a client.
 */
export function clientAddressRange(subnet: string): ClientAddressRange | null {
  const pool = parseCidr(subnet, 'subnet');
  const range = hostRange(pool);
  if (range === null) return null;
  const size = range.last - range.server;
  return {
    first: formatIp({ version: pool.version, value: range.server + 1n }),
    last: formatIp({ version: pool.version, value: range.last }),
    size,
    exhaustedMessage: exhaustedMessage(pool, size),
  };
}

function hostRange(pool: Cidr): HostRange | null {
  if (pool.prefix > SMALLEST_USABLE_PREFIX[pool.version]) return null;
  const top = pool.network + cidrSize(pool) - 1n;
  // IPv6 has no broadcast; only the network address (subnet-router anycast) is reserved.
  return { server: pool.network + 1n, last: pool.version === 4 ? top - 1n : top };
}

function exhaustedMessage(pool: Cidr, size: bigint): string {
  return `all ${size} client addresses of ${pool.text} are in use; remove a peer or give the server a larger subnet`;
}

function tooSmallMessage(pool: Cidr): string {
  return `${pool.text} has no room for a server and a client; use a /${SMALLEST_USABLE_PREFIX[pool.version]} or larger subnet`;
}

// Numbers, not bigints: a Set<number> of 50,000 IPv4 hosts builds and probes several times faster.
function lowestFreeIpv4(range: HostRange, used: Iterable<string>): bigint | null {
  const taken = new Set<number>();
  let index = 0;
  for (const entry of used) {
    const host = parseUsedHost(entry, index++);
    if (host.version === 4) taken.add(host.value);
  }
  const last = Number(range.last);
  for (let candidate = Number(range.server) + 1; candidate <= last; candidate++) {
    if (!taken.has(candidate)) return BigInt(candidate);
  }
  return null;
}

// Scanning up from the first host stops at the first gap, so even a /64 costs at most used + 1 steps.
function lowestFreeIpv6(range: HostRange, used: Iterable<string>): bigint | null {
  const taken = new Set<bigint>();
  let index = 0;
  for (const entry of used) {
    const host = parseUsedHost(entry, index++);
    if (host.version === 6) taken.add(host.value);
  }
  for (let candidate = range.server + 1n; candidate <= range.last; candidate++) {
    if (!taken.has(candidate)) return candidate;
  }
  return null;
}

type UsedHost = { version: 4; value: number } | { version: 6; value: bigint };

/** A used entry: a bare address or one with a /32 (IPv4) or /128 (IPv6) suffix. */
function parseUsedHost(entry: string, index: number): UsedHost {
  if (typeof entry !== 'string') throw usedError(index);
  const version: IpVersion = entry.includes(':') ? 6 : 4;
  const slash = entry.indexOf('/');
  if (slash >= 0 && entry.slice(slash) !== HOST_SUFFIX[version]) throw usedError(index);
  const text = slash < 0 ? entry : entry.slice(0, slash);
  if (version === 4) {
    const value = ipv4ToNumber(text);
    if (value === null) throw usedError(index);
    return { version, value };
  }
  const ip = tryParseIp(text);
  if (ip === null) throw usedError(index);
  return { version, value: ip.value };
}

function usedError(index: number): WireguardInputError {
  const field = `used[${index}]`;
  return new WireguardInputError(field, `${field} must be a host address such as 10.8.0.2, 10.8.0.2/32 or fd42:66:1::2/128`);
}
