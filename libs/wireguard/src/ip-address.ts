import { WireguardInputError } from './errors.js';
import { bigIntToGroups, groupsToBigInt } from './ip-groups.js';
import { ipv4ToNumber } from './ipv4.js';
import { formatIpv6Groups, parseIpv6Groups } from './ipv6.js';

export type IpVersion = 4 | 6;

export interface IpAddress {
  version: IpVersion;
  value: bigint;
}

/** An address as 16-bit groups: two for IPv4, eight for IPv6. */
export interface IpGroups {
  version: IpVersion;
  groups: number[];
}

export const ADDRESS_BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

const GROUP_COUNT: Record<IpVersion, number> = { 4: 2, 6: 8 };

export function tryParseIpGroups(text: string): IpGroups | null {
  if (text.includes(':')) {
    const groups = parseIpv6Groups(text);
    // ::ffff:a.b.c.d would let one host hide behind two spellings; use the IPv4 address itself.
    if (groups === null || isIpv4Mapped(groups)) return null;
    return { version: 6, groups };
  }
  const value = ipv4ToNumber(text);
  return value === null ? null : { version: 4, groups: [value >>> 16, value & 0xffff] };
}

function isIpv4Mapped(groups: number[]): boolean {
  return groups[5] === 0xffff && groups.slice(0, 5).every((group) => group === 0);
}

/** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6. */
export function formatIpGroups(ip: IpGroups): string {
  if (ip.version === 6) return formatIpv6Groups(ip.groups);
  const [high, low] = ip.groups;
  return `${high >>> 8}.${high & 255}.${low >>> 8}.${low & 255}`;
}

/** The address, or null when the text is not one plain IPv4 or IPv6 address. */
export function tryParseIp(text: string): IpAddress | null {
  const ip = tryParseIpGroups(text);
  return ip === null ? null : { version: ip.version, value: groupsToBigInt(ip.groups) };
}

export function parseIp(text: string, field = 'ip'): IpAddress {
  const ip = typeof text === 'string' ? tryParseIp(text) : null;
  if (ip === null) {
    throw new WireguardInputError(field, `${field} must be an IPv4 or IPv6 address such as 10.8.0.2 or fd42:66:1::2`);
  }
  return ip;
}

export function formatIp(ip: IpAddress): string {
  return formatIpGroups({ version: ip.version, groups: bigIntToGroups(ip.value, GROUP_COUNT[ip.version]) });
}
