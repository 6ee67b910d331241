import { formatIp, isValidHostname, isValidIp, parseIp } from '@wgfleet/wireguard';

/** Echo requests per ping: upstream takes any count (one second each); a node answers at most this many. */
export const PROBE_COUNT = { min: 1, max: 10 } as const;

/**
 * What a node may be asked to ping or trace: an IPv4 or IPv6 address, returned canonical (so a
 * `010.0.0.1` never reaches ping's octal parser), or an RFC 1123 host name (labels of letters,
 * digits and inner hyphens, at most 253 characters: never a leading `-`, never a space). Null otherwise.
 */
export function probeTarget(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (isValidIp(value)) return formatIp(parseIp(value));
  return isValidHostname(value) ? value : null;
}

export function isValidProbeCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= PROBE_COUNT.min && value <= PROBE_COUNT.max;
}
