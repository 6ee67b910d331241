import { parseCidr } from './cidr.js';
import { tryParseIp, type IpVersion } from './ip-address.js';

// wg-quick's own rule, minus what breaks the commands we build from the name: a leading `-` reads as an
// option to `wg`/`ip`, `.`/`..` are refused by the kernel, `+` is a wildcard in iptables `-o wg+`, and
// `wg show all|interfaces …` are keywords, not interfaces.
const INTERFACE_NAME = /^(?!-)[a-zA-Z0-9_=.-]{1,15}$/;
const RESERVED_INTERFACE_NAMES = new Set(['.', '..', 'all', 'interfaces']);

export function isValidInterfaceName(value: unknown): boolean {
  return typeof value === 'string' && INTERFACE_NAME.test(value) && !RESERVED_INTERFACE_NAMES.has(value);
}

export function isValidPort(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function isValidIp(value: unknown, version?: IpVersion): boolean {
  if (typeof value !== 'string') return false;
  const ip = tryParseIp(value);
  return ip !== null && (version === undefined || ip.version === version);
}

/** A network with no host bits set (`10.8.0.0/24` yes, `10.8.0.5/24` no). */
export function isValidCidr(value: unknown, version?: IpVersion): boolean {
  if (typeof value !== 'string') return false;
  try {
    const cidr = parseCidr(value);
    return version === undefined || cidr.version === version;
  } catch {
    return false;
  }
}
