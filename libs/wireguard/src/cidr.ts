import { WireguardInputError } from './errors.js';
import { groupsToBigInt, maskGroups } from './ip-groups.js';
import { ADDRESS_BITS, formatIpGroups, tryParseIpGroups, type IpAddress, type IpGroups, type IpVersion } from './ip-address.js';

export interface Cidr {
  version: IpVersion;
  network: bigint;
  prefix: number;
  /** Canonical text, e.g. `10.8.0.0/24` or `fd42:66:1::/64`. */
  text: string;
}

/** An interface address: a host with the prefix of its subnet (`10.8.0.2/24`) — host bits allowed. */
export interface PrefixedAddress {
  ip: IpAddress;
  prefix: number;
}

interface PrefixedGroups {
  ip: IpGroups;
  prefix: number;
}

const PREFIX_TEXT = /^(0|[1-9][0-9]{0,2})$/;

/** A network in CIDR notation with no host bits set; anything else throws with what to write instead. */
export function parseCidr(cidr: string, field = 'cidr'): Cidr {
  const { network, prefix, text } = readNetwork(cidr, field);
  return { version: network.version, network: groupsToBigInt(network.groups), prefix, text };
}

/** Same rules as parseCidr, but only the canonical text: no BigInt, for rendering thousands of peers. */
export function canonicalCidr(cidr: string, field = 'cidr'): { version: IpVersion; text: string } {
  const { network, text } = readNetwork(cidr, field);
  return { version: network.version, text };
}

function readNetwork(cidr: string, field: string): { network: IpGroups; prefix: number; text: string } {
  const parsed = typeof cidr === 'string' ? tryParsePrefixedGroups(cidr) : null;
  if (parsed === null) {
    throw new WireguardInputError(field, `${field} must be a network in CIDR notation such as 10.8.0.0/24 or fd42:66:1::/64`);
  }
  const network: IpGroups = { version: parsed.ip.version, groups: maskGroups(parsed.ip.groups, parsed.prefix) };
  const text = `${formatIpGroups(network)}/${parsed.prefix}`;
  if (network.groups.some((group, index) => group !== parsed.ip.groups[index])) {
    throw new WireguardInputError(field, `${cidr} has host bits set; use ${text}`);
  }
  return { network, prefix: parsed.prefix, text };
}

/** `10.8.0.2/24`, `10.8.0.2/32` or a bare `10.8.0.2` (read as /32, or /128 for IPv6); null if invalid. */
export function tryParseInterfaceAddress(text: string): PrefixedAddress | null {
  const parsed = text.includes('/') ? tryParsePrefixedGroups(text) : bareAddress(text);
  return parsed === null ? null : { ip: { version: parsed.ip.version, value: groupsToBigInt(parsed.ip.groups) }, prefix: parsed.prefix };
}

function bareAddress(text: string): PrefixedGroups | null {
  const ip = tryParseIpGroups(text);
  return ip === null ? null : { ip, prefix: ADDRESS_BITS[ip.version] };
}

function tryParsePrefixedGroups(text: string): PrefixedGroups | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = tryParseIpGroups(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === null || !PREFIX_TEXT.test(prefixText)) return null;
  const prefix = Number(prefixText);
  return prefix <= ADDRESS_BITS[ip.version] ? { ip, prefix } : null;
}

/** Number of addresses in the network, including network and broadcast. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(ADDRESS_BITS[cidr.version] - cidr.prefix);
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (ip.version !== cidr.version) return false;
  const hostBits = BigInt(ADDRESS_BITS[cidr.version] - cidr.prefix);
  return ip.value >> hostBits === cidr.network >> hostBits;
}
