/**
 * What Python 3.11's `ipaddress.ip_address` / `ip_network(strict=False)` accept, so that a setting
 * upstream takes is taken here and one it refuses is refused. One deliberate difference: IPv6 scope
 * ids (`fe80::1%eth0`) are refused. Python lets any character but `%` follow the `%`, newlines
 * included, and these values end up in client configuration files.
 */

/** Python's `IPv4Address(text)`: four decimal octets, no leading zeros, each at most 255. */
export function parseIpv4(text: string): number | null {
  const octets = text.split('.');
  if (octets.length !== 4) return null;
  let value = 0;
  for (const octet of octets) {
    if (!/^[0-9]{1,3}$/.test(octet)) return null;
    if (octet !== '0' && octet.startsWith('0')) return null;
    const number = Number(octet);
    if (number > 255) return null;
    value = value * 256 + number;
  }
  return value;
}

const HEXTETS = 8;

/** Python's `IPv6Address(text)` without scope ids: hextets, one `::`, an optional dotted IPv4 tail. */
export function isIpv6(text: string): boolean {
  if (text.length === 0 || text.includes('%')) return false;
  const parts = text.split(':');
  if (parts.length < 3) return false;
  const last = parts[parts.length - 1]!;
  if (last.includes('.')) {
    if (parseIpv4(last) === null) return false;
    parts.splice(parts.length - 1, 1, '0', '0');
  }
  if (parts.length > HEXTETS + 1) return false;
  let skipIndex: number | null = null;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      if (skipIndex !== null) return false;
      skipIndex = i;
    }
  }
  let high: number;
  let low: number;
  if (skipIndex !== null) {
    high = skipIndex;
    low = parts.length - skipIndex - 1;
    if (parts[0] === '' && --high !== 0) return false;
    if (parts[parts.length - 1] === '' && --low !== 0) return false;
    if (HEXTETS - (high + low) < 1) return false;
  } else {
    if (parts.length !== HEXTETS || parts[0] === '' || parts[parts.length - 1] === '') return false;
    high = parts.length;
    low = 0;
  }
  const hextets = [...parts.slice(0, high), ...parts.slice(parts.length - low)];
  return hextets.every((hextet) => /^[0-9a-fA-F]{1,4}$/.test(hextet));
}

/** `ipaddress.ip_address(text)` succeeds. */
export function isPythonIpAddress(text: string): boolean {
  return parseIpv4(text) !== null || isIpv6(text);
}

/** `ipaddress.ip_network(text, strict=False)` succeeds (host bits allowed, as strict=False). */
export function isPythonIpNetwork(text: string): boolean {
  const pieces = text.split('/');
  if (pieces.length > 2) return false;
  const [address, mask] = pieces as [string, string | undefined];
  if (parseIpv4(address) !== null && (mask === undefined || isIpv4Mask(mask))) return true;
  return isIpv6(address) && (mask === undefined || isPrefixLength(mask, 128));
}

function isPrefixLength(text: string, max: number): boolean {
  // Python: ASCII digits, then int(); leading zeros are fine here ("/08" is /8).
  return /^[0-9]+$/.test(text) && Number(text) <= max;
}

/** An IPv4 mask: a prefix length, a dotted netmask (255.255.0.0) or a dotted hostmask (0.0.255.255). */
function isIpv4Mask(text: string): boolean {
  if (isPrefixLength(text, 32)) return true;
  const value = parseIpv4(text);
  if (value === null) return false;
  return isContiguousNetmask(value) || isContiguousNetmask(0xffffffff - value);
}

/** Ones followed by zeros (0.0.0.0 and 255.255.255.255 included). */
function isContiguousNetmask(value: number): boolean {
  const inverted = 0xffffffff - value;
  // The host part is 2^k - 1 exactly when the zeros of `value` are all on the right (`&` works on 32 bits).
  return ((inverted + 1) & inverted) === 0;
}
