import { canonicalCidr, tryParseInterfaceAddress } from './cidr.js';
import { formatEndpoint, isValidHostname, tryParseEndpoint } from './endpoint.js';
import { WireguardInputError } from './errors.js';
import { formatIp, tryParseIp, type IpVersion } from './ip-address.js';
import { isValidKey } from './keys.js';

// Each check validates one rendered value and returns its canonical text, so renderers only ever
// write re-serialised values, never the caller's raw string.

/**
 * Line breaks as any client's config reader may split on, and every other control character: wg-quick
 * (bash `read`) splits on LF only, but the Android app's reader also ends a line at CR, and the Apple
 * apps' (Swift `isNewline`) at VT, FF, NEL (U+0085) and U+2028/U+2029 as well. NUL ends a C string.
 * A tab is whitespace to every reader, and a pasted hook may hold one.
 */
const LINE_BREAK_OR_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;

/** One line of a rendered file: no line break or control character (`#` allowed: hooks may hold one). */
export function checkLine(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new WireguardInputError(field, `${field} must be a string`);
  // A line break would start a new directive (PostUp = …, run as root by wg-quick) or a [Peer] in the rendered file.
  if (LINE_BREAK_OR_CONTROL.test(value)) {
    throw new WireguardInputError(field, `${field} must be one line: no line breaks or other control characters`);
  }
  return value;
}

/** A value of a rendered `Key = value` line: one line, and no `#` (it would cut the line short). */
export function checkText(field: string, value: unknown): string {
  const text = checkLine(field, value);
  if (text.includes('#')) throw new WireguardInputError(field, `${field} must not contain "#"`);
  return text;
}

export function checkKey(field: string, value: unknown): string {
  const text = checkText(field, value);
  if (!isValidKey(text)) {
    throw new WireguardInputError(field, `${field} must be a WireGuard key: 32 bytes in base64 (44 characters ending in "=")`);
  }
  return text;
}

export function checkCidr(field: string, value: unknown, version?: IpVersion): string {
  const text = checkText(field, value);
  const cidr = canonicalCidr(text, field);
  if (version !== undefined && cidr.version !== version) {
    throw new WireguardInputError(field, `${field} must be an IPv${version} network`);
  }
  // Same content either way; the caller's string is already flat and hashed, which makes the
  // duplicate-AllowedIP map of a 10,000-peer render about twice as fast.
  return cidr.text === text ? text : cidr.text;
}

export function checkIp(field: string, value: unknown, version?: IpVersion): string {
  const ip = tryParseIp(checkText(field, value));
  if (ip === null || (version !== undefined && ip.version !== version)) {
    const kind = version === undefined ? 'an IPv4 or IPv6' : `an IPv${version}`;
    throw new WireguardInputError(field, `${field} must be ${kind} address such as ${version === 6 ? 'fd42:66:1::2' : '10.8.0.2'}`);
  }
  return formatIp(ip);
}

/** An interface address: `10.8.0.2/32`, `10.8.0.2/24` (host bits allowed) or bare `10.8.0.2` (→ /32). */
export function checkInterfaceAddress(field: string, value: unknown): string {
  const address = tryParseInterfaceAddress(checkText(field, value));
  if (address === null) {
    throw new WireguardInputError(field, `${field} must be an address with an optional prefix, such as 10.8.0.2/32 or fd42:66:1::2/128`);
  }
  return `${formatIp(address.ip)}/${address.prefix}`;
}

export function checkEndpoint(field: string, value: unknown): string {
  const endpoint = tryParseEndpoint(checkText(field, value));
  if (endpoint === null) {
    throw new WireguardInputError(field, `${field} must be host:port or [IPv6]:port, such as 198.18.1.2:51820 or vpn.example.com:51820`);
  }
  return formatEndpoint(endpoint);
}

/** A DNS server address, or a search domain as wg-quick allows in its DNS line. */
export function checkDnsEntry(field: string, value: unknown): string {
  const text = checkText(field, value);
  const ip = tryParseIp(text);
  if (ip !== null) return formatIp(ip);
  if (!isValidHostname(text)) {
    throw new WireguardInputError(field, `${field} must be a DNS server address such as 1.1.1.1 or a search domain such as example.com`);
  }
  return text;
}

export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new WireguardInputError(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Each element checked with `check` (field `name[i]`); duplicates after canonicalisation are refused. */
export function checkList(
  field: string,
  value: unknown,
  check: (field: string, value: unknown) => string,
  options: { minLength: number },
): string[] {
  if (!Array.isArray(value)) throw new WireguardInputError(field, `${field} must be an array`);
  if (value.length < options.minLength) {
    throw new WireguardInputError(field, `${field} must have at least ${options.minLength} entr${options.minLength === 1 ? 'y' : 'ies'}`);
  }
  const seen = new Set<string>();
  return value.map((item, index) => {
    const canonical = check(`${field}[${index}]`, item);
    if (seen.has(canonical)) throw new WireguardInputError(`${field}[${index}]`, `${field} lists ${canonical} twice`);
    seen.add(canonical);
    return canonical;
  });
}
